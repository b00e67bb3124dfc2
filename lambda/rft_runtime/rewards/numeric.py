"""Finding the final numeric answer in a response, resisting hedges and number soup.

Number syntax: optional sign (``-``, ``+``, unicode minus U+2212), optional currency symbol
(``$ € £ ¥ ₹``), digits with optional thousands commas (``1,234``), decimals, scientific notation
(``1.2e3``), fractions (``3/4``, LaTeX ``\\frac{3}{4}``), mixed numbers (``2 3/4``) and an optional
percent sign (``25%``: read as 25, and also matches 0.25).

Where the answer is, in order of precedence (the first kind present decides):

1. ``#### <answer>`` lines: all of them must agree.
2. ``\\boxed{<answer>}``: all boxes must agree.
3. "answer is <n>", "Answer: <n>", "final answer = <n>": the last phrase followed by a number counts
   (one self-correction is fine); three or more different values are a hedge.
4. Unmarked text (fallback ``"single"``): accepted only when the whole response holds exactly one
   distinct number; several numbers without a marker score nothing (number soup).

A marked answer naming several values ("#### 4 or 5", "either 4 or 5") is a hedge and scores 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

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
_LATEX_NOISE = re.compile(r"\\[!,;:]|\{,\}|\\(?=[$%])")
_ANSWER_PHRASE = re.compile(
    r"\b(?:final\s+)?answer\b\s*(?:\*\*|__)?\s*(?:is\b\s*:?|[:=])\s*(?:\*\*|__)?", re.IGNORECASE
)
_PHRASE_END = re.compile(r"\n|[.;!?](?=\s|$)|\(")
_HEDGE_AFTER = re.compile(r"\s*(?:,?\s*(?:or|and)\b|/|\bto\b|\s-\s|-(?=\d))\s*[-+$€£¥₹]?\s?\d", re.IGNORECASE)
_HEDGE_BEFORE = re.compile(r"\b(?:either|between|maybe|perhaps|possibly)\b", re.IGNORECASE)
_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")


class Number(NamedTuple):
    """A parsed number: its ``value`` and whether it carried a percent sign."""

    value: float
    percent: bool


class Answer(NamedTuple):
    """The extraction result: ``number`` (None when there is no usable answer), ``marked`` (a marker
    was found) and ``tag`` (why there is no answer: ``no-answer``, ``hedged``, ``unmarked``)."""

    number: Number | None
    marked: bool
    tag: str | None = None


def _clean(text: str) -> str:
    """Unicode minus and spaces, LaTeX thin spaces, escaped ``$``/``%`` and ``\\frac`` made plain."""
    text = text.translate(_CLEAN)
    if "\\" in text or "{" in text:
        text = _LATEX_NOISE.sub("", text)
        text = _FRAC.sub(lambda m: f" {m[1]}{m[2]}/{m[3]}", text)
    return text


def _value(match: re.Match[str]) -> float | None:
    """The float value of one :data:`_NUMBER` match (None for a zero denominator or overflow)."""
    negative = match["sign"] == "-" or match["sign2"] == "-"
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


def numbers(text: str) -> list[Number]:
    """Every number in ``text``, in order."""
    plain = _PLAIN.fullmatch(text)
    if plain is not None:
        value = float(plain[2].replace(",", "") + (plain[3] or ""))
        return [Number(-value if plain[1] else value, False)] if value != _INFINITY else []
    found = []
    for match in _NUMBER.finditer(_clean(text)):
        value = _value(match)
        if value is not None and value == value and abs(value) != _INFINITY:
            found.append(Number(value, match["pct"] is not None))
    return found


def _single(values: list[Number]) -> Number | None:
    """The one value ``values`` agree on, or None when they name several (or none)."""
    if not values:
        return None
    first = values[0]
    return first if all(v.value == first.value for v in values[1:]) else None


def _segments_after(text: str, marker: str) -> list[str]:
    """The rest of each line that follows ``marker``."""
    segments = []
    start = text.find(marker)
    while start >= 0:
        start += len(marker)
        end = text.find("\n", start)
        segments.append(text[start:] if end < 0 else text[start:end])
        start = text.find(marker, start)
    return segments


def _boxes(text: str) -> list[str]:
    """The contents of every ``\\boxed{...}`` (balanced braces; an unclosed box runs to the end)."""
    contents = []
    for match in _BOXED.finditer(text):
        depth, start = 1, match.end()
        for position in range(start, len(text)):
            char = text[position]
            depth += char == "{"
            depth -= char == "}"
            if depth == 0:
                contents.append(text[start:position])
                break
        else:
            contents.append(text[start:])
    return contents


def _all_agree(segments: list[str]) -> Answer:
    """Every segment (a ``####`` line or a box) must name one value, the same in all of them."""
    values: list[Number] = []
    for segment in segments:
        values.extend(numbers(segment))
    if not values:
        return Answer(None, True, "no-answer")
    agreed = _single(values)
    return Answer(agreed, True, None if agreed else "hedged")


def _phrase_answer(text: str) -> Answer | None:
    """The answer named by "answer is ..." phrases, or None when no phrase is followed by a number."""
    chosen: Number | None = None
    distinct: set[float] = set()
    for match in _ANSWER_PHRASE.finditer(text):
        rest = text[match.end() : match.end() + 200]
        end = _PHRASE_END.search(rest)
        segment = _clean(rest[: end.start()] if end else rest)
        first = next((m for m in _NUMBER.finditer(segment) if _value(m) is not None), None)
        if first is None:
            continue
        if _HEDGE_BEFORE.search(segment, 0, first.start()) or _HEDGE_AFTER.match(segment, first.end()):
            return Answer(None, True, "hedged")
        chosen = Number(_value(first), first["pct"] is not None)  # type: ignore[arg-type]
        distinct.add(chosen.value)
    if chosen is None:
        return None
    return Answer(None, True, "hedged") if len(distinct) > 2 else Answer(chosen, True)


def extract_answer(text: str, *, fallback: str = "single") -> Answer:
    """The final numeric answer of ``text`` (see the module docstring for the rules).

    ``fallback``: ``"single"`` (default) accepts an unmarked response holding exactly one distinct
    number; ``"none"`` requires a marker.
    """
    if "####" in text:
        return _all_agree(_segments_after(text, "####"))
    if "boxed" in text or "fbox" in text:
        boxes = _boxes(text)
        if boxes:
            return _all_agree(boxes)
    if "nswer" in text or "NSWER" in text:
        phrase = _phrase_answer(text)
        if phrase is not None:
            return phrase
    if fallback == "none":
        return Answer(None, False, "no-answer")
    found = numbers(text)
    if not found:
        return Answer(None, False, "no-answer")
    agreed = _single(found)
    return Answer(agreed, False, None if agreed else "unmarked")


def reference_number(reference: object) -> Number | None:
    """The number a reference answer names: a number, a string (bare, or with the markers above), an
    object's ``answer`` / ``value`` / ``final_answer`` field, or a one-element list; else None."""
    if isinstance(reference, bool):
        return None
    if isinstance(reference, (int, float)):
        value = float(reference)
        return Number(value, False) if value == value and abs(value) != _INFINITY else None
    if isinstance(reference, str):
        return extract_answer(reference).number
    if isinstance(reference, Mapping):
        for key in ("answer", "value", "final_answer"):
            if key in reference:
                return reference_number(reference[key])
        return None
    if isinstance(reference, (list, tuple)) and len(reference) == 1:
        return reference_number(reference[0])
    return None


def candidates(number: Number) -> tuple[float, ...]:
    """The values a number may stand for: itself, and value/100 when written with a percent sign."""
    return (number.value, number.value / 100.0) if number.percent else (number.value,)
