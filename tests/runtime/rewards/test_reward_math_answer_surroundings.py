"""Issue 9 audit: mathematics written against the final answer's box or ``$...$`` makes it another value.

``math_answer`` read only what was inside the marker, so a response whose final answer, as written, is
``-5``, ``25``, ``50``, ``0.5``, ``3,000`` or ``5/2`` was paid 1.0 against ``5`` (or ``0``, ``3``). Every
case in the first two tests scored 1.0 before the fix (``rewards/mathexpr/surroundings.py``).
"""

from __future__ import annotations

import pytest

from rft_runtime.rewards.mathexpr.surroundings import changes_answer


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        # 1. a sign or operator before the box
        ("-\\boxed{5}", "5"),
        ("$x = -\\boxed{5}$", "5"),
        ("$x = - \\boxed{5}$", "5"),
        ("$3 + \\boxed{5}$", "5"),
        ("$2\\cdot\\boxed{5}$", "5"),
        ("$1\\boxed{5}$", "5"),
        # 2. a power, factorial, subscript, constant, variable or operator after it
        ("\\boxed{5}^2", "5"),
        ("\\boxed{5}^{2}", "5"),
        ("$\\boxed{5}!$", "5"),
        ("\\boxed{5}! = 120", "5"),
        ("\\boxed{12}_8", "12"),
        ("\\boxed{5}\\pi", "5"),
        ("$\\boxed{2}\\sqrt{3}$", "2"),
        ("\\boxed{5}x", "5"),
        ("\\boxed{5} + 1", "5"),
        ("\\boxed{5} \\times 2", "5"),
        ("$\\boxed{5} \\cdot 2$", "5"),
        ("\\boxed{1}/2", "1"),
        ("$\\boxed{5}$^2", "5"),
        # 3. more digits of the same number outside the box
        ("\\boxed{5}0", "5"),
        ("\\boxed{0}.5", "0"),
        ("\\boxed{3},000", "3"),
        ("\\boxed{3}\\,000", "3"),
        # 4. the box inside a fraction, root or power
        ("$\\frac{\\boxed{5}}{2}$", "5"),
        ("$\\frac{1}{\\boxed{5}}$", "5"),
        ("$\\sqrt{\\boxed{25}}$", "25"),
        ("$10^{\\boxed{3}}$", "3"),
        # 5. a word that scales the number (the rule prose answers already had)
        ("\\boxed{3} thousand", "3"),
        ("$\\boxed{3}$ thousand", "3"),
        ("\\boxed{3}\\text{ million}", "3"),
        ("\\boxed{5} squared", "5"),
    ],
)
def test_mathematics_against_the_box_makes_another_answer(grade, response, reference):
    result = grade("math_answer", {}, response, reference)
    assert (result.value, result.error) == (0.0, "hedged")


@pytest.mark.parametrize(
    "response",
    [
        "The final answer is $5$^2",
        "The answer is $5$ + 1",
        "The answer is $5$ thousand.",
        "The answer is \\(5\\) thousand.",
        "The answer is $5$ squared.",
    ],
)
def test_mathematics_after_a_phrase_answer_makes_another_answer(grade, response):
    assert grade("math_answer", {}, response, "5").value == 0.0


@pytest.mark.parametrize(
    "response",
    [
        "\\boxed{5}",
        "$\\boxed{5}$.",
        "The answer is $\\boxed{5}$.",
        "**\\boxed{5}**",
        "\\textbf{\\boxed{5}}",
        "- \\boxed{5}",
        "Answer - \\boxed{5}",
        "$x = \\boxed{5}$",
        "x = \\boxed{5}, y = 6",
        "\\boxed{5}cm",
        "\\boxed{5} cm",
        "\\boxed{5}\\text{ cm}",
        "\\boxed{5} apples",
        "\\boxed{5}^\\circ",
        "$\\boxed{5}^{\\circ}$",
        "\\boxed{5}\\%",
        "\\boxed{5}, not 6.",
        "\\boxed{5} is the answer.",
        "So the answer is \\boxed{5}!",
        "\\boxed{5}! Great.",
        "\\boxed{5}\n\n2. The next question",
        "The answer is $5$, since $2 + 3 = 5$.",
    ],
)
def test_an_answer_standing_alone_still_pays(grade, response):
    assert grade("math_answer", {}, response, "5").value == 1.0


