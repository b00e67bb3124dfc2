"""The code runner in the stack: no permissions beyond VPC attachment, no network, only the grader
invokes it; cdk-nag (4 packs) and cfn-lint clean."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms

from bedrock_rft.compliance import attach_nag_packs
from bedrock_rft.compute.runtime_function import VPC_DESCRIBE_ACTIONS, VPC_INTERFACE_ACTIONS
from bedrock_rft.network import IsolatedVpc
from bedrock_rft.reward import RewardFunction
from rft_runtime.rewards import catalogue

pytestmark = pytest.mark.synth


@pytest.fixture(scope="module")
def synthesized(cdk_context, tmp_path_factory):
    """A code_tests reward (inside a composite with an LLM judge) in an isolated VPC, synthesized
    with the nag packs attached."""
    outdir = tmp_path_factory.mktemp("code-runner")
    app = cdk.App(context=cdk_context, outdir=str(outdir))
    stack = cdk.Stack(app, "CodeRunnerTest")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    network = IsolatedVpc(stack, "Net", encryption_key=key)
    reward = RewardFunction(
        stack,
        "Reward",
        pipeline_name="unit",
        template="code_tests",
        options={"entry_point": "solve"},
        encryption_key=key,
        vpc=network.vpc,
        vpc_subnets=network.subnets,
        security_groups=[network.workload_security_group],
        add_interface_endpoint=network.add_interface_endpoint,
    )
    attach_nag_packs(app)
    assembly = app.synth()
    template = json.loads((outdir / "CodeRunnerTest.template.json").read_text())
    return outdir, template["Resources"], reward, assembly


def _of_type(resources: dict, kind: str) -> dict:
    return {k: v for k, v in resources.items() if v["Type"] == kind}


def _function(resources: dict, handler: str) -> tuple[str, dict]:
    (found,) = [
        (k, f)
        for k, f in _of_type(resources, "AWS::Lambda::Function").items()
        if f["Properties"].get("Handler") == handler
    ]
    return found


def test_runner_role_may_only_attach_to_its_subnets(synthesized):
    _, resources, _, _ = synthesized
    _, runner = _function(resources, "rft_runtime.runner.handler.handler")
    role_id = runner["Properties"]["Role"]["Fn::GetAtt"][0]
    role = resources[role_id]["Properties"]
    assert "ManagedPolicyArns" not in role
    (policy,) = role["Policies"]
    describe, attach = policy["PolicyDocument"]["Statement"]
    assert describe["Effect"] == "Allow" and sorted(describe["Action"]) == sorted(VPC_DESCRIBE_ACTIONS)
    assert attach["Effect"] == "Allow" and sorted(attach["Action"]) == sorted(VPC_INTERFACE_ACTIONS)
    assert list(attach["Condition"]["ArnEquals"]) == ["ec2:Vpc"]  # interfaces only in its own VPC
    attached = [
        p
        for p in _of_type(resources, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    assert attached == []  # no logs, no tracing, no key
    assert "Environment" not in runner["Properties"] and "TracingConfig" not in runner["Properties"]
    key_grants = [
        s
        for p in _of_type(resources, "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if role_id in json.dumps(p["Properties"]["Roles"])
    ]
    assert key_grants == []


def test_runner_has_no_egress_and_no_endpoint_admits_it(synthesized):
    _, resources, _, _ = synthesized
    _, runner = _function(resources, "rft_runtime.runner.handler.handler")
    (group_ref,) = runner["Properties"]["VpcConfig"]["SecurityGroupIds"]
    group_id = group_ref["Fn::GetAtt"][0]
    group = resources[group_id]["Properties"]
    assert group["SecurityGroupEgress"] == [
        {
            "CidrIp": "255.255.255.255/32",
            "Description": "Disallow all traffic",
            "FromPort": 252,
            "IpProtocol": "icmp",
            "ToPort": 86,
        }
    ]
    assert "SecurityGroupIngress" not in group
    rules = _of_type(resources, "AWS::EC2::SecurityGroupIngress") | _of_type(
        resources, "AWS::EC2::SecurityGroupEgress"
    )
    assert group_id not in json.dumps(rules)  # no endpoint or host lets it in or out
    endpoints = _of_type(resources, "AWS::EC2::VPCEndpoint").values()
    # No interface endpoint (the grader needs none); the VPC's S3 gateway endpoint is reachable only
    # through security-group egress, which the runner has none of.
    assert [e["Properties"].get("VpcEndpointType") for e in endpoints] == ["Gateway"]
    subnets = runner["Properties"]["VpcConfig"]["SubnetIds"]
    routes = _of_type(resources, "AWS::EC2::Route")
    assert routes == {} and subnets  # isolated subnets: no route out of the VPC
    # unreserved like the grader by default; never 0, which would throttle every sample
    assert "ReservedConcurrentExecutions" not in runner["Properties"]


def test_only_the_grader_may_invoke_the_runner(synthesized):
    _, resources, _, _ = synthesized
    runner_id, _ = _function(resources, "rft_runtime.runner.handler.handler")
    _, grader = _function(resources, "rft_runtime.rewards.handler.handler")
    grader_role = grader["Properties"]["Role"]["Fn::GetAtt"][0]
    assert _of_type(resources, "AWS::Lambda::Permission") == {}  # no resource policy on the runner
    invokers = []
    for policy in _of_type(resources, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if runner_id in json.dumps(statement.get("Resource")):
                invokers.append((policy["Properties"]["Roles"], statement["Action"]))
    assert invokers == [([{"Ref": grader_role}], "lambda:InvokeFunction")]
    env = grader["Properties"]["Environment"]["Variables"]
    assert env["RFT_CODE_RUNNER_FUNCTION"] == {"Ref": runner_id}
    assert "VpcConfig" not in grader["Properties"]  # runs no model code; reaches the runner directly


def test_a_reserving_grader_reserves_what_it_calls_at_once_for_its_runner(cdk_context):
    """Grader 10, code_tests max_concurrency 3: the runner gets 30, and ``rft doctor`` counts both."""
    from rft_runtime.doctor.needs import DeployNeeds

    stack = cdk.Stack(cdk.App(context=cdk_context), "Reserving")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    network = IsolatedVpc(stack, "Net", encryption_key=key)
    options = {"entry_point": "solve", "max_concurrency": 3}
    RewardFunction(
        stack,
        "Reward",
        pipeline_name="unit",
        template="code_tests",
        options=options,
        encryption_key=key,
        reserved_concurrency=10,
        vpc=network.vpc,
        vpc_subnets=network.subnets,
        security_groups=[network.workload_security_group],
    )
    resources = cdk.assertions.Template.from_stack(stack).to_json()["Resources"]
    _, runner = _function(resources, "rft_runtime.runner.handler.handler")
    _, grader = _function(resources, "rft_runtime.rewards.handler.handler")
    reserved = (
        grader["Properties"]["ReservedConcurrentExecutions"],
        runner["Properties"]["ReservedConcurrentExecutions"],
    )
    assert reserved == (10, 30)
    needs = DeployNeeds(
        pipeline="unit",
        region="us-east-1",
        base_model="m",
        reward_reserved_concurrency=10,
        deploys=False,
        rft_regions=("us-east-1",),
        runner_reserved_concurrency=catalogue.code_runner_concurrency("code_tests", options, 10),
    )
    assert needs.reserved_concurrency == sum(reserved)


def test_nag_packs_pass(synthesized):
    outdir, _, _, _ = synthesized
    report = json.loads((outdir / "validation-report.json").read_text())
    failed = [p["pluginName"] for p in report["pluginReports"] if p.get("conclusion") == "failure"]
    assert failed == []


def test_cfn_lint_reports_no_errors(synthesized):
    outdir, _, _, _ = synthesized
    cfn_lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent)) or "cfn-lint"
    result = subprocess.run(
        [cfn_lint, "--format", "json", "--", str(outdir / "CodeRunnerTest.template.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [f for f in json.loads(result.stdout or "[]") if f["Level"] == "Error"]
    assert errors == [], json.dumps(errors, indent=1)[:4000]


def test_runner_needs_a_vpc(cdk_context):
    stack = cdk.Stack(cdk.App(context=cdk_context), "NoVpc")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    with pytest.raises(ValueError, match="runs model code"):
        RewardFunction(
            stack, "Reward", pipeline_name="unit", template="code_tests", options={}, encryption_key=key
        )


SHIPPED_RUNNER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from rft_runtime.runner.handler import handler
import rft_runtime
assert rft_runtime.__file__.startswith(sys.argv[1]), rft_runtime.__file__
print(json.dumps(handler(json.loads(sys.argv[2]))))
"""


def test_the_shipped_runner_asset_runs_a_sample_in_a_clean_interpreter(synthesized, tmp_path):
    """The runner's asset from cdk.out, alone on ``sys.path`` (the Lambda layout), runs a job."""
    outdir, resources, _, _ = synthesized
    _, runner = _function(resources, "rft_runtime.runner.handler.handler")
    key = runner["Properties"]["Code"]["S3Key"]
    asset = outdir / f"asset.{key.removesuffix('.zip')}"
    assert (asset / "rft_runtime" / "rewards" / "sandbox_worker.py").is_file()
    event = {
        "code": "def add(a, b):\n    return a + b",
        "calls": [{"name": "add", "args": [2, 3], "kwargs": {"$dict": []}}],
        "limits": {"wall_seconds": 20},
    }
    done = subprocess.run(
        [sys.executable, "-I", "-c", SHIPPED_RUNNER, str(asset), json.dumps(event)],
        env={"PATH": "/usr/bin:/bin", "RFT_RUNNER_SCRATCH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"error": None, "load": "O", "results": [{"v": 5}]}
