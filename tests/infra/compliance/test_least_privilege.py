"""The synthesized dev stack: least privilege (ENI, KMS, logs, SSM), checkov skips, reserved concurrency."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

from bedrock_rft.application import build_app
from bedrock_rft.compliance.checkov import NAG_TO_CHECKOV

pytestmark = pytest.mark.synth

REPO = Path(__file__).resolve().parents[3]
ENI_WRITES = {
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
}


@pytest.fixture(scope="module")
def resources(tmp_path_factory) -> dict:
    outdir = tmp_path_factory.mktemp("cdk-least-privilege")
    app = cdk.App(outdir=str(outdir), context={"env": "dev"})
    build_app(REPO / "environments", app=app)
    app.synth()
    (template,) = outdir.glob("*.template.json")
    return json.loads(template.read_text())["Resources"]


def _statements(resources: dict):
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::IAM::Policy":
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                actions = (
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )
                yield logical_id, set(actions), statement


def test_network_interface_writes_are_limited_to_the_pipeline_vpc(resources):
    found = 0
    for logical_id, actions, statement in _statements(resources):
        writes = actions & ENI_WRITES
        if writes and logical_id.startswith("Reward"):
            found += 1
            vpc = statement["Condition"]["ArnEquals"]["ec2:Vpc"]
            assert {"Ref": "NetworkVpc7FB7348F"} in vpc["Fn::Join"][1], statement
            assert actions == ENI_WRITES  # no Describe* riding along under the condition
    assert found == 1


def test_every_role_uses_the_pipeline_key_only_through_a_service_or_a_context(resources):
    keys = {k for k, r in resources.items() if r["Type"] == "AWS::KMS::Key"}
    checked = 0
    for logical_id, actions, statement in _statements(resources):
        resource = json.dumps(statement["Resource"])
        if any(a.startswith("kms:") for a in actions) and any(k in resource for k in keys):
            conditions = json.dumps(statement.get("Condition", {}))
            assert "kms:ViaService" in conditions or "kms:EncryptionContext" in conditions, logical_id
            checked += 1
    assert checked >= 6


def test_the_reward_function_uses_the_key_through_lambda_only(resources):
    (statement,) = [
        s
        for lid, _, s in _statements(resources)
        if lid.startswith("RewardGrader") and s.get("Sid") == "UsePipelineKey"
    ]
    assert statement["Action"] == "kms:Decrypt"
    assert statement["Condition"]["StringEquals"]["kms:ViaService"] == ["lambda.us-east-1.amazonaws.com"]


def test_log_delivery_may_use_the_key_only_for_this_account(resources):
    (key,) = [r for r in resources.values() if r["Type"] == "AWS::KMS::Key"]
    delivery = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if "delivery.logs" in json.dumps(s["Principal"])
    ]
    assert delivery
    for statement in delivery:
        assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
        assert "aws:SourceArn" in statement["Condition"]["ArnLike"]


def test_no_unused_or_star_only_ssm_actions(resources):
    ssm = set().union(*(a for _, a, _ in _statements(resources) if any(x.startswith("ssm:") for x in a)))
    assert ssm == {"ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter"}


def test_task_callbacks_may_only_report_success(resources):
    """The job-event function only calls SendTaskSuccess (waking a parked wait); CDK's
    ``grant_task_response`` would add SendTaskFailure and SendTaskHeartbeat, which nothing calls."""
    granted = set().union(*(a for _, a, _ in _statements(resources)))
    assert {a for a in granted if a.startswith("states:SendTask")} == {"states:SendTaskSuccess"}


def test_the_workflow_logs_under_vendedlogs(resources):
    (group,) = [r for k, r in resources.items() if k.startswith("LifecycleWorkflowLogs")]
    name = group["Properties"]["LogGroupName"]["Fn::Join"][1]
    assert name[0] == "/aws/vendedlogs/states/bedrock-rft-arith-dev-"
    assert name[1] == {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}


def test_every_checkov_skip_mirrors_a_mapped_rule_with_a_reason(resources):
    mapped = {check: kind for check, kind in NAG_TO_CHECKOV.values()}
    skips = 0
    for logical_id, resource in resources.items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert mapped[skip["id"]] == resource["Type"], logical_id
            assert len(skip["comment"]) > 40, (logical_id, skip)
            skips += 1
    assert skips >= 9  # DLQ/VPC on the lifecycle and reward functions, the access-log bucket


def test_rft_doctor_counts_the_reserved_concurrency_the_stack_really_reserves(resources):
    from bedrock_rft.config import load_environment
    from rft_runtime.cli.doctor import needs_of

    reserved = sum(
        r["Properties"].get("ReservedConcurrentExecutions", 0)
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Function"
    )
    needs = needs_of(load_environment("dev", REPO / "environments"), "us-east-1")
    assert needs.reserved_concurrency == reserved
