"""``promote_from`` in the lifecycle construct: the run spec's ``promoteFrom`` and the narrow grants
the adoption loop needs (:mod:`rft_runtime.lifecycle.adoption` runs it).

Same account and Region only (the config refuses the rest; README "GitOps", "Promotion"). The
lifecycle function may, besides what every pipeline's may:

- read the tags (``bedrock:ListTagsForResource``) of custom models tagged
  ``bedrock-rft:pipeline = <source>`` only: the promoted mark is read there. ``GetCustomModel``
  by name is the existing ``ReadCustomModels`` grant (untagged on purpose: a model that does not
  exist yet must answer "not found", which a tag condition would turn into "access denied");
- read the source's state record (``ssm:GetParameter`` on ``/bedrock-rft/<source>/state``), to
  tell "rejected by the source's gate" from "not promoted yet";
- use the source pipeline's KMS key through Bedrock (``kms:ViaService``), for keys tagged
  ``bedrock-rft:pipeline = <source>`` only: the adopted model is encrypted with it, and the
  deployment serving it needs it. With a promotion gate, its two functions get the same key (the
  gate function deploys the adopted model as the candidate; the batch function, Decrypt only,
  calls it): :func:`grant_source_key`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from bedrock_rft.compliance import acknowledge, resource_finding
from bedrock_rft.config.schema import PromotionSource
from rft_runtime.lifecycle import names
from rft_runtime.lifecycle.model_pruning import PIPELINE_TAG_KEY

if TYPE_CHECKING:
    from bedrock_rft.lifecycle.construct import RftLifecycle


def check_source(pipeline_name: str, source: PromotionSource) -> None:
    """Raise ``ValueError`` (naming ``promote_from``) when ``source`` cannot be a promotion source
    of ``pipeline_name``: not a valid pipeline name, or the pipeline itself."""
    problems = [f"promote_from.pipeline: {problem}" for problem in names.check_pipeline_name(source.pipeline)]
    if source.pipeline == pipeline_name:
        problems.append(f"promote_from.pipeline: pipeline {pipeline_name!r} cannot promote from itself")
    if problems:
        raise ValueError("; ".join(problems))


def spec_member(scope: cdk.Stack, source: PromotionSource) -> dict[str, Any]:
    """``promoteFrom`` of the run spec; an unset account or Region is the stack's own."""
    return {
        "pipeline": source.pipeline,
        "account": source.account or scope.account,
        "region": source.region or scope.region,
    }


#: What each role of a promoting pipeline may do with the source's key (through Bedrock only):
#: the lifecycle role deploys the adopted model (grants for the deployment), the gate role deploys
#: it as the candidate, the batch role calls it (Converse).
SOURCE_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant")
BATCH_SOURCE_KEY_ACTIONS = ("kms:Decrypt",)


def _where(stack: cdk.Stack, source: PromotionSource) -> dict[str, str]:
    return {"account": source.account or stack.account, "region": source.region or stack.region}


def _tagged_source(source: PromotionSource) -> dict[str, str]:
    return {f"aws:ResourceTag/{PIPELINE_TAG_KEY}": source.pipeline}


def grant_adoption(lifecycle: RftLifecycle, role: iam.IRole, source: PromotionSource) -> None:
    """Add the grants of the module docstring to ``role`` (the lifecycle function's)."""
    stack = cdk.Stack.of(lifecycle)
    where = _where(stack, source)
    models = stack.format_arn(service="bedrock", resource="custom-model", resource_name="*", **where)
    state = stack.format_arn(
        service="ssm",
        resource="parameter",
        resource_name=names.state_parameter_name(source.pipeline).lstrip("/"),
        **where,
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="ReadPromotionSourceModelTags",
            actions=["bedrock:ListTagsForResource"],
            resources=[models],
            conditions={"StringEquals": _tagged_source(source)},
        )
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(sid="ReadPromotionSourceState", actions=["ssm:GetParameter"], resources=[state])
    )
    grant_source_key(lifecycle, role, source, SOURCE_KEY_ACTIONS)


def grant_source_key(
    lifecycle: RftLifecycle, role: iam.IRole, source: PromotionSource, actions: tuple[str, ...]
) -> None:
    """Let ``role`` use the source pipeline's key through Bedrock (``kms:ViaService``), keys tagged
    ``bedrock-rft:pipeline = <source>`` only: the adopted model is encrypted with it, so the
    deployments serving it (the pipeline's and the gate's candidate) and the Converse calls on it
    need it."""
    stack = cdk.Stack.of(lifecycle)
    where = _where(stack, source)
    keys = stack.format_arn(service="kms", resource="key", resource_name="*", **where)
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="PromotionSourceKeyViaBedrockOnly",
            actions=list(actions),
            resources=[keys],
            conditions={
                "StringEquals": {
                    **_tagged_source(source),
                    "kms:ViaService": f"bedrock.{where['region']}.amazonaws.com",
                }
            },
        )
    )
    policy = role.node.try_find_child("DefaultPolicy")
    if policy is not None:
        acknowledge(
            policy,
            f"The source pipeline's key is created in its own stack, so its id is unknown here; the grant "
            f"covers only keys tagged {PIPELINE_TAG_KEY} = {source.pipeline}, used through Bedrock "
            "(kms:ViaService), for the adopted model that key encrypts.",
            resource_finding(stack, "AwsSolutions-IAM5", keys),
        )
