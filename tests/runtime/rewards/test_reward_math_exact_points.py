"""Where floating point sets two rational functions apart, they are taken again exactly at that point.

Found in review: a correct expanded polynomial scored 0 against its factored form when floating-point
cancellation near a repeated root exceeded the 1e-9 relative tolerance at a sample point
(``x^6-6x^5+15x^4-20x^3+15x^2-6x+1`` against ``(x-1)^6`` always; ``(x+1)^6`` expanded at some drawn
points). Both tests of the first kind failed before the exact second look. A first fix made every
sample point an exact thousandth, which paid ``x\\cos(2000\\pi x)`` for ``x`` (1 at every thousandth):
the periodic attacks below keep that from coming back.
"""

from __future__ import annotations

import pytest

EXPANDED = {
    "(x-1)^6": "x^6-6x^5+15x^4-20x^3+15x^2-6x+1",
    "(x+1)^6": "x^6+6x^5+15x^4+20x^3+15x^2+6x+1",
    "(2x-3)^5": "32x^5-240x^4+720x^3-1080x^2+810x-243",
}


@pytest.mark.parametrize("factored", sorted(EXPANDED))
def test_an_expanded_polynomial_equals_its_factored_form(grade, factored):
    assert grade("math_answer", {}, f"\\boxed{{{EXPANDED[factored]}}}", factored).value == 1.0


@pytest.mark.parametrize("k", range(0, 300, 7))
def test_the_drawn_points_never_fail_a_correct_spelling(grade, k):
    # the drawn points depend on the spelling: every spelling must pass, not only most
    answer = f"\\boxed{{{EXPANDED['(x+1)^6']}+{k}x-{k}x}}"
    assert grade("math_answer", {}, answer, "(x+1)^6").value == 1.0


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        ("(\\sqrt{x})^6", "x^3"),  # one side stays exact, the other not: compared as numbers
        ("e^{3\\ln x}", "x^3"),
        ("x^{3/2}\\cdot x^{3/2}", "x^3"),
        ("\\sin^2 x+\\cos^2 x + x^3", "1+x^3"),
        ("x^{400}", "x^{400}"),  # exact values too large: the same point in floating point
        ("(x^2)^{200}", "x^{400}"),
    ],
)
def test_mixed_and_huge_values_still_compare(grade, answer, reference):
    assert grade("math_answer", {}, f"\\boxed{{{answer}}}", reference).value == 1.0


@pytest.mark.parametrize(
    "answer",
    ["x^6-6x^5+15x^4-20x^3+15x^2-6x+2", "x^6-6x^5+15x^4-20x^3+15x^2-6x+1+10^{-30}x", "x^3+10^{-20}\\sqrt2"],
)
def test_a_tiny_change_is_still_another_answer(grade, answer):
    reference = "x^3" if "sqrt" in answer else "(x-1)^6"
    assert grade("math_answer", {}, f"\\boxed{{{answer}}}", reference).value == 0.0


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        ("x\\cos(2000\\pi x)", "x"),
        ("x^2\\cdot\\cos(2000\\pi x)^2", "x^2"),
        ("x\\cdot(\\cos(1000\\pi x))^{2}", "x"),
        ("x+\\sin(1000\\pi x)", "x"),
        ("x\\cos(2^{60}\\pi x)", "x"),
    ],
)
def test_a_periodic_factor_that_is_1_at_rational_points_is_another_answer(grade, answer, reference):
    assert grade("math_answer", {}, f"\\boxed{{{answer}}}", reference).value == 0.0


def test_a_tolerance_the_user_set_still_applies_to_values_with_variables(grade):
    assert grade("math_answer", {"tolerance": 0.01}, "\\boxed{0.333x}", "\\frac{x}{3}").value == 1.0
    assert grade("math_answer", {}, "\\boxed{0.333x}", "\\frac{x}{3}").value == 0.0


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        # (-1)^{2^{64}x} is exactly 1 at every sample point (each a double, so 2^{64}x is an even
        # integer there), while floating point sees cos(2^{64}\pi x): the exact second look paid these
        ("x\\cdot\\frac{(-1)^{2^{64}x}+(-1)^{-2^{64}x}}{2}", "x"),
        ("x\\cdot\\frac{|(-1)^{2^{64}x}+1|}{2}", "x"),
        ("x+1-\\frac{|(-1)^{2^{60}x}+1|}{2}", "x"),
        ("\\frac{(-1)^{2^{64}x}+(-1)^{-2^{64}x}}{2}", "1"),
        ("x\\cdot\\frac{|(-1)^{2^{64}x}+1|}{2}+\\frac{|(-1)^{2^{64}y}+1|}{2}", "x+1"),
    ],
)
def test_a_power_to_a_variable_exponent_is_not_taken_again_exactly(grade, answer, reference):
    assert grade("math_answer", {}, f"\\boxed{{{answer}}}", reference).value == 0.0


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        # a change below the smallest double is 0 in floating point: with float sample points again,
        # the first two scored 1.0 (exact thousandths had caught them), the others always had
        ("x+10^{-400}", "x"),
        ("x(1+10^{-400})", "x"),
        ("\\pi+10^{-400}", "\\pi"),
        ("\\sqrt{2}+10^{-400}", "\\sqrt2"),
        ("x+e^{-1000}", "x"),
        ("e^{10^{-400}}x", "x"),
    ],
)
def test_a_change_below_floating_point_is_still_another_answer(grade, answer, reference):
    assert grade("math_answer", {}, f"\\boxed{{{answer}}}", reference).value == 0.0


@pytest.mark.parametrize(
    ("answer", "reference"), [("x+(x-x)", "x"), ("x+\\ln 1", "x"), ("x\\cdot 10^{-400}", "10^{-400}x")]
)
def test_a_term_that_is_0_or_a_tiny_value_compared_with_itself_still_passes(grade, answer, reference):
    assert grade("math_answer", {}, f"\\boxed{{{answer}}}", reference).value == 1.0
