"""The reward fingerprint covers exactly the grader code that runs (it decides when a model retrains)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import rft_runtime
from bedrock_rft.reward.fingerprint import grader_modules, reward_fingerprint


@pytest.fixture
def code_root(tmp_path) -> Path:
    root = tmp_path / "rft_runtime"
    shutil.copytree(Path(rft_runtime.__file__).parent, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _touch(path: Path) -> None:
    path.write_text(path.read_text() + "\n# edited\n")


def test_unrelated_modules_do_not_change_it(code_root):
    before = reward_fingerprint("math_answer", {"tolerance": 1e-6}, code_root, None)
    for unrelated in (
        "rewards/templates/llm_judge.py",
        "rewards/adapters.py",
        "cli/main.py",
        "lifecycle/steps.py",
    ):
        _touch(code_root / unrelated)
    assert reward_fingerprint("math_answer", {"tolerance": 1e-6}, code_root, None) == before


@pytest.mark.parametrize(
    "module", ["rewards/templates/math_answer.py", "rewards/handler.py", "rewards/numeric.py"]
)
def test_code_that_runs_changes_it(code_root, module):
    before = reward_fingerprint("math_answer", {}, code_root, None)
    _touch(code_root / module)
    assert reward_fingerprint("math_answer", {}, code_root, None) != before


def test_options_change_it(code_root):
    assert reward_fingerprint("math_answer", {"tolerance": 1e-6}, code_root, None) != reward_fingerprint(
        "math_answer", {"tolerance": 1e-3}, code_root, None
    )


def test_sandbox_scripts_and_runner_client_count_for_code_graders(code_root):
    files = {p.relative_to(code_root).as_posix() for p in grader_modules(code_root, ["code_tests"])}
    assert {
        "rewards/sandbox.py",
        "rewards/sandbox_worker.py",
        "rewards/sandbox_judge.py",
        "rewards/sandbox_wire.py",
        "rewards/sandbox_seccomp.py",
        "runner/client.py",
        "rewards/templates/code_tests.py",
    } <= files
