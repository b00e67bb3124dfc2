"""File rules: encoding, line endings, blank lines, row counts, duplicates, the issue cap, progress."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rft_runtime.datasets import Issue, codes, validate_path, validator


def _codes(issues: list[Issue]) -> list[tuple[int, str]]:
    return [(issue.line, issue.code) for issue in issues]


def test_utf8_bom_is_a_warning_on_line_1(make_dataset, good_row):
    report = validate_path(
        make_dataset(good_row(1), good_row(2), prefix=b"\xef\xbb\xbf"), check_row_count=False
    )
    assert report.valid
    assert _codes(report.warnings) == [(1, codes.UTF8_BOM)]


def test_crlf_endings_are_one_whole_file_warning(make_dataset, good_row):
    report = validate_path(make_dataset(good_row(1), good_row(2), newline=b"\r\n"), check_row_count=False)
    assert report.valid
    assert _codes(report.warnings) == [(0, codes.CRLF_LINE_ENDINGS)]
    assert "2 lines end with CRLF" in report.warnings[0].message
    assert "first at line 1" in report.warnings[0].message


def test_blank_lines_warn_and_are_not_rows(make_dataset, good_row):
    path = make_dataset(good_row(1), "", " \t", good_row(2), "")
    report = validate_path(path, check_row_count=False)
    assert report.valid
    assert _codes(report.warnings) == [(2, codes.BLANK_LINE), (3, codes.BLANK_LINE), (5, codes.BLANK_LINE)]
    assert report.stats["rows"] == 2
    assert report.stats["blank_lines"] == 3


def test_last_line_without_newline_and_leading_spaces_are_fine(make_dataset, good_row):
    path = make_dataset(good_row(1), "  " + json.dumps(good_row(2)))
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    report = validate_path(path, check_row_count=False)
    assert report.valid
    assert report.warning_count == 0
    assert report.stats["rows"] == 2


@pytest.mark.parametrize(
    ("rows", "expected"),
    [(99, [(0, codes.TOO_FEW_ROWS)]), (100, []), (20_000, []), (20_001, [(0, codes.TOO_MANY_ROWS)])],
)
def test_row_count_limits(make_dataset, valid_rows, rows, expected):
    path = make_dataset(*valid_rows(rows))
    report = validate_path(path)
    assert _codes(report.errors) == expected
    assert report.stats["rows"] == rows
    assert validate_path(path, check_row_count=False).valid


def test_too_few_rows_message_names_the_limit(make_dataset, valid_rows):
    message = validate_path(make_dataset(*valid_rows(3))).errors[0].message
    assert "3 rows" in message
    assert "at least 100" in message


@pytest.mark.parametrize("lines", [(), ("", "  ")])
def test_a_file_without_rows_is_invalid_even_without_the_count_check(make_dataset, lines):
    report = validate_path(make_dataset(*lines), check_row_count=False)
    assert _codes(report.errors) == [(0, codes.NO_ROWS)]


def test_duplicate_prompts_warn_with_the_first_line(make_dataset, good_row):
    first = good_row(1)
    same_prompt = good_row(1, reference_answer="other", id="x")
    as_blocks = good_row(2)
    as_blocks["messages"][1]["content"] = [{"type": "text", "text": "What is 2 + 2?"}]
    path = make_dataset(first, good_row(2), good_row(3), same_prompt, as_blocks)
    report = validate_path(path, check_row_count=False)
    assert report.valid
    assert [(i.line, i.code, i.message) for i in report.warnings] == [
        (4, codes.DUPLICATE_PROMPT, "same prompt as line 1"),
        (5, codes.DUPLICATE_PROMPT, "same prompt as line 2"),
    ]
    assert report.stats["duplicate_prompts"] == 2


def test_roles_are_part_of_the_prompt_identity(make_dataset):
    a = {"messages": [{"role": "user", "content": "x"}], "reference_answer": "1"}
    b = {
        "messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "y"}],
        "reference_answer": "1",
    }
    c = {
        "messages": [{"role": "user", "content": "x"}, {"role": "user", "content": "y"}],
        "reference_answer": "1",
    }
    assert validate_path(make_dataset(a, b, c), check_row_count=False).warning_count == 0


def test_duplicate_detection_is_bounded(make_dataset, valid_rows, monkeypatch):
    monkeypatch.setattr(validator, "DUPLICATE_CHECK_LIMIT", 3)
    rows = valid_rows(5)
    report = validate_path(make_dataset(*rows, rows[0], rows[4]), check_row_count=False)
    assert _codes(report.warnings) == [(0, codes.DUPLICATES_NOT_CHECKED), (6, codes.DUPLICATE_PROMPT)]


def test_the_cap_keeps_the_first_issues_and_counts_all(make_dataset, good_row):
    path = make_dataset(*(["{"] * 5), good_row(1), good_row(1), good_row(1))
    report = validate_path(path, max_listed=2)
    assert _codes(report.errors) == [(0, codes.TOO_FEW_ROWS), (1, codes.INVALID_JSON)]
    assert report.error_count == 6
    assert _codes(report.warnings) == [(7, codes.DUPLICATE_PROMPT), (8, codes.DUPLICATE_PROMPT)]
    assert report.to_dict()["errors_not_listed"] == 4
    assert report.to_dict()["warnings_not_listed"] == 0
    assert validate_path(path, max_listed=0).to_dict()["errors"] == []


def test_an_over_long_line_is_reported_and_skipped(make_dataset, good_row, monkeypatch):
    monkeypatch.setattr(validator, "MAX_LINE_BYTES", 256)
    long_row = good_row(2, padding="p" * 1000)
    path = make_dataset(good_row(1), long_row, good_row(3))
    report = validate_path(path, check_row_count=False)
    assert _codes(report.errors) == [(2, codes.LINE_TOO_LONG)]
    assert report.stats["rows"] == 3
    assert report.stats["bytes"] == path.stat().st_size


def test_progress_is_reported_up_to_the_total(make_dataset, valid_rows, monkeypatch):
    monkeypatch.setattr(validator, "PROGRESS_STEP", 1000)
    path = make_dataset(*valid_rows(50))
    calls: list[tuple[int, int]] = []
    validate_path(path, check_row_count=False, progress=lambda done, total: calls.append((done, total)))
    size = path.stat().st_size
    assert len(calls) > 3
    assert calls[-1] == (size, size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_missing_file_raises_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        validate_path(tmp_path / "nope.jsonl")


def test_report_dict_is_json_and_consistent(make_dataset, good_row):
    report = validate_path(make_dataset(good_row(1), "{", ""), check_row_count=False)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["valid"] is False
    assert data["errors"] == [{"line": 2, "code": codes.INVALID_JSON, "message": report.errors[0].message}]
    assert data["warning_count"] == 1
    assert data["stats"]["rows"] == 2
    assert data["stats"]["token_estimate_method"] == "ceil(utf8_bytes / 4)"


def test_every_code_is_an_error_or_a_warning():
    assert not codes.ERROR_CODES & codes.WARNING_CODES
    defined = {value for name, value in vars(codes).items() if name.isupper() and isinstance(value, str)}
    assert defined == codes.ERROR_CODES | codes.WARNING_CODES


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_ROW_LIKE = st.fixed_dictionaries(
    {"messages": st.lists(st.dictionaries(st.sampled_from(["role", "content", "type"]), _JSON), max_size=3)},
    optional={"reference_answer": _JSON},
)
_LINE = st.one_of(
    st.binary(max_size=120).map(lambda data: data.replace(b"\n", b"")),
    _JSON.map(lambda value: json.dumps(value).encode()),
    _ROW_LIKE.map(lambda value: json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(_LINE, max_size=12), crlf=st.booleans())
def test_never_raises_on_arbitrary_lines(lines, crlf):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.jsonl"
        path.write_bytes(b"".join(line + (b"\r\n" if crlf else b"\n") for line in lines))
        report = validate_path(path, max_listed=5)
    assert report.stats["rows"] + report.stats["blank_lines"] == len(lines)
    assert report.error_count >= len(report.errors)
    assert report.valid == (report.error_count == 0)
    json.dumps(report.to_dict())
