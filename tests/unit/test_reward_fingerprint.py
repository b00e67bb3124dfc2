"""The reward fingerprint covers exactly the grader code that runs (it decides when a model retrains)."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

import rft_runtime
from bedrock_rft.reward.fingerprint import (
    grader_code_sha256,
    grader_modules,
    normalized_source,
    reward_fingerprint,
)


@pytest.fixture
def code_root(tmp_path) -> Path:
    root = tmp_path / "rft_runtime"
    shutil.copytree(Path(rft_runtime.__file__).parent, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _touch(path: Path) -> None:
    """A behaviour edit: a new module-level statement."""
    path.write_text(path.read_text() + "\n_EDITED = 1\n")


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


def _edit_docs(path: Path) -> None:
    """Documentation-only edits: comments, every docstring, blank lines, trailing spaces."""
    text = path.read_text()
    tree = ast.parse(text)
    lines = text.splitlines()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                line = value.lineno - 1
                lines[line] = lines[line].replace('"""', '"""Reworded. ', 1)
    edited = "\n".join(f"{line}   " if i % 7 == 0 else line for i, line in enumerate(lines))
    path.write_text("# a new header comment\n\n" + edited + "\n\n# trailing note\n")


@pytest.mark.parametrize(
    "module", ["rewards/templates/math_answer.py", "rewards/handler.py", "rewards/numeric.py"]
)
def test_comment_and_docstring_edits_keep_it(code_root, module):
    before = reward_fingerprint("math_answer", {}, code_root, None)
    original = (code_root / module).read_text()
    _edit_docs(code_root / module)
    assert (code_root / module).read_text() != original
    assert reward_fingerprint("math_answer", {}, code_root, None) == before


def test_a_behaviour_edit_changes_it_even_next_to_comment_edits(code_root):
    before = reward_fingerprint("math_answer", {}, code_root, None)
    path = code_root / "rewards" / "numeric.py"
    _edit_docs(path)
    text = path.read_text()
    # one numeric constant of the code that runs changes: the kind of edit that changes rewards
    constant = next(
        node
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Constant)
        and type(node.value) in (int, float)
        and node.lineno == node.end_lineno
    )
    lines = text.splitlines(keepends=True)
    line = lines[constant.lineno - 1]
    lines[constant.lineno - 1] = line[: constant.col_offset] + "(1 + " + line[constant.col_offset :]
    end = constant.end_col_offset + len("(1 + ")
    lines[constant.lineno - 1] = lines[constant.lineno - 1][:end] + ")" + lines[constant.lineno - 1][end:]
    path.write_text("".join(lines))
    ast.parse(path.read_text())  # still valid Python
    assert reward_fingerprint("math_answer", {}, code_root, None) != before


def test_a_string_that_is_not_a_docstring_counts(tmp_path, code_root):
    user = tmp_path / "grader.py"
    user.write_text('def score(sample):\n    """Doc."""\n    return sample.response == "yes"\n')
    before = reward_fingerprint("custom", {"path": "grader.py"}, code_root, user)
    user.write_text('def score(sample):\n    """Other doc."""  # note\n    return sample.response == "no"\n')
    assert reward_fingerprint("custom", {"path": "grader.py"}, code_root, user) != before


def test_user_grader_comment_edit_keeps_it(tmp_path, code_root):
    user = tmp_path / "grader.py"
    user.write_text('def score(sample):\n    return 1.0 if "#" in sample.response else 0.0\n')
    before = reward_fingerprint("custom", {"path": "grader.py"}, code_root, user)
    user.write_text(
        '"""My grader."""\n\n# scores answers with a hash\ndef score(sample):  # the entry point\n'
        '    return 1.0 if "#" in sample.response else 0.0   \n'
    )
    assert reward_fingerprint("custom", {"path": "grader.py"}, code_root, user) == before


def test_normalized_source_keeps_code_and_strings_drops_comments_and_docstrings():
    source = (
        '"""Module doc."""\n# comment\nX = "# not a comment"  # real comment\n\n\n'
        'class A:\n    """Class doc."""\n\n    def f(self):\n        """Doc\n        on lines."""\n'
        "        return X\n"
    )
    assert normalized_source(source).decode() == (
        'X = "# not a comment"\nclass A:\n    def f(self):\n        return X'
    )


def test_grader_code_hash_follows_the_code_only(tmp_path, code_root):
    """``reward.code`` (what ``rft plan`` names) moves with the code that runs, the package's or the
    user's, and not with options, documentation or unrelated modules."""
    user = tmp_path / "grader.py"
    user.write_text("def score(sample):\n    return 1.0\n")
    before = grader_code_sha256(code_root, ["custom"], user)
    user.write_text('"""Doc."""\ndef score(sample):  # same code\n    return 1.0\n')
    _touch(code_root / "cli" / "main.py")
    assert grader_code_sha256(code_root, ["custom"], user) == before
    user.write_text("def score(sample):\n    return 0.0\n")
    assert grader_code_sha256(code_root, ["custom"], user) != before
    package = grader_code_sha256(code_root, ["math_answer"], None)
    _touch(code_root / "rewards" / "numeric.py")
    assert grader_code_sha256(code_root, ["math_answer"], None) != package
