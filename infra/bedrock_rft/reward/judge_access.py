"""Which model ARNs an LLM-judge reward function may invoke."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk

from bedrock_rft.config.judge_models import FOUNDATION_MODEL, INFERENCE_PROFILE, parse_model_id


@dataclass(frozen=True)
class JudgeGrant:
    """What one judge may call with ``bedrock:InvokeModel``.

    ``direct``: ARNs allowed as they are (the foundation model, or the inference profile).
    ``routed``: ARNs allowed only through ``profile`` (condition ``bedrock:InferenceProfileArn``):
    the foundation model in every Region a profile may route to. Empty for a foundation model.
    """

    direct: tuple[str, ...]
    routed: tuple[str, ...] = ()
    profile: str | None = None


def judge_model_arns(stack: cdk.Stack, model_id: str, region: str | None = None) -> JudgeGrant:
    """The :class:`JudgeGrant` for ``model_id`` (raises ``ValueError`` for an ARN we cannot grant).

    - A foundation-model id: its ARN in ``region`` (default: the stack's). A foundation-model ARN:
      itself.
    - An inference-profile id (``us.amazon.nova-pro-v1:0``): the profile's ARN in ``region``; an
      inference-profile ARN: itself. Either way the foundation model it names (the id without the
      geography prefix) in any Region, through that profile only.
    - An application-inference-profile ARN: itself, plus any foundation model and any
      system-defined inference profile of its account, through that profile only (the model it
      was created from is not known at synth).
    """
    ref = parse_model_id(model_id)
    if ref.arn is None:
        region = region or stack.region
        if ref.kind == FOUNDATION_MODEL:
            model = f"arn:{stack.partition}:bedrock:{region}::foundation-model/{ref.name}"
            return JudgeGrant(direct=(model,))
        profile = stack.format_arn(
            service="bedrock", region=region, resource="inference-profile", resource_name=ref.name
        )
        routed = f"arn:{stack.partition}:bedrock:*::foundation-model/{ref.routed_model}"
        return JudgeGrant(direct=(profile,), routed=(routed,), profile=profile)
    if ref.kind == FOUNDATION_MODEL:
        return JudgeGrant(direct=(ref.arn,))
    if ref.kind == INFERENCE_PROFILE:
        routed_arns: tuple[str, ...] = (
            f"arn:{ref.partition}:bedrock:*::foundation-model/{ref.routed_model}",
        )
    else:
        routed_arns = (
            f"arn:{ref.partition}:bedrock:*::foundation-model/*",
            f"arn:{ref.partition}:bedrock:*:{ref.account}:inference-profile/*",
        )
    return JudgeGrant(direct=(ref.arn,), routed=routed_arns, profile=ref.arn)
