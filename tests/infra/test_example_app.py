"""The README's "Use it in your own stack" example (examples/own_app) synthesizes nag-clean, from the
source tree and from the built wheel installed in a fresh venv, with identical Lambda assets."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
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
    assert invoke["Resource"] == [  # what serves in either deployment mode
        "arn:aws:bedrock:us-east-1:111122223333:custom-model-deployment/*",
        "arn:aws:bedrock:us-east-1:111122223333:provisioned-model/*",
    ]
    decrypt = by_action['"kms:Decrypt"']
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "bedrock.us-east-1.amazonaws.com"}}
    assert set(by_action) == {json.dumps(s["Action"]) for s in (state, invoke, decrypt)}  # nothing else


def test_the_readme_shows_the_example_that_synthesizes(repo_root):
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Use it in your own stack\n", 1)[1].split("\n## ", 1)[0]
    shown = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert shown == EXAMPLE.read_text(encoding="utf-8")  # complete: what the tests synthesize


# --- the same example from the built wheel, installed with only the runtime requirements -----------


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory, repo_root) -> Path:
    """A fresh venv holding the built wheel and ``requirements.txt`` only; returns its python."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # a copy, so the build leaves no build/ or egg-info in the repository
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in ("infra", "lambda"):
        shutil.copytree(repo_root / folder, source / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo_root / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--wheel-dir", work / "dist", source])
    (wheel,) = (work / "dist").glob("*.whl")
    print(f"\nwheel {wheel.name}: {wheel.stat().st_size / 1e3:.0f} kB")
    _run([sys.executable, "-m", "venv", "--without-pip", work / "venv"])
    python = work / "venv" / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-compile"]
    _run([*pip, "-r", repo_root / "requirements.txt", wheel])
    return python


def _clean_env(**extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **extra}


def test_the_wheel_ships_the_schema_but_no_tests_and_imports_from_its_install(installed):
    probe = (
        "import bedrock_rft, rft_runtime; from bedrock_rft.config.json_schema import SCHEMA_FILE;"
        "print(bedrock_rft.__file__); print(rft_runtime.__file__); print(SCHEMA_FILE)"
    )
    out = _run([installed, "-I", "-c", probe], env=_clean_env()).stdout.split()
    assert Path(out[2]).is_file()  # the JSON Schema ships as package data
    site = installed.parent.parent
    assert all(Path(path).is_relative_to(site) for path in out), out
    assert not list(site.glob("lib/python*/site-packages/tests")) and not list(
        site.glob("lib/*/site-packages/examples")
    )


def test_the_example_synthesizes_from_the_wheel_with_the_same_lambda_assets(installed, synthesized, tmp_path):
    outdir = tmp_path / "cdk.out"
    _run(
        [installed, "-I", EXAMPLE],
        cwd=tmp_path,
        env=_clean_env(CDK_OUTDIR=str(outdir), JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20"),
    )  # attach_nag_packs is on: any unacknowledged finding would have failed it
    from_wheel = json.loads((outdir / "TeamStack.template.json").read_text())["Resources"]
    _, from_source = synthesized
    assert _lambda_assets(from_wheel) == _lambda_assets(from_source)
    assert len(set(_lambda_assets(from_source))) >= 2  # the reward asset and the lifecycle asset, at least


def _lambda_assets(resources: dict) -> list[str]:
    return sorted(
        r["Properties"]["Code"]["S3Key"] for r in resources.values() if r["Type"] == "AWS::Lambda::Function"
    )
