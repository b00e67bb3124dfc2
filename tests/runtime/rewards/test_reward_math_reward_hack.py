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
