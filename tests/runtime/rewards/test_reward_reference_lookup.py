"""One reading of ``reference_answer`` (core.reference_answer), the same in every template."""

from __future__ import annotations

import pytest

from rft_runtime.rewards.core import ANSWER_FIELDS, reference_answer

AWS_OPEN_WEIGHT = {"text": "Natalia sold 48/2 = 24 clips in May.\nSo 48+24 = 72 altogether.\n#### 72"}
AWS_NOVA = {"final_answer": "16", "steps": ["Mimi has 2 x 12 = 24 sea shells.", "Leigh has 48 / 3 = 16."]}
AWS_DOCS_COMPLIANCE = {"compliant": "No", "explanation": "The reply shares a customer's card number."}


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("42", "42"),
        (42, 42),
        (True, True),
        (None, None),
        (["a", "b"], ["a", "b"]),
        ({"answer": "4"}, "4"),
        (AWS_NOVA, "16"),
        (AWS_OPEN_WEIGHT, AWS_OPEN_WEIGHT["text"]),
        ({"label": "unsafe", "explanation": "x"}, "unsafe"),
        ({"value": 3}, 3),
        ({"ground_truth": ["f(x=1)"]}, ["f(x=1)"]),  # AWS's BFCL tool-calling sample
        ({"answers": ["Paris", "paris, France"]}, ["Paris", "paris, France"]),
        (AWS_DOCS_COMPLIANCE, AWS_DOCS_COMPLIANCE),
        ({"x": 1}, {"x": 1}),
        ({"answer": {"text": "5"}}, "5"),
        ({"a": 1, "b": 2}, {"a": 1, "b": 2}),
        ({"explanation": "only prose"}, {"explanation": "only prose"}),
    ],
)
def test_lookup(reference, expected):
    assert reference_answer(reference) == expected


def test_lookup_order_is_the_documented_one():
    everything = {key: key for key in reversed(ANSWER_FIELDS)}
    assert reference_answer(everything) == ANSWER_FIELDS[0] == "answer"
    assert ANSWER_FIELDS == ("answer", "final_answer", "ground_truth", "answers", "label", "value", "text")
    assert reference_answer({"text": "t", "final_answer": "f"}) == "f"


def test_deep_nesting_stops_and_returns_an_object():
    deep: object = "x"
    for _ in range(10):
        deep = {"answer": deep}
    assert isinstance(reference_answer(deep), dict)


@pytest.mark.parametrize(
    ("template", "options", "response", "reference"),
    [
        ("math_answer", {}, "so 72\n#### 72", AWS_OPEN_WEIGHT),
        ("math_answer", {}, "#### 16", AWS_NOVA),
        ("string_match", {}, "No", {"label": "No", "explanation": "shares a card number"}),
        ("string_match", {}, "16", AWS_NOVA),
        ("text_similarity", {"metric": "edit_similarity"}, "16", AWS_NOVA),
        ("text_similarity", {}, AWS_OPEN_WEIGHT["text"], AWS_OPEN_WEIGHT),
    ],
)
def test_every_template_reads_the_same_answer(grade, template, options, response, reference):
    assert grade(template, options, response, reference).value == 1.0


@pytest.mark.parametrize(
    ("template", "options", "response", "reference"),
    [
        ("math_answer", {}, "#### 15", AWS_NOVA),
        ("math_answer", {}, "#### 71", AWS_OPEN_WEIGHT),
        ("string_match", {"mode": "labels", "labels": ["Yes", "No"]}, "Yes", {"label": "No"}),
    ],
)
def test_wrong_answers_still_score_zero(grade, template, options, response, reference):
    assert grade(template, options, response, reference).value == 0.0


@pytest.mark.parametrize("template", ["math_answer", "string_match", "text_similarity"])
@pytest.mark.parametrize("reference", [{"a": 1, "b": 2}, True, {"x": "1"}, AWS_DOCS_COMPLIANCE])
def test_references_without_a_usable_answer_are_bad_references(grade, template, reference):
    score = grade(template, {}, "1", reference)
    assert (score.value, score.error) == (0.0, "bad-reference")


@pytest.mark.parametrize(
    "reference",
    [
        [{"value": 1, "final_answer": 2}],
        [{"text": "#### 2"}],
        [{"ground_truth": "2"}],
        [{"answer": {"value": 2}}],
    ],
)
def test_an_object_inside_a_one_element_list_is_read_by_the_same_lookup(grade, reference):
    # issue 9 audit: math_answer read such an object with an order of its own (answer, value,
    # final_answer) and no ground_truth / text, so these scored 0 (the first against 1)
    assert grade("math_answer", {}, "#### 2", reference).value == 1.0
