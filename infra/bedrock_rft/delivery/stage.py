"""One release stage of the delivery pipeline: an environment's ``RftStack`` in its account and Region.

The stage also adds, inside that stack, the role the pipeline's ``rft wait`` step assumes to read the
run's progress (state record, training job, deployment): the step runs in the pipeline's account,
the run lives in the stage's account.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from bedrock_rft.compliance import acknowledge, resource_finding
from bedrock_rft.config import PipelineConfig
from bedrock_rft.delivery.acknowledgments import acknowledge_inline_policy
from bedrock_rft.stack import RftStack

#: Construct id of the stack output the wait step reads (created by ``RftPipeline``).
FINGERPRINT_OUTPUT_ID = "TrainingFingerprint"


def wait_role_name(pipeline_name: str) -> str:
    """Name of the role ``rft wait`` assumes in a stage's account (named: the pipeline account's
    step refers to it across accounts before it exists)."""
    return f"rft-delivery-wait-{pipeline_name}"


class RftEnvironmentStage(cdk.Stage):
    """The stage of one environment file: its ``RftStack`` (stack name ``Rft-<name>``, as ``make
    deploy`` names it, so a stack deployed by hand is taken over) bound to the environment's account
    (default: ``pipeline_account``) and Region.

    Keyword arguments:
        config: the environment's values. Required.
        pipeline_account: the delivery pipeline's account; it may assume the wait role. Required.

    Attributes: ``config``, ``stack`` (:class:`RftStack`), ``wait_role`` (``iam.Role``),
    ``fingerprint_output`` (the stack's ``TrainingFingerprint`` output).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, config: PipelineConfig, pipeline_account: str
    ) -> None:
        account = config.account or pipeline_account
        super().__init__(scope, construct_id, env=cdk.Environment(account=account, region=config.region))
        if config.network.availability_zones:
            # The VPC asks the stack for its zones, which for a stack bound to an account is a lookup
            # (credentials at synth). The environment file lists them: answer the lookup with them.
            self.node.set_context(
                f"availability-zones:account={account}:region={config.region}",
                list(config.network.availability_zones),
            )
        self.config = config
        self.stack = RftStack(self, config.stack_name, config=config, stack_name=config.stack_name)
        self.wait_role = self._wait_role(pipeline_account)
        self.fingerprint_output: cdk.CfnOutput = self.stack.pipeline.node.find_child(FINGERPRINT_OUTPUT_ID)

    def _wait_role(self, pipeline_account: str) -> iam.Role:
        stack = self.stack
        role = iam.Role(
            stack,
            "DeliveryWaitRole",
            role_name=wait_role_name(self.config.name),
            assumed_by=iam.AccountPrincipal(pipeline_account),
            description=f"rft wait in the delivery pipeline: reads the progress of {self.config.name}",
        )
        stack.pipeline.grant_read_state(role)
        jobs = stack.format_arn(service="bedrock", resource="model-customization-job", resource_name="*")
        deployments = stack.pipeline.reference.deployments_arn
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["bedrock:GetModelCustomizationJob"], resources=[jobs])
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["bedrock:GetCustomModelDeployment"], resources=[deployments])
        )
        acknowledge(
            role,
            "Read-only: Bedrock generates job ids and deployment names at run time, so the role reads "
            "any job and deployment of this account and Region (Get calls only).",
            resource_finding(stack, "AwsSolutions-IAM5", jobs),
            resource_finding(stack, "AwsSolutions-IAM5", deployments),
        )
        acknowledge_inline_policy(role.node.find_child("DefaultPolicy"))
        return role
