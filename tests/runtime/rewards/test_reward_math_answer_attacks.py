"""Wrong answers a hostile policy could be paid for by ``math_answer``, found in a second review
(issue 9 follow-up). Each case scored 1.0 before its fix; the forms a correct answer takes still pass."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "response",
    [
        # words that deny, bound or scale the number were stripped as a "unit"
        "#### 5 is wrong",
        "#### 5 is not the answer",
        "#### 5 is a lie",
        "#### 5 isn't it",
        "#### 5 never",
        "#### 5 negative",
        "#### 5 below zero",
        "#### 5 at most",
        "#### 5 maximum",
        "#### 5 millions",
        "#### 5 thousands",
        "#### 5 dozens",
        "#### 5 lakh",
        "#### 5 tenths",
        "#### 5 halves",
        "#### 5 factorial",
        "The answer is 5 less than x.",
        # \text{...} was removed wherever it stood, so a word before the number vanished too
        "\\boxed{\\text{not } 5}",
        "\\boxed{\\text{negative } 5}",
        "\\boxed{\\text{minus } 5}",
        "\\boxed{5 \\text{ is wrong}}",
        "\\boxed{5 \\text{ million}}",
        "\\boxed{5\\text{ thousand}}",
        "\\boxed{5 \\text{ squared}}",
        "\\boxed{5 \\text{ tenths}}",
        "\\boxed{5\\text{k}}",
        "\\boxed{5\\mathrm{k}}",
        "\\boxed{5\\text{ M}}",
    ],
)
def test_words_that_change_or_deny_the_number_are_no_unit(grade, response):
    assert grade("math_answer", {}, response, "5").value == 0.0


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        ("#### 5 apples", "5"),
        ("#### 12 square feet", "12"),
        ("#### 5 min", "5"),
        ("\\boxed{5 \\text{ apples}}", "5"),
        ("\\boxed{12\\text{ cm}^2}", "12"),
        ("\\boxed{8\\pi \\text{ square units}}", "8\\pi"),
        ("The answer is 18 apples, which she sells.", "18"),
        ("\\boxed{5 \\text{ hours}}.", "5"),
        ("\\boxed{5\\text{ m}}", "5"),
        ("\\boxed{3\\text{ s}}", "3"),
        ("\\boxed{\\text{x}}", "x"),
    ],
)
def test_unit_words_after_the_number_are_still_removed(grade, response, reference):
    assert grade("math_answer", {}, response, reference).value == 1.0


@pytest.mark.parametrize(
    "response",
    [
        "\\boxed{(C)(D)}",
        "\\boxed{C.D}",
        "\\boxed{C) 5; D) 6}",
        "\\boxed{\\text{(C)}\\text{(D)}}",
        "\\boxed{C: not C, D}",
    ],
)
def test_a_choice_answer_naming_a_second_letter_is_not_the_first(grade, response):
    assert grade("math_answer", {}, response, "C").value == 0.0


@pytest.mark.parametrize(
    "response", ["\\boxed{C}", "\\boxed{(C)}", "\\boxed{\\text{(C)}}", "\\boxed{(C) 42}"]
)
def test_one_choice_letter_still_matches(grade, response):
    assert grade("math_answer", {}, response, "(C)").value == 1.0


def test_two_minus_signs_are_a_plus(grade):
    # "--5" was read as -5 (either sign made it negative)
    assert grade("math_answer", {}, "#### --5", "-5").value == 0.0
    assert grade("math_answer", {}, "#### -$5", "-5").value == 1.0
    assert grade("math_answer", {}, "#### $-5", "-5").value == 1.0


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        # "{,}" and "\," were removed wherever they stood, so a decimal comma or two numbers read as one
        ("\\boxed{2{,}5}", "25"),
        ("#### 2{,}5", "25"),
        ("\\boxed{3{,}14}", "314"),
        ("\\boxed{2\\,5}", "25"),
        ("#### 2\\,5", "25"),
    ],
)
def test_a_separator_is_thousands_only_before_three_digits(grade, response, reference):
    assert grade("math_answer", {}, response, reference).value == 0.0


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        ("\\boxed{1{,}000{,}000}", "1000000"),
        ("#### 1{,}000", "1000"),
        ("\\boxed{2\\,500}", "2500"),
        ("#### 2\\,500", "2500"),
        ("#### \\$\\,5", "5"),
        ("#### 5\\,\\%", "0.05"),
    ],
)
def test_thousands_separators_still_join_groups(grade, response, reference):
    assert grade("math_answer", {}, response, reference).value == 1.0


@pytest.mark.parametrize(
    "response",
    [
        # an unmarked response with one number was paid whatever it said about it
        "The answer isn't 5.",
        "It is not 5.",
        "Certainly not 5",
        "5 is wrong",
        # prose after an answer phrase was read as a unit
        "The answer is 5, which is wrong.",
        "The answer is 5 is a lie.",
        "The answer is 5 thousands.",
        # an alternative offered after the final answer in other spellings
        "The answer is 5 (or 6).",
        "The answer is 5 (maybe 6).",
        "\\boxed{5} (or 6)",
        "\\boxed{5} \\text{ or } 6",
        "\\boxed{5} and 6",
        "\\boxed{5}; alternatively 6",
        "\\boxed{5} otherwise 6",
        # an ellipsis ended the answer's sentence, so "5 ... 6" was read as 5
        "The answer is 5 ... 6.",
    ],
)
def test_denials_and_alternatives_around_the_answer_are_not_paid(grade, response):
    assert grade("math_answer", {}, response, "5").value == 0.0


@pytest.mark.parametrize(
    "response",
    [
        "She has 5 apples left.",
        "5",
        "The answer is 5 apples, which she sells.",
        "The answer is 5, which is the total.",
        "\\boxed{5} and that is the answer.",
        "\\boxed{5}, or five.",
        "The answer is 5. I checked it twice.",
    ],
)
def test_plain_statements_of_the_answer_still_pass(grade, response):
    assert grade("math_answer", {}, response, "5").value == 1.0


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        # a term too small to change a floating-point sum, or a factor within 1e-9 of 1
        ("\\boxed{\\pi+10^{-10}}", "\\pi"),
        ("\\boxed{\\pi+\\frac{1}{10^{10}}}", "\\pi"),
        ("\\boxed{\\sqrt{2}+10^{-12}}", "\\sqrt2"),
        ("\\boxed{x+10^{-12}}", "x"),
        ("\\boxed{x(1+10^{-12})}", "x"),
        ("\\boxed{x^2+10^{-20}x}", "x^2"),
        ("\\boxed{\\sqrt{1+10^{-13}}}", "1"),
        ("\\boxed{\\ln(1+10^{-20})}", "0"),
        ("\\boxed{\\sin(\\pi + 10^{-15})}", "0"),
        ("\\boxed{2^{1/2+10^{-12}}}", "\\sqrt2"),
        ("\\boxed{10^{12}\\sqrt2 + 1}", "10^{12}\\sqrt2"),
        ("\\boxed{e^{50}+1}", "e^{50}"),
        ("\\boxed{\\sqrt{10^{30}+1}}", "10^{15}"),
        ("\\boxed{\\sqrt{2}\\cdot\\frac{10000000001}{10000000000}}", "\\sqrt2"),
        # a function of, or a power to, a tiny non-zero value
        ("\\boxed{\\sin(10^{-20})}", "0"),
        ("\\boxed{\\tan(10^{-16})}", "0"),
        ("\\boxed{e^{10^{-15}}}", "1"),
        # a long decimal inside an inexact value
        ("\\boxed{\\sqrt{4.00000000000001}}", "2"),
        ("\\boxed{4^{0.5000000000001}}", "2"),
        ("\\boxed{\\sqrt{0.1111111111111111}}", "\\frac13"),
        ("\\boxed{\\pi - 3.14159265358979}", "0"),
    ],
)
def test_changes_floating_point_cannot_see_are_not_paid(grade, response, reference):
    assert grade("math_answer", {}, response, reference).value == 0.0


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        ("\\boxed{\\frac{\\sqrt2}{2}}", "\\frac{1}{\\sqrt2}"),
        ("\\boxed{\\sin^2 x + \\cos^2 x}", "1"),
        ("\\boxed{(x+1)^2}", "x^2+2x+1"),
        ("\\boxed{\\sqrt{2.25}}", "1.5"),
        ("\\boxed{\\sqrt{2.000}}", "\\sqrt2"),
        ("\\boxed{2\\sqrt2 + 1}", "1+\\sqrt8"),
    ],
)
def test_equal_values_computed_in_floating_point_still_match(grade, response, reference):
    assert grade("math_answer", {}, response, reference).value == 1.0


def test_a_tolerance_the_user_sets_allows_small_changes(grade):
    assert grade("math_answer", {"tolerance": 0.01}, "\\boxed{\\pi+10^{-10}}", "\\pi").value == 1.0


@pytest.mark.parametrize(
    "response",
    [
        # the rest of the final answer's sentence denies it
        "\\boxed{5} is wrong.",
        "\\boxed{5} (wrong)",
        "\\boxed{5} is incorrect",
        "\\boxed{5} is not the answer.",
        "The answer is 5 (wrong).",
        "The answer is $5$ is false",
    ],
)
def test_a_final_answer_its_own_sentence_denies_is_not_paid(grade, response):
    assert grade("math_answer", {}, response, "5").value == 0.0


@pytest.mark.parametrize(
    "response",
    [
        "\\boxed{5}, not 6.",
        "The answer is $5$, not $6$.",
        "\\boxed{5} is the answer, not -5.",
        "Final Answer: The final answer is $5$. I hope it is correct.",
    ],
)
def test_denying_another_value_after_the_answer_is_fine(grade, response):
    assert grade("math_answer", {}, response, "5").value == 1.0