def test_a_correct_negative_answer_in_the_box_still_pays(grade):
    assert grade("math_answer", {}, "$x = \\boxed{-5}$", "-5").value == 1.0
    assert grade("math_answer", {}, "\\boxed{5}", "-5").value == 0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("= \\boxed{5}.", False),
        ("= -\\boxed{5}.", True),
        ("= \\boxed{5}0.", True),
        ("\\sqrt{\\boxed{5}}", True),
    ],
)
def test_changes_answer_looks_at_both_sides_of_a_box(text, expected):
    start = text.index("\\boxed")
    end = text.index("}", start) + 1
    assert changes_answer(text, start, end, boxed=True) is expected


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        # an operator written as words, with its operand (lead review, after the audit)
        ("\\boxed{5} over 2", "5"),
        ("\\boxed{5} divided by 2", "5"),
        ("The answer is $5$ times 2.", "5"),
        ("\\boxed{5} times $2$", "5"),
        ("The answer is $\\frac12$ of 10.", "\\frac12"),
        ("\\boxed{5}\\% of 20", "5"),
        ("\\boxed{2} to the power 3", "2"),
        ("\\boxed{2} to the third power", "2"),
        ("\\boxed{10} in base 2", "10"),
        ("\\boxed{5} mod 3", "5"),
        # a word naming another value of the answer
        ("\\boxed{5} reciprocal", "5"),
        ("\\boxed{5} inverse", "5"),
        # a second value after a comma or semicolon: a hedge
        ("\\boxed{4}, 6", "4"),
        ("\\boxed{4}; 6", "4"),
        ("\\boxed{4}, 6 and 8", "4"),
    ],
)
def test_worded_operations_and_trailing_values_are_another_answer(grade, response, reference):
    assert grade("math_answer", {}, response, reference).value == 0.0


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        ("x = \\boxed{5}, y = 6", "5"),
        ("\\boxed{5} hours, 6 minutes", "5"),
        ("\\boxed{3} times a week", "3"),
        ("\\boxed{5} of them", "5"),
        ("\\boxed{5}, which is prime.", "5"),
        ("She needs \\boxed{18} apples, 9 per day", "18"),
    ],
)
def test_words_and_clauses_that_leave_the_answer_alone_still_pass(grade, response, reference):
    assert grade("math_answer", {}, response, reference).value == 1.0


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        # review: LaTeX spacing between the box and the mathematics against it
        ("$-\\,\\boxed{5}$", "5"),
        ("$-~\\boxed{5}$", "5"),
        ("$-\\!\\boxed{5}$", "5"),
        ("-{\\boxed{5}}", "5"),
        ("$2\\,\\boxed{5}$", "5"),
        ("\\boxed{5}\\,\\times 2", "5"),
        ("\\boxed{5}~\\times 2", "5"),
        ("\\boxed{5}\\,\\cdot\\,2", "5"),
        ("\\boxed{5}\\!^2", "5"),
        ("\\boxed{5}{}^2", "5"),
        ("\\boxed{5}\\;\\text{thousand}", "5"),
        ("\\boxed{5}~thousand", "5"),
        ("\\boxed{5}\\ \\text{thousand}", "5"),
        ("\\boxed{5}\\quad\\times 2", "5"),
        ("\\boxed{5}\\hspace{1pt}\\times 2", "5"),
        ("\\boxed{5}\\enspace\\cdot 2", "5"),
        ("\\boxed{5}\\mkern2mu^2", "5"),
        ("$\\boxed{5}\\phantom{x}^2$", "5"),
        ("\\boxed{5}\\text{ }\\times 2", "5"),
        ("\\boxed{5}\\displaystyle\\times2", "5"),
        ("$-\\hspace{2pt}\\boxed{5}$", "5"),
        # review: a closing bracket between the box and an operator
        ("$(\\boxed{5})^2$", "5"),
        ("$\\left(\\boxed{5}\\right)^2$", "5"),
        ("$\\left.\\boxed{5}\\right.^2$", "5"),
        ("$\\bigl(\\boxed{5}\\bigr)^2$", "5"),
        ("\\text{so \\boxed{3}} thousand", "3"),
        # review: operators the rules missed
        ("\\boxed{5} * 2", "5"),
        ("\\boxed{5}*2", "5"),
        ("$2*\\boxed{5}$", "5"),
        ("\\boxed{5} x 2", "5"),
        ("\\boxed{5}\u00b2", "5"),
        ("\\boxed{3}:1", "3"),
        ("$\\boxed{5}\\over 2$", "5"),
        ("$\\boxed{5}\\bmod 3$", "5"),
        # review: a function, constant or factor right before the box
        ("$\\sqrt\\boxed{25}$", "25"),
        ("$\\frac\\boxed{5}2$", "5"),
        ("$\\ln\\boxed{5}$", "5"),
        ("$\\sin \\boxed{30}$", "30"),
        ("$\\pi\\boxed{5}$", "5"),
        ("$\\pm\\boxed{5}$", "5"),
        ("$x\\boxed{5}$", "5"),
        ("$\\tfrac{1}{2}\\boxed{10}$", "10"),
        ("$\\frac{1}{2} \\boxed{10}$", "10"),
        ("$\\sqrt{2}\\boxed{5}$", "5"),
        ("$x^{2}\\boxed{5}$", "5"),
        ("$\\left|\\boxed{-5}\\right|$", "-5"),
        # review: a relation other than equality, a sign that hedges, an imaginary unit, a function
        ("$x\\neq\\boxed{5}$", "5"),
        ("$x > \\boxed{5}$", "5"),
        ("$x\\geq\\boxed{5}$", "5"),
        ("$\\boxed{5} \\le x$", "5"),
        ("$\\boxed{5} < x$", "5"),
        ("$\\neg\\boxed{5}$", "5"),
        ("$\\boxed{5}\\pm 1$", "5"),
        ("$\\boxed{5}\\mp1$", "5"),
        ("$\\boxed{5}\\,i$", "5"),
        ("$\\boxed{5}\\mathrm{i}$", "5"),
        ("$\\ln(\\boxed{5})$", "5"),
        ("$\\sin\\left(\\boxed{30}\\right)$", "30"),
        ("$\\lfloor\\boxed{5.5}\\rfloor$", "5.5"),
        ("$0.\\overline{\\boxed{5}}$", "5"),
        ("$\\sqrt[\\boxed{3}]{8}$", "3"),
    ],
)
def test_spacing_brackets_and_factors_do_not_hide_another_answer(grade, response, reference):
    assert grade("math_answer", {}, response, reference).value == 0.0


