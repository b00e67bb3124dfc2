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


def test_one_line_hyperparameter_edit_in_the_working_tree_names_the_retrain(clone):
    config = clone / "environments" / "dev.toml"
    config.write_text(config.read_text().replace("epochCount = 2", "epochCount = 3"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rft_runtime.cli.main",
            "plan",
            "--base",
            "HEAD",
            "--env",
            "dev",
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
        timeout=1200,
    )
    assert done.returncode == 1, done.stderr[-3000:]
    plan = json.loads(done.stdout)
    assert plan["base"] == "HEAD" and plan["head"] == "working tree"
    (environment,) = plan["environments"]
    assert environment["stack"] == "Rft-arith-dev"
    (training,) = environment["training"]
    assert training["action"] == "retrain"
    assert training["changes"] == [{"name": "hyperparameters.epochCount", "old": "2", "new": "3"}]
    assert plan["gates"] == {"retrain": ["Rft-arith-dev"]}
    assert _git(clone, "worktree", "list").count("\n") == 1, "the base checkout was not removed"
