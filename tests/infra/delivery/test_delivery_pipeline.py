"""The delivery stack synthesized with two and three environments: stage order, approvals, the pinned
CLI, the wait step, cross-account keys, cdk-nag and cfn-lint over every template."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from delivery_files import REPO, write_delivery, write_environment

from bedrock_rft.delivery import cdk_assets_version, cdk_cli_version
from bedrock_rft.delivery.application import build_delivery_app

pytestmark = pytest.mark.synth

PINNED = cdk_cli_version(REPO / "package.json")
ASSETS = cdk_assets_version(REPO / "package.json")
PIPELINE_ACCOUNT = "111111111111"


def _synth(delivery_file: Path, outdir: Path, context: dict) -> Path:
    app = cdk.App(outdir=str(outdir), context=context)
    build_delivery_app(delivery_file, REPO / "package.json", app=app)
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def two(tmp_path_factory, cdk_context) -> Path:
    """The shipped ``environments/delivery.toml``: dev then prod, both in the pipeline's account."""
    return _synth(REPO / "environments" / "delivery.toml", tmp_path_factory.mktemp("two"), cdk_context)


@pytest.fixture(scope="module")
def three(tmp_path_factory, cdk_context) -> Path:
    """dev (pipeline account), staging and prod in two other accounts; prod's wait limit 120 min."""
    folder = tmp_path_factory.mktemp("three-config")
    write_environment(folder, "dev", name="shop-dev")
    write_environment(folder, "staging", name="shop-staging", account="222222222222")
    write_environment(folder, "prod", name="shop-prod", account="333333333333")
    delivery = write_delivery(
        folder,
        '[[stages]]\nenvironment = "dev"\n\n[[stages]]\nenvironment = "staging"\napproval = false\n\n'
        '[[stages]]\nenvironment = "prod"\nwait_timeout_minutes = 120\n',
    )
    return _synth(delivery, tmp_path_factory.mktemp("three"), cdk_context)


def _pipeline_template(assembly: Path) -> dict:
    (template,) = assembly.glob("RftDelivery-*.template.json")
    return json.loads(template.read_text())


def _resources(template: dict, kind: str) -> dict[str, dict]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def _stages(assembly: Path) -> list[dict]:
    (pipeline,) = _resources(_pipeline_template(assembly), "AWS::CodePipeline::Pipeline").values()
    return pipeline["Properties"]["Stages"]


def _actions(assembly: Path, stage: str) -> list[tuple[str, str, int]]:
    (found,) = [s for s in _stages(assembly) if s["Name"] == stage]
    return [(a["Name"], a["ActionTypeId"]["Category"], a["RunOrder"]) for a in found["Actions"]]


def _buildspecs(assembly: Path) -> dict[str, str]:
    projects = _resources(_pipeline_template(assembly), "AWS::CodeBuild::Project")
    specs = {lid: p["Properties"]["Source"].get("BuildSpec", "") for lid, p in projects.items()}
    return {lid: spec if isinstance(spec, str) else json.dumps(spec) for lid, spec in specs.items()}


def _all_templates(assembly: Path) -> list[Path]:
    return sorted(assembly.rglob("*.template.json"))


def test_one_stage_per_environment_in_the_listed_order(two, three):
    names = [s["Name"] for s in _stages(two)]
    assert names == ["Source", "Build", "UpdatePipeline", "Assets", "dev", "prod"]
    assert [s["Name"] for s in _stages(three)][4:] == ["dev", "staging", "prod"]


def test_first_stage_deploys_then_waits_without_approval(two):
    assert _actions(two, "dev") == [
        ("Rft-arith-dev.Prepare", "Deploy", 1),
        ("Rft-arith-dev.Deploy", "Deploy", 2),
        ("Wait", "Build", 3),
    ]


def test_later_stages_need_approval_and_a_broadening_check_before_deploying(two, three):
    prod = _actions(two, "prod")
    deploy = next(order for name, _, order in prod if name == "Rft-arith-prod.Prepare")
    assert ("Approve", "Approval", 1) in prod
    assert ("ConfirmBroadening.Check", "Build", 1) in prod
    assert ("ConfirmBroadening.Confirm", "Approval", 2) in prod
    assert deploy == 3
    staging = [name for name, _, _ in _actions(three, "staging")]
    assert "Approve" not in staging and "ConfirmBroadening.Check" in staging  # approval = false


def test_synth_installs_exactly_the_pinned_toolchain(two):
    specs = _buildspecs(two)
    (synth,) = [s for lid, s in specs.items() if "BuildSynth" in lid]
    body = json.loads(synth)
    install = body["phases"]["install"]["commands"]
    assert (
        ".venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt" in install
    )
    assert "npm ci --no-audit --no-fund --loglevel=error" in install
    assert body["phases"]["build"]["commands"] == [
        'npx --no-install cdk synth --no-notices --app ".venv/bin/python delivery_app.py"'
    ]
    (mutation,) = [s for lid, s in specs.items() if "SelfMutation" in lid]
    assert f"npm install -g aws-cdk@{PINNED}" in mutation
    every = "\n".join(specs.values())
    installs = re.findall(r"npm install -g (aws-cdk\S*?|cdk-assets\S*?)[\\\"' ]", every)
    assert sorted(set(installs)) == [f"aws-cdk@{PINNED}"], installs  # self-mutation, broadening check
    assert "npx cdk" not in every
    (assets,) = two.glob("buildspec-*FileAsset.yaml")
    assert f"npm install -g cdk-assets@{ASSETS}" in assets.read_text()
    assert "@latest" not in every + assets.read_text()


