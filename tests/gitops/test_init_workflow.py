"""``rft init gitops`` writes the shipped workflow, which passes actionlint (with shellcheck)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rft_runtime.cli.main import main
from rft_runtime.gitops.render import COMMENT_MARKER
from rft_runtime.gitops.scaffold import SCAFFOLDS, scaffold_text

WORKFLOW = ".github/workflows/rft-plan.yml"
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")


def _actionlint(path: Path) -> subprocess.CompletedProcess:
    assert ACTIONLINT, "actionlint is missing: install requirements-dev.txt"
    return subprocess.run([ACTIONLINT, "-no-color", str(path)], capture_output=True, text=True, check=False)


def test_init_writes_a_workflow_that_passes_actionlint(tmp_path, capsys):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert main(["init", "gitops", "--dir", str(tmp_path)]) == 0
    written = tmp_path / WORKFLOW
    assert str(written) in capsys.readouterr().out
    result = _actionlint(written)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_is_live_on_a_broken_copy(tmp_path):
    broken = tmp_path / WORKFLOW
    broken.parent.mkdir(parents=True)
    text = scaffold_text(SCAFFOLDS["gitops"][0])
    broken.write_text(text.replace("steps.plan.outputs.exit-code", "steps.nope.outputs.exit-code"))
    result = _actionlint(broken)
    assert result.returncode == 1 and "nope" in result.stdout


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed (optional)")
def test_shellcheck_runs_on_run_scripts(tmp_path):
    broken = tmp_path / WORKFLOW
    broken.parent.mkdir(parents=True)
    text = scaffold_text(SCAFFOLDS["gitops"][0])
    broken.write_text(text.replace('if [ "$CODE" = 0 ]; then', "if [ $CODE = 0 ]; then"))
    result = _actionlint(broken)
    assert result.returncode == 1 and "shellcheck" in result.stdout


def test_init_never_overwrites_without_force(tmp_path, capsys):
    target = tmp_path / WORKFLOW
    target.parent.mkdir(parents=True)
    target.write_text("mine\n")
    assert main(["init", "gitops", "--dir", str(tmp_path)]) == 1
    assert "exists; nothing written" in capsys.readouterr().err
    assert target.read_text() == "mine\n"
    assert main(["init", "gitops", "--dir", str(tmp_path), "--force"]) == 0
    assert target.read_text() == scaffold_text(SCAFFOLDS["gitops"][0])
    assert main(["init", "gitops", "--dir", str(tmp_path / "missing")]) == 2


def test_workflow_is_pinned_and_needs_no_credentials():
    text = scaffold_text(SCAFFOLDS["gitops"][0])
    uses = [line.split("uses:")[1].strip() for line in text.splitlines() if "uses:" in line]
    assert uses and all("@" in u and len(u.split("@")[1].split()[0]) == 40 for u in uses), uses
    assert "npx cdk" not in text and "npm install -g" not in text and "npm ci" in text
    assert "aws-actions/configure-aws-credentials" not in text and "secrets." not in text
    assert "pull_request_target" not in text
    assert "permissions:\n  contents: read\n" in text and "pull-requests: write" in text
    assert COMMENT_MARKER in text  # the step that finds its own previous comment


def test_example_is_what_init_writes(repo_root):
    assert (repo_root / "examples" / "gitops" / WORKFLOW).read_text() == scaffold_text(SCAFFOLDS["gitops"][0])


def test_built_wheel_ships_the_workflow(repo_root, tmp_path):
    source = tmp_path / "source"
    for name in ("infra", "lambda"):
        shutil.copytree(
            repo_root / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo_root / name, source / name)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read("rft_runtime/gitops/workflow/rft-plan.yml").decode()
    assert shipped == scaffold_text(SCAFFOLDS["gitops"][0])
