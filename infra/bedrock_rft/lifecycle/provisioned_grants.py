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
- with the promotion gate: the gate function Gets the throughput (the incumbent is what serves
  now, ``rft_runtime.promotion.incumbent``) and the batch function invokes it (Converse on the
  provisioned model ARN). The candidate stays an on-demand deployment, granted by the gate itself.
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
GATE_ACTIONS = ("bedrock:GetProvisionedModelThroughput",)
#: Converse on a provisioned model is authorized as InvokeModel on its ARN.
BATCH_ACTIONS = ("bedrock:InvokeModel",)
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
    """Add the statements of the module docstring (the gate's too when ``lifecycle`` has one) and
    acknowledge their one wildcard per policy."""
    _grant(
        lifecycle_role,
        "ProvisionedThroughput",
        LIFECYCLE_ACTIONS,
        lifecycle._bedrock_arn("custom-model"),
        *base_model_arns,
    )
    _grant(launcher_role, "DeleteProvisionedThroughputOnDelete", LAUNCHER_ACTIONS)
    gates = lifecycle.gate_functions
    if gates is not None:
        _grant(gates.gate.role, "FindProvisionedIncumbent", GATE_ACTIONS)
        _grant(gates.batch.role, "ConverseProvisionedIncumbent", BATCH_ACTIONS)


def _grant(role: iam.IRole, sid: str, actions: tuple[str, ...], *other_resources: str) -> None:
    """``actions`` on the stack's provisioned models (and ``other_resources``) for ``role``, with
    the wildcard acknowledged on its default policy only."""
    throughputs = provisioned_models_arn(cdk.Stack.of(role))
    role.add_to_principal_policy(
        iam.PolicyStatement(sid=sid, actions=list(actions), resources=[throughputs, *other_resources])
    )
    finding = resource_finding(cdk.Stack.of(role), "AwsSolutions-IAM5", throughputs)
    acknowledge(role.node.find_child("DefaultPolicy"), REASON, finding)
