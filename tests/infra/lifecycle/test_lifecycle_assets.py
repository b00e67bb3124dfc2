"""``runtime_code``: contents, a vendored botocore that knows RFT, deterministic hashes, size."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from bedrock_rft.assets import BOTOCORE_SERVICES, runtime_code, runtime_files
from bedrock_rft.assets.runtime_code import content_hash

pytestmark = pytest.mark.synth


def _synth_asset(outdir: Path, **kwargs) -> Path:
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Assets")
    lambda_.Function(
        stack, "Fn", runtime=lambda_.Runtime.PYTHON_3_14, handler="x.handler", code=runtime_code(**kwargs)
    )
    app.synth()
    template = json.loads((outdir / "Assets.template.json").read_text())
    (function,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    key = function["Properties"]["Code"]["S3Key"]
    return outdir / f"asset.{key.removesuffix('.zip')}"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    return _synth_asset(tmp_path_factory.mktemp("asset"), vendor_boto3=True)


def test_asset_holds_the_runtime_package_and_pinned_boto3_without_caches(bundled):
    files = {p.relative_to(bundled).as_posix() for p in bundled.rglob("*") if p.is_file()}
    assert "rft_runtime/lifecycle/handlers.py" in files and "rft_runtime/cli/main.py" not in files
    vendored = ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "urllib3")
    assert {f"{m}/__init__.py" for m in vendored} | {"six.py", "botocore/cacert.pem"} <= files
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]
    services = {f.split("/")[2] for f in files if f.startswith("botocore/data/") and f.count("/") > 2}
    assert services == set(BOTOCORE_SERVICES)
    assert {
        "botocore/data/endpoints.json",
        "botocore/data/partitions.json",
        "botocore/data/_retry.json",
    } <= files
    assert any(f.startswith("botocore-") and "LICENSE" in f for f in files)


def test_vendored_botocore_loads_from_the_asset_and_knows_rft(bundled):
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import botocore.session, json;"
        "m = botocore.session.get_session().get_service_model('bedrock');"
        "s = m.operation_model('CreateModelCustomizationJob').input_shape.members;"
        "print(json.dumps({'file': botocore.__file__, 'types': s['customizationType'].enum,"
        " 'rft': 'rftConfig' in s['customizationConfig'].members,"
        " 'deploy': 'UpdateCustomModelDeployment' in m.operation_names}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(bundled)], capture_output=True, text=True, check=True
    )
    found = json.loads(out.stdout)
    assert found["file"].startswith(str(bundled))
    assert "REINFORCEMENT_FINE_TUNING" in found["types"] and found["rft"] and found["deploy"]


def test_asset_hash_is_deterministic_across_synths(tmp_path, bundled):
    again = _synth_asset(tmp_path, vendor_boto3=True)
    assert again.name == bundled.name
    assert content_hash(runtime_files(vendor_boto3=True)) == content_hash(runtime_files(vendor_boto3=True))


def test_size_figure_stays_small(bundled):
    size = sum(p.stat().st_size for p in bundled.rglob("*") if p.is_file())
    print(
        f"\nlifecycle asset (rft_runtime + pinned boto3, trimmed botocore data): {size / 1e6:.1f} MB unzipped"
    )
    assert size < 12e6  # the full botocore alone is ~30 MB


def test_without_vendoring_only_the_runtime_ships():
    files = [rel for rel, _ in runtime_files(vendor_boto3=False)]
    assert files and all(rel.startswith("rft_runtime/") for rel in files)


def test_extra_files_ship_and_bad_entries_are_all_reported(tmp_path):
    grader = tmp_path / "grader.py"
    grader.write_text("def score(sample):\n    return 1.0\n")
    files = dict(runtime_files(vendor_boto3=False, extra_files={"rft_user_code/grader.py": grader}))
    assert files["rft_user_code/grader.py"] == grader
    plain = content_hash(runtime_files(vendor_boto3=False))
    assert content_hash(files.items()) != plain
    with pytest.raises(ValueError) as info:
        runtime_files(
            vendor_boto3=False,
            extra_files={"/abs.py": grader, "../up.py": grader, "x.py": tmp_path / "missing.py",
                         "rft_runtime/__init__.py": grader},
        )  # fmt: skip
    message = str(info.value)
    assert (
        message.count("'") >= 8 and "clashes" in message and "not a file" in message and "relative" in message
    )
