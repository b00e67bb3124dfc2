"""``composite``: weighted mean, gates that skip the rest, nested validation, components."""

from __future__ import annotations

import pytest

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.core import Sample

FORMAT_GATE = {
    "template": "format_check",
    "name": "format",
    "weight": 0,
    "options": {"constraints": [{"type": "regex", "pattern": "^#### ", "flags": "m"}]},
}
OPTIONS = {
    "graders": [
        FORMAT_GATE,
        {"template": "math_answer", "weight": 3},
        {
            "template": "format_check",
            "name": "short",
            "options": {"constraints": [{"type": "length", "max_words": 5}]},
        },
    ],
    "gate": ["format"],
}


def test_weighted_mean_and_components(grade):
    score = grade("composite", OPTIONS, "#### 42", "42")
    assert score.value == 1.0
    assert dict(score.components) == {"format": 1.0, "math_answer": 1.0, "short": 1.0}
    long_right = grade("composite", OPTIONS, "word " * 10 + "\n#### 42", "42")
    assert long_right.value == pytest.approx(3 / 4)
    wrong = grade("composite", OPTIONS, "#### 41", "42")
    assert wrong.value == pytest.approx(1 / 4)


def test_failed_gate_scores_zero_and_skips_the_rest(grade):
    score = grade("composite", OPTIONS, "The answer is 42.", "42")
    assert (score.value, score.error) == (0.0, "gate:format")
    assert dict(score.components) == {"format": 0.0}


def test_sub_grader_errors_are_prefixed(grade):
    score = grade("composite", OPTIONS, "#### 4 or 5", "4")
    assert score.error == "math_answer:hedged"
    assert score.value == pytest.approx(1 / 4)


def test_batch_path_matches_single_path():
    grader = catalogue.build_grader("composite", OPTIONS)
    samples = [Sample("#### 42", "42"), Sample("42", "42"), Sample("#### 7", "42"), Sample("", None)]
    assert grader.score_many(samples) == [grader.score(s) for s in samples]


def test_validation_reaches_into_sub_graders():
    problems = catalogue.validate_options(
        "composite",
        {
            "graders": [
                {"template": "math_answer", "options": {"tolerance": -1}},
                {"template": "nope"},
                {"template": "math_answer", "weight": -2},
                {"options": {}},
                {"template": "llm_judge"},
            ],
            "gate": ["missing"],
        },
    )
    text = "\n".join(problems)
    assert "graders[0].options: math_answer: option 'tolerance' = -1 is invalid" in text
    assert "option 'graders[1].template' = 'nope' is invalid; allowed: one of 'math_answer'" in text
    assert "option 'graders[2].weight' = -2 is invalid" in text
    assert "option 'graders[3].template' is required" in text
    assert "graders[4].options: llm_judge: option 'model_id' is required" in text
    duplicate = {"graders": [{"template": "math_answer"}, {"template": "math_answer"}]}
    assert "used by more than one grader" in catalogue.validate_options("composite", duplicate)[0]
    gate = {"graders": [{"template": "math_answer"}], "gate": ["nope"]}
    assert "not a grader; grader names: math_answer" in catalogue.validate_options("composite", gate)[0]
    zero = {"graders": [{"template": "math_answer", "weight": 0}]}
    assert "weights add up to 0" in catalogue.validate_options("composite", zero)[0]


def test_required_fields_are_the_union():
    options = {
        "graders": [
            {"template": "format_check", "options": {"constraints": [{"type": "length", "max_chars": 9}]}},
            {"template": "code_tests", "options": {"tests_field": "tests"}},
            {"template": "math_answer"},
        ]
    }
    assert catalogue.required_dataset_fields("composite", options) == ("tests", "reference_answer")
