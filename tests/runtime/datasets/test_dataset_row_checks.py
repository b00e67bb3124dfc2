"""Row rules: every error and warning code, reported on the exact line with an actionable message."""

from __future__ import annotations

import pytest

from rft_runtime.datasets import Issue, codes, validate_path

USER = {"role": "user", "content": "What is 2 + 2?"}
SYSTEM = {"role": "system", "content": "Be brief."}
ASSISTANT = {"role": "assistant", "content": "4"}


def _row(*messages: object, **fields: object) -> dict:
    return {"messages": list(messages), "reference_answer": "4", **fields}


# (bad line written as line 3, expected code, fragments the message must contain)
ERROR_CASES = [
    pytest.param(b'{"messages": [\xff]}', codes.INVALID_UTF8, ["0xff", "byte offset 14"], id="invalid-utf8"),
    pytest.param('{"messages": [', codes.INVALID_JSON, ["not valid JSON", "column"], id="invalid-json"),
    pytest.param('{"messages": NaN}', codes.INVALID_JSON, ["NaN"], id="nan"),
    pytest.param("[" * 100_000, codes.INVALID_JSON, ["not valid JSON"], id="deep-nesting"),
    pytest.param('{"a": 1} {"b": 2}', codes.TRAILING_DATA, ["column 10", '"{\\"b\\": 2}"'], id="trailing"),
    pytest.param('{"a": 1},', codes.TRAILING_DATA, ["column 9"], id="trailing-comma"),
    pytest.param([1, 2], codes.NOT_AN_OBJECT, ["got array [1, 2]"], id="array"),
    pytest.param("null", codes.NOT_AN_OBJECT, ["got null"], id="null"),
    pytest.param(
        {"reference_answer": "4"}, codes.MISSING_MESSAGES, ['no "messages" field'], id="no-messages"
    ),
    pytest.param(
        {"messages": "hi", "reference_answer": "4"},
        codes.MISSING_MESSAGES,
        ['"messages" is string "hi"'],
        id="str",
    ),
    pytest.param(_row(), codes.EMPTY_MESSAGES, ['"messages" is []'], id="empty-messages"),
    pytest.param(_row(USER, "hello"), codes.BAD_TURN, ['messages[1] is string "hello"'], id="bad-turn"),
    pytest.param(
        _row({"role": "tool", "content": "x"}, USER),
        codes.BAD_ROLE,
        ['messages[0].role is "tool"', '"assistant"'],
        id="tool",
    ),
    pytest.param(_row({"content": "x"}, USER), codes.BAD_ROLE, ["messages[0].role is missing"], id="no-role"),
    pytest.param(
        _row({"role": ["user"], "content": "x"}, USER), codes.BAD_ROLE, ['["user"]'], id="list-role"
    ),
    pytest.param(
        _row(USER, ASSISTANT, SYSTEM, USER),
        codes.SYSTEM_NOT_FIRST,
        ["messages[2].role", "messages[0]"],
        id="sys",
    ),
    pytest.param(_row(SYSTEM), codes.NO_USER_TURN, ['no turn has role "user"'], id="no-user"),
    pytest.param(
        _row(USER, ASSISTANT),
        codes.LAST_TURN_NOT_USER,
        ['messages[1].role is "assistant"; the prompt must end', "reference_answer"],
        id="last",
    ),
    pytest.param(
        _row({"role": "user"}), codes.BAD_CONTENT, ["messages[0].content is missing"], id="no-content"
    ),
    pytest.param(
        _row({"role": "user", "content": 7}), codes.BAD_CONTENT, ["messages[0].content is number 7"], id="num"
    ),
    pytest.param(
        _row({"role": "user", "content": [{"text": "hi"}]}),
        codes.BAD_CONTENT,
        ['messages[0].content[0] has no "type"', '{"type": "text"'],
        id="converse-style-block",
    ),
    pytest.param(
        _row({"role": "user", "content": [{"type": "text", "text": 5}]}),
        codes.BAD_CONTENT,
        ["messages[0].content[0].text is 5"],
        id="block-text-not-str",
    ),
    pytest.param(
        _row({"role": "user", "content": [{"type": "table"}]}),
        codes.BAD_CONTENT,
        ['messages[0].content[0].type is "table"', 'only "text"'],
        id="unknown-block",
    ),
    pytest.param(
        _row({"role": "user", "content": ["hi"]}),
        codes.BAD_CONTENT,
        ['messages[0].content[0] is string "hi"'],
        id="str-block",
    ),
    pytest.param(
        _row({"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}),
        codes.MEDIA_CONTENT,
        ["messages[0].content[0] is a media block", "text only"],
        id="image-url",
    ),
    pytest.param(
        _row({"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}),
        codes.MEDIA_CONTENT,
        ["input_audio"],
        id="audio",
    ),
    pytest.param(
        _row({"role": "user", "content": [{"image": {"format": "png"}}]}),
        codes.MEDIA_CONTENT,
        ["media block"],
        id="converse-image",
    ),
    pytest.param(
        _row({"role": "user", "content": "  "}),
        codes.EMPTY_CONTENT,
        ["messages[0].content has no text"],
        id="blank",
    ),
    pytest.param(
        _row({"role": "user", "content": []}), codes.EMPTY_CONTENT, ["messages[0].content"], id="no-blocks"
    ),
    pytest.param(
        {"messages": [USER]}, codes.MISSING_FIELD, ['no "reference_answer" field'], id="missing-field"
    ),
    pytest.param(
        _row(USER, reference_answer=""), codes.EMPTY_FIELD, ['"reference_answer" is ""'], id="empty-str"
    ),
    pytest.param(_row(USER, reference_answer=None), codes.EMPTY_FIELD, ["is null"], id="null-field"),
    pytest.param(_row(USER, reference_answer={}), codes.EMPTY_FIELD, ["is {}"], id="empty-object"),
]


@pytest.mark.parametrize(("bad_line", "code", "fragments"), ERROR_CASES)
def test_each_error_is_reported_on_its_line(make_dataset, good_row, bad_line, code, fragments):
    path = make_dataset(good_row(1), good_row(2), bad_line, good_row(4))
    report = validate_path(path, check_row_count=False)
    assert not report.valid
    matching = [issue for issue in report.errors if issue.code == code]
    assert matching, report.errors
    assert {issue.line for issue in report.errors} == {3}
    for fragment in fragments:
        assert fragment in matching[0].message
    assert report.stats["rows"] == 4
    assert report.stats["rows_with_errors"] == 1


def test_valid_shapes_pass(make_dataset):
    rows = [
        _row(USER),
        _row(SYSTEM, {"role": "user", "content": "Q1"}, ASSISTANT, {"role": "user", "content": "Q2"}),
        _row({"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}),
        _row({"role": "user", "content": "x"}, reference_answer={"value": 3, "unit": "m"}),
        _row({"role": "user", "content": "y"}, reference_answer=0),
    ]
    report = validate_path(make_dataset(*rows), check_row_count=False)
    assert report.valid, report.errors
    assert report.warning_count == 0


def test_several_problems_in_one_row_are_all_reported(make_dataset):
    row = {"messages": [{"role": "bot", "content": 1}, SYSTEM]}
    report = validate_path(make_dataset(row), check_row_count=False)
    assert {issue.code for issue in report.errors} == {
        codes.BAD_ROLE,
        codes.BAD_CONTENT,
        codes.SYSTEM_NOT_FIRST,
        codes.NO_USER_TURN,
        codes.MISSING_FIELD,
    }
    assert report.stats["rows_with_errors"] == 1


def test_required_fields_are_configurable(make_dataset):
    path = make_dataset({"messages": [USER], "task_id": ""})
    assert validate_path(path, required_fields=(), check_row_count=False).valid
    report = validate_path(path, required_fields=("task_id", "domain"), check_row_count=False)
    assert [(i.code, i.message[:10]) for i in report.errors] == [
        (codes.EMPTY_FIELD, '"task_id" '),
        (codes.MISSING_FIELD, 'no "domain'),
    ]


def test_recommended_field_only_warns(make_dataset):
    report = validate_path(
        make_dataset({"messages": [USER]}, _row(SYSTEM, USER)),
        required_fields=(),
        recommended_fields=("reference_answer",),
        check_row_count=False,
    )
    assert report.valid
    assert [w for w in report.warnings if w.code != codes.INCONSISTENT_FIELD] == [
        Issue(
            1,
            codes.MISSING_RECOMMENDED_FIELD,
            'no "reference_answer" value; reward functions usually grade against it',
        )
    ]


def test_empty_system_prompt_is_a_warning(make_dataset):
    report = validate_path(make_dataset(_row({"role": "system", "content": ""}, USER)), check_row_count=False)
    assert report.valid
    assert [(i.line, i.code) for i in report.warnings] == [(1, codes.EMPTY_SYSTEM_PROMPT)]


def test_prompt_length_uses_the_documented_estimate(make_dataset):
    # 40 ASCII bytes of user text + 0 system = ceil(40 / 4) = 10 tokens; "é" is 2 bytes.
    short = _row({"role": "user", "content": "x" * 40})
    accented = _row({"role": "user", "content": "é" * 21})  # 42 bytes -> 11 tokens
    path = make_dataset(short, accented)
    assert validate_path(path, max_prompt_tokens=11, check_row_count=False).valid
    report = validate_path(path, max_prompt_tokens=10, check_row_count=False)
    assert [(i.line, i.code) for i in report.errors] == [(2, codes.PROMPT_TOO_LONG)]
    assert "about 11 tokens (estimate" in report.errors[0].message
    assert report.stats["max_prompt_tokens_estimate"] == 11
    assert report.stats["max_prompt_tokens_line"] == 2


def test_turns_of_the_whole_prompt_count_toward_its_length(make_dataset):
    row = _row({"role": "system", "content": "s" * 8}, {"role": "user", "content": "u" * 8})
    report = validate_path(make_dataset(row), check_row_count=False)
    assert report.stats["max_prompt_tokens_estimate"] == 4
    assert report.stats["mean_prompt_tokens_estimate"] == 4
