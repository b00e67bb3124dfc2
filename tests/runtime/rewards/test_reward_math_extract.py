"""Where ``math_answer`` finds the final answer: last answer, corrections, hedges, unmarked responses."""

from __future__ import annotations

import pytest

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.core import Sample
from rft_runtime.rewards.mathexpr.extract import MAX_MARKED, final_answer


def _text_equal(first: str, second: str) -> bool:
    return first == second


@pytest.mark.parametrize(
    ("response", "final"),
    [
        ("\\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),
        ("\\fbox{7}", "7"),
        ("\\boxed{\\boxed{7}}", "\\boxed{7}"),  # a box inside a box is part of the outer answer
        ("\\boxed{3", "3"),  # unclosed: runs to the end
        ("Final Answer: The final answer is $\\$18$. I hope it is correct.", "\\$18"),
        ("The answer is $(1, 2)$.", "(1, 2)"),
        ("The answer is 5 (five apples).", "5"),
        ("**Answer:** $x = 3$", "x = 3"),
        ("\\boxed{4}\nWorking done.\n#### 5", "5"),  # before the last #### line only #### answers count
    ],
)
def test_final_answer_text(response, final):
    assert final_answer(response, _text_equal).text == final


@pytest.mark.parametrize(
    "response",
    [
        "The answer is \\boxed{4}. Wait, that's wrong: \\boxed{5}",
        "Answer: 4\nActually, rechecking: Answer: 5",
        "\\boxed{4} ... I made an error. \\boxed{5}",
    ],
)
def test_a_correction_counts_never_the_first_answer(response):
    assert final_answer(response, _text_equal).text == "5"


@pytest.mark.parametrize(
    "response",
    [
        "\\boxed{4} \\boxed{5}",
        "\\boxed{4 \\text{ or } 5}",
        "\\boxed{\\pm 2}",
        "#### 4 to 5",
        "The answer is 4-5.",
        "The answer is maybe 5.",
    ],
)
def test_hedges_have_no_final_answer(response):
    assert final_answer(response, _text_equal) == (None, True, "hedged")


def test_only_the_last_marked_answers_are_compared():
    spam = " ".join(f"\\boxed{{{n}}}" for n in range(500)) + " wait, no: \\boxed{7}"
    calls = []
    final_answer(spam, lambda a, b: calls.append((a, b)) or False)
    assert len(calls) == 1 and len(calls) < MAX_MARKED


@pytest.mark.parametrize(
    ("response", "reference", "tag"),
    [
        ("The area is $2\\pi$.", "2", "unmarked"),  # one number, but inside mathematics
        ("so it is 3x", "3", "unmarked"),
        ("that is 5!", "5", "unmarked"),
        ("2^{10}", "2", "unmarked"),
    ],
)
def test_unmarked_mathematics_is_not_read_as_its_number(grade, response, reference, tag):
    score = grade("math_answer", {}, response, reference)
    assert (score.value, score.error) == (0.0, tag)


def test_a_box_inside_a_box_is_one_answer(grade):
    assert grade("math_answer", {}, "\\boxed{\\boxed{7}}", "7").value == 1.0
    assert grade("math_answer", {}, "\\boxed{\\boxed{7}}", "8").value == 0.0


def test_unmarked_symbolic_answer_is_read_when_it_is_the_whole_response(grade):
    assert grade("math_answer", {}, "\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt2}{2}").value == 1.0
    assert (
        grade("math_answer", {"fallback": "none"}, "\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt2}{2}").error
        == "no-answer"
    )


def test_one_time_budget_per_sample_however_many_answers_it_marks():
    grader = catalogue.build_grader("math_answer", {})
    made = []
    original = grader._budget
    grader._budget = lambda: made.append(1) or original()
    boxes = " wait, ".join(f"\\boxed{{x^{{{n}}}+{n}}}" for n in range(20))
    grader.score(Sample(boxes, "x^{19}+19"))
    assert len(made) == 2  # one to prepare the reference, one for the whole sample


@pytest.mark.parametrize("reference", ["no number here", "1 or 2", "\\boxed{4} \\boxed{5}", "x <", "[1, 2"])
def test_a_reference_that_is_not_one_answer_is_refused(grade, reference):
    assert grade("math_answer", {}, "\\boxed{1}", reference).error == "bad-reference"


@pytest.mark.parametrize(
    ("response", "reference", "value"),
    [
        ("\\boxed{1\\,000}", "x = 1000", 1.0),
        ("\\boxed{x = 1 000}", "x = 1000", 1.0),
        ("\\boxed{x = 2 3}", "x = 6", 0.0),  # two numbers side by side are not a product
        ("\\boxed{x = 2 3}", "x = 23", 0.0),
    ],
)
def test_grouped_digits_are_one_number_and_other_neighbours_are_not_a_product(
    grade, response, reference, value
):
    assert grade("math_answer", {}, response, reference).value == value


@pytest.mark.parametrize(
    ("response", "reference", "value"),
    [
        ("The answer is 18 apples, which she sells.", "18", 1.0),
        ("The answer is 18 apples, which she sells.", "19", 0.0),
        ("The answer is 3 times 4.", "3", 0.0),  # mathematics follows: not "3"
        ("The answer is 2 pi.", "2", 0.0),
        ("#### 3, and also 4", "3", 0.0),  # another number follows: not one answer
    ],
)
def test_a_sentence_answer_counts_its_number_only_when_prose_follows(grade, response, reference, value):
    assert grade("math_answer", {}, response, reference).value == value


@pytest.mark.parametrize(
    "response",
    [
        "\\textbf{Answer:} \\boxed{5}",
        "\\text{Answer: }\\boxed{5}",
        "\\text{The answer is }\\boxed{5}",
        "So the answer is $\\textbf{\\boxed{5}}$",
    ],
)
def test_an_answer_phrase_in_a_wrapper_announces_the_box_after_it(grade, response):
    # the phrase read "} \boxed{5}" as a second, different answer: a correct answer scored 0 (hedged)
    assert grade("math_answer", {}, response, "5").value == 1.0


@pytest.mark.parametrize(
    "response", ["The answer is 6. \\textbf{Answer:} \\boxed{5}", "\\textbf{Answer:} \\boxed{6}"]
)
def test_a_wrapped_phrase_is_no_way_around_a_hedge_or_a_wrong_box(grade, response):
    assert grade("math_answer", {}, response, "5").value == 0.0
