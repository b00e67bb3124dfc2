"""Plain numbers in answers: reading them, and the final numeric answer of a response.

Number syntax: optional sign (``-``, ``+``, unicode minus U+2212), optional currency symbol
(``$ € £ ¥ ₹``), digits with optional thousands commas (``1,234``), decimals, scientific notation
(``1.2e3``), fractions (``3/4``, LaTeX ``\\frac{3}{4}``), mixed numbers (``2 3/4``) and an optional
percent sign (``25%``: read as 25, and also matches 0.25).

A *plain* answer (:func:`plain_number`) is one such number and nothing else but presentation:
math delimiters, ``\\text{...}`` words and trailing unit words (``12 apples``, ``5 cm``). ``3x``,
``2\\pi``, ``2^{10}``, ``5!`` or ``(1, 2)`` are not plain: they are compared symbolically
(:mod:`rft_runtime.rewards.mathexpr`), never reduced to a number inside them.

Where the answer is: see :mod:`rft_runtime.rewards.mathexpr.extract` (last marked answer, corrections,
hedges). Without a marker (fallback ``"single"``) a response counts only when it holds exactly one
distinct number and no mathematics around it (no LaTeX command, ``^``, ``3x``, ``5!``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from typing import NamedTuple

from rft_runtime.rewards.core import reference_answer
from rft_runtime.rewards.mathexpr.extract import final_answer
from rft_runtime.rewards.mathexpr.latex import THOUSANDS_SEPARATOR, unit_word, value_word

_NUMBER = re.compile(
    r"""
    (?<![\w.])
    (?P<sign>[-+])?
    (?:[$€£¥₹]\s?)?
    (?P<sign2>-)?
    (?:
        (?P<whole>\d+)\s(?P<mnum>\d+)/(?P<mden>\d+)(?![\d/])
      | (?P<num>\d+(?:\.\d+)?)\s?/\s?(?P<den>\d+(?:\.\d+)?)
      | (?P<dec>(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+)(?:[eE](?P<exp>[-+]?\d+))?
    )
    (?P<pct>\s?%)?
    """,
    re.VERBOSE,
)
_INFINITY = float("inf")
#: A lone plain number (the usual marked answer): parsed without the general pattern.
_PLAIN = re.compile(r"\s*(-?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*")
_FRAC = re.compile(r"([-+]?)\s*\\[dt]?frac\s*\{\s*([^{}]*?)\s*\}\s*\{\s*([^{}]*?)\s*\}")
_CLEAN = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_LATEX_NOISE = re.compile(r"\\[!,;:]|\\(?=[$%])")
#: Presentation around a plain answer: math delimiters.
_PRESENTATION = re.compile(r"\$|\\[()\[\]]")
#: ``\text{words}``: read as the words (a trailing unit is allowed, a word before the number is not).
_TEXT_WORDS = re.compile(r"\\(?:text|textbf|mathrm|mbox)\s*\{\s*([A-Za-z][A-Za-z .]*)\}")
_WORDS = re.compile(r"[A-Za-z]{2,}")
_UNIT_WORDS = re.compile(r"(?:\s+[A-Za-z]{2,}\.?)+")
#: Prose after a number: a word, then no digit and no mathematics (``18 apples, which she sells``).
_PROSE_AFTER = re.compile(r"[,;:]?\s+([A-Za-z]{2,})\b[^\d\\^=]*")
#: Mathematics next to a number in an unmarked response (``3x``, ``5!``, ``2^{10}``, LaTeX commands).
_SYMBOLIC_HINT = re.compile(r"[\\^√π]|\d[A-Za-z]\b|\d\s*!")


class Number(NamedTuple):
    """A parsed number: its ``value``, whether it carried a percent sign, and its ``exact`` value as
    written (an int or a fraction; None when it could not be read exactly), so two integers compare
    exactly."""

    value: float
    percent: bool
    exact: Fraction | int | None = None


class Answer(NamedTuple):
    """The extraction result: ``number`` (None when there is no usable answer), ``marked`` (a marker
    was found) and ``tag`` (why there is no answer: ``no-answer``, ``hedged``, ``unmarked``)."""

    number: Number | None
    marked: bool
    tag: str | None = None


def _clean(text: str) -> str:
    """Unicode minus and spaces, LaTeX thin spaces (removed as a thousands separator, else a space),
    escaped ``$``/``%`` and ``\\frac`` made plain."""
    text = text.translate(_CLEAN)
    if "\\" in text or "{" in text:
        text = _LATEX_NOISE.sub(" ", THOUSANDS_SEPARATOR.sub("", text)).replace("{,}", ",")
        text = _FRAC.sub(lambda m: f" {m[1]}{m[2]}/{m[3]}", text)
        text = _TEXT_WORDS.sub(r" \1 ", text)
    return text


def _negative(match: re.Match[str]) -> bool:
    """Whether a :data:`_NUMBER` match is negative: one minus sign (``-$5``, ``$-5``), not two (``--5``)."""
    return (match["sign"] == "-") != (match["sign2"] == "-")


def _value(match: re.Match[str]) -> float | None:
    """The float value of one :data:`_NUMBER` match (None for a zero denominator or overflow)."""
    negative = _negative(match)
    try:
        if match["dec"] is not None:
            value = float(match["dec"].replace(",", ""))
            if match["exp"] is not None:
                value *= 10.0 ** int(match["exp"])
        elif match["num"] is not None:
            value = float(match["num"]) / float(match["den"])
        else:
            value = int(match["whole"]) + int(match["mnum"]) / int(match["mden"])
    except (ZeroDivisionError, OverflowError, ValueError):
        return None
    return -value if negative else value


def _exact_value(match: re.Match[str]) -> Fraction | None:
    """The exact value of one :data:`_NUMBER` match (None when it cannot be read exactly)."""
    negative = _negative(match)
    try:
        if match["dec"] is not None:
            exponent = int(match["exp"]) if match["exp"] is not None else 0
            if abs(exponent) > 400:
                return None
            value = Fraction(match["dec"].replace(",", "")) * Fraction(10) ** exponent
        elif match["num"] is not None:
            value = Fraction(match["num"]) / Fraction(match["den"])
        else:
            value = int(match["whole"]) + Fraction(int(match["mnum"]), int(match["mden"]))
    except (ZeroDivisionError, ValueError):
        return None
    return -value if negative else value


def _plain(match: re.Match[str]) -> Number | None:
    """The :class:`Number` of one :data:`_PLAIN` match (None beyond floating point)."""
    written = match[2].replace(",", "") + (match[3] or "")
    value = float(written)
    if value == _INFINITY:
        return None
    exact = int(written) if match[3] is None else Fraction(written)
    return Number(-value, False, -exact) if match[1] else Number(value, False, exact)


def _number(match: re.Match[str]) -> Number | None:
    """The :class:`Number` of one :data:`_NUMBER` match, or None when it is unusable."""
    value = _value(match)
    if not _usable(value):
        return None
    return Number(value, match["pct"] is not None, _exact_value(match))  # type: ignore[arg-type]


def _usable(value: float | None) -> bool:
    return value is not None and value == value and abs(value) != _INFINITY


def numbers(text: str) -> list[Number]:
    """Every number in ``text``, in order."""
    plain = _PLAIN.fullmatch(text)
    if plain is not None:
        number = _plain(plain)
        return [number] if number is not None else []
    found = []
    for match in _NUMBER.finditer(_clean(text)):
        number = _number(match)
        if number is not None:
            found.append(number)
    return found


def plain_number(text: str) -> Number | None:
    """The number ``text`` states when it is a plain answer (see the module docstring), else None."""
    plain = _PLAIN.fullmatch(text)
    if plain is not None:
        return _plain(plain)
    cleaned = _PRESENTATION.sub(" ", _clean(text)).strip().rstrip(".").strip()
    match = _NUMBER.match(cleaned)
    if match is None:
        return None
    rest = cleaned[match.end() :]
    if rest and not (_UNIT_WORDS.fullmatch(rest) and all(map(unit_word, _WORDS.findall(rest)))):
        return None
    return _number(match)


def leading_number(text: str) -> Number | None:
    """The number a sentence-like answer starts with when only prose follows it ("18 apples, which
    she sells"); None when more numbers, any mathematics or a word that denies or changes it follow
    (``2 pi``, ``3 times 4``, ``5 is a lie``, ``5, which is wrong``)."""
    cleaned = _PRESENTATION.sub(" ", _clean(text)).strip().rstrip(".")
    match = _NUMBER.match(cleaned)
    if match is None:
        return None
    rest = _PROSE_AFTER.fullmatch(cleaned, match.end())
    if match.end() < len(cleaned) and (rest is None or not unit_word(rest[1]) or _denies(rest[0])):
        return None
    return _number(match)


def _denies(text: str) -> bool:
    """Whether prose around a number denies or changes it (``not``, ``wrong``, ``at most``, ``thousands``)."""
    return any(map(value_word, _WORDS.findall(text)))


def same_plain_value(first: str, second: str) -> bool:
    """Whether two answers are the same text or the same plain number."""
    if first.strip() == second.strip():
        return True
    a, b = plain_number(first), plain_number(second)
    if a is None or b is None:
        return False
    return a.exact == b.exact if a.exact is not None and b.exact is not None else a.value == b.value


def single_unmarked(text: str) -> Answer:
    """Fallback ``"single"``: the one distinct number of an unmarked response without mathematics
    around it nor words that deny or change it (``It is not 5.``); else a ``no-answer`` /
    ``unmarked`` tag."""
    found = numbers(text)
    if not found:
        return Answer(None, False, "no-answer")
    first = found[0]
    if _SYMBOLIC_HINT.search(text) or any(n.value != first.value for n in found[1:]) or _denies(text):
        return Answer(None, False, "unmarked")
    return Answer(first, False)


def extract_answer(text: str, *, fallback: str = "single") -> Answer:
    """The final answer of ``text`` as a plain number.

    ``fallback``: ``"single"`` (default) accepts an unmarked response holding exactly one distinct
    number (:func:`single_unmarked`); ``"none"`` requires a marker. A marked answer that is not plain
    gives ``no-answer`` here (the grader compares it symbolically instead).
    """
    final = final_answer(text, same_plain_value)
    if final.text is not None:
        number = plain_number(final.text)
        return Answer(number, True, None if number else "no-answer")
    if final.marked or fallback == "none":
        return Answer(None, final.marked, final.tag)
    return single_unmarked(text)


def reference_text(reference: object) -> str | None:
    """The answer a reference states, as text: a number, a string (its last marked answer, else the
    whole string), an object's answer field (:func:`rft_runtime.rewards.core.reference_answer`), or a
    one-element list; None for anything else, or a reference that hedges."""
    if isinstance(reference, bool):
        return None
    if isinstance(reference, int):
        return str(reference)
    if isinstance(reference, float):
        return repr(reference) if reference == reference and abs(reference) != _INFINITY else None
    if isinstance(reference, str):
        final = final_answer(reference, same_plain_value)
        if final.marked:
            return final.text
        return reference.strip() or None
    if isinstance(reference, Mapping):  # read by the one lookup every template uses
        answer = reference_answer(reference)
        return None if isinstance(answer, Mapping) else reference_text(answer)
    if isinstance(reference, (list, tuple)) and len(reference) == 1:
        return reference_text(reference[0])
    return None


def reference_number(reference: object) -> Number | None:
    """The number a plain-number reference names (see :func:`reference_text`); None when the reference
    is not a plain number (``\\frac{\\sqrt{2}}{2}``, ``2\\pi``, ``3x``) or unusable."""
    text = reference_text(reference)
    return None if text is None else plain_number(text)


def candidates(number: Number) -> tuple[float, ...]:
    """The values a number may stand for: itself, and value/100 when written with a percent sign."""
    return (number.value, number.value / 100.0) if number.percent else (number.value,)


def exact_candidates(number: Number) -> tuple[Fraction, ...]:
    """:func:`candidates` as exact fractions (empty when the number was not read exactly)."""
    if number.exact is None:
        return ()
    exact = Fraction(number.exact)
    return (exact, exact / 100) if number.percent else (exact,)


def integer(value: Fraction | int | None) -> bool:
    """Whether an exact value is a whole number."""
    return value is not None and value.denominator == 1
