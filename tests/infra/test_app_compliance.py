"""The shipped environments synthesize cleanly: cdk-nag packs, cfn-lint, determinism, no credentials."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from bedrock_rft.application import build_app
from bedrock_rft.compliance import attach_nag_packs
from bedrock_rft.tools.synth_summary import summarize

pytestmark = pytest.mark.synth

REPO = Path(__file__).resolve().parents[2]


def _synth(env: str, outdir: Path) -> Path:
    app = cdk.App(outdir=str(outdir), context={"env": env})
    build_app(REPO / "environments", app=app)
    app.synth()
    return outdir


@pytest.fixture(scope="module", params=["dev", "prod"])
def assembly(request, tmp_path_factory) -> Path:
    return _synth(request.param, tmp_path_factory.mktemp(f"cdk-{request.param}"))


def _templates(folder: Path) -> list[Path]:
    found = sorted(folder.glob("*.template.json"))
    assert found, f"no templates in {folder}"
    return found


def test_nag_packs_pass_with_every_acknowledgment_reasoned(assembly):
    report = json.loads((assembly / "validation-report.json").read_text())
    failed = [p["pluginName"] for p in report["pluginReports"] if p.get("conclusion") == "failure"]
    assert failed == []
    for metadata in assembly.glob("*.metadata.json"):
        for entries in json.loads(metadata.read_text()).values():
            for entry in entries:
                if entry["type"] == "aws:cdk:acknowledged-rules":
                    for rule, reason in entry["data"].items():
                        assert len(reason) > 40, f"{rule}: acknowledgment reason too thin: {reason!r}"


def test_nag_packs_are_live_and_catch_an_insecure_bucket(tmp_path):
    app = cdk.App(outdir=str(tmp_path))
    s3.Bucket(cdk.Stack(app, "Insecure"), "Bucket")
    attach_nag_packs(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()


def test_cfn_lint_reports_no_errors(assembly):
    cfn_lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent)) or "cfn-lint"
    result = subprocess.run(
        [cfn_lint, "--format", "json", "--", *map(str, _templates(assembly))],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    errors = [f for f in findings if f["Level"] == "Error"]
    assert errors == [], json.dumps(errors, indent=1)[:4000]


def test_two_synths_give_identical_templates(assembly, tmp_path):
    env = "prod" if "prod" in assembly.name else "dev"
    again = _synth(env, tmp_path / "again")
    for template in _templates(assembly):
        assert template.read_text() == (again / template.name).read_text(), template.name


def test_every_stateful_resource_states_a_removal_policy(assembly):
    stateful = {
        "AWS::S3::Bucket",
        "AWS::KMS::Key",
        "AWS::Logs::LogGroup",
        "AWS::SNS::Topic",
        "AWS::SQS::Queue",
    }
    for template in _templates(assembly):
        for logical_id, resource in json.loads(template.read_text())["Resources"].items():
            if resource["Type"] in stateful:
                assert resource.get("DeletionPolicy") in {"Retain", "Delete"}, logical_id


def _tag_keys(resource: dict) -> set[str]:
    tags = resource.get("Properties", {}).get("Tags", [])
    return {tag["Key"] for tag in tags} if isinstance(tags, list) else set(tags)


def test_config_tags_reach_resources_and_cloudformation_never_owns_the_workflows_parameters(assembly):
    """CloudFormation rewrites a parameter's template value on any update of it (stack tags reach
    every resource), so the live state record and the parked task token are no template resources."""
    resources = json.loads(_templates(assembly)[0].read_text())["Resources"].values()
    by_type: dict[str, list[set[str]]] = {}
    for resource in resources:
        by_type.setdefault(resource["Type"], []).append(_tag_keys(resource))
    assert all("project" in keys for keys in by_type["AWS::S3::Bucket"])
    assert all("project" in keys for keys in by_type["AWS::StepFunctions::StateMachine"])
    assert not [r for r in resources if r["Type"] == "AWS::SSM::Parameter"]


def test_summary_names_templates_and_acknowledgments(assembly):
    text = summarize(assembly)
    assert ".template.json:" in text and "0 unacknowledged findings" in text
    assert "AwsSolutions-IAM5[Resource::*]" in text
    # the cost of what was synthesized: the stack's one key, dashboard and alarm at least
    assert "standing monthly cost: $" in text and "KMS customer managed keys: $1.00" in text
    assert "a run adds per hour of training: $" in text and "Bedrock RFT training: see pricing" in text


def test_pinned_cli_synthesizes_without_credentials(tmp_path):
    cdk_bin = REPO / "node_modules" / ".bin" / "cdk"
    assert cdk_bin.exists(), "run `make setup` (npm ci) first"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") or key in {"AWS_EC2_METADATA_DISABLED"}
    }
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        CDK_DISABLE_CLI_TELEMETRY="true",
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
    )
    out = tmp_path / "cdk.out"
    result = subprocess.run(
        [str(cdk_bin), "synth", "--no-notices", "--quiet", "-c", "env=dev", "-o", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert (out / "Rft-arith-dev.template.json").is_file()
    version = json.loads((REPO / "package.json").read_text())["devDependencies"]["aws-cdk"]
    assert version == "2.1148.1"


def test_cli_synth_of_a_bad_config_fails_with_the_problem_list(tmp_path):
    cdk_bin = REPO / "node_modules" / ".bin" / "cdk"
    result = subprocess.run(
        [str(cdk_bin), "synth", "--no-notices", "--quiet", "-c", "env=nowhere", "-o", str(tmp_path / "o")],
        cwd=REPO,
        env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode != 0
    assert "no environment 'nowhere'; available: dev, prod" in result.stderr
    assert "Traceback" not in result.stderr


def test_default_environment_has_the_whole_lifecycle(assembly):
    kinds = [r["Type"] for r in json.loads(_templates(assembly)[0].read_text())["Resources"].values()]
    for kind in (
        "AWS::StepFunctions::StateMachine",
        "AWS::Events::Rule",
        "AWS::SNS::Topic",
        "Custom::RftTrainingRun",
        "Custom::RftPipeline",
        "AWS::Lambda::Version",
    ):
        assert kind in kinds, kind


def test_outputs_tell_how_to_follow_and_call_the_model(assembly):
    outputs = json.loads(_templates(assembly)[0].read_text())["Outputs"]
    for name in (
        "TrainingFingerprint",
        "JobName",
        "DeploymentName",
        "StateMachineArn",
        "StateParameterName",
        "NotificationTopicArn",
        "InvokeModel",
        "DatasetBucketName",
        "CustomizationRoleArn",
    ):
        assert name in outputs, name
    assert len(outputs["TrainingFingerprint"]["Value"]) == 64
    state_parameter = outputs["StateParameterName"]["Value"]
    assert state_parameter.startswith("/bedrock-rft/") and state_parameter.endswith("/state")
    assert "bedrock-runtime converse --model-id" in json.dumps(outputs["InvokeModel"]["Value"])


def test_dashboard_plots_reward_over_training_and_a_failed_run_alarms(assembly):
    resources = json.loads(_templates(assembly)[0].read_text())["Resources"]
    (dashboard,) = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Dashboard"]
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in ("RewardMean", "RewardMin", "RewardMax", "PassRate", "ErrorCount", "GradingLatency"):
        assert metric in body, metric
    assert '\\"BedrockRFT\\"' in body and "Pipeline" in body and "math_answer" in body
    (alarm,) = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    (action,) = alarm["Properties"]["AlarmActions"]
    assert resources[action["Ref"]]["Type"] == "AWS::SNS::Topic"
    # aborts are deliberate (CloudFormation replacing a run) and superseded runs succeed: no alarm
    metrics = json.dumps(alarm["Properties"]["Metrics"])
    assert '"failed + timedOut"' in metrics and "ExecutionsAborted" not in metrics


def _resources(assembly: Path) -> dict:
    return json.loads(_templates(assembly)[0].read_text())["Resources"]


def test_the_run_starts_only_after_the_grants_and_network_paths_it_uses(assembly):
    """The Bedrock role's policy, the reward function and the VPC endpoints exist before the run
    starts (and on delete the run stops its job before they go)."""
    resources = _resources(assembly)
    (run_id,) = [k for k, r in resources.items() if r["Type"] == "Custom::RftTrainingRun"]
    needed = set(resources[run_id].get("DependsOn", []))
    customization_policy = [
        k
        for k, r in resources.items()
        if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and k.startswith("Customization")
    ]
    endpoints = [k for k, r in resources.items() if r["Type"] == "AWS::EC2::VPCEndpoint"]
    reward_version = [k for k, r in resources.items() if r["Type"] == "AWS::Lambda::Version"]
    assert customization_policy and endpoints and reward_version
    assert set(customization_policy + endpoints + reward_version) <= needed


def test_the_failed_run_alarm_may_publish_to_its_encrypted_topic(assembly):
    resources = _resources(assembly)
    (alarm,) = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    alarm_name = alarm["Properties"]["AlarmName"]
    assert alarm_name.startswith("bedrock-rft-") and alarm_name.endswith("-failed-run")

    def cloudwatch_statements(kind: str, document: str) -> list[dict]:
        return [
            statement
            for resource in resources.values()
            if resource["Type"] == kind
            for statement in resource["Properties"][document]["Statement"]
            if statement.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
        ]

    (publish,) = cloudwatch_statements("AWS::SNS::TopicPolicy", "PolicyDocument")
    (use_key,) = cloudwatch_statements("AWS::KMS::Key", "KeyPolicy")
    assert publish["Action"] == "sns:Publish" and set(use_key["Action"]) == {
        "kms:Decrypt",
        "kms:GenerateDataKey*",
    }
    for statement in (publish, use_key):
        assert alarm_name in json.dumps(statement["Condition"]["ArnEquals"]["aws:SourceArn"])
        assert statement["Condition"]["StringEquals"]["aws:SourceAccount"]


#: The actions the stack grants on ``Resource: "*"``, each for a stated reason (most have no
#: resource-level permissions at all; Lambda's VPC attachment actions are granted on "*" as the
#: AWS-managed VPC execution policy does). Every AwsSolutions-IAM5[Resource::*] acknowledgment rests
#: on this list, so a new "*" grant fails here and needs a reason first.
WILDCARD_ONLY_ACTIONS = {
    "xray:PutTraceSegments",  # Lambda and Step Functions tracing
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "logs:CreateLogDelivery",  # Step Functions logging to CloudWatch Logs
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "ec2:CreateNetworkInterface",  # Lambda in a VPC
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "ec2:DescribeVpcs",  # the Bedrock job in a VPC (conditioned statements)
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeSecurityGroups",
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterfacePermission",
    "bedrock:ListCustomModels",  # pipeline delete with retain_models = false; keep_models pruning
    "bedrock:ListCustomModelDeployments",  # keep_models: models still deployed are never pruned
    "bedrock:ListProvisionedModelThroughputs",  # keep_models: nor models with provisioned throughput
}


def test_every_wildcard_resource_grant_is_a_reasoned_one(assembly):
    wildcard_actions = set()
    for resource in _resources(assembly).values():
        if resource["Type"] not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            targets = statement.get("Resource")
            if "*" in (targets if isinstance(targets, list) else [targets]):
                actions = statement["Action"]
                wildcard_actions |= set(actions if isinstance(actions, list) else [actions])
    assert wildcard_actions and wildcard_actions <= WILDCARD_ONLY_ACTIONS, (
        wildcard_actions - WILDCARD_ONLY_ACTIONS
    )