@pytest.mark.parametrize(
    "response",
    [
        # review: a new paragraph after the box is not written against it
        "\\boxed{5}\n\nNo other value works.",
        "\\boxed{5}\n\nHalf of the work was the setup.",
        "\\boxed{5}\n\nNone of the other options fit.",
        "\\boxed{5}\n\nIn base 10 this is five.",
        "\\boxed{5}\n\nOf 10 tries, all agree.",
        # review: a markdown bullet after a line that ends in a number
        "Total: 12\n- \\boxed{5}",
        "x = 3 + 2\n- \\boxed{5}",
        # review: a sentence after a dash, zero decimals, spacing before units
        "\\boxed{5} - I hope it is correct.",
        "\\boxed{5} - a prime.",
        "The total is \\$\\boxed{5}.00",
        "\\boxed{5}\\,\\text{cm}^2",
        "\\boxed{5}~\\text{cm}",
        "(\\boxed{5})",
        "(\\boxed{5}).",
        "$\\boxed{5}$\\\\ 3",
        "\\boxed{5}\\quad\\text{(answer)}",
        "\\boxed{5}\\quad\\text{cm}",
        "x = 3,\\quad y = \\boxed{5}",
        "\\boxed{5}\\hspace{1em}.",
        "<answer>\\boxed{5}</answer>",
        "<answer> \\boxed{5} </answer>",
        "> \\boxed{5}",
        "\\boxed{5} i.e. five",
        "\\boxed{5} i think",
    ],
)
def test_common_correct_forms_still_pay(grade, response):
    assert grade("math_answer", {}, response, "5").value == 1.0


