"""Dataset rules adopted from aws/nova-forge-sdk: the ``tools`` structure and optional-field consistency."""

from __future__ import annotations

import pytest

from rft_runtime.datasets import codes, validate_path

USER = {"role": "user", "content": "What is the weather in Paris?"}


def _tool(name="get_weather", description="Current weather of a city", **parameters):
    params = {"type": "object", "properties": {"city": {"type": "string"}}, **parameters}
    return {"type": "function", "function": {"name": name, "description": description, "parameters": params}}


def _errors(make_dataset, *rows):
    report = validate_path(make_dataset(*rows), required_fields=(), check_row_count=False)
    return [(issue.line, issue.code, issue.message) for issue in report.errors]


def test_well_formed_tools_are_accepted(make_dataset):
    row = {
        "messages": [USER],
        "tools": [_tool(), _tool("get_time", required=["city"])],
        "reference_answer": "x",
    }
    assert _errors(make_dataset, row) == []


@pytest.mark.parametrize(
    ("tools", "fragment"),
    [
        ([], "tools is []"),
        ({"name": "f"}, "tools is {"),
        (["get_weather"], "tools[0] is"),
        ([{"type": "code_interpreter", "function": {}}], "tools[0] is"),
        ([_tool(name=" ")], "tools[0].function.name"),
        ([_tool(description="")], "tools[0].function.description"),
        (
            [{"type": "function", "function": {"name": "f", "description": "d"}}],
            "tools[0].function.parameters is",
        ),
        ([_tool(type="array")], "tools[0].function.parameters is"),
        ([_tool(properties=[])], "parameters.properties"),
        ([_tool(required="city")], "parameters.required"),
        ([_tool(), _tool(description="again")], "repeats tools[0]"),
    ],
)
def test_malformed_tools_are_errors_naming_the_path(make_dataset, tools, fragment):
    errors = _errors(make_dataset, {"messages": [USER], "tools": tools})
    assert [(line, code) for line, code, _ in errors] == [(1, codes.BAD_TOOLS)]
    assert fragment in errors[0][2]


def test_optional_fields_used_by_some_rows_only_warn_with_both_lines(make_dataset):
    rows = [
        {"id": "a", "messages": [USER], "reference_answer": "1"},
        {"id": "b", "messages": [{"role": "user", "content": "2?"}], "reference_answer": "2"},
        {"messages": [{"role": "user", "content": "3?"}], "reference_answer": "3"},
        {"messages": [{"role": "user", "content": "4?"}], "reference_answer": "4"},
    ]
    report = validate_path(make_dataset(*rows), check_row_count=False)
    assert report.valid
    inconsistent = [w for w in report.warnings if w.code == codes.INCONSISTENT_FIELD]
    assert [(w.line, w.message[:10]) for w in inconsistent] == [(3, 'no "id" he')]
    assert "2 rows lack it" in inconsistent[0].message and "line 1 has one" in inconsistent[0].message


def test_consistent_files_get_no_consistency_warning(make_dataset, valid_rows):
    report = validate_path(make_dataset(*valid_rows(5)), check_row_count=False)
    assert not [w for w in report.warnings if w.code == codes.INCONSISTENT_FIELD]


@pytest.mark.parametrize("field", ["id", "reference_answer", "tools"])
def test_each_optional_field_is_tracked(make_dataset, field):
    values = {"id": "x", "reference_answer": "1", "tools": [_tool()]}
    with_field = {"messages": [USER], field: values[field]}
    without = {"messages": [{"role": "user", "content": "other"}]}
    report = validate_path(make_dataset(without, with_field), required_fields=(), check_row_count=False)
    inconsistent = [w for w in report.warnings if w.code == codes.INCONSISTENT_FIELD]
    assert [(w.line, w.message.split('"')[1]) for w in inconsistent] == [(1, field)]
