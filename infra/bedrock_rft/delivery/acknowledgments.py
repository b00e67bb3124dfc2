"""The reasoned cdk-nag acknowledgments of what CDK Pipelines generates (roles, projects, a Lambda).

CDK Pipelines creates its roles, CodeBuild projects and the broadening check's Lambda itself, so
each finding is acknowledged on the construct that holds it, after the pipeline is built. IAM5
wildcards are read from each generated policy and acknowledged one by one, only when they are one
of the known kinds below; any other wildcard stays a finding and fails synthesis.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import pipelines
from constructs import IConstruct

from bedrock_rft.compliance import acknowledge, action_finding, resource_finding
from bedrock_rft.compliance.reasons import CDK_INLINE_POLICY

#: Wildcard actions of CDK's grants on the artifact bucket and its key (``bucket.grant_read_write``).
ARTIFACT_ACTIONS = frozenset(
    {
        "s3:GetObject*",
        "s3:GetBucket*",
        "s3:List*",
        "s3:DeleteObject*",
        "s3:Abort*",
        "kms:GenerateDataKey*",
        "kms:ReEncrypt*",
    }
)
ARTIFACT_GRANTS = (
    "CDK's read/write grant on this pipeline's own artifact bucket (objects under it) and its key; "
    "the bucket holds only the pipeline's source, assembly and build artifacts."
)
CODEBUILD_OUTPUTS = (
    "CodeBuild writes each build's logs and test reports to groups named after its project; the "
    "suffix is the build id, unknown before the build."
)
#: Reasons for ``Resource::*`` (and the bootstrap-role pattern) per generated role, by the end of its path.
ROLE_WILDCARDS = {
    "UpdatePipeline/SelfMutation/Role": (
        "Self-mutation: sts:AssumeRole only on this account's CDK bootstrap roles (condition on the "
        "aws-cdk:bootstrap-role tag), and CloudFormation DescribeStacks / s3:ListBucket, which the "
        "CDK CLI calls before it knows the bootstrap stack and bucket."
    ),
    "Assets/FileRole": (
        "Asset publishing: CodePipeline's CodeBuild action role starts and reads builds of the asset "
        "projects; those ids are created with the pipeline, and the role is used only by it."
    ),
    "PipelinesSecurityCheck/CDKPipelinesAutoApprove/ServiceRole": (
        "Only pipelines tagged SECURITY_CHECK=ALLOW_APPROVE (condition on the tag): the broadening "
        "check approves its own stage when nothing broadens."
    ),
    "PipelinesSecurityCheck/CDKSecurityCheck/Role": (
        "sts:AssumeRole only on CDK bootstrap deploy roles (condition on the aws-cdk:bootstrap-role "
        "tag), in whichever account the stage deploys to; invoking the approval Lambda's versions."
    ),
}
BASIC_EXECUTION = (
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
)
#: The broadening check's Lambda (CDK Pipelines' ``CDKPipelinesAutoApprove``): one reason per finding.
AUTO_APPROVE_FINDINGS = {
    BASIC_EXECUTION: "CDK Pipelines' own function; the managed policy only lets it write its logs.",
    "Serverless-LambdaDLQ": "Invoked synchronously by the broadening check's CodeBuild step.",
    "NIST.800.53.R5-LambdaDLQ": "Invoked synchronously by the broadening check's CodeBuild step.",
    "HIPAA.Security-LambdaDLQ": "Invoked synchronously by the broadening check's CodeBuild step.",
    "Serverless-LambdaDefaultMemorySize": "CDK Pipelines' own function; it reads one pipeline state.",
    "Serverless-LambdaTracing": "CDK Pipelines' own function; one API call per broadening check.",
    "NIST.800.53.R5-LambdaConcurrency": "Runs once per stage release; nothing to reserve capacity for.",
    "HIPAA.Security-LambdaConcurrency": "Runs once per stage release; nothing to reserve capacity for.",
    "NIST.800.53.R5-LambdaInsideVPC": "Calls only the CodePipeline API; it handles no data.",
    "HIPAA.Security-LambdaInsideVPC": "Calls only the CodePipeline API; it handles no data.",
}
AUTO_APPROVE_LOGS = (
    "CDK Pipelines' broadening-check function logs only the pipeline, stage and approval outcome; "
    "no training data or secrets reach it. CloudWatch Logs still encrypts it at rest."
)
SOURCE_FROM_PIPELINE = (
    "The project's source is the pipeline artifact (type CODEPIPELINE): no repository URL, so no "
    "credentials in one; the CodeConnections connection holds the repository access."
)


def acknowledge_delivery_findings(pipeline: pipelines.CodePipeline) -> None:
    """Acknowledge the known findings of what the built ``pipeline`` generated."""
    artifact_bucket = pipeline.pipeline.artifact_bucket
    for construct in pipeline.node.find_all():
        if isinstance(construct, iam.Policy):
            _acknowledge_policy(construct, artifact_bucket)
        elif (
            isinstance(construct, cdk.CfnResource)
            and construct.cfn_resource_type == "AWS::CodeBuild::Project"
        ):
            acknowledge(construct, SOURCE_FROM_PIPELINE, "HIPAA.Security-CodeBuildProjectSourceRepoUrl")
        elif (
            isinstance(construct, logs.LogGroup) and construct.node.scope.node.id == "CDKPipelinesAutoApprove"
        ):
            acknowledge(
                construct,
                AUTO_APPROVE_LOGS,
                "NIST.800.53.R5-CloudWatchLogGroupEncrypted",
                "HIPAA.Security-CloudWatchLogGroupEncrypted",
            )
        elif isinstance(construct, lambda_.Function) and construct.node.id == "CDKPipelinesAutoApprove":
            for finding, reason in AUTO_APPROVE_FINDINGS.items():
                acknowledge(construct, reason, finding)


def acknowledge_inline_policy(policy: IConstruct) -> None:
    """NIST/HIPAA IAMNoInlinePolicy on a CDK-generated ``DefaultPolicy``."""
    acknowledge(
        policy, CDK_INLINE_POLICY, "NIST.800.53.R5-IAMNoInlinePolicy", "HIPAA.Security-IAMNoInlinePolicy"
    )


def _acknowledge_policy(policy: iam.Policy, artifact_bucket: s3.IBucket) -> None:
    acknowledge_inline_policy(policy)
    stack = cdk.Stack.of(policy)
    objects = stack.resolve(artifact_bucket.arn_for_objects("*"))
    role_reason = next(
        (
            reason
            for suffix, reason in ROLE_WILDCARDS.items()
            if policy.node.path.endswith(f"{suffix}/DefaultPolicy")
        ),
        None,
    )
    for statement in stack.resolve(policy.document.to_json()).get("Statement", []):
        actions = _as_list(statement.get("Action"))
        for action in actions:
            if action in ARTIFACT_ACTIONS:
                acknowledge(policy, ARTIFACT_GRANTS, action_finding("AwsSolutions-IAM5", action))
        for resource in _as_list(statement.get("Resource")):
            text = json.dumps(resource)
            if "*" not in text:
                continue
            finding = resource_finding(policy, "AwsSolutions-IAM5", resource)
            if resource == objects:
                acknowledge(policy, ARTIFACT_GRANTS, finding)
            elif ":log-group:/aws/codebuild/" in text or ":report-group/" in text:
                acknowledge(policy, CODEBUILD_OUTPUTS, finding)
            elif role_reason is not None:
                acknowledge(policy, role_reason, finding)


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]
