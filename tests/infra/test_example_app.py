"""The example of importing the package into a team's own app synthesizes cleanly."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import aws_cdk as cdk
import pytest

from bedrock_rft.compliance import attach_nag_packs

pytestmark = pytest.mark.synth

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "own_app" / "app.py"


def test_team_app_grants_its_role_the_model_and_passes_the_nag_packs(cdk_context, tmp_path):
    spec = importlib.util.spec_from_file_location("own_app", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = cdk.App(context=cdk_context, outdir=str(tmp_path))
    module.build(app)
    attach_nag_packs(app)
    app.synth()  # raises on any unacknowledged finding
    resources = json.loads((tmp_path / "TeamRftPipeline.template.json").read_text())["Resources"]
    statements = [
        statement
        for key, resource in resources.items()
        if resource["Type"] == "AWS::IAM::Policy" and key.startswith("TeamApplicationRole")
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
    ]
    by_sid = {s.get("Sid"): s for s in statements}
    assert by_sid["InvokePipelineDeployments"]["Action"] == [
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
    ]
    assert ":custom-model-deployment/*" in json.dumps(by_sid["InvokePipelineDeployments"]["Resource"])
    assert "kms:ViaService" in by_sid["DecryptPipelineModel"]["Condition"]["StringEquals"]
    assert any("ssm:GetParameter" in json.dumps(s["Action"]) for s in statements)
