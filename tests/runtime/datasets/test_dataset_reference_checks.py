"""``rft validate --template T``: every row's reference must be one template T can grade."""

from __future__ import annotations

import json

import pytest

from rft_runtime.cli.main import main
from rft_runtime.datasets import validate_path
from rft_runtime.rewards import catalogue

PROMPT = [{"role": "user", "content": "Is the revenue higher in 2019?"}]


def _run(capsys, path, template, options=None):
    argv = ["validate", str(path), "--no-row-count-check", "--format", "json", "--template", template]
    if options is not None:
        argv += ["--options", json.dumps(options)]
    code = main(argv)
    return code, json.loads(capsys.readouterr().out)


def test_a_yes_no_reference_under_math_answer_is_an_error_naming_the_line(make_dataset, capsys):
    path = make_dataset(
        {"messages": PROMPT, "reference_answer": {"answer": "12.5"}},
        {"messages": PROMPT, "reference_answer": {"answer": "yes"}},
        {"messages": PROMPT, "reference_answer": "No"},
        {"messages": PROMPT, "reference_answer": True},
    )
    code, document = _run(capsys, path, "math_answer")
    assert code == 1
    assert [(e["line"], e["code"]) for e in document["errors"]] == [
        (2, "ungradable-reference"),
        (3, "ungradable-reference"),
        (4, "ungradable-reference"),
    ]
    message = document["errors"][0]["message"]
    assert '{"answer": "yes"}' in message and "math_answer cannot grade it" in message
    assert "final_answer" in message  # says what is allowed


def test_the_same_yes_no_rows_are_fine_for_string_match(make_dataset, capsys):
    path = make_dataset(
        {"messages": PROMPT, "reference_answer": {"answer": "yes"}},
        {"messages": PROMPT, "reference_answer": "No"},
    )
    assert _run(capsys, path, "string_match")[0] == 0


@pytest.mark.parametrize(
    ("reference", "ok"),
    [
        ({"compliant": "No", "explanation": "x"}, False),
        ({"label": "No", "explanation": "x"}, True),
        (["Paris", "paris"], True),
        (True, False),
    ],
)
def test_string_match_references(make_dataset, capsys, reference, ok):
    path = make_dataset({"messages": PROMPT, "reference_answer": reference})
    code, document = _run(capsys, path, "string_match")
    assert (code == 0) is ok, document["errors"]


def test_a_label_outside_the_labels_is_caught_before_training(make_dataset, capsys):
    path = make_dataset({"messages": PROMPT, "reference_answer": {"label": "maybe"}})
    code, document = _run(capsys, path, "string_match", {"mode": "labels", "labels": ["yes", "no"]})
    assert code == 1 and "one of the labels" in document["errors"][0]["message"]


def test_aws_open_weight_text_references_grade_under_math_answer(make_dataset, capsys):
    path = make_dataset({"messages": PROMPT, "reference_answer": {"text": "48/2 = 24\n#### 72"}})
    assert _run(capsys, path, "math_answer")[0] == 0


def test_composite_checks_each_sub_grader_and_names_it(make_dataset, capsys):
    options = {"graders": [{"template": "string_match"}, {"template": "math_answer"}]}
    path = make_dataset({"messages": PROMPT, "reference_answer": "yes"})
    code, document = _run(capsys, path, "composite", options)
    assert code == 1
    assert "math_answer cannot grade it" in document["errors"][0]["message"]


def test_templates_that_grade_without_a_reference_check_nothing():
    assert (
        catalogue.reference_check("format_check", {"constraints": [{"type": "regex", "pattern": "x"}]})
        is None
    )
    fixed_pattern = catalogue.reference_check("string_match", {"mode": "regex", "pattern": "^a$"})
    assert fixed_pattern is not None and fixed_pattern({"messages": PROMPT}) is None
    assert catalogue.reference_check("llm_judge", {"model_id": "amazon.nova-pro-v1:0"}) is None


def test_code_tests_does_not_demand_reference_answer_when_its_tests_are_in_tests(make_dataset, capsys):
    tests_only = {"messages": PROMPT, "tests": ["assert add(1, 2) == 3"]}
    in_reference = {"messages": PROMPT, "reference_answer": ["assert add(1, 2) == 3"]}
    neither = {"messages": PROMPT, "task_id": "t-3"}
    path = make_dataset(tests_only, in_reference, neither)
    code, document = _run(capsys, path, "code_tests")
    assert code == 1
    assert [(e["line"], e["code"]) for e in document["errors"]] == [(3, "ungradable-reference")]
    assert "reference_answer is missing" in document["errors"][0]["message"]


def test_code_tests_with_tests_field_requires_that_field_only(make_dataset, capsys):
    path = make_dataset({"messages": PROMPT, "unit_tests": ["assert f() == 1"]})
    assert _run(capsys, path, "code_tests", {"tests_field": "unit_tests"})[0] == 0


def test_validate_path_takes_the_check_from_python(make_dataset):
    path = make_dataset({"messages": PROMPT, "reference_answer": "maybe"})
    report = validate_path(
        path, check_row_count=False, reference_check=catalogue.reference_check("math_answer", {})
    )
    assert [(e.line, e.code) for e in report.errors] == [(1, "ungradable-reference")]


def test_a_missing_reference_is_reported_once_as_missing_not_also_ungradable(make_dataset, capsys):
    path = make_dataset({"messages": PROMPT})
    code, document = _run(capsys, path, "math_answer")
    assert code == 1
    assert [e["code"] for e in document["errors"]] == ["missing-field"]
