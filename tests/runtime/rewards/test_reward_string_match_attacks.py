"""Wrong answers ``string_match`` paid before this review: each case scored 1.0."""

from __future__ import annotations

import pytest

LABELS = {"mode": "labels", "labels": ["safe", "unsafe"]}


@pytest.mark.parametrize(
    ("options", "response", "reference"),
    [
        # punctuation stripping removed a minus sign, so a number and its negative were one answer
        ({}, "-5", "5"),
        ({}, "5", "-5"),
        ({}, "\u22125", "5"),
        ({}, "x-1", "x+1"),
        ({"mode": "contains"}, "The answer is -5", "5"),
        # a reference that is only punctuation normalized to nothing, which an empty answer matched
        ({}, "!!!", "?"),
        ({}, "", "..."),
        # a negated label named the label
        (LABELS, "not safe", "safe"),
        (LABELS, "It is not unsafe", "unsafe"),
        (LABELS, "isn't safe", "safe"),
        ({**LABELS, "strip_punctuation": False}, "It isn't unsafe", "unsafe"),
        (LABELS, "un-safe", "safe"),
        ({"mode": "labels", "labels": ["toxic", "benign"]}, "non-toxic", "toxic"),
    ],
)
def test_wrong_answers_are_not_paid(grade, options, response, reference):
    assert grade("string_match", options, response, reference).value == 0.0


@pytest.mark.parametrize(
    ("options", "response", "reference"),
    [
        ({}, "-5", "-5"),
        ({}, "\u22125", "-5"),
        ({}, "well-known", "well known"),
        ({}, "Paris!", "paris"),
        ({"mode": "contains"}, "It is -5 today", "-5"),
        ({"mode": "contains"}, "the 5 apples", "5"),
        (LABELS, "Verdict: unsafe.", "unsafe"),
        (LABELS, "Now: safe", "safe"),
        (LABELS, "The important part: safe", "safe"),
    ],
)
def test_matching_answers_still_match(grade, options, response, reference):
    assert grade("string_match", options, response, reference).value == 1.0


def test_a_negated_label_beside_another_is_still_two_labels(grade):
    score = grade("string_match", LABELS, "unsafe, definitely not safe", "unsafe")
    assert (score.value, score.error) == (0.0, "multiple-labels")
