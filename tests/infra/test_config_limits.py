"""The config's limits hold in the synthesized stack: tags per resource, description length, and
external dataset sources (listing by key, the source bucket's KMS key), with the nag packs on."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest

from bedrock_rft.application import build_app
from bedrock_rft.config import load_environment_file
from bedrock_rft.config.rules import MAX_CONFIG_TAGS

pytestmark = pytest.mark.synth

AWS_TAGS_PER_RESOURCE = 50
SOURCE_KEY = "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PROFILE = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-pro-v1:0"
LONGEST_DESCRIPTION = "d" * (512 - len("bedrock-rft pipeline limits: "))

CONFIG = f"""
name = "limits"
description = "{LONGEST_DESCRIPTION}"
account = "111122223333"
region = "us-east-1"
[dataset]
training_s3_uri = "s3://team-data/rft/train.jsonl"
validation_s3_uri = "s3://team-data/rft/validation.jsonl"
source_kms_key_arn = "{SOURCE_KEY}"
[reward]
template = "llm_judge"
[reward.options]
model_id = "{PROFILE}"
[network]
availability_zones = ["us-east-1a", "us-east-1b"]
[encryption]
retain_data = false
[tags]
""" + "".join(f't{i} = "v{i}"\n' for i in range(MAX_CONFIG_TAGS))


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory, cdk_context):
    """(config, template) of the most-tagged config, synthesized with the nag packs attached."""
    folder = tmp_path_factory.mktemp("limits")
    (folder / "limits.toml").write_text(CONFIG, encoding="utf-8")
    app = cdk.App(context={**cdk_context, "env": "limits"}, outdir=str(folder / "out"))
    build_app(folder, app=app)  # nag packs on: a finding fails synth
    assembly = app.synth()
    return load_environment_file(folder / "limits.toml"), assembly.get_stack_by_name("Rft-limits").template


def _tag_count(resource: dict) -> int:
    tags = resource.get("Properties", {}).get("Tags", [])
    return len(tags)


def test_the_config_holds_the_most_tags_it_may(synthesized):
    config, _ = synthesized
    assert len(config.tags) == MAX_CONFIG_TAGS


def test_no_resource_carries_more_tags_than_aws_allows(synthesized):
    _, template = synthesized
    counts = {logical_id: _tag_count(r) for logical_id, r in template["Resources"].items()}
    most = max(counts.values())
    assert most <= AWS_TAGS_PER_RESOURCE, {k: n for k, n in counts.items() if n > AWS_TAGS_PER_RESOURCE}
    # ...and the limit is tight: the most tagged resources (subnets) reach exactly 50.
    assert most == AWS_TAGS_PER_RESOURCE
    fullest = {template["Resources"][k]["Type"] for k, n in counts.items() if n == most}
    assert fullest == {"AWS::EC2::Subnet"}


def test_the_longest_allowed_description_is_the_stacks_description(synthesized):
    config, template = synthesized
    assert template["Description"] == config.stack_description
    assert len(template["Description"]) == 512
    assert len(template["Description"].encode()) <= 1024


def _job_role_statements(template: dict) -> dict[str, dict]:
    policy = next(
        r
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::ManagedPolicy" and k.startswith("Customization")
    )
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


def test_external_dataset_objects_may_be_listed_by_their_key_only(synthesized):
    _, template = synthesized
    statements = _job_role_statements(template)
    for role, key in (("Training", "rft/train.jsonl"), ("Validation", "rft/validation.jsonl")):
        listing = statements[f"ListExternal{role}Data"]
        assert listing["Action"] == "s3:ListBucket"
        assert listing["Resource"] == "arn:aws:s3:::team-data"
        assert listing["Condition"] == {"StringEquals": {"s3:prefix": [key]}}
        assert statements[f"ReadExternal{role}Data"]["Resource"] == f"arn:aws:s3:::team-data/{key}"


def test_the_judge_profile_arn_is_granted_as_given(synthesized):
    _, template = synthesized
    statements = [
        s
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy" and k.startswith("RewardGrader")
        for s in r["Properties"]["PolicyDocument"]["Statement"]
        if s["Action"] == "bedrock:InvokeModel"
    ]
    assert {json.dumps(s["Resource"]) for s in statements} == {
        json.dumps(PROFILE),
        json.dumps("arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0"),
    }


def test_the_source_bucket_key_may_decrypt_through_s3_only(synthesized):
    _, template = synthesized
    statement = _job_role_statements(template)["DecryptExternalSourcesThroughS3"]
    assert statement["Action"] == "kms:Decrypt" and statement["Resource"] == SOURCE_KEY
    assert statement["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
