"""The README's "Use it in your own stack" example (examples/own_app) synthesizes nag-clean."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import aws_cdk as cdk
import pytest

from bedrock_rft.compliance import attach_nag_packs

pytestmark = pytest.mark.synth

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "own_app" / "app.py"


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory, cdk_context):
    spec = importlib.util.spec_from_file_location("own_app", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    outdir = tmp_path_factory.mktemp("own-app")
    app = cdk.App(context=cdk_context, outdir=str(outdir))
    stack = module.build(app)
    attach_nag_packs(app)
    app.synth()  # raises on any unacknowledged finding
    return stack, json.loads((outdir / "TeamStack.template.json").read_text())["Resources"]


def _statements(resources: dict, prefix: str) -> list[dict]:
    return [
        statement
        for key, resource in resources.items()
        if resource["Type"] == "AWS::IAM::Policy" and key.startswith(prefix)
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_the_team_key_and_vpc_are_used_not_created(synthesized):
    _, resources = synthesized
    types = {resource["Type"] for resource in resources.values()}
    assert "AWS::KMS::Key" not in types and "AWS::EC2::VPC" not in types
    grader = next(r for k, r in resources.items() if r["Type"] == "AWS::Lambda::Function" and "Grader" in k)
    subnets = grader["Properties"]["VpcConfig"]["SubnetIds"]
    assert subnets == ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
    assert "1234abcd-12ab-34cd-56ef-1234567890ab" in json.dumps(grader["Properties"]["KmsKeyArn"])


def test_the_returned_grant_gave_the_app_role_state_invoke_and_decrypt(synthesized):
    stack, resources = synthesized
    assert stack.invoke_grant.success
    by_action = {json.dumps(s["Action"]): s for s in _statements(resources, "AppRole")}
    state = by_action[json.dumps(["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters"])]
    assert "parameter/bedrock-rft/team-arith/state" in json.dumps(state["Resource"])
    invoke = by_action[json.dumps(["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"])]
    assert invoke["Resource"] == "arn:aws:bedrock:us-east-1:111122223333:custom-model-deployment/*"
    decrypt = by_action['"kms:Decrypt"']
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "bedrock.us-east-1.amazonaws.com"}}
    assert set(by_action) == {json.dumps(s["Action"]) for s in (state, invoke, decrypt)}  # nothing else
