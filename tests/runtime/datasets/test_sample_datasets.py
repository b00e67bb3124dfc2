"""The shipped arithmetic dataset: reproducible byte for byte, valid, disjoint splits, exact answers."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from rft_runtime.datasets import validate_path

DATA = Path(__file__).resolve().parents[3] / "examples" / "data"
FILES = ("arithmetic_train.jsonl", "arithmetic_validation.jsonl")


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]


def test_regenerating_reproduces_the_committed_files(tmp_path):
    subprocess.run(
        [sys.executable, str(DATA / "generate_arithmetic.py"), "--out-dir", str(tmp_path)],
        check=True,
        timeout=60,
    )
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


@pytest.mark.parametrize(("name", "check_row_count"), [(FILES[0], True), (FILES[1], False)])
def test_sample_files_validate_without_issues(name, check_row_count):
    report = validate_path(
        DATA / name, required_fields=("reference_answer",), check_row_count=check_row_count
    )
    assert report.valid, report.errors
    assert report.warning_count == 0


def test_splits_are_sized_and_disjoint():
    train, validation = _rows(FILES[0]), _rows(FILES[1])
    assert len(train) >= 200
    assert 30 <= len(validation) <= 50
    prompts = [row["messages"][-1]["content"] for row in train + validation]
    assert len(set(prompts)) == len(prompts)
    assert len({row["id"] for row in train + validation}) == len(train) + len(validation)


def test_answers_are_exact_numbers_of_every_kind():
    answers = [row["reference_answer"] for row in _rows(FILES[0]) + _rows(FILES[1])]
    for answer in answers:
        value = Decimal(answer)
        assert str(value) == answer and "E" not in answer, answer
        assert not ("." in answer and answer.endswith("0")), answer
    assert any(answer.startswith("-") for answer in answers)
    assert any("." in answer for answer in answers)
