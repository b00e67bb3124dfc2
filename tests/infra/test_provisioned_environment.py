"""An environment with ``[deployment] mode = "provisioned"`` synthesizes cleanly: cdk-nag packs
(every acknowledgment reasoned), cfn-lint, the provisioned-throughput IAM, outputs and summary
(with the LLM judge calls of its composite reward), and the promotion gate (``dev.toml`` has a
validation set and ``gate = true``) with its provisioned incumbent's grants."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest

from bedrock_rft.application import build_app
from bedrock_rft.tools.synth_summary import summarize

pytestmark = pytest.mark.synth

REPO = Path(__file__).resolve().parents[2]
JUDGED = (
    '[reward]\ntemplate = "composite"\ntimeout_seconds = 300\nmemory_mb = 1024\nreserved_concurrency = 0\n'
    "max_judge_calls = 5000\n\n"
    '[[reward.options.graders]]\ntemplate = "math_answer"\n'
    "[reward.options.graders.options]\ntolerance = 1e-6\n"
    '[[reward.options.graders]]\ntemplate = "llm_judge"\n[reward.options.graders.options]\n'
    'model_id = "amazon.nova-lite-v1:0"\npreset = "reasoning"\n'
)
PROVISIONED = (
    '[deployment]\nmode = "provisioned"\nmodel_units = 2\ncommitment = "OneMonth"\nretain_models = true\n'
)


@pytest.fixture(scope="module")
def assembly(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("environments")
    text = (REPO / "environments" / "dev.toml").read_text(encoding="utf-8")
    text = text.replace('"../examples/', f'"{REPO}/examples/')
    text = text.replace('[deployment]\nmode = "on_demand"\nretain_models = true\n', PROVISIONED)
    reward = text[text.index("[reward]\n") : text.index("[hyperparameters]")]
    text = text.replace(reward, JUDGED + "\n")
    assert 'mode = "provisioned"' in text
    (folder / "pt.toml").write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("cdk-pt")
    app = cdk.App(outdir=str(out), context={"env": "pt"})
    build_app(folder, app=app)  # the nag packs are attached: a finding fails the synth
    app.synth()
    return out


def _template(assembly: Path) -> dict:
    (path,) = sorted(assembly.glob("*.template.json"))
    return json.loads(path.read_text())


def _statements(template: dict, role_fragment: str) -> dict[str, dict]:
    found = {}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::IAM::Policy" and role_fragment in json.dumps(
            resource["Properties"]["Roles"]
        ):
            found.update({s.get("Sid", ""): s for s in resource["Properties"]["PolicyDocument"]["Statement"]})
    return found


def _actions(statement: dict) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else actions


def test_nag_packs_pass_and_the_wildcard_acknowledgment_says_why(assembly):
    report = json.loads((assembly / "validation-report.json").read_text())
    assert [p["pluginName"] for p in report["pluginReports"] if p.get("conclusion") == "failure"] == []
    reasons = [
        reason
        for metadata in assembly.glob("*.metadata.json")
        for entries in json.loads(metadata.read_text()).values()
        for entry in entries
        if entry["type"] == "aws:cdk:acknowledged-rules"
        for rule, reason in entry["data"].items()
        if "provisioned-model/*" in rule
    ]
    # the lifecycle, launcher, gate and batch roles' policies, nothing wider
    assert len(reasons) == 4
    assert all("service-generated id" in reason for reason in reasons)


def test_cfn_lint_reports_no_errors(assembly):
    cfn_lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent)) or "cfn-lint"
    templates = [str(p) for p in sorted(assembly.glob("*.template.json"))]
    result = subprocess.run([cfn_lint, "--format", "json", "--", *templates], capture_output=True, text=True)
    errors = [f for f in json.loads(result.stdout or "[]") if f["Level"] == "Error"]
    assert errors == [], json.dumps(errors, indent=1)[:4000]


def test_the_lifecycle_may_create_swap_and_replace_only_provisioned_models_here(assembly):
    template = _template(assembly)
    statement = _statements(template, "LifecycleRole")["ProvisionedThroughput"]
    assert set(statement["Action"]) == {
        "bedrock:CreateProvisionedModelThroughput",
        "bedrock:GetProvisionedModelThroughput",
        "bedrock:UpdateProvisionedModelThroughput",
        "bedrock:DeleteProvisionedModelThroughput",
        "bedrock:TagResource",
    }
    resources = json.dumps(statement["Resource"])
    assert ":provisioned-model/*" in resources and ":custom-model/*" in resources
    assert "foundation-model/amazon.nova-2-lite-v1:0:256k" in resources
    launcher = _statements(template, "LauncherRole")["DeleteProvisionedThroughputOnDelete"]
    assert launcher["Action"] == [
        "bedrock:GetProvisionedModelThroughput",
        "bedrock:DeleteProvisionedModelThroughput",
    ]
    assert ":provisioned-model/*" in json.dumps(launcher["Resource"])


def test_the_gate_runs_and_may_read_and_invoke_the_throughput_it_measures_against(assembly):
    template = _template(assembly)
    (machine,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"
    ]
    definition = json.dumps(machine["Properties"]["DefinitionString"])
    assert '\\"EvaluateCandidate\\":{\\"Type\\":\\"Map\\"' in definition and "DISTRIBUTED" in definition
    gate, batch = _statements(template, "PromotionGateRole"), _statements(template, "PromotionGateBatchRole")
    assert gate["FindProvisionedIncumbent"]["Action"] == "bedrock:GetProvisionedModelThroughput"
    assert batch["ConverseProvisionedIncumbent"]["Action"] == "bedrock:InvokeModel"
    for statement in (gate["FindProvisionedIncumbent"], batch["ConverseProvisionedIncumbent"]):
        assert ":provisioned-model/*" in json.dumps(statement["Resource"])
        assert "custom-model" not in json.dumps(statement["Resource"])
    # the candidate stays an on-demand deployment; the gate never creates, swaps or deletes a throughput
    granted = {a for s in [*gate.values(), *batch.values()] for a in _actions(s)}
    assert {a for a in granted if "ProvisionedModel" in a} == {"bedrock:GetProvisionedModelThroughput"}
    assert "bedrock:CreateCustomModelDeployment" in gate["CandidateDeployment"]["Action"]


def test_the_run_spec_and_pipeline_resource_carry_the_provisioned_settings(assembly):
    resources = _template(assembly)["Resources"]
    (run,) = [r for r in resources.values() if r["Type"] == "Custom::RftTrainingRun"]
    spec = json.dumps(run["Properties"]["Spec"])
    assert '\\"deploymentMode\\":\\"provisioned\\"' in spec
    assert '\\"modelUnits\\":2' in spec and '\\"commitment\\":\\"OneMonth\\"' in spec
    assert '\\"evaluation\\":{\\"gate\\":true' in spec
    (pipeline,) = [r for r in resources.values() if r["Type"] == "Custom::RftPipeline"]
    assert pipeline["Properties"]["ProvisionedThroughput"] == "true"


def test_outputs_name_the_throughput_and_say_its_arn_is_the_model_id(assembly):
    outputs = _template(assembly)["Outputs"]
    assert outputs["ProvisionedModelName"]["Value"] == "rft-arith-dev"
    assert "bedrock-runtime converse --model-id <deploymentArn" in json.dumps(outputs)


def test_summary_prices_the_units_as_see_pricing_and_warns_about_the_commitment(assembly):
    text = summarize(assembly)
    assert "Provisioned Throughput (2 model units, commitment OneMonth): see pricing" in text
    assert "whether used or not" in text
    assert "WARNING: [deployment] commitment = 'OneMonth'" in text
    assert "on-demand model deployment" not in text
    # 240 rows x 4 samples per prompt x 2 epochs x 1 judge, under max_judge_calls = 5000
    assert "LLM judge calls per run: 1,920 = 240 rows x 4 samples per prompt x 2 epochs x 1 judges" in text
