"""``RuntimeFunction``: a Lambda running ``rft_runtime`` code, configured the same way everywhere.

Latest Python runtime, arm64, explicit KMS-encrypted log group with retention, X-Ray tracing,
environment encryption, optional reserved concurrency, and an own role without AWS managed policies: log
writing is granted on its log group only, network-interface rights only when it runs in a VPC.
The reward function and the three lifecycle functions are all built with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from bedrock_rft.assets.runtime_code import runtime_code
from bedrock_rft.compliance import acknowledge
from bedrock_rft.compliance.reasons import CDK_INLINE_POLICY, FUNCTION_WILDCARDS, UNRESERVED_CONCURRENCY
from bedrock_rft.security.log_group import encrypted_log_group

RUNTIME = lambda_.Runtime.PYTHON_3_14
#: What Lambda needs to attach a function to a VPC, split by what IAM can scope: the Describe calls
#: take no resource ARNs (read-only, granted on ``*``); the calls that change network interfaces are
#: granted only for interfaces, subnets and security groups of the function's VPC (``ec2:Vpc``).
VPC_DESCRIBE_ACTIONS = ("ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets")
VPC_INTERFACE_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
#: Services through which a lifecycle function uses the pipeline key (``kms:ViaService``): its own
#: environment (Lambda), dataset objects (S3), the topic (SNS), the dead-letter queue (SQS) and the
#: encrypted state machine (Step Functions). No function calls KMS directly.
DEFAULT_KEY_SERVICES = ("lambda", "s3", "sns", "sqs", "states")


class RuntimeFunction(Construct):
    """A Lambda of this package: ``function``, ``role`` and ``log_group`` attributes.

    Keyword arguments:
        handler: ``rft_runtime.<module>.<function>``. Required.
        description: function description. Required.
        timeout: function timeout. Required.
        environment: environment variables (encrypted with ``encryption_key``). Required.
        encryption_key: log group and environment encryption. Required.
        reserved_concurrency: reserved concurrent executions; 0 = unreserved (draws on the account's
            unreserved pool, which Lambda keeps at 100 or more). Required.
        log_retention / removal_policy: of the log group. Required.
        code: the function code. Default: ``runtime_code(vendor_boto3=True)``, with the pinned boto3
            the lifecycle needs for the RFT API (pass one object to several functions of a stack so
            the files are listed and hashed once).
        dead_letter_queue: for asynchronous invocations. Default: none.
        memory_size: MB. Default 256.
        vpc / vpc_subnets / security_groups: run in this VPC. Default: no VPC.
        key_actions: what the role may do with ``encryption_key``. Default ``("kms:Decrypt",
            "kms:GenerateDataKey")``: read its environment, seal SNS/SQS messages.
        key_services: the services through which the role may use ``encryption_key``
            (``kms:ViaService = <service>.<region>.amazonaws.com``). Default
            :data:`DEFAULT_KEY_SERVICES`; a function that only reads its environment passes
            ``("lambda",)``.
        retain_versions: keep published versions when a newer one replaces them (a running job may
            still call the old one). Default False.
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
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        key_actions: Sequence[str] = ("kms:Decrypt", "kms:GenerateDataKey"),
        key_services: Sequence[str] = DEFAULT_KEY_SERVICES,
        retain_versions: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = encrypted_log_group(
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
            description=f"bedrock-rft: {description}"[:1000],
        )
        self.log_group.grant_write(self.role)
        if vpc is not None:
            for statement in vpc_attachment_statements(vpc):
                self.role.add_to_principal_policy(statement)
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
            reserved_concurrent_executions=reserved_concurrency or None,  # 0 would throttle every call
            environment=dict(environment),
            environment_encryption=encryption_key,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            dead_letter_queue=dead_letter_queue,
            vpc=vpc,
            vpc_subnets=vpc_subnets if vpc is not None else None,
            security_groups=list(security_groups) if vpc is not None else None,
            current_version_options=lambda_.VersionOptions(removal_policy=cdk.RemovalPolicy.RETAIN)
            if retain_versions
            else None,
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="UsePipelineKey",
                actions=list(key_actions),
                resources=[encryption_key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": via_services(self, key_services)}},
            )
        )
        policy = self.role.node.find_child("DefaultPolicy")
        acknowledge(policy, FUNCTION_WILDCARDS, "AwsSolutions-IAM5[Resource::*]")
        acknowledge(
            policy, CDK_INLINE_POLICY, "NIST.800.53.R5-IAMNoInlinePolicy", "HIPAA.Security-IAMNoInlinePolicy"
        )
        if not reserved_concurrency:
            acknowledge_unreserved(self.function)


def via_services(scope: Construct, services: Sequence[str]) -> list[str]:
    """``kms:ViaService`` values (``<service>.<region>.amazonaws.com``) in ``scope``'s Region."""
    region = cdk.Stack.of(scope).region
    return [f"{service}.{region}.amazonaws.com" for service in services]


def vpc_attachment_statements(vpc: ec2.IVpc) -> list[iam.PolicyStatement]:
    """What a function's role needs so Lambda can attach it to ``vpc``: the Describe calls on ``*``
    (IAM takes no ARN for them) and the interface changes only inside ``vpc`` (``ec2:Vpc``)."""
    return [
        iam.PolicyStatement(sid="DescribeVpcNetwork", actions=list(VPC_DESCRIBE_ACTIONS), resources=["*"]),
        iam.PolicyStatement(
            sid="AttachToVpc",
            actions=list(VPC_INTERFACE_ACTIONS),
            resources=["*"],
            conditions={"ArnEquals": {"ec2:Vpc": vpc.vpc_arn}},
        ),
    ]


def acknowledge_unreserved(function: lambda_.Function) -> None:
    """Acknowledge the packs' function-level concurrency findings on an unreserved ``function``."""
    acknowledge(
        function,
        UNRESERVED_CONCURRENCY,
        "NIST.800.53.R5-LambdaConcurrency",
        "HIPAA.Security-LambdaConcurrency",
    )
