"""``rft plan --base REF`` on a clone of this repository: the ref and the working tree are each
synthesized with the pinned CLI (``npx --no-install cdk synth``), each with its own code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.synth


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def clone(repo_root, tmp_path_factory) -> Path:
    """A clone of the committed repository with the toolchain folders linked in."""
    target = tmp_path_factory.mktemp("clone") / "repo"
    subprocess.run(["git", "clone", "-q", "--shared", str(repo_root), str(target)], check=True)
    for folder in (".venv", "node_modules"):
        (target / folder).symlink_to(repo_root / folder, target_is_directory=True)
    return target


def test_a_hyperparameter_edit_retrains_and_a_tag_edit_does_not_in_every_environment(clone):
    # No --env: every environment file is planned (environments/delivery.toml is not one).
    dev, prod = clone / "environments" / "dev.toml", clone / "environments" / "prod.toml"
    dev.write_text(dev.read_text().replace("epochCount = 2", "epochCount = 3"))
    prod.write_text(prod.read_text().replace('environment = "prod"', 'environment = "production"'))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rft_runtime.cli.main",
            "plan",
            "--base",
            "HEAD",
            "--format",
            "json",
            "--fail-on",
            "retrain",
        ],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    assert done.returncode == 1, done.stderr[-3000:]
    plan = json.loads(done.stdout)
    assert plan["base"] == "HEAD" and plan["head"] == "working tree"
    environments = {e["stack"]: e for e in plan["environments"]}
    assert sorted(environments) == ["Rft-arith-dev", "Rft-arith-prod"]
    (training,) = environments["Rft-arith-dev"]["training"]
    assert training["action"] == "retrain"
    assert training["changes"] == [{"name": "hyperparameters.epochCount", "old": "2", "new": "3"}]
    (training,) = environments["Rft-arith-prod"]["training"]
    assert training["action"] == "unchanged" and training["changes"] == []
    assert environments["Rft-arith-prod"]["status"] == "changed"  # the tag is on the resources
    assert plan["gates"] == {"retrain": ["Rft-arith-dev"]}
    assert _git(clone, "worktree", "list").count("\n") == 1, "the base checkout was not removed"