def test_wait_step_reads_the_stage_fingerprint_and_explains_a_timeout(three):
    (pipeline,) = _resources(_pipeline_template(three), "AWS::CodePipeline::Pipeline").values()
    (prod,) = [s for s in pipeline["Properties"]["Stages"] if s["Name"] == "prod"]
    (wait,) = [a for a in prod["Actions"] if a["Name"] == "Wait"]
    variables = json.loads(wait["Configuration"]["EnvironmentVariables"])
    assert variables[0]["name"] == "FINGERPRINT"
    assert "DeliveryprodRftshopprod" in variables[0]["value"]
    assert variables[0]["value"].endswith(".TrainingFingerprint}")
    projects = _resources(_pipeline_template(three), "AWS::CodeBuild::Project")
    (project,) = [p for lid, p in projects.items() if "prodWait" in lid]
    assert project["Properties"]["TimeoutInMinutes"] == 120
    env = {v["Name"]: v["Value"] for v in project["Properties"]["Environment"]["EnvironmentVariables"]}
    assert json.dumps(env["WAIT_ROLE_ARN"]).endswith(
        ':iam::333333333333:role/rft-delivery-wait-shop-prod"]]}'
    )
    commands = "\n".join(
        json.loads(project["Properties"]["Source"]["BuildSpec"])["phases"]["build"]["commands"]
    )
    assert "AWS_PROFILE=rft-wait .venv/bin/rft wait --env prod --environments-dir environments" in commands
    assert '--timeout-minutes 110 --fingerprint "$FINGERPRINT"' in commands
    assert "still running after 110 minutes, the time limit of this build" in commands
    assert "job name (pipeline name + fingerprint): the running job is adopted, not retrained" in commands


def test_account_bound_stages_synthesize_without_lookups(two, three):
    for assembly in (two, three):
        for manifest in assembly.rglob("manifest.json"):
            assert "missing" not in json.loads(manifest.read_text()), manifest


def test_stage_stack_outputs_the_fingerprint_and_trusts_only_the_pipeline_account(three):
    (template,) = three.glob("assembly-*-prod/*.template.json")
    body = json.loads(template.read_text())
    assert "TrainingFingerprint" in body["Outputs"]
    (role,) = [r for r in _resources(body, "AWS::IAM::Role").values() if "rft-delivery-wait" in str(r)]
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert json.dumps(trust).count(f":iam::{PIPELINE_ACCOUNT}:root") == 1
    manifest = json.loads((three / "manifest.json").read_text())
    nested = manifest["artifacts"]["assembly-RftDelivery-rft-release-Delivery-prod"]
    assert nested["type"] == "cdk:cloud-assembly"
    stage_manifest = json.loads((three / nested["properties"]["directoryName"] / "manifest.json").read_text())
    stacks = [a for a in stage_manifest["artifacts"].values() if a["type"] == "aws:cloudformation:stack"]
    assert [(s["environment"], s["properties"].get("stackName")) for s in stacks] == [
        ("aws://333333333333/us-east-1", "Rft-shop-prod")
    ]


def test_artifact_key_is_shared_with_each_other_account_only_when_accounts_differ(two, three):
    def key_policy(assembly: Path) -> str:
        (key,) = _resources(_pipeline_template(assembly), "AWS::KMS::Key").values()
        assert key["Properties"]["EnableKeyRotation"] is True
        return json.dumps(key["Properties"]["KeyPolicy"])

    for account in ("222222222222", "333333333333"):
        assert f"iam::{account}:role/cdk-hnb659fds-deploy-role-{account}-us-east-1" in key_policy(three)
    assert "222222222222" not in key_policy(two) and "333333333333" not in key_policy(two)
    (bucket,) = [
        b
        for b in _resources(_pipeline_template(two), "AWS::S3::Bucket").values()
        if "KMSMasterKeyID" in json.dumps(b)
    ]
    rule = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"


def test_nag_packs_pass_with_reasoned_acknowledgments(two, three):
    for assembly in (two, three):
        report = json.loads((assembly / "validation-report.json").read_text())
        assert [p["pluginName"] for p in report["pluginReports"] if p.get("conclusion") == "failure"] == []


def test_nag_packs_are_live_on_the_pipeline_stack(tmp_path, cdk_context, monkeypatch):
    # A passing synth writes no plugin reports, so the test above holds with or without packs:
    # without the pipeline's acknowledgments, its generated resources must fail the packs.
    from bedrock_rft.delivery import pipeline as delivery_pipeline

    monkeypatch.setattr(delivery_pipeline, "acknowledge_delivery_findings", lambda pipeline: None)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        _synth(REPO / "environments" / "delivery.toml", tmp_path, cdk_context)
    report = json.loads((tmp_path / "validation-report.json").read_text())
    failed = {p["pluginName"] for p in report["pluginReports"] if p.get("conclusion") == "failure"}
    assert failed, report
    violations = json.dumps(report)
    assert "CodeBuildProjectSourceRepoUrl" in violations and "RftDelivery-" in violations


def test_cfn_lint_reports_no_errors_in_any_template(two, three):
    cfn_lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent)) or "cfn-lint"
    templates = [*_all_templates(two), *_all_templates(three)]
    assert len(templates) == (1 + 2) + (1 + 3)  # each: the pipeline's and one stack per stage
    result = subprocess.run(
        [cfn_lint, "--format", "json", "--", *map(str, templates)],
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [f for f in json.loads(result.stdout or "[]") if f["Level"] == "Error"]
    assert errors == [], json.dumps(errors, indent=1)[:4000]
