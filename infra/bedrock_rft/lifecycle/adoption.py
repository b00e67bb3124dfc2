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
  deployment serving it needs it.
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


def grant_adoption(lifecycle: RftLifecycle, role: iam.IRole, source: PromotionSource) -> None:
    """Add the grants of the module docstring to ``role`` (the lifecycle function's)."""
    stack = cdk.Stack.of(lifecycle)
    where = {"account": source.account or stack.account, "region": source.region or stack.region}
    tagged_source = {"StringEquals": {f"aws:ResourceTag/{PIPELINE_TAG_KEY}": source.pipeline}}
    models = stack.format_arn(service="bedrock", resource="custom-model", resource_name="*", **where)
    keys = stack.format_arn(service="kms", resource="key", resource_name="*", **where)
    state = stack.format_arn(
        service="ssm",
        resource="parameter",
        resource_name=names.state_parameter_name(source.pipeline).lstrip("/"),
        **where,
    )
    for statement in (
        iam.PolicyStatement(
            sid="ReadPromotionSourceModelTags",
            actions=["bedrock:ListTagsForResource"],
            resources=[models],
            conditions=tagged_source,
        ),
        iam.PolicyStatement(sid="ReadPromotionSourceState", actions=["ssm:GetParameter"], resources=[state]),
        iam.PolicyStatement(
            sid="PromotionSourceKeyViaBedrockOnly",
            actions=["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"],
            resources=[keys],
            conditions={
                "StringEquals": {
                    **tagged_source["StringEquals"],
                    "kms:ViaService": f"bedrock.{where['region']}.amazonaws.com",
                }
            },
        ),
    ):
        role.add_to_principal_policy(statement)
    policy = role.node.try_find_child("DefaultPolicy")
    if policy is not None:
        acknowledge(
            policy,
            f"The source pipeline's key is created in its own stack, so its id is unknown here; the grant "
            f"covers only keys tagged {PIPELINE_TAG_KEY} = {source.pipeline}, used through Bedrock "
            "(kms:ViaService), for the adopted model that key encrypts.",
            resource_finding(stack, "AwsSolutions-IAM5", keys),
        )
