"""Test what ships: every Lambda asset of the synthesized app, imported as the Lambda runtime would.

For each Python function in ``cdk.out``: its handler imports in a clean interpreter (``python -I -S``,
only the asset folder and the standard library on ``sys.path``), and every AWS client its code can
create (read from the code, see ``aws_client_calls``) exists in the asset's own botocore with every
operation the code calls on it.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import aws_cdk as cdk
import botocore.session
import pytest
from aws_client_calls import analyse

from bedrock_rft.application import build_app

pytestmark = pytest.mark.synth

REPO = Path(__file__).resolve().parents[3]
PROBE = Path(__file__).with_name("asset_probe.py")
#: ``rft_runtime`` subpackages only the ``rft`` command uses.
CLI_ONLY_PACKAGES = ("cli", "datasets", "doctor", "gitops")
#: the module (``bedrock_rft.assets.runtime_code`` the attribute is the function of that name)
runtime_code_module = importlib.import_module("bedrock_rft.assets.runtime_code")


def _python_functions(assembly: Path) -> dict[Path, list[str]]:
    """asset folder -> handlers of the Python functions whose code is that asset."""
    found: dict[Path, list[str]] = defaultdict(list)
    for template in assembly.glob("*.template.json"):
        for resource in json.loads(template.read_text())["Resources"].values():
            properties = resource.get("Properties", {})
            key = properties.get("Code", {}).get("S3Key")
            if resource["Type"] != "AWS::Lambda::Function" or not isinstance(key, str):
                continue
            if str(properties.get("Runtime", "")).startswith("python"):
                found[assembly / f"asset.{key.removesuffix('.zip')}"].append(properties["Handler"])
    return dict(found)


def _probe(asset: Path, handlers: list[str], services: dict[str, set[str]]) -> dict:
    spec = {"handlers": handlers, "services": {name: sorted(ops) for name, ops in services.items()}}
    out = subprocess.run(
        [sys.executable, "-I", "-S", str(PROBE), str(asset), json.dumps(spec)],
        capture_output=True,
        text=True,
        check=True,
        cwd=asset,
    )
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def assembly(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("cdk-shipped")
    app = cdk.App(outdir=str(outdir), context={"env": "dev"})
    build_app(REPO / "environments", app=app, nag=False)
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def functions(assembly) -> dict[Path, list[str]]:
    found = _python_functions(assembly)
    assert len(found) >= 2, f"expected the reward and lifecycle assets, found {sorted(found)}"
    return found


def test_no_synthesized_asset_carries_cli_only_code(functions):
    """The ``rft`` command, the dataset converter and the other CLI-only parts never ship in Lambda."""
    for asset in functions:
        shipped = {path.name for path in (asset / "rft_runtime").iterdir() if path.is_dir()}
        assert shipped and not shipped & set(CLI_ONLY_PACKAGES), (asset.name, sorted(shipped))


def test_every_handler_imports_from_its_asset_alone(functions):
    for asset, handlers in functions.items():
        report = _probe(asset, handlers, {})
        assert report["handlers"] == dict.fromkeys(handlers, "ok"), asset.name


def test_every_client_the_code_creates_exists_in_the_asset_botocore(functions):
    checked = 0
    for asset, handlers in functions.items():
        calls = analyse(asset, {h.rpartition(".")[0] for h in handlers})
        assert calls.problems == [], calls.problems
        report = _probe(asset, handlers, calls.services)
        if report["botocore"] is None:
            # no botocore in the asset: the function uses the Lambda runtime's boto3 (the reward
            # function, stdlib-only except the judge's bedrock-runtime Converse): check the pinned one
            assert not any(asset.glob("boto3")), asset.name
            report["services"] = _missing_in_pinned_botocore(calls.services)
        else:
            assert report["botocore"].startswith(str(asset)), "botocore must load from the asset"
        assert report["services"] == {key: [] for key in calls.services}, (asset.name, report["services"])
        checked += sum(len(ops) for ops in calls.services.values())
    assert checked >= 20  # the lifecycle alone calls ~25 operations: the analysis found them


def test_lifecycle_clients_found_include_the_grader_preflight(functions):
    lifecycle = [a for a, handlers in functions.items() if any("lifecycle" in h for h in handlers)]
    (asset,) = lifecycle
    calls = analyse(asset, {"rft_runtime.lifecycle.handlers"})
    assert "invoke" in calls.services["lambda"]
    assert "create_model_customization_job" in calls.services["bedrock"]


def _missing_in_pinned_botocore(services: dict[str, set[str]]) -> dict[str, list[str] | str]:
    session = botocore.session.get_session()
    missing: dict[str, list[str] | str] = {}
    for name, ops in services.items():
        client = session.create_client(
            name, region_name="us-east-1", aws_access_key_id="probe", aws_secret_access_key="probe"
        )
        missing[name] = sorted(op for op in ops if not hasattr(client, op))
    return missing


def test_probe_catches_an_asset_whose_botocore_lacks_a_service(tmp_path, monkeypatch):
    """The defect this test exists for: the lifecycle asset without the ``lambda`` model."""
    trimmed = tuple(s for s in runtime_code_module.BOTOCORE_SERVICES if s != "lambda")
    monkeypatch.setattr(runtime_code_module, "BOTOCORE_SERVICES", trimmed)
    for relative, source in runtime_code_module.runtime_files(vendor_boto3=True):
        target = tmp_path.joinpath(*relative.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    calls = analyse(tmp_path, {"rft_runtime.lifecycle.handlers"})
    report = _probe(tmp_path, ["rft_runtime.lifecycle.handlers.lifecycle_handler"], calls.services)
    assert report["services"]["lambda"].startswith("UnknownServiceError"), report["services"]
    assert report["services"]["bedrock"] == []
