"""Issue 9 item 1: a reference (or response) that is not a plain number is never compared as one.

Before the fix, ``reference_number`` reduced ``\\frac{\\sqrt{2}}{2}`` to the ``2`` inside it, so a model
answering ``2`` was paid 1.0 for a wrong answer. Each case here scored 1.0 on that code.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        ("\\boxed{2}", "\\frac{\\sqrt{2}}{2}"),
        ("#### 2", "2\\pi"),
        ("#### 3", "3x"),
        ("\\boxed{2}", "\\boxed{\\frac{\\sqrt{2}}{2}}"),
        ("The answer is 2.", "$2\\sqrt{3}$"),
        ("\\boxed{3}", "x = 3y"),
        ("\\boxed{2}", "\\log_2 8"),
        ("\\boxed{5}", "5!"),
        ("\\boxed{10}", "\\binom{10}{3}"),
        ("\\boxed{1}", "(1, 2)"),
        ("\\boxed{2}", "2^{10}"),
        # the same hack from the response side: a symbolic answer against a plain-number reference
        ("\\boxed{\\frac{\\sqrt{2}}{2}}", "2"),
        ("#### 2\\pi", "2"),
        ("#### 3x", "3"),
        ("\\boxed{2^{10}}", "2"),
        ("\\boxed{(1, 2)}", "1"),
    ],
)
def test_a_symbolic_answer_is_not_reduced_to_a_number_inside_it(grade, response, reference):
    assert grade("math_answer", {}, response, reference).value == 0.0


@pytest.mark.parametrize("reference", ["No", "no", "yes", "xy"])
@pytest.mark.parametrize("response", ["No", "\\boxed{on}", "\\boxed{No}", "\\boxed{yx}"])
def test_a_word_reference_is_never_read_as_a_product_of_variables(grade, response, reference):
    # "No" parsed as N*o made "\boxed{oN}" equal to it; a word is not mathematics math_answer grades
    result = grade("math_answer", {}, response, reference)
    assert result.value == 0.0 and result.error == "bad-reference"


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        # a midpoint between two large integers: under the old default relative tolerance (1e-9)
        # it was paid for either neighbour, a hedge the policy can learn
        ("#### 1000000000.5", "1000000000"),
        ("#### 1000000000.5", "1000000001"),
        ("\\boxed{1000000000.5}", "1000000000"),
        ("#### 12345678901.2", "12345678901"),
        # a rounded decimal is not the fraction, however many digits it carries
        ("#### 0.333333333", "1/3"),
        ("#### 0.3333333333", "\\frac{1}{3}"),
        ("#### 2.9999999999", "3"),
        ("#### 0.50000000001", "0.5"),
    ],
)
def test_numbers_written_exactly_are_never_close_by_default(grade, response, reference):
    assert grade("math_answer", {}, response, reference).value == 0.0


def test_a_tolerance_the_user_sets_still_applies(grade):
    # the same midpoint is what a user who allows 1e-9 asked for; integers stay exact
    assert grade("math_answer", {"tolerance": 1e-9}, "#### 1000000000.5", "1000000000").value == 1.0
    assert grade("math_answer", {"tolerance": 0.01}, "#### 1000001", "1000000").value == 0.0
    assert grade("math_answer", {}, "#### 1000000000.0", "1000000000").value == 1.0
    assert grade("math_answer", {}, "#### 0.5", "1/2").value == 1.0
    assert grade("math_answer", {}, "#### 50%", "0.5").value == 1.0


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        # letters against a number were stripped as a unit, so a product of variables was read as
        # the number before it: each of these scored 1.0
        ("\\boxed{6}", "6xy"),
        ("\\boxed{2}", "2ab"),
        ("#### 3", "3xyz"),
        ("\\boxed{3xy}", "3"),
        ("\\boxed{2ab}", "2"),
        ("\\boxed{12}", "12xy^2"),
    ],
)
def test_letters_against_a_number_are_variables_not_a_unit(grade, response, reference):
    assert grade("math_answer", {}, response, reference).value == 0.0


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        ("\\boxed{6yx}", "6xy"),
        ("\\boxed{2.5xy}", "\\frac{5xy}{2}"),
        ("\\boxed{5cm}", "5"),
        ("\\boxed{3kg}", "3"),
        ("\\boxed{12cm^2}", "12"),
        ("\\boxed{5 apples}", "5"),
    ],
)
def test_products_of_variables_and_attached_units_still_match(grade, response, reference):
    assert grade("math_answer", {}, response, reference).value == 1.0


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("\\boxed{0.70710678119x}", 0.0),  # a rounded coefficient: scored 1.0 (variables skipped the rule)
        ("\\boxed{0.70710678119x\\cos 0}", 0.0),
        ("\\boxed{0.707107x}", 0.0),
        ("\\boxed{\\frac{x}{\\sqrt{2}}}", 1.0),
    ],
)
def test_a_rounded_decimal_coefficient_is_not_an_irrational_one(grade, response, expected):
    assert grade("math_answer", {}, response, "\\frac{\\sqrt2}{2}x").value == expected
