"""``format_check``: each constraint type, partial credit, validation messages, adversarial text."""

from __future__ import annotations

import pytest

from rft_runtime.rewards import catalogue

SCHEMA = {
    "type": "object",
    "required": ["label", "confidence"],
    "properties": {
        "label": {"enum": ["spam", "ham"]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "additionalProperties": False,
}
OPTIONS = {
    "constraints": [
        {"type": "tags", "tags": ["answer"], "name": "has_answer"},
        {"type": "json", "source": "tag:answer", "schema": SCHEMA, "weight": 2, "name": "valid_json"},
        {"type": "length", "max_words": 40, "name": "short"},
        {"type": "regex", "pattern": "(?i)as an ai", "must_match": False, "name": "no_disclaimer"},
    ]
}


def test_fully_compliant_response(grade):
    score = grade("format_check", OPTIONS, '<answer>{"label": "spam", "confidence": 0.9}</answer>')
    assert score.value == 1.0
    assert dict(score.components) == {
        "has_answer": 1.0,
        "valid_json": 1.0,
        "short": 1.0,
        "no_disclaimer": 1.0,
    }


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ('<answer>{"label": "eggs", "confidence": 0.9}</answer>', 3 / 5),
        ('<answer>{"label": "spam"}</answer>', 3 / 5),
        ("<answer>not json</answer>", 3 / 5),
        ('{"label": "spam", "confidence": 0.9}', 2 / 5),
        ("As an AI, " + "word " * 60, 0.0),
        ("", 2 / 5),
        ('<answer>{"label": "spam", "confidence": NaN}</answer>', 3 / 5),
    ],
)
def test_partial_credit_is_the_weighted_mean(grade, response, expected):
    assert grade("format_check", OPTIONS, response).value == pytest.approx(expected)


def test_sources_and_sections(grade):
    fenced = {"constraints": [{"type": "json", "source": "fenced"}]}
    assert grade("format_check", fenced, 'Here:\n```json\n{"a": 1}\n```').value == 1.0
    assert grade("format_check", fenced, '{"a": 1}').value == 0.0
    auto = {"constraints": [{"type": "json"}]}
    assert grade("format_check", auto, "  [1, 2]  ").value == 1.0
    assert grade("format_check", auto, 'Text first\n```\n{"a": 1}\n```').value == 1.0
    whole = {"constraints": [{"type": "json", "source": "whole"}]}
    assert grade("format_check", whole, 'x {"a": 1}').value == 0.0
    sections = {"constraints": [{"type": "sections", "headings": ["Summary", "Risks", "Next steps"]}]}
    text = "## Summary\nfine\n**Risks**\nnone\nnext steps: later"
    assert grade("format_check", sections, text).value == 1.0
    assert grade("format_check", sections, "Summary: ok\nthe risks are low").value == pytest.approx(1 / 3)
    tags = {"constraints": [{"type": "tags", "tags": ["a", "b"], "nonempty": False}]}
    assert grade("format_check", tags, "<a></a>").value == 0.5
    strict_tags = {"constraints": [{"type": "tags", "tags": ["a"]}]}
    assert grade("format_check", strict_tags, "<a>   </a>").value == 0.0
    flags = {"constraints": [{"type": "regex", "pattern": "^done$", "flags": "im"}]}
    assert grade("format_check", flags, "work\nDONE").value == 1.0
    chars = {"constraints": [{"type": "length", "min_chars": 3, "max_chars": 5}]}
    assert [grade("format_check", chars, t).value for t in ("ab", "abc", "abcdef")] == [0.0, 1.0, 0.0]


def test_adversarial_tag_spoofing_needs_real_content(grade):
    options = {"constraints": [{"type": "json", "source": "tag:answer", "schema": SCHEMA}]}
    spoof = '<answer></answer> {"label": "spam", "confidence": 1} </answer>'
    assert grade("format_check", options, spoof).value == 0.0
    huge = "<answer>" + "[" * 100_000 + "</answer>"
    assert grade("format_check", options, huge).value == 0.0


def test_validation_reports_every_problem():
    problems = catalogue.validate_options(
        "format_check",
        {
            "constraints": [
                {"type": "regex"},
                {"type": "regex", "pattern": "(", "flags": "q"},
                {"type": "json", "schema": {"$ref": "#/x"}, "source": "xml"},
                {"type": "length"},
                {"type": "length", "min_words": 5, "max_words": 2},
                {"type": "nope"},
                {"type": "tags", "tags": [], "colour": "red"},
                "string",
                {"type": "sections", "headings": ["A"], "name": "dup"},
                {"type": "sections", "headings": ["B"], "name": "dup"},
            ],
            "extra": 1,
        },
    )
    text = "\n".join(problems)
    for fragment in (
        "unknown option 'extra'",
        "'constraints[0].pattern' is required",
        "'constraints[1].pattern' = '(' is invalid",
        "'constraints[1].flags' = 'q' is invalid; allowed: letters from 'imsx'",
        "'$ref' is not supported",
        "'constraints[2].source' = 'xml' is invalid",
        "'constraints[3]' needs at least one of min_chars",
        "min_words = 5 is above max_words = 2",
        "'constraints[5].type' = 'nope' is invalid; allowed: one of 'regex', 'json'",
        "'constraints[6].tags' = [] is invalid",
        "'constraints[6]' has unknown key 'colour'",
        "'constraints[7]' = 'string' is invalid",
        "name 'dup' is used more than once",
    ):
        assert fragment in text, fragment
    assert all(p.startswith("format_check: ") for p in problems)
    assert catalogue.validate_options("format_check", {}) == [
        "format_check: option 'constraints' is required; allowed: a non-empty list of constraint objects"
    ]
    zero = {"constraints": [{"type": "length", "max_chars": 5, "weight": 0}]}
    assert "weights add up to 0" in catalogue.validate_options("format_check", zero)[0]
    assert catalogue.required_dataset_fields("format_check", OPTIONS) == ()
