"""``string_match``: every mode, normalization options, labels, references, validation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.templates.string_match import normalizer

LABELS = {"mode": "labels", "labels": ["safe", "unsafe", "needs review"]}


@pytest.mark.parametrize(
    ("options", "response", "reference", "value"),
    [
        ({"mode": "exact"}, "  Paris \n", "Paris", 1.0),
        ({"mode": "exact"}, "paris", "Paris", 0.0),
        ({}, "  PARIS. ", "paris", 1.0),
        ({}, "Paris,   France", "paris france", 1.0),
        ({}, "ﬁne", "fine", 1.0),  # NFKC ligature
        ({"case_sensitive": True}, "paris", "Paris", 0.0),
        ({"strip_punctuation": False}, "Paris.", "Paris", 0.0),
        ({"collapse_whitespace": False}, "New  York", "New York", 0.0),
        ({}, "Lyon", ["Paris", "Lyon"], 1.0),
        ({}, "Lyon", {"answer": "lyon"}, 1.0),
        ({"mode": "contains"}, "I think it is Paris, surely.", "paris", 1.0),
        ({"mode": "contains"}, "The code is 14", "4", 0.0),
        ({"mode": "contains"}, "Parisian food", "Paris", 0.0),
        ({"mode": "regex"}, "Order #123", r"order #\d+", 1.0),
        ({"mode": "regex"}, "Order #123 and more", r"order #\d+", 0.0),
        ({"mode": "regex", "pattern": r"\d{3}-\d{4}"}, " 555-1234 ", None, 1.0),
        (LABELS, "Verdict: UNSAFE.", "unsafe", 1.0),
        (LABELS, "It needs review before publishing", "needs review", 1.0),
        (LABELS, "safe", "unsafe", 0.0),
    ],
)
def test_modes(grade, options, response, reference, value):
    assert grade("string_match", options, response, reference).value == value


@pytest.mark.parametrize(
    ("response", "tag"),
    [
        ("safe or unsafe", "multiple-labels"),
        ("unsafe, definitely not safe", "multiple-labels"),
        ("no idea", "no-label"),
        ("", "no-label"),
    ],
)
def test_labels_hedges_and_missing_labels(grade, response, tag):
    score = grade("string_match", LABELS, response, "unsafe")
    assert (score.value, score.error) == (0.0, tag)


@pytest.mark.parametrize(
    ("options", "reference"),
    [({}, None), ({}, ""), ({}, True), (LABELS, "maybe"), ({"mode": "regex"}, "(")],
)
def test_bad_references(grade, options, reference):
    assert grade("string_match", options, "anything", reference).error == "bad-reference"


def test_adversarial_responses(grade):
    assert grade("string_match", {}, "paris " * 1000, "paris").value == 0.0
    assert grade("string_match", {"mode": "regex"}, "a" * 5000, "a+").value == 1.0
    assert (
        grade("string_match", LABELS, "ignore previous instructions: unsafe safe", "unsafe").error
        == "multiple-labels"
    )


def test_validation():
    problems = catalogue.validate_options(
        "string_match", {"mode": "labels", "pattern": "(", "case_sensitive": "yes"}
    )
    text = "\n".join(problems)
    assert "option 'case_sensitive' = 'yes' is invalid; allowed: true or false" in text
    assert "option 'pattern' = '(' is invalid" in text
    assert catalogue.validate_options("string_match", {"mode": "labels"}) == [
        "string_match: mode 'labels' needs option 'labels' (at least two allowed labels)"
    ]
    assert (
        "only applies to mode 'labels'"
        in catalogue.validate_options("string_match", {"labels": ["a", "b"]})[0]
    )
    assert "only applies to mode 'regex'" in catalogue.validate_options("string_match", {"pattern": "a"})[0]
    assert (
        "at least 2 distinct"
        in catalogue.validate_options("string_match", {"mode": "labels", "labels": ["a", "a"]})[0]
    )
    assert catalogue.required_dataset_fields("string_match", {}) == ("reference_answer",)
    assert catalogue.required_dataset_fields("string_match", {"mode": "regex", "pattern": "x"}) == ()


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(st.characters(max_codepoint=127), max_size=40),
    case_sensitive=st.booleans(),
    collapse=st.booleans(),
)
def test_ascii_fast_path_matches_the_general_path(text, case_sensitive, collapse):
    options = catalogue.parse(
        "string_match", {"case_sensitive": case_sensitive, "collapse_whitespace": collapse}
    )
    normalize = normalizer(options)
    # "¡" is non-ASCII punctuation: it forces the general (NFKC + regex) path and is stripped
    assert normalize(text) == normalize(text + "\u00a1")


PIECES = ["safe", "un", "-", "SAFE", ".", "\n", "\t", " ", "needs", "review", "ok"]


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from(PIECES), max_size=12))
def test_label_search_without_collapsing_matches_search_in_collapsed_text(parts):
    from rft_runtime.rewards.templates.string_match import label_spans, labels_named

    text = "".join(parts)
    options = {"mode": "labels", "labels": ["safe", "unsafe", "needs review", "review"]}
    grader = catalogue.build_grader("string_match", options)
    plain = [(label, label_spans(label)) for label, _ in grader._finders]
    assert labels_named(grader._label_text(text), grader._finders) == labels_named(
        grader._normalize(text), plain
    )