@pytest.mark.parametrize(
    "response",
    [
        "\\boxed{5}\\text{k}",
        "\\boxed{5}\\mathrm{e}3",
        "\\boxed{5} \\operatorname{mod} 3",
        "\\boxed{5}\\mathord{\\times}2",
    ],
)
def test_a_wrapper_right_against_the_answer_is_read_as_its_content(grade, response):
    assert grade("math_answer", {}, response, "5").value == 0.0


@pytest.mark.parametrize(
    "response",
    ["\\boxed{5}\\text{ cm}", "\\boxed{5}\\text{cm}", "\\boxed{5} \\text{apples}", "\\boxed{5}\\text{.}"],
)
def test_a_unit_or_punctuation_in_a_wrapper_still_passes(grade, response):
    assert grade("math_answer", {}, response, "5").value == 1.0


@pytest.mark.parametrize(
    "response",
    [
        "\\boxed{5}\\textbf{k}",
        "\\boxed{5}\\textit{k}",
        "\\boxed{5}\\mathbf{e}3",
        "\\boxed{5}\\mathsf{k}",
        "\\boxed{5}\\boldsymbol{\\times}2",
        "\\boxed{5}\\textnormal{k}",
        "\\boxed{5}\\hbox{k}",
        "\\boxed{5}\\ensuremath{^2}",
        "\\boxed{5}\\text{{k}}",
        "\\boxed{5}{\\text{k}}",
        "\\boxed{5}{\\rm k}",
        "\\boxed{5}\\mathrm{{}^2}",
        "\\boxed{5}\\text{ times 2}",
        "\\boxed{5}\\textrm{ }^2",
        "\\text{-}\\boxed{5}",
        "\\mathbin{-}\\boxed{5}",
        "{-}\\boxed{5}",
        "\\text{1}\\boxed{5}",
        "2\\mathbin{\\times}\\boxed{5}",
        "\\text{x}\\boxed{5}",
    ],
)
def test_other_wrappers_nested_groups_and_wrappers_before_the_box_are_read_as_their_content(grade, response):
    # found in review: each scored 1.0 (the wrapper list knew \text, \mathrm, \operatorname, \math{ord,bin,
    # rel,op} after the box only, one level deep, and not with a space inside)
    assert grade("math_answer", {}, response, "5").value == 0.0


@pytest.mark.parametrize(
    "response",
    [
        "\\boxed{5}\\textbf{cm}",
        "\\boxed{5}\\text{ apples}",
        "\\boxed{5}\\text{ and that is all}",
        "The answer is \\text{ }\\boxed{5}",
        "\\textbf{Final Answer}\n\\boxed{5}",
        "\\frac{1}{2}\\cdot 10 = \\boxed{5}",
        "\\boxed{5}\\text{ (in cm)}",
    ],
)
def test_wrapped_words_and_labels_around_the_answer_still_pass(grade, response):
    assert grade("math_answer", {}, response, "5").value == 1.0


def test_a_new_sentence_on_the_next_line_leaves_the_answer_alone(grade):
    # "None" read as a denial across the line break: a correct answer scored 0 (hedged)
    assert grade("math_answer", {}, "\\boxed{5}\nNone of the others work.", "5").value == 1.0
    assert grade("math_answer", {}, "\\boxed{5}\nthousand", "5").value == 0.0
