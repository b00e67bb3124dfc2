"""``CodeRunner``: the Lambda that runs model code for ``code_tests``, apart from the grader."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from bedrock_rft.assets.runtime_code import RUNNER_PACKAGES, runtime_code
from bedrock_rft.compliance import acknowledge
from bedrock_rft.compliance.reasons import SYNCHRONOUS_NO_DLQ
from bedrock_rft.compute.runtime_function import RUNTIME, acknowledge_unreserved, vpc_attachment_statements
from bedrock_rft.security.log_group import encrypted_log_group

#: Why the runner has no logs, traces or key: any permission is one a leaked credential would hold.
NOTHING_TO_GRANT = (
    "The code runner executes untrusted model code, so its role holds nothing a leaked credential "
    "could use: no CloudWatch Logs, no X-Ray, no KMS (it has no environment variables). The grader "
    "logs every outcome the runner returns."
)


class CodeRunner(Construct):
    """A Python (latest runtime, arm64) Lambda running ``rft_runtime.runner.handler.handler``.

    Isolation: a role whose only statement is the EC2 network-interface actions Lambda needs to
    attach the function to ``subnets`` (no logs, no tracing, no key, no data: credentials read from
    inside it grant nothing else, and have no route to be used from); a security group with no
    inbound and no outbound rule (nothing reaches an endpoint, a gateway or another host of the VPC);
    no environment variables; its own reserved concurrency. Nothing may invoke it unless granted
    with :meth:`grant_invoke` (no resource policy). Each invocation runs one sample in a fresh worker
    process and empties ``/tmp`` before and after (:mod:`rft_runtime.runner.handler`).

    Keyword arguments:
        vpc / subnets: where it runs; use subnets without any route (the isolated VPC's). Required.
        description: the function description. Required.
        encryption_key: of the function's log group (which its role cannot write to). Required.
        log_retention / removal_policy: of that log group; default one year, ``RETAIN``.
        timeout: Default 5 minutes. memory_size: MB, default 1024.
        reserved_concurrency: Default 0 = unreserved; N > 0 reserves N for the runner alone.

    Attributes: ``function``, ``role``, ``security_group``, ``log_group``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection | None,
        description: str,
        encryption_key: kms.IKey,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        timeout: cdk.Duration | None = None,
        memory_size: int = 1024,
        reserved_concurrency: int = 0,
    ) -> None:
        super().__init__(scope, construct_id)
        self.security_group = ec2.SecurityGroup(
            self,
            "NoNetwork",
            vpc=vpc,
            allow_all_outbound=False,
            description="Code runner (untrusted model code): no inbound, no outbound",
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="bedrock-rft code runner: may only be attached to its subnets",
            inline_policies={
                "AttachToVpc": iam.PolicyDocument(statements=vpc_attachment_statements(vpc)),
            },
        )
        # Lambda's own log group, encrypted; the role may not write to it (nothing to leak into).
        retention = {"retention": log_retention, "removal_policy": removal_policy}
        self.log_group = encrypted_log_group(self, "Logs", encryption_key=encryption_key, **retention)
        self.function = lambda_.Function(
            self,
            "Function",
            handler="rft_runtime.runner.handler.handler",
            code=runtime_code(vendor_boto3=False, packages=RUNNER_PACKAGES),
            runtime=RUNTIME,  # the same runtime and architecture as every function of the package
            architecture=lambda_.Architecture.ARM_64,
            description=description,
            role=self.role,
            timeout=timeout or cdk.Duration.minutes(5),
            memory_size=memory_size,
            reserved_concurrent_executions=reserved_concurrency or None,  # 0 would throttle every call
            vpc=vpc,
            vpc_subnets=subnets,
            security_groups=[self.security_group],
            allow_public_subnet=False,
            log_group=self.log_group,
        )
        self._acknowledge()
        if not reserved_concurrency:
            acknowledge_unreserved(self.function)

    def _acknowledge(self) -> None:
        acknowledge(
            self.role,
            "Lambda needs these EC2 network-interface actions in the execution role to attach the "
            "function to its subnets: the Describe calls take no resource ARNs, so IAM accepts only "
            "'*'; the interface changes are limited to the pipeline VPC (ec2:Vpc). They are the "
            "role's only permissions.",
            "AwsSolutions-IAM5[Resource::*]",
            "Serverless-LambdaStarPermissions",
        )
        acknowledge(
            self.role,
            "The role's one inline policy (VPC attachment) belongs to this role only and is created "
            "and deleted with it.",
            "NIST.800.53.R5-IAMNoInlinePolicy",
            "HIPAA.Security-IAMNoInlinePolicy",
        )
        acknowledge(
            self.function,
            f"Only the grader invokes the runner, synchronously. {SYNCHRONOUS_NO_DLQ}",
            "Serverless-LambdaDLQ",
            "NIST.800.53.R5-LambdaDLQ",
            "HIPAA.Security-LambdaDLQ",
        )
        acknowledge(self.function, NOTHING_TO_GRANT, "Serverless-LambdaTracing")

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` (the grader) to invoke the runner: an identity grant, no resource policy."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["lambda:InvokeFunction"],
            resource_arns=[self.function.function_arn],
        )


def runs_model_code(graders: Sequence[tuple[str, object]]) -> bool:
    """Whether any of the graders in use (name, options) runs model code (``code_tests``)."""
    return any(name == "code_tests" for name, _ in graders)
