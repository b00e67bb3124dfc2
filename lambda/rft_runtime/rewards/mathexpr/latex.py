"""LaTeX clean-up before parsing: one answer's text to a plain, parser-friendly form.

:func:`clean` removes what does not change the value (math delimiters, ``\\left``/``\\right``, spacing
commands, ``\\displaystyle``, thousands separators ``{,}`` / ``\\,``, currency signs, trailing unit words and
``\\text{units}``), maps synonyms to one spelling (``\\dfrac``/``\\tfrac`` to ``\\frac``, ``\\cdot`` and
``\\times`` to ``*``, ``\\leq`` / ``\\leqslant`` / ``\u2264`` to ``\\le`` and likewise ``\\ge``,
unicode pi, root, infinity, minus and times signs), and reports what it
stripped that matters for comparing: a percent sign and a degree sign. :func:`choice_letter` reads
multiple-choice answers.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_UNICODE = str.maketrans(
    {
        "\u2212": "-",
        "\u2013": "-",
        "\u00d7": "*",
        "\u22c5": "*",
        "\u00b7": "*",
        "\u00f7": "/",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u03c0": "\\pi ",
        "\u221e": "\\infty ",
        "\u221a": "\\sqrt",
        "\u222a": "\\cup ",
        "\u00b0": "\\circ ",
        "\u2264": "\\le ",
        "\u2265": "\\ge ",
    }
)
#: A thousands separator: ``\,``, ``\!`` or ``{,}`` between digits before a group of exactly three
#: (``1\,000``, ``1{,}000``). Elsewhere ``{,}`` is a decimal comma (``2{,}5``) and a thin space
#: separates two numbers (``2\,5``): neither is removed, so neither reads as ``25``.
THOUSANDS_SEPARATOR = re.compile(r"(?<=\d)(?:\\[,!]\s*|\{,\})(?=\d{3}(?!\d))")
_DELIMITERS = re.compile(r"\$|\\\(|\\\)|\\\[|\\\]")
_NOISE = re.compile(
    r"\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big|displaystyle|textstyle|quad|qquad)(?![a-zA-Z])"
    r"|(?<!\\)\\[!,;: ]|~"
)
_SYNONYMS = (
    (re.compile(r"\\[dt]frac(?![a-zA-Z])"), r"\\frac"),
    (re.compile(r"\\[dt]binom(?![a-zA-Z])"), r"\\binom"),
    (re.compile(r"\\(?:cdot|times|ast)(?![a-zA-Z])"), "*"),
    (re.compile(r"\\div(?![a-zA-Z])"), "/"),
    (re.compile(r"\\(?:l|r)?vert(?![a-zA-Z])|\\mid(?![a-zA-Z])"), "|"),
    (re.compile(r"\\langle(?![a-zA-Z])"), "("),
    (re.compile(r"\\rangle(?![a-zA-Z])"), ")"),
    (re.compile(r"\\(?:emptyset|varnothing)(?![a-zA-Z])"), r"\\{\\}"),
    (re.compile(r"\\(?:dots|ldots|cdots)(?![a-zA-Z])"), "..."),
    (re.compile(r"\\(?:leq?|leqslant|leqq)(?![a-zA-Z])"), r"\\le "),
    (re.compile(r"\\(?:geq?|geqslant|geqq)(?![a-zA-Z])"), r"\\ge "),
    (re.compile(r"\\lt(?![a-zA-Z])"), "<"),
    (re.compile(r"\\gt(?![a-zA-Z])"), ">"),
)
_DEGREE = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\circ(?![a-zA-Z])|\\degree(?![a-zA-Z])|\bdegrees?\b")
_PERCENT = re.compile(r"\\?%|\bpercent\b")
_CURRENCY = re.compile(r"\\\$|[€£¥₹]|\bUSD\b|\bdollars?\b|\bcents?\b")
_TEXT = re.compile(
    r"\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox|textnormal|operatorname)\s*\{([^{}]*)\}"
    r"(\s*\^\s*\{?\s*[23]\s*\}?)?"
)
_WORD = re.compile(r"[A-Za-z]{2,}")
#: A unit word inside ``\\text{}`` after a value at the end of an answer: a word, or one letter
#: (``5\\text{ m}``, ``3\\text{ s}``) other than ``i`` or a magnitude (``5\\text{k}`` is 5000; ``K``,
#: ``M``, ``B``, ``G``, ``T``).
_TEXT_UNIT = re.compile(r"[A-Za-z]{2,}|[AC-FH-JLN-SU-Za-hjl-z]")
_AND = re.compile(r"\s*\band\b\s*")
#: Words that are mathematics (or join or combine values), never a unit to strip.
MATH_WORDS = frozenset(
    [
        "pi",
        "e",
        "i",
        "sqrt",
        "sin",
        "cos",
        "tan",
        "sec",
        "csc",
        "cot",
        "arcsin",
        "arccos",
        "arctan",
        "sinh",
        "cosh",
        "tanh",
        "exp",
        "ln",
        "log",
        "inf",
        "infty",
        "infinity",
        "frac",
        "binom",
        "or",
        "and",
        "to",
        # words that change the number before them ("4 million", "4 plus one"): never a unit
        "plus",
        "minus",
        "squared",
        "cubed",
        "dozen",
        "hundred",
        "thousand",
        "million",
        "billion",
        "trillion",
    ]
)
#: Words that deny a number or change its value: negations (``5 is wrong``, ``5 isn't it``,
#: ``it is not 5``), signs and bounds (``5 negative``, ``5 at most``, ``5 less than x``), magnitudes
#: and fractions (``5 grand``, ``5 tenths``, ``5 factorial``). A plural counts as its singular
#: (``5 millions``).
VALUE_WORDS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nor",
        "neither",
        "isn",
        "aren",
        "wasn",
        "weren",
        "doesn",
        "don",
        "wrong",
        "incorrect",
        "false",
        "negative",
        "below",
        "than",
        "least",
        "most",
        "minimum",
        "maximum",
        "factorial",
        "grand",
        "lakh",
        "crore",
        "half",
        "halve",
        "third",
        "quarter",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "hundredth",
        "thousandth",
        "millionth",
    ]
)
#: A unit has no verb: ``5 is a lie`` is a claim about 5, not 5 of something.
_VERBS = frozenset(["is", "are", "was", "were", "be"])
#: Unit abbreviations read as units even when written against the number (``5cm``, ``3kg``). Any
#: other letters against a number are variables: ``6xy`` is not ``6``, nor ``2ab`` ``2``.
ATTACHED_UNITS = frozenset(
    [
        "mm",
        "cm",
        "dm",
        "km",
        "kg",
        "mg",
        "ml",
        "cl",
        "dl",
        "kl",
        "ft",
        "yd",
        "mi",
        "lb",
        "lbs",
        "oz",
        "hr",
        "hrs",
        "min",
        "mins",
        "sec",
        "secs",
        "ms",
        "ns",
        "sq",
    ]
)
_UNIT_TAIL = re.compile(
    r"(?:\s*(?:\^\s*\{?\s*[23]\s*\}?)?\s*[A-Za-z]{2,}\.?(?:\s*\^\s*\{?\s*[23]\s*\}?)?)+\s*$"
)
_CHOICE = re.compile(r"\s*(?:\\text[a-z]*\s*\{\s*)?\(?\s*([A-E])\s*\)?\s*\}?\s*((?:[:.)]\s*.*)?)", re.DOTALL)
#: Another choice letter standing alone after the first: ``(C)(D)``, ``C.D``, ``C: not C, it is D``.
_OTHER_CHOICE = re.compile(r"(?<![A-Za-z])[A-E](?![A-Za-z])")


class Cleaned(NamedTuple):
    """:func:`clean`'s result: the ``text`` to parse, and whether a ``percent`` / ``degree`` sign
    was removed."""

    text: str
    percent: bool
    degree: bool


def _among(word: str, words: frozenset[str]) -> bool:
    """Whether ``word`` or its singular (any case) is one of ``words``."""
    word = word.lower()
    return word in words or (word.endswith("s") and word[:-1] in words)


def value_word(word: str) -> bool:
    """Whether a word denies a number or changes its value (:data:`VALUE_WORDS`, or a plural)."""
    return _among(word, VALUE_WORDS)


def unit_word(word: str) -> bool:
    """Whether a word after a number may be dropped as a unit: no mathematics (:data:`MATH_WORDS`),
    no :func:`value_word` and no verb."""
    return not (value_word(word) or _among(word, MATH_WORDS) or word.lower() in _VERBS)


def _text_content(match: re.Match[str]) -> str:
    """``\\text{...}``: removed when it ends the answer after a value and holds only unit words (``8\\pi
    \\text{ square units}``); else its content as plain text, where a word keeps the answer from
    parsing (``\\text{not } 5`` is not 5, ``5\\text{ million}`` not 5)."""
    content = match[1].strip()
    ends_answer = not match.string[match.end() :].strip(" .") and match.string[: match.start()].strip()
    words = content.split()
    if ends_answer and words and all(_TEXT_UNIT.fullmatch(word) and unit_word(word) for word in words):
        return " "
    return f" {content}{match[2] or ''} "


def _strip_unit_tail(text: str) -> str:
    """Trailing unit words (``12 cm^2``, ``5 apples``, ``5cm``) removed; mathematics words, and
    letters written against the number that are no unit abbreviation (``6xy``), are kept."""
    tail = _UNIT_TAIL.search(text)
    if tail is None or tail.start() == 0:
        return text
    found = [word.lower() for word in _WORD.findall(tail[0])]
    if not all(map(unit_word, found)) or text[tail.start() - 1 : tail.start()].isalpha():
        return text
    if not tail[0][0].isspace() and found[0] not in ATTACHED_UNITS:
        return text
    return text[: tail.start()]


def clean(text: str) -> Cleaned:
    """``text`` with presentation removed (see the module docstring)."""
    text = THOUSANDS_SEPARATOR.sub("", text.translate(_UNICODE)).replace("{,}", ",")
    text = _DELIMITERS.sub(" ", text)
    text = _NOISE.sub(" ", text)
    for pattern, replacement in _SYNONYMS:
        if "\\" in text:
            text = pattern.sub(replacement, text)
    degree = _DEGREE.search(text) is not None
    if degree:
        text = _DEGREE.sub(" ", text)
    percent = _PERCENT.search(text) is not None
    if percent:
        text = _PERCENT.sub(" ", text)
    text = _CURRENCY.sub(" ", text)
    while "\\" in text and _TEXT.search(text):
        text = _TEXT.sub(_text_content, text)
    text = _AND.sub(",", _strip_unit_tail(text.strip().rstrip(".").strip()))
    return Cleaned(" ".join(text.split()), percent, degree)


def choice_letter(text: str) -> str | None:
    """The multiple-choice letter ``text`` names (``C``, ``(C)``, ``\\text{(C)}``, ``(C) 42``), or None
    (also when a second letter follows: ``(C)(D)`` names two)."""
    match = _CHOICE.fullmatch(_DELIMITERS.sub(" ", text).replace("\\textbf", "\\text"))
    return match[1] if match and not _OTHER_CHOICE.search(match[2]) else None
