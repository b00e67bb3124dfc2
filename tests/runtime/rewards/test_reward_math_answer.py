"""``math_answer``: answer formats, tolerances, references, hedges and number soup."""

from __future__ import annotations

import pytest

from rft_runtime.rewards.handler import make_handler
from rft_runtime.rewards.numeric import extract_answer, numbers, reference_number


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        ("Step 1... step 2...\n#### 42", "42"),
        ("####42", 42),
        ("so the total is \\boxed{42}.", "42"),
        ("\\boxed{\\frac{3}{4}}", "0.75"),
        ("\\boxed{2\\frac{1}{2}}", "2.5"),
        ("\\boxed{-\\frac{1}{2}}", "-0.5"),
        ("The answer is 1,234,567.", "1234567"),
        ("Answer: $1,250.50", "1250.5"),
        ("**Answer:** 7", "7"),
        ("The final answer is: €19.99", "19.99"),
        ("#### 3/4", "0.75"),
        ("#### 2 3/4", "2.75"),
        ("#### \u221217", "-17"),
        ("#### -17", "\u221217"),
        ("#### 1.2e3", "1200"),
        ("#### 25%", "0.25"),
        ("#### 25%", "25"),
        ("#### 0.25", "25%"),
        ("#### 1{,}000", "1000"),
        ("#### \\$12", "12"),
        ("There are 12 apples.", "12"),
        ("12", {"answer": "12"}),
        ("#### 12", 12.0),
        ("#### 12", ["12"]),
        ("#### 72", "Natalia sold 48/2 = 24 clips in May.\n48 + 24 = 72 clips.\n#### 72"),
        ("The answer is 5. Wait, I made an error; the answer is 6.", "6"),
        ("<think>maybe 5 or 6</think>#### 6", "6"),
    ],
)
def test_correct_formats_score_one(grade, item, response, reference):
    if response.startswith("<think>"):
        [result] = make_handler("math_answer", {}, emit=lambda _: None)([item(response, reference)])
        assert result["aggregate_reward_score"] == 1.0
    else:
        assert grade("math_answer", {}, response, reference).value == 1.0, response


@pytest.mark.parametrize(
    ("response", "reference", "tag"),
    [
        ("#### 41", "42", None),
        ("#### 42.5", "42", None),
        ("#### -42", "42", None),
        ("#### 4 or 5", "4", "hedged"),
        ("The answer is either 4 or 5.", "4", "hedged"),
        ("The answer is 4-5 apples.", "4", "hedged"),
        ("#### 4\n#### 5", "4", "hedged"),
        ("\\boxed{4} and \\boxed{5}", "4", "hedged"),
        ("The answer is 1. The answer is 2. The answer is 3.", "3", "hedged"),
        ("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15", "7", "unmarked"),
        ("Candidates: 40, 41, 42, 43", "42", "unmarked"),
        ("", "42", "no-answer"),
        ("I cannot solve this.", "42", "no-answer"),
        ("#### forty-two", "42", "no-answer"),
    ],
)
def test_wrong_and_hedged_answers_score_zero(grade, response, reference, tag):
    score = grade("math_answer", {}, response, reference)
    assert score.value == 0.0
    assert score.error == tag


def test_tolerances():
    from rft_runtime.rewards import catalogue
    from rft_runtime.rewards.core import Sample

    relative = catalogue.build_grader("math_answer", {"tolerance": 0.01})
    assert relative.score(Sample("#### 100.9", "100")).value == 1.0
    assert relative.score(Sample("#### 102", "100")).value == 0.0
    absolute = catalogue.build_grader("math_answer", {"abs_tolerance": 0.5, "tolerance": 0})
    assert absolute.score(Sample("#### 3.4", "3")).value == 1.0
    assert absolute.score(Sample("#### 3.6", "3")).value == 0.0
    strict = catalogue.build_grader("math_answer", {})
    assert strict.score(Sample("#### 1000001", "1000000")).value == 0.0


@pytest.mark.parametrize(
    ("response", "reference", "expected"),
    [
        ("\\boxed{0}", "e^{-40}", 0.0),  # tiny but never 0, below any fixed absolute tolerance
        ("\\boxed{0}", "10^{-40}", 0.0),
        ("\\boxed{0}", "2\\pi e^{-50}", 0.0),
        ("\\boxed{0}", "\\sin\\pi", 1.0),  # rounding noise of a real 0 still reads as 0
        ("\\boxed{0}", "\\cos\\frac{\\pi}{2}", 1.0),
        ("#### 0", "1e-12", 0.0),
    ],
)
def test_no_default_absolute_tolerance(grade, response, reference, expected):
    assert grade("math_answer", {}, response, reference).value == expected
    # an explicit absolute tolerance still applies to a measurement near zero
    assert grade("math_answer", {"abs_tolerance": 1e-9}, "#### 0", "1e-12").value == 1.0


