"""A small stack around ``RftLifecycle`` for the infra tests (imported as ``lifecycle_stack``).

Key with rotation, a Bedrock service role, a secure versioned bucket, a reward function with a
published version and, optionally, an isolated VPC: the parts the lead's stack passes in.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

from bedrock_rft.assets import runtime_code
from bedrock_rft.data import DatasetCopy, DatasetInputs
from bedrock_rft.lifecycle import RftLifecycle
from bedrock_rft.reward import RewardInputs
from bedrock_rft.security import PipelineKey

HYPERPARAMETERS = {
    "epochCount": 2,
    "batchSize": 64,
    "learningRate": 1e-5,
    "maxPromptLength": 1024,
    "trainingSamplePerPrompt": 4,
    "inferenceMaxTokens": 2048,
    "reasoningEffort": "medium",
    "evalInterval": 10,
}


#: The identity of the test data (an object outside the stack, named literally).
IDENTITY = {"kind": "s3", "training_s3_uri": "s3://datasets/train-0123abcd.jsonl"}
#: The reward the test stack's function is said to run.
REWARD = {"template": "math_answer", "options": {"tolerance": 1e-6}}


def build(
    *,
    with_vpc: bool = True,
    stack_name: str = "LifecycleTest",
    copies: tuple[DatasetCopy, ...] = (),
    region: str | None = None,
    **overrides: Any,
):
    """``(app, stack, lifecycle)``; ``overrides`` replace ``RftLifecycle`` keyword arguments;
    ``copies`` are the staging copies of the default ``training_data``; ``region`` binds the stack
    to a Region (default None: environment-agnostic)."""
    app = cdk.App()
    stack = cdk.Stack(app, stack_name, env=cdk.Environment(region=region) if region else None)
    key = PipelineKey(stack, "Encryption", removal_policy=cdk.RemovalPolicy.DESTROY).key
    role = iam.Role(stack, "CustomizationRole", assumed_by=iam.ServicePrincipal("bedrock.amazonaws.com"))
    bucket = s3.Bucket(
        stack,
        "Datasets",
        encryption_key=key,
        enforce_ssl=True,
        versioned=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
    )
    reward = lambda_.Function(
        stack,
        "Reward",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="rft_runtime.rewards.handler.handler",
        code=runtime_code(vendor_boto3=False),
    )
    vpc = None
    if with_vpc:
        vpc = ec2.Vpc(
            stack,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
            ],
        )
    props: dict[str, Any] = {
        "pipeline_name": "demo",
        "base_model_id": "amazon.nova-2-lite-v1:0:256k",
        "hyperparameters": dict(HYPERPARAMETERS),
        "training_data": DatasetInputs(
            training_data_config={"s3Uri": f"s3://{bucket.bucket_name}/datasets/train-0123abcd.jsonl"},
            validation_s3_uris=[f"s3://{bucket.bucket_name}/datasets/val-4567ef01.jsonl"],
            identity=IDENTITY,
            copies=copies,
        ),
        "output_s3_uri": f"s3://{bucket.bucket_name}/output/",
        "reward": RewardInputs(version=reward.current_version, **REWARD),
        "customization_role": role,
        "encryption_key": key,
        "dataset_bucket": bucket,
        "vpc": vpc,
    }
    props.update(overrides)
    lifecycle = RftLifecycle(stack, "Lifecycle", **props)
    return app, stack, lifecycle


ACCOUNT, REGION = "123456789012", "us-east-1"


def _digits(logical_id: str, size: int) -> str:
    import hashlib

    return hashlib.sha256(logical_id.encode()).hexdigest()[:size]


def _fake_ref(template: dict, logical_id: str, attribute: str | None) -> str:
    pseudo = {
        "AWS::Partition": "aws",
        "AWS::Region": REGION,
        "AWS::AccountId": ACCOUNT,
        "AWS::URLSuffix": "amazonaws.com",
    }
    if logical_id in pseudo:
        return pseudo[logical_id]
    resource = template["Resources"][logical_id]
    kind, props = resource["Type"], resource.get("Properties", {})
    name = logical_id.lower()[:40]
    fakes = {
        ("AWS::IAM::Role", "Arn"): f"arn:aws:iam::{ACCOUNT}:role/{name}",
        ("AWS::S3::Bucket", None): f"bucket-{_digits(logical_id, 8)}",
        ("AWS::S3::Bucket", "Arn"): f"arn:aws:s3:::bucket-{_digits(logical_id, 8)}",
        ("AWS::Lambda::Version", None): f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:1",
        ("AWS::Lambda::Function", "Arn"): f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
        (
            "AWS::KMS::Key",
            "Arn",
        ): f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{_digits(logical_id, 8)}-1111-2222-3333-444455556666",
        ("AWS::EC2::Subnet", None): f"subnet-{_digits(logical_id, 17)}",
        ("AWS::EC2::SecurityGroup", "GroupId"): f"sg-{_digits(logical_id, 17)}",
        ("AWS::StepFunctions::StateMachine", None): f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}",
        ("AWS::SSM::Parameter", None): props.get("Name", name),
        ("AWS::SNS::Topic", None): f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}",
    }
    try:
        return fakes[(kind, attribute)]
    except KeyError:
        raise KeyError(f"no fake for {kind} {logical_id}.{attribute}") from None


def fake_resolve(template: dict, value: Any) -> Any:
    """Resolve ``Ref``/``Fn::GetAtt``/``Fn::Join`` with plausible fake values (as CloudFormation would)."""
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref":
            return _fake_ref(template, argument, None)
        if function == "Fn::GetAtt":
            return _fake_ref(template, argument[0], argument[1])
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(str(fake_resolve(template, part)) for part in parts)
    if isinstance(value, dict):
        return {k: fake_resolve(template, v) for k, v in value.items()}
    if isinstance(value, list):
        return [fake_resolve(template, v) for v in value]
    return value


def resources_of(template: dict, kind: str) -> dict[str, dict]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}
