"""One Lambda function of the lifecycle, configured the same way for all three.

Latest Python runtime, arm64, explicit KMS-encrypted log group with retention, X-Ray tracing,
environment encryption, reserved concurrency, and an own role without managed policies (log
writing is granted on its log group only). The code is the shared ``runtime_code`` asset with the
pinned boto3, so all three functions use one uploaded asset.
"""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from bedrock_rft.assets.runtime_code import runtime_code

RUNTIME = lambda_.Runtime.PYTHON_3_14


class LifecycleFunction(Construct):
    """A lifecycle Lambda: ``function``, ``role`` and ``log_group`` attributes.

    Keyword arguments:
        handler: ``rft_runtime.lifecycle.handlers.<name>``.
        description: function description.
        timeout: function timeout.
        environment: environment variables (encrypted with ``encryption_key``).
        encryption_key: log group and environment encryption.
        reserved_concurrency: reserved concurrent executions.
        log_retention / removal_policy: of the log group.
        code: the function code. Default: ``runtime_code(vendor_boto3=True)`` (pass one object to
            several functions of a stack so the files are listed and hashed once).
        dead_letter_queue: for asynchronous invocations. Default: none.
        memory_size: MB. Default 256.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        description: str,
        timeout: cdk.Duration,
        environment: Mapping[str, str],
        encryption_key: kms.IKey,
        reserved_concurrency: int,
        log_retention: logs.RetentionDays,
        removal_policy: cdk.RemovalPolicy,
        code: lambda_.Code | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        memory_size: int = 256,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            encryption_key=encryption_key,
            retention=log_retention,
            removal_policy=removal_policy,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"bedrock-rft lifecycle: {description}"[:1000],
        )
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=code or runtime_code(vendor_boto3=True),
            role=self.role,
            timeout=timeout,
            memory_size=memory_size,
            reserved_concurrent_executions=reserved_concurrency,
            environment=dict(environment),
            environment_encryption=encryption_key,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            dead_letter_queue=dead_letter_queue,
        )
        # kms:Decrypt for the environment; GenerateDataKey for SNS/SQS messages sealed with the key
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="UsePipelineKey",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[encryption_key.key_arn],
            )
        )