def test_fallback_none_requires_a_marker(grade):
    assert grade("math_answer", {"fallback": "none"}, "It is 12.", "12").error == "no-answer"
    assert grade("math_answer", {"fallback": "none"}, "#### 12", "12").value == 1.0


@pytest.mark.parametrize(
    "reference", [None, "", "no number here", True, {"x": 1}, [1, 2], float("nan"), "1 or 2"]
)
def test_unusable_reference_is_an_error_not_a_pass(grade, reference):
    score = grade("math_answer", {}, "#### 1", reference)
    assert (score.value, score.error) == (0.0, "bad-reference")


def test_components_report_marker_use(grade):
    assert dict(grade("math_answer", {}, "#### 5", "5").components) == {"correct": 1.0, "marked": 1.0}
    assert dict(grade("math_answer", {}, "5", "5").components) == {"correct": 1.0, "marked": 0.0}


def test_adversarial_inputs_do_not_break_extraction():
    assert extract_answer("\\boxed{" * 500 + "7").tag in ("hedged", None, "no-answer")
    assert extract_answer("#### 1e999999999").tag == "no-answer"
    assert extract_answer("#### 5/0").tag == "no-answer"
    assert extract_answer("9" * 300).number is not None
    assert extract_answer("9" * 5000).tag == "no-answer"  # overflows to inf: not a usable answer
    assert numbers("v2 H2O x=3")[0].value == 3.0
    assert reference_number(float("inf")) is None


def test_variants_of_the_same_value_are_not_a_hedge():
    assert extract_answer("#### 1,000\n#### 1000").number.value == 1000.0
    assert extract_answer("\\boxed{5} so the result is \\boxed{5.0}").number.value == 5.0


@pytest.mark.parametrize(
    ("response", "reference", "expected"),
    [
        ("\\boxed{x+1}", "\\frac{x^2-1}{x-1}", 1.0),
        ("\\boxed{|x|}", "\\sqrt{x^2}", 1.0),
        ("\\boxed{2\\ln|x|}", "\\ln(x^2)", 1.0),
        ("\\boxed{\\frac{\\sqrt{x}}{x}}", "\\frac{1}{\\sqrt{x}}", 1.0),
        ("\\boxed{(a+b)^2}", "a^2+2ab+b^2", 1.0),
        ("\\boxed{2xi}", "2ix", 1.0),
        ("\\boxed{2\\ln x}", "\\ln(x^2)", 0.0),  # not defined for a negative x
        ("\\boxed{\\sqrt{x}}", "\\sqrt{|x|}", 0.0),
        ("\\boxed{\\sqrt{-x^2-1}}", "\\sqrt{-x^2-2}", 0.0),  # defined nowhere: compared as complex
        ("\\boxed{\\frac{|x|}{x}}", "1", 0.0),
        ("\\boxed{|a|+|b|}", "|a+b|", 0.0),
    ],
)
def test_expressions_agree_on_both_signs_and_where_they_are_defined(grade, response, reference, expected):
    assert grade("math_answer", {}, response, reference).value == expected


def test_sample_points_are_deterministic_non_integer_and_of_both_signs():
    from rft_runtime.rewards.mathexpr.points import sample_points

    points = sample_points(["x", "y"])
    assert points == sample_points(["y", "x"]) and len(points) == 8
    values = [point[name] for point in points for name in ("x", "y")]
    assert all(value != int(value) for value in values)
    assert any(p["x"] < 0 < p["y"] for p in points) and any(p["x"] < 0 and p["y"] < 0 for p in points)


@pytest.mark.parametrize(
    ("response", "reference", "expected"),
    [
        ("\\boxed{1.5\\pi}", "\\frac{3\\pi}{2}", 1.0),  # a short decimal, exactly
        ("\\boxed{0.5\\sqrt2}", "\\frac{\\sqrt{2}}{2}", 1.0),
        ("\\boxed{0.707107\\cos 0}", "\\frac{\\sqrt{2}}{2}", 0.0),
        ("\\boxed{0.707106781186548\\cos 0}", "\\frac{\\sqrt{2}}{2}", 0.0),  # agrees to 1e-15
        ("\\boxed{2.71828182846 e/e}", "e", 0.0),
        ("\\boxed{\\frac{3126535}{995207}}", "\\pi", 0.0),  # within 1e-13 of pi: a fraction, not pi
        ("\\boxed{\\frac{1694157}{978122}}", "\\sqrt{3}", 0.0),
        ("\\boxed{\\frac{12345\\sqrt2}{67891\\sqrt2}}", "\\frac{12345}{67891}", 1.0),
    ],
)
def test_a_rational_never_equals_an_irrational(grade, response, reference, expected):
    assert grade("math_answer", {}, response, reference).value == expected
    # not even under a loose tolerance, for the rounded decimals
    if "cos" in response:
        assert grade("math_answer", {"tolerance": 0.01}, response, reference).value == 0.0
