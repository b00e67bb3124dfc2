"""``math_answer`` on the labelled competition-math set (tests/data/math_equivalence/cases.jsonl).

Every row is graded through the template, exactly as the Lambda does; the verdict must match the
label. The set covers every answer form of issue 9 item 2, in several response forms.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.core import Sample

CASES = Path(__file__).parents[2] / "data" / "math_equivalence" / "cases.jsonl"
ROWS = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]
FORMS_OF_ISSUE_9 = {
    "fraction", "radical", "pi", "power", "factorial", "log", "sign", "decimal", "scientific", "interval",
    "set", "tuple", "list", "equation", "polynomial", "matrix", "choice", "degree", "percent", "units",
    "thousands", "aime", "infinity", "last-answer", "hedge", "minerva",
}  # fmt: skip


@pytest.fixture(scope="module")
def grader():
    return catalogue.build_grader("math_answer", {})


def test_the_set_covers_every_form_with_right_and_wrong_answers():
    kinds = {row["kind"] for row in ROWS}
    assert kinds >= FORMS_OF_ISSUE_9
    for kind in FORMS_OF_ISSUE_9 - {"hedge"}:
        assert {row["expected"] for row in ROWS if row["kind"] == kind} == {0, 1}, kind
    assert len(ROWS) >= 300


@pytest.mark.parametrize("row", ROWS, ids=[f"{i}-{r['kind']}-{r['form']}" for i, r in enumerate(ROWS)])
def test_verdict_matches_the_label(grader, row):
    score = grader.score(Sample(row["response"], row["gold"]))
    assert score.value == row["expected"], (row["gold"], row["response"], score)
