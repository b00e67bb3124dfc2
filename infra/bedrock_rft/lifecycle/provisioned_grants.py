"""What ``deployment_mode = "provisioned"`` needs in IAM, and its cdk-nag acknowledgment.

Only a stack in provisioned mode gets these statements. Provisioned model ARNs end with a
service-generated 12-character id (``provisioned-model/<id>``, botocore's ``provisionedModelId``
pattern), unknown until the throughput exists, so they are granted as ``provisioned-model/*`` in
this account and Region; the code addresses only the pipeline's own throughput, by its
deterministic name (``rft-<pipeline>``).

- lifecycle role: Create (with tags), Get, Update (swap the model), Delete (replace one left
  Failed) on provisioned models, plus the custom and base model ARNs the create and swap name.
- launcher role: Get and Delete, to remove the throughput on stack delete (never one whose
  commitment runs: the code checks first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from bedrock_rft.compliance import acknowledge, resource_finding

if TYPE_CHECKING:
    from bedrock_rft.lifecycle.construct import RftLifecycle

LIFECYCLE_ACTIONS = (
    "bedrock:CreateProvisionedModelThroughput",
    "bedrock:GetProvisionedModelThroughput",
    "bedrock:UpdateProvisionedModelThroughput",
    "bedrock:DeleteProvisionedModelThroughput",
    "bedrock:TagResource",  # the throughput is created with the pipeline's tags
)
LAUNCHER_ACTIONS = ("bedrock:GetProvisionedModelThroughput", "bedrock:DeleteProvisionedModelThroughput")
REASON = (
    "Provisioned model ARNs end with a service-generated id (provisioned-model/<12 characters>), "
    "unknown until the throughput is created; the actions are scoped to this account and Region and "
    "the code addresses only the pipeline's own throughput by its name rft-<pipeline>."
)


def provisioned_models_arn(scope: cdk.Stack) -> str:
    """Every provisioned model of the stack's account and Region."""
    return scope.format_arn(service="bedrock", resource="provisioned-model", resource_name="*")


def grant_provisioned_throughput(
    lifecycle: RftLifecycle, lifecycle_role: iam.IRole, launcher_role: iam.IRole, base_model_arns: list[str]
) -> None:
    """Add the statements of the module docstring and acknowledge their one wildcard per policy."""
    stack = cdk.Stack.of(lifecycle)
    throughputs = provisioned_models_arn(stack)
    lifecycle_role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="ProvisionedThroughput",
            actions=list(LIFECYCLE_ACTIONS),
            resources=[throughputs, lifecycle._bedrock_arn("custom-model"), *base_model_arns],
        )
    )
    launcher_role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="DeleteProvisionedThroughputOnDelete", actions=list(LAUNCHER_ACTIONS), resources=[throughputs]
        )
    )
    finding = resource_finding(stack, "AwsSolutions-IAM5", throughputs)
    for role in (lifecycle_role, launcher_role):
        acknowledge(role.node.find_child("DefaultPolicy"), REASON, finding)
