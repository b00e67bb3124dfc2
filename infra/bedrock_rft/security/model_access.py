"""What a role may call to reach one model with ``bedrock:InvokeModel``, and the grant itself.

The one place for "what may call model X": an LLM judge's model (``RewardFunction``) and the base
model the promotion gate measures on a pipeline's first run (``PromotionGateFunctions``) are both
granted here. A system inference profile is granted as itself, and the foundation model it routes to
only through it (condition ``bedrock:InferenceProfileArn``), in any Region the profile may pick.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from bedrock_rft.compliance import acknowledge, resource_finding
from bedrock_rft.config.judge_models import FOUNDATION_MODEL, INFERENCE_PROFILE, parse_model_id


@dataclass(frozen=True)
class ModelGrant:
    """What a role may call with ``bedrock:InvokeModel`` to reach one model.

    ``direct``: ARNs allowed as they are (the foundation model, or the inference profile).
    ``routed``: ARNs allowed only through ``profile`` (condition ``bedrock:InferenceProfileArn``):
    the foundation model in every Region a profile may route to. Empty for a foundation model.
    """

    direct: tuple[str, ...]
    routed: tuple[str, ...] = ()
    profile: str | None = None


def model_grant(stack: cdk.Stack, model_id: str, region: str | None = None) -> ModelGrant:
    """The :class:`ModelGrant` for ``model_id`` (raises ``ValueError`` for an ARN we cannot grant).

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
            return ModelGrant(direct=(model,))
        profile = stack.format_arn(
            service="bedrock", region=region, resource="inference-profile", resource_name=ref.name
        )
        routed = f"arn:{stack.partition}:bedrock:*::foundation-model/{ref.routed_model}"
        return ModelGrant(direct=(profile,), routed=(routed,), profile=profile)
    if ref.kind == FOUNDATION_MODEL:
        return ModelGrant(direct=(ref.arn,))
    if ref.kind == INFERENCE_PROFILE:
        routed_arns: tuple[str, ...] = (
            f"arn:{ref.partition}:bedrock:*::foundation-model/{ref.routed_model}",
        )
    else:
        routed_arns = (
            f"arn:{ref.partition}:bedrock:*::foundation-model/*",
            f"arn:{ref.partition}:bedrock:*:{ref.account}:inference-profile/*",
        )
    return ModelGrant(direct=(ref.arn,), routed=routed_arns, profile=ref.arn)


def allow_invoke_model(
    role: iam.IRole, grant: ModelGrant, *, sid: str, routed_sid: str, finding_scope: IConstruct, reason: str
) -> None:
    """Give ``role`` ``bedrock:InvokeModel`` on ``grant``: statement ``sid`` on its direct ARNs and,
    for a profile, statement ``routed_sid`` on its routed ARNs under the condition
    ``bedrock:InferenceProfileArn`` = the profile. The routed ARNs' wildcard findings are
    acknowledged one by one, on the role's default policy only, with ``reason``;
    ``finding_scope`` is the construct whose stack renders the finding ids."""
    role.add_to_principal_policy(
        iam.PolicyStatement(sid=sid, actions=["bedrock:InvokeModel"], resources=list(grant.direct))
    )
    if not grant.routed:
        return
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid=routed_sid,
            actions=["bedrock:InvokeModel"],
            resources=list(grant.routed),
            conditions={"StringEquals": {"bedrock:InferenceProfileArn": grant.profile}},
        )
    )
    acknowledge(
        role.node.find_child("DefaultPolicy"),
        reason,
        *(resource_finding(finding_scope, "AwsSolutions-IAM5", arn) for arn in grant.routed),
    )
