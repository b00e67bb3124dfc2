"""Security properties of the base stack: key, dataset bucket, VPC, Bedrock service role."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from bedrock_rft.config.schema import (
    DatasetConfig,
    EncryptionConfig,
    NetworkConfig,
    PipelineConfig,
    RewardConfig,
)
from bedrock_rft.stack import RftStack

pytestmark = pytest.mark.synth

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "arithmetic_train.jsonl"


def _config(**overrides) -> PipelineConfig:
    values = {
        "name": "unit",
        "region": "us-east-1",
        "dataset": DatasetConfig(training_file=SAMPLE),
        "reward": RewardConfig(template="math_answer"),
    }
    values.update(overrides)
    return PipelineConfig(**values)


def _template(context: dict, **overrides) -> Template:
    app = cdk.App(context=context)
    return Template.from_stack(RftStack(app, "Rft-unit", config=_config(**overrides)))


@pytest.fixture(scope="module")
def template(cdk_context) -> Template:
    return _template(cdk_context)


@pytest.fixture(scope="module")
def resources(template) -> dict:
    return template.to_json()["Resources"]


def _of_type(resources: dict, kind: str) -> dict:
    return {k: v for k, v in resources.items() if v["Type"] == kind}


def test_key_rotates_and_is_retained(template):
    template.has_resource(
        "AWS::KMS::Key",
        {
            "Properties": {"EnableKeyRotation": True},
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
        },
    )


def test_key_lets_the_service_role_use_it_only_via_bedrock(template, resources):
    (key,) = _of_type(resources, "AWS::KMS::Key").values()
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    bedrock = next(s for s in statements if s.get("Sid") == "AllowBedrockCustomizationViaBedrockOnly")
    assert sorted(bedrock["Action"]) == [
        "kms:CreateGrant",
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:GenerateDataKey",
    ]
    role_id = next(k for k in _of_type(resources, "AWS::IAM::Role") if "Customization" in k)
    assert bedrock["Principal"]["AWS"]["Fn::GetAtt"][0] == role_id
    via = bedrock["Condition"]["StringEquals"]["kms:ViaService"]
    assert via == "bedrock.us-east-1.amazonaws.com"  # the stack is bound to its Region
    logs = next(s for s in statements if s.get("Sid") == "AllowCloudWatchLogsOfThisAccount")
    assert "kms:EncryptionContext:aws:logs:arn" in logs["Condition"]["ArnLike"]


def test_dataset_bucket_is_kms_encrypted_private_versioned_logged_and_retained(template, resources):
    buckets = _of_type(resources, "AWS::S3::Bucket")
    data_id = next(k for k in buckets if "StorageBucket" in k)
    logs_id = next(k for k in buckets if "AccessLogs" in k)
    data = buckets[data_id]
    assert data["DeletionPolicy"] == "Retain" and buckets[logs_id]["DeletionPolicy"] == "Retain"
    props = data["Properties"]
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["BucketKeyEnabled"] is True
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert "KMSMasterKeyID" in rule["ServerSideEncryptionByDefault"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": logs_id}
    assert buckets[logs_id]["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}


@pytest.mark.parametrize("bucket_fragment", ["StorageBucket", "StorageAccessLogs"])
def test_buckets_deny_plain_http(resources, bucket_fragment):
    policies = _of_type(resources, "AWS::S3::BucketPolicy")
    policy = next(p for p in policies.values() if bucket_fragment in p["Properties"]["Bucket"]["Ref"])
    deny = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in deny)


def test_vpc_is_isolated_without_nat_and_with_flow_logs(template, resources):
    template.resource_count_is("AWS::EC2::NatGateway", 0)
    template.resource_count_is("AWS::EC2::InternetGateway", 0)
    template.resource_count_is("AWS::EC2::Subnet", 2)
    for subnet in _of_type(resources, "AWS::EC2::Subnet").values():
        assert subnet["Properties"]["MapPublicIpOnLaunch"] is False
    template.has_resource_properties(
        "AWS::EC2::FlowLog", {"TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs"}
    )
    template.has_resource_properties(
        "AWS::EC2::VPCEndpoint", {"VpcEndpointType": "Gateway", "ServiceName": Match.any_value()}
    )
    template.resource_count_is("Custom::VpcRestrictDefaultSG", 1)


def test_every_log_group_is_encrypted_with_retention_and_a_removal_policy(resources):
    groups = _of_type(resources, "AWS::Logs::LogGroup")
    assert groups
    for group in groups.values():
        assert "KmsKeyId" in group["Properties"] and "RetentionInDays" in group["Properties"]
        assert group["DeletionPolicy"] in {"Retain", "Delete"}


def test_workload_security_group_allows_only_https_out(resources):
    groups = _of_type(resources, "AWS::EC2::SecurityGroup")
    workload = next(g for k, g in groups.items() if "Workload" in k)
    assert "SecurityGroupIngress" not in workload["Properties"]
    assert workload["Properties"]["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "HTTPS to S3 (gateway endpoint) and interface endpoints",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]


def test_service_role_trusts_only_this_accounts_customization_jobs(resources):
    role = next(r for k, r in _of_type(resources, "AWS::IAM::Role").items() if "Customization" in k)
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "bedrock.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source_arn = json.dumps(statement["Condition"]["ArnLike"]["aws:SourceArn"])
    assert ":model-customization-job/*" in source_arn


def _role_statements(resources) -> list[dict]:
    policy = next(
        p for k, p in _of_type(resources, "AWS::IAM::ManagedPolicy").items() if "Customization" in k
    )
    return policy["Properties"]["PolicyDocument"]["Statement"]


def test_service_role_reads_datasets_writes_output_and_nothing_else_in_s3(resources):
    by_sid = {s["Sid"]: s for s in _role_statements(resources)}
    assert by_sid["ReadTrainingData"]["Action"] == "s3:GetObject"
    assert json.dumps(by_sid["ReadTrainingData"]["Resource"]).endswith('"/datasets/*"]]}')
    assert sorted(by_sid["WriteJobOutput"]["Action"]) == ["s3:GetObject", "s3:PutObject"]
    assert json.dumps(by_sid["WriteJobOutput"]["Resource"]).endswith('"/output/*"]]}')
    s3_actions = {a for s in by_sid.values() for a in _as_list(s["Action"]) if a.startswith("s3:")}
    assert s3_actions == {"s3:GetObject", "s3:PutObject", "s3:ListBucket"}


def test_service_role_wildcard_resources_are_only_where_the_api_offers_nothing_narrower(resources):
    wildcard = [s["Sid"] for s in _role_statements(resources) if s["Resource"] == "*"]
    assert sorted(wildcard) == ["DescribeNetwork", "ManageBedrockInterfaces"]
    manage = next(s for s in _role_statements(resources) if s["Sid"] == "ManageBedrockInterfaces")
    assert manage["Condition"]["StringEquals"] == {"ec2:ResourceTag/BedrockManaged": "true"}
    assert "ec2:ResourceTag/BedrockModelCustomizationJobArn" in manage["Condition"]["ArnLike"]
    assert len(manage["Condition"]["ArnEquals"]["ec2:Subnet"]) == 2


def test_network_interfaces_must_carry_bedrock_tags(resources):
    by_sid = {s["Sid"]: s for s in _role_statements(resources)}
    create = by_sid["CreateBedrockTaggedInterfaces"]
    assert create["Condition"]["StringEquals"] == {"aws:RequestTag/BedrockManaged": "true"}
    tags = by_sid["TagInterfacesAtCreation"]["Condition"]
    assert tags["ForAllValues:StringEquals"] == {
        "aws:TagKeys": ["BedrockManaged", "BedrockModelCustomizationJobArn"]
    }
    assert tags["StringEquals"] == {"ec2:CreateAction": "CreateNetworkInterface"}


def test_key_use_by_the_role_goes_through_s3_or_bedrock_only(resources):
    kms_statements = [
        s for s in _role_statements(resources) if any(a.startswith("kms:") for a in _as_list(s["Action"]))
    ]
    vias = sorted(json.dumps(s["Condition"]["StringEquals"]["kms:ViaService"]) for s in kms_statements)
    assert vias == ['"bedrock.us-east-1.amazonaws.com"', '"s3.us-east-1.amazonaws.com"']


def test_stack_outputs_name_bucket_key_and_role(template):
    outputs = template.to_json()["Outputs"]
    assert {"DatasetBucketName", "EncryptionKeyArn", "CustomizationRoleArn"} <= set(outputs)


def test_every_stateful_resource_states_its_removal_policy(resources):
    stateful = {"AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Logs::LogGroup"}
    for logical_id, resource in resources.items():
        if resource["Type"] in stateful:
            assert resource.get("DeletionPolicy") in {"Retain", "Delete"}, logical_id
            assert resource.get("UpdateReplacePolicy") in {"Retain", "Delete"}, logical_id


def test_throwaway_environment_destroys_and_empties_buckets(cdk_context):
    resources = _template(cdk_context, encryption=EncryptionConfig(retain_data=False)).to_json()["Resources"]
    for bucket in _of_type(resources, "AWS::S3::Bucket").values():
        assert bucket["DeletionPolicy"] == "Delete"
    (key,) = _of_type(resources, "AWS::KMS::Key").values()
    assert key["DeletionPolicy"] == "Retain"  # retained models stay decryptable
    assert len(_of_type(resources, "Custom::S3AutoDeleteObjects")) == 2


def test_without_vpc_the_role_has_no_network_permissions(cdk_context):
    resources = _template(cdk_context, network=NetworkConfig(vpc="none")).to_json()["Resources"]
    assert not _of_type(resources, "AWS::EC2::VPC")
    sids = {s["Sid"] for s in _role_statements(resources)}
    assert not any("Interface" in sid or "Network" in sid for sid in sids)


def test_existing_key_is_used_instead_of_creating_one(cdk_context):
    arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    template = _template(cdk_context, encryption=EncryptionConfig(kms_key_arn=arn))
    template.resource_count_is("AWS::KMS::Key", 0)
    assert arn in json.dumps(template.to_json())


def test_env_bound_stack_with_explicit_zones_synthesizes_offline(cdk_context):
    resources = _template(
        cdk_context,
        account="111122223333",
        region="us-east-1",
        network=NetworkConfig(availability_zones=("us-east-1a", "us-east-1b")),
    ).to_json()["Resources"]
    zones = sorted(
        s["Properties"]["AvailabilityZone"] for s in _of_type(resources, "AWS::EC2::Subnet").values()
    )
    assert zones == ["us-east-1a", "us-east-1b"]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_existing_bucket_vpc_and_role_are_used_instead_of_creating_them(cdk_context):
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_s3 as s3

    from bedrock_rft.network import IsolatedVpc
    from bedrock_rft.security import CustomizationRole
    from bedrock_rft.storage import DatasetBucket

    stack = cdk.Stack(cdk.App(context=cdk_context), "Existing")
    key = kms.Key.from_key_arn(
        stack, "Key", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    bucket = DatasetBucket(
        stack, "Data", existing_bucket=s3.Bucket.from_bucket_name(stack, "B", "team-bucket")
    )
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["us-east-1a", "us-east-1b"],
        isolated_subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    )
    network = IsolatedVpc(stack, "Net", existing_vpc=vpc)
    role = iam.Role.from_role_arn(stack, "Role", "arn:aws:iam::111122223333:role/team-bedrock")
    CustomizationRole(
        stack,
        "Customization",
        dataset_bucket=bucket.bucket,
        encryption_key=key,
        subnets=network.selected_subnets,
        security_groups=[network.workload_security_group],
        existing_role=role,
    )
    resources = Template.from_stack(stack).to_json()["Resources"]
    kinds = {r["Type"] for r in resources.values()}
    assert not kinds & {"AWS::S3::Bucket", "AWS::EC2::VPC", "AWS::IAM::Role", "AWS::KMS::Key"}
    (policy,) = _of_type(resources, "AWS::IAM::ManagedPolicy").values()
    assert policy["Properties"]["Roles"] == ["team-bedrock"]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    manage = next(s for s in statements if s["Sid"] == "ManageBedrockInterfaces")
    assert len(manage["Condition"]["ArnEquals"]["ec2:Subnet"]) == 2


def test_invalid_construct_props_are_reported_by_name(cdk_context):
    from bedrock_rft.storage import DatasetBucket

    stack = cdk.Stack(cdk.App(context=cdk_context), "Bad")
    with pytest.raises(ValueError, match="encryption_key is required"):
        DatasetBucket(stack, "Data")
