"""The launcher: a custom-resource Provider (``on_event`` only) and its two resources.

The Provider framework always answers CloudFormation, also when the handler fails or times out;
the handler returns within seconds (it only starts or stops things), so the resources use a short
``service_timeout`` instead of CloudFormation's default hour. Neither the framework function nor
the handler runs in a VPC: CloudFormation's answer goes to a pre-signed S3 URL, which an isolated
subnet cannot reach. See ``rft_runtime.lifecycle.launcher`` for what each request does.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

from bedrock_rft.compliance import acknowledge
from bedrock_rft.compliance.reasons import UNRESERVED_CONCURRENCY
from bedrock_rft.compute.runtime_function import via_services
from bedrock_rft.security.log_group import encrypted_log_group

#: Longest a launcher request may take: Lambda timeout of the handler (pipeline deletes wait for
#: the deployment to go before deleting models) plus framework overhead.
HANDLER_TIMEOUT = cdk.Duration.minutes(10)
SERVICE_TIMEOUT = cdk.Duration.minutes(15)

RUN_TYPE = "Custom::RftTrainingRun"
PIPELINE_TYPE = "Custom::RftPipeline"


class LauncherProvider(Construct):
    """Provider framework around ``handler`` with an encrypted log group and a role without
    managed policies. Attributes: ``provider``, ``framework_role``, ``log_group``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: lambda_.IFunction,
        encryption_key: kms.IKey,
        log_retention: logs.RetentionDays,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = encrypted_log_group(
            self,
            "Logs",
            encryption_key=encryption_key,
            retention=log_retention,
            removal_policy=removal_policy,
        )
        self.framework_role = iam.Role(
            self,
            "FrameworkRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="bedrock-rft launcher: custom-resource framework (invokes the launcher handler)",
        )
        self.log_group.grant_write(self.framework_role)
        self.provider = cr.Provider(
            self,
            "Provider",
            on_event_handler=handler,
            framework_on_event_role=self.framework_role,
            log_group=self.log_group,
            provider_function_env_encryption=encryption_key,
        )
        framework = self.framework_function.node.default_child
        framework.memory_size = 256  # what cdk-nag asks of every function, set on CDK's own one
        acknowledge(
            self.framework_function,
            UNRESERVED_CONCURRENCY,
            "NIST.800.53.R5-LambdaConcurrency",
            "HIPAA.Security-LambdaConcurrency",
        )
        self.framework_role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="DecryptEnvironment",
                actions=["kms:Decrypt"],
                resources=[encryption_key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": via_services(self, ("lambda",))}},
            )
        )

    @property
    def framework_function(self) -> lambda_.Function:
        """The framework's own Lambda (Node.js, written by CDK)."""
        return self.provider.node.find_child("framework-onEvent")  # type: ignore[return-value]
