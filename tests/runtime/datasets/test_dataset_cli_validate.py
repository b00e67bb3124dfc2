"""``rft validate``: exit codes 0/1/2, the JSON document, the text report, templates, progress bar."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from rft_runtime.cli import validate as validate_cli
from rft_runtime.cli.main import main

DATA = Path(__file__).resolve().parents[3] / "examples" / "data"

_ISSUE = {
    "type": "object",
    "required": ["line", "code", "message"],
    "additionalProperties": False,
    "properties": {
        "line": {"type": "integer", "minimum": 0},
        "code": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "message": {"type": "string", "minLength": 1},
    },
}
_COUNT = {"type": "integer", "minimum": 0}
REPORT_SCHEMA = {
    "type": "object",
    "required": [
        "valid",
        "errors",
        "warnings",
        "error_count",
        "warning_count",
        "errors_not_listed",
        "warnings_not_listed",
        "stats",
    ],
    "properties": {
        "path": {"type": "string"},
        "valid": {"type": "boolean"},
        "errors": {"type": "array", "items": _ISSUE},
        "warnings": {"type": "array", "items": _ISSUE},
        "error_count": _COUNT,
        "warning_count": _COUNT,
        "errors_not_listed": _COUNT,
        "warnings_not_listed": _COUNT,
        "stats": {
            "type": "object",
            "required": ["rows", "bytes", "blank_lines", "max_prompt_tokens_estimate", "duplicate_prompts"],
            "properties": {
                "rows": _COUNT,
                "bytes": _COUNT,
                "blank_lines": _COUNT,
                "max_prompt_tokens_estimate": _COUNT,
                "duplicate_prompts": _COUNT,
            },
        },
    },
}


def _json_run(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["validate", *argv, "--format", "json"])
    out = capsys.readouterr().out
    document = json.loads(out)
    jsonschema.validate(document, REPORT_SCHEMA)
    assert out.count("\n") == 1
    return code, document


def test_sample_training_file_is_valid(capsys):
    code = main(["validate", str(DATA / "arithmetic_train.jsonl"), "--template", "math_answer"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith(f"{DATA / 'arithmetic_train.jsonl'}: valid: 0 errors, 0 warnings in 240 rows")


def test_validation_split_needs_the_row_count_check_off(capsys):
    path = str(DATA / "arithmetic_validation.jsonl")
    assert main(["validate", path]) == 1
    assert "too-few-rows" in capsys.readouterr().out
    assert main(["validate", path, "--no-row-count-check"]) == 0


def test_json_output_of_an_invalid_file(make_dataset, valid_rows, capsys):
    rows = valid_rows(100)
    path = make_dataset(*rows[:2], "{oops", *rows[2:], rows[0])
    code, document = _json_run(capsys, str(path))
    assert code == 1
    assert document["valid"] is False
    assert document["errors"] == [
        {"line": 3, "code": "invalid-json", "message": document["errors"][0]["message"]}
    ]
    assert document["warnings"][0]["code"] == "duplicate-prompt"
    assert document["stats"]["rows"] == 102
    assert document["path"] == str(path)


def test_json_output_of_a_valid_file(capsys):
    code, document = _json_run(capsys, str(DATA / "arithmetic_train.jsonl"))
    assert code == 0
    assert document["valid"] is True
    assert document["error_count"] == 0


def test_text_output_lists_issues_and_how_many_more(make_dataset, capsys):
    path = make_dataset(*(["{"] * 30))
    assert main(["validate", str(path), "--max-errors", "3", "--no-row-count-check"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{path}: INVALID: 30 errors, 0 warnings in 30 rows")
    assert lines[1].startswith(f"{path}:1: invalid-json: not valid JSON")
    assert lines[4] == "... and 27 more errors"
    assert len(lines) == 5


def test_whole_file_issues_print_without_a_line_number(make_dataset, good_row, capsys):
    path = make_dataset(good_row(1))
    assert main(["validate", str(path)]) == 1
    assert f"{path}: too-few-rows: 1 rows" in capsys.readouterr().out


def test_json_counts_issues_beyond_the_cap(make_dataset, capsys):
    path = make_dataset(*(["[]"] * 7))
    code, document = _json_run(capsys, str(path), "--max-errors", "2", "--no-row-count-check")
    assert code == 1
    assert len(document["errors"]) == 2
    assert document["error_count"] == 7
    assert document["errors_not_listed"] == 5


def test_without_template_reference_answer_is_recommended(make_dataset, capsys):
    path = make_dataset({"messages": [{"role": "user", "content": "hi"}]})
    code, document = _json_run(capsys, str(path), "--no-row-count-check")
    assert code == 0
    assert [w["code"] for w in document["warnings"]] == ["missing-recommended-field"]


def test_template_makes_its_fields_required(make_dataset, capsys):
    path = make_dataset({"messages": [{"role": "user", "content": "hi"}]})
    code, document = _json_run(capsys, str(path), "--no-row-count-check", "--template", "math_answer")
    assert code == 1
    assert [(e["line"], e["code"]) for e in document["errors"]] == [(1, "missing-field")]
    assert document["warnings"] == []


def test_template_options_name_the_fields_required(make_dataset, capsys):
    """code_tests reads its tests from ``tests_field`` when set: that field becomes required."""
    path = make_dataset({"messages": [{"role": "user", "content": "hi"}], "reference_answer": "1"})
    options = json.dumps({"tests_field": "unit_tests"})
    code, document = _json_run(
        capsys, str(path), "--no-row-count-check", "--template", "code_tests", "--options", options
    )
    assert code == 1
    assert [(e["line"], e["code"]) for e in document["errors"]] == [(1, "missing-field")]
    assert "unit_tests" in document["errors"][0]["message"]


def test_a_template_with_required_options_needs_them(capsys):
    path = str(DATA / "arithmetic_train.jsonl")
    assert main(["validate", path, "--template", "format_check"]) == 2
    assert "option 'constraints' is required" in capsys.readouterr().err
    options = json.dumps({"constraints": [{"type": "regex", "pattern": "####"}]})
    assert main(["validate", path, "--template", "format_check", "--options", options]) == 0


def test_max_prompt_tokens(make_dataset, capsys):
    path = make_dataset({"messages": [{"role": "user", "content": "x" * 400}], "reference_answer": "1"})
    assert main(["validate", str(path), "--no-row-count-check", "--max-prompt-tokens", "100"]) == 0
    assert main(["validate", str(path), "--no-row-count-check", "--max-prompt-tokens", "99"]) == 1
    assert "prompt-too-long: prompt is about 100 tokens (estimate" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate", "no/such/file.jsonl"], "no/such/file.jsonl: no such file"),
        (["validate", "{data}", "--template", "no_such_template"], "unknown reward template"),
    ],
)
def test_usage_errors_exit_2(argv, message, capsys):
    argv = [arg.replace("{data}", str(DATA / "arithmetic_train.jsonl")) for arg in argv]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_bad_option_values_are_usage_errors(capsys):
    for argv in (["--max-errors", "-1"], ["--max-prompt-tokens", "0"], ["--format", "xml"]):
        with pytest.raises(SystemExit) as exited:
            main(["validate", str(DATA / "arithmetic_train.jsonl"), *argv])
        assert exited.value.code == 2
    capsys.readouterr()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_progress_bar_goes_to_stderr_on_a_terminal(make_dataset, valid_rows, capsys, monkeypatch, fmt):
    monkeypatch.setattr(validate_cli, "PROGRESS_MIN_BYTES", 0)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    path = make_dataset(*valid_rows(100))
    assert main(["validate", str(path), "--format", fmt]) == 0
    captured = capsys.readouterr()
    assert "validating [" in captured.err
    assert "100%" in captured.err
    assert "validating" not in captured.out
    if fmt == "json":
        assert json.loads(captured.out)["valid"] is True


def test_no_progress_bar_when_stderr_is_not_a_terminal(make_dataset, valid_rows, capsys, monkeypatch):
    monkeypatch.setattr(validate_cli, "PROGRESS_MIN_BYTES", 0)
    assert main(["validate", str(make_dataset(*valid_rows(100)))]) == 0
    assert capsys.readouterr().err == ""
