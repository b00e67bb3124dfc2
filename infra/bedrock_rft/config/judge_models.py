"""What an LLM judge's ``model_id`` option names, and whether the stack can reach it.

The ``llm_judge`` template accepts a foundation-model id (``amazon.nova-pro-v1:0``), a cross-Region
inference-profile id (``us.amazon.nova-pro-v1:0``) or the ARN of a foundation model, an inference
profile or an application inference profile. :func:`parse_model_id` tells them apart without any
AWS call; :func:`judge_problems` lists what cannot work with the stack's Region and network, and
:func:`reward_judge_problems` does so for every judge of a reward (also inside ``composite``),
naming each option's path. Plain Python: the one rule the config rules (file:line, prop paths)
and the reward construct both apply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bedrock_rft.config.aws_ids import ACCOUNT_ID, REGION_NAME
from rft_runtime.evaluation.models import PROFILE_PREFIX

FOUNDATION_MODEL = "foundation-model"
INFERENCE_PROFILE = "inference-profile"
APPLICATION_INFERENCE_PROFILE = "application-inference-profile"
#: The ARN resource types a judge can be granted (and what problems name as allowed).
ARN_KINDS = (FOUNDATION_MODEL, INFERENCE_PROFILE, APPLICATION_INFERENCE_PROFILE)
ALLOWED_ARNS = (
    "arn:<partition>:bedrock:<region>::foundation-model/<model-id>, "
    "arn:<partition>:bedrock:<region>:<account>:inference-profile/<geo>.<model-id>, "
    "arn:<partition>:bedrock:<region>:<account>:application-inference-profile/<id>"
)

#: Ids of cross-Region (system-defined) inference profiles start with a geography prefix.
_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):bedrock:(?P<region>[^:]*):(?P<account>[^:]*):"
    r"(?P<kind>[a-z-]+)/(?P<name>[^/]+)$"
)


@dataclass(frozen=True, kw_only=True)
class ModelRef:
    """A parsed ``model_id``.

    ``kind`` is one of :data:`ARN_KINDS`; ``name`` the model id, profile id or application-profile
    id. ``arn``, ``partition``, ``region`` and ``account`` are set only when an ARN was given
    (``account`` is empty for foundation models).
    """

    kind: str
    name: str
    arn: str | None = None
    partition: str | None = None
    region: str | None = None
    account: str | None = None

    @property
    def routed_model(self) -> str | None:
        """The foundation model a system inference profile routes to (None when unknown or n/a)."""
        prefix = PROFILE_PREFIX.match(self.name) if self.kind == INFERENCE_PROFILE else None
        return self.name[prefix.end() :] if prefix else None


def parse_model_id(model_id: str) -> ModelRef:
    """Parse ``model_id``; raise ``ValueError`` naming the allowed forms for an ARN we cannot grant."""
    if not model_id.startswith("arn:"):
        kind = INFERENCE_PROFILE if PROFILE_PREFIX.match(model_id) else FOUNDATION_MODEL
        return ModelRef(kind=kind, name=model_id)
    match = _ARN.match(model_id)
    if match is None or match["kind"] not in ARN_KINDS:
        raise ValueError(f"{model_id!r} is not an ARN the judge can be granted; allowed: {ALLOWED_ARNS}")
    kind, region, account = match["kind"], match["region"], match["account"]
    problems = []
    if not REGION_NAME.match(region):
        problems.append(f"names no valid Region ({region!r})")
    if kind == FOUNDATION_MODEL and account:
        problems.append("has an account, but foundation-model ARNs have none (...::foundation-model/...)")
    if kind != FOUNDATION_MODEL and not ACCOUNT_ID.match(account):
        problems.append(f"needs a 12-digit account, got {account!r}")
    if kind == INFERENCE_PROFILE and not PROFILE_PREFIX.match(match["name"]):
        problems.append(
            "names an inference profile without a geography prefix (us., eu., apac., global., ...)"
        )
    if problems:
        raise ValueError(f"{model_id!r} {'; '.join(problems)}; allowed: {ALLOWED_ARNS}")
    return ModelRef(
        kind=kind,
        name=match["name"],
        arn=model_id,
        partition=match["partition"],
        region=region,
        account=account,
    )


def judge_problems(
    model_id: str, *, judge_region: str | None, stack_region: str | None, in_isolated_vpc: bool
) -> list[tuple[str, str]]:
    """``(option, message)`` for each reason one judge cannot work; ``[]`` when none is known.

    ``judge_region``: the judge's ``region`` option; ``stack_region``: the stack's Region when known
    (``None`` for an environment-agnostic stack: checks needing it are skipped);
    ``in_isolated_vpc``: the reward function runs in the pipeline's VPC without internet access,
    whose only ``bedrock-runtime`` endpoint is in the stack's Region.
    """
    try:
        ref = parse_model_id(model_id)
    except ValueError as error:
        return [("model_id", str(error))]
    problems: list[tuple[str, str]] = []
    call_region = judge_region or stack_region
    if ref.region and call_region and ref.region != call_region:
        via = "option region" if judge_region else "the stack's Region"
        problems.append(
            (
                "model_id",
                f"{model_id!r} is in Region {ref.region}, but the judge calls bedrock-runtime in "
                f"{call_region} ({via}); allowed: an ARN in {call_region}",
            )
        )
    if in_isolated_vpc and judge_region and stack_region and judge_region != stack_region:
        problems.append(
            (
                "region",
                f"{judge_region!r} differs from the stack's Region {stack_region}: the reward function runs "
                f'in the isolated VPC (network.vpc = "create"), whose only bedrock-runtime endpoint is in '
                f'{stack_region}; allowed: {stack_region!r} or no region option (or network.vpc = "none")',
            )
        )
    return problems


def reward_judge_problems(
    template: str,
    options: Mapping[str, Any],
    *,
    key: str,
    stack_region: str | None,
    in_isolated_vpc: bool,
) -> list[tuple[str, str]]:
    """``(option path, message)`` for each reason a judge of this reward cannot work.

    Every ``llm_judge`` counts, also inside ``composite`` (``<key>.graders[<i>].options``);
    ``key`` is the path of ``options`` (``"reward.options"`` for the config, ``"options"`` for the
    reward construct). ``stack_region`` and ``in_isolated_vpc`` as in :func:`judge_problems`.
    """
    return [
        (f"{path}.{option}", message)
        for path, judge in _judges(template, options, key)
        for option, message in judge_problems(
            str(judge["model_id"]),
            judge_region=judge.get("region"),
            stack_region=stack_region,
            in_isolated_vpc=in_isolated_vpc,
        )
    ]


def _judges(template: str, options: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
    """``(path of its options, options)`` of every ``llm_judge``, also inside ``composite``."""
    if template == "llm_judge":
        return [(key, options)]
    if template != "composite":
        return []
    found = []
    for index, entry in enumerate(options.get("graders", ())):
        sub_key = f"{key}.graders[{index}].options"
        found.extend(_judges(str(entry["template"]), entry.get("options", {}), sub_key))
    return found
