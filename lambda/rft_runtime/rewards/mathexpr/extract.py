"""Where the final answer is in a response, and whether it is one answer or a hedge.

Marked answers, in text order: ``#### <answer>`` (rest of the line), ``\\boxed{...}`` / ``\\fbox{...}``
(balanced braces; an unclosed box runs to the end), and answer phrases ("answer is ...",
"Answer: ...", "final answer = ...", Minerva's "Final Answer: The final answer is $...$"), whose answer
is the following ``$...$`` / ``\\(...\\)`` / ``\\[...\\]`` or the rest of the sentence.

Before the last ``####`` line only ``####`` answers are read (GSM8K style: what precedes the final
``####`` is working). The **last** marked answer counts. When an earlier marked answer differs from
it, the later one is a correction only if a correction word (wait, actually, mistake, error, wrong,
instead, recheck, ...) stands between them; otherwise the response offered two answers and is a
hedge. A last answer that names alternatives ("4 or 6", "either", "maybe", ``\\pm``; "or" between
inequalities, ``x < 1 \\text{ or } x > 3`` or ``$x < 1$ or $x > 3$``, is one set) or, outside a
box, a range ("4-5", "4 to 5") is a hedge too, and so is a different value offered right after it
("$4$ or $6$", "\\boxed{4} or maybe 6", "\\boxed{4} (or 6)", "\\boxed{4} and 6", "4 otherwise 6"),
and so is a last answer that the rest of its sentence denies ("\\boxed{4} is wrong"), or that
mathematics written against its box or ``$...$`` makes another value (``-\\boxed{5}``, ``\\boxed{5}^2``,
``\\boxed{5}0``, ``\\boxed{3} thousand``, ``\\frac{\\boxed{5}}{2}``; see :mod:`.surroundings`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from rft_runtime.rewards.mathexpr.surroundings import changes_answer

_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_PHRASE = re.compile(
    r"\b(?:final\s+answer\s*:\s*(?:the\s+final\s+answer\s+is\b\s*:?)?"
    r"|(?:final\s+)?answer\b\s*(?:\*\*|__)?\s*(?:is\b\s*:?|[:=]))\s*(?:\*\*|__)?\s*",
    re.IGNORECASE,
)
#: Where an answer phrase's sentence ends; the dots of an ellipsis (``5 ... 6``, ``5…``) end none.
_SENTENCE_END = re.compile(r"\n|[;!?](?=\s|$)|(?<!\.)\.(?=\s|$)|\s\(")
_CLOSERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))
_CORRECTION = re.compile(
    r"\b(?:wait|actually|oops|mistake|error|wrong|incorrect|correct(?:ion|ed|ing)?|instead|re-?check\w*"
    r"|revis\w*|hmm|no,)",
    re.IGNORECASE,
)
_HEDGE = re.compile(r"\b(?:or|either|maybe|perhaps|possibly|between)\b|\\pm\b|\\mp\b|±", re.IGNORECASE)
#: "or" between inequalities (``x < 1 \\text{ or } x > 3``) joins them into one set, not alternatives.
_OR = re.compile(r"\\text\s*\{\s*or\s*\}|\bor\b")
_INEQUALITY_SIGN = r"[<>\u2264\u2265]|\\[lg](?:eq?q?|eqslant|t)(?![A-Za-z])"
_COMPARISON = re.compile(_INEQUALITY_SIGN)
#: An equation or inequality offered as an alternative (``x = 3``, ``x \\ge \\frac{1}{2}``, ``2 < x \\le 5``):
#: signs, each followed by one number, letter or command with its arguments.
_OPERAND = r"[-+\u2212]?\s*(?:\d[\d,./]*|\\?[A-Za-z]+(?:\s*\{[^{}\n]{0,40}\})*)"
_STATEMENT = rf"(?:\s*(?:=|{_INEQUALITY_SIGN})\s*{_OPERAND})+"
_RANGE = re.compile(r"\s*[$€£¥₹]?\s*-?\d(?:,\d{3}|\d)*(?:\.\d+)?\s*(?:-|\u2013|to\b)\s*[$€£¥₹]?\s*\d")
#: Right after the final answer: "or 5", ", or possibly $5$", "or maybe \\boxed{5}", "(or 6)", "and 6",
#: "otherwise 6", "\\text{ or } 6", "or x = 3", "or maybe x \\ge 2", "or equivalently 2 < x" (the
#: alternative follows; one that names the same value is no hedge).
_ALTERNATIVE = re.compile(
    r"[\s$]*[,;]?\s*\(?\s*(?:\\text\s*\{\s*)?(?:or|and|else|otherwise|alternatively|maybe|perhaps|possibly)\b"
    r"\s*\}?\s*(?:(?:maybe|perhaps|possibly|even|equivalently)\s+)?"
    r"(?:\$([^$]{1,200})\$|\\boxed\s*\{([^{}]{1,200})\}"
    rf"|([-+\u2212]?\d[\d,./]*(?:{_STATEMENT})?|[A-Za-z]{_STATEMENT}))",
    re.IGNORECASE,
)
#: The rest of the final answer's sentence denies it: "\\boxed{5} is wrong", "$5$ (incorrect)",
#: "5 is not the answer" (a negation before another value, "\\boxed{5}, not 6", denies that value).
_RETRACTION = re.compile(
    r"[^.!?\n]{0,80}?(?<!\w)(?:not|never|wrong|incorrect|false|(?:is|was)n['\u2019]?t)(?!\w)"
    r"(?!\W{0,3}[-+\u2212\d$\\])",
    re.IGNORECASE,
)
_MEANINGFUL = re.compile(r"[\d\\∞π√]|^\W*[A-Za-z]\W*$|^\W*[A-Za-z]\s*=")
_MAX_PHRASE = 300
#: Only the last this many marked answers are looked at (an answer spammed 500 times is one answer).
MAX_MARKED = 32


class Final(NamedTuple):
    """The final answer: its ``text`` (None when there is none), whether a marker was found
    (``marked``) and why there is no answer (``tag``: ``no-answer`` or ``hedged``)."""

    text: str | None
    marked: bool
    tag: str | None = None


class _Marked(NamedTuple):
    start: int
    end: int
    text: str
    math: bool  # from a box or math delimiters (so ``4-5`` is arithmetic, not a range)


def _hashes(text: str) -> list[_Marked]:
    found = []
    start = text.find("####")
    while start >= 0:
        begin = start + 4
        end = text.find("\n", begin)
        end = len(text) if end < 0 else end
        found.append(_Marked(start, end, text[begin:end].strip(), False))
        start = text.find("####", end)
    return found


def _boxes(text: str, begin: int) -> list[_Marked]:
    """Every outermost box after ``begin`` (a box inside a box is part of the outer answer)."""
    found: list[_Marked] = []
    for match in _BOXED.finditer(text, begin):
        if found and match.start() < found[-1].end:
            continue
        depth, start = 1, match.end()
        for position in range(start, len(text)):
            char = text[position]
            depth += char == "{"
            depth -= char == "}"
            if depth == 0:
                found.append(_Marked(match.start(), position + 1, text[start:position].strip(), True))
                break
        else:
            found.append(_Marked(match.start(), len(text), text[start:].strip(), True))
    return found


#: A box right after an answer phrase, past spaces, math delimiters, markdown emphasis, the brace
#: that closes the phrase's own wrapper (``\\textbf{Answer:} \\boxed{5}``) and wrappers around the box
#: (``$\\textbf{\\boxed{5}}$``): the box is the answer, the phrase only announces it.
_BOX_FOLLOWS = re.compile(
    r"[\s$*_}:]*(?:\\(?:text|textbf|textit|mathbf|mathrm|bm|boldsymbol|mbox)\s*\{[\s$]*)*\\(?:boxed|fbox)"
)


def _phrase_segment(text: str, start: int, limit: int) -> tuple[int, str, bool] | None:
    """The answer after a phrase ending at ``start``: (end, text, in math delimiters), or None when a
    box follows or the rest of the sentence is not an answer (no digit, command or lone letter)."""
    rest = text[start:limit]
    if _BOX_FOLLOWS.match(rest):
        return None
    for opener, closer in _CLOSERS:
        if rest.startswith(opener):
            close = _unescaped(rest, closer, len(opener))
            if close > 0:
                return start + close + len(closer), rest[len(opener) : close].strip(), True
    end = _SENTENCE_END.search(rest, 1)
    length = end.start() if end else len(rest)
    segment = rest[:length].strip()
    return (start + length, segment, False) if _MEANINGFUL.search(segment) else None


def _unescaped(text: str, closer: str, start: int) -> int:
    """Index of the first ``closer`` at or after ``start`` not preceded by a backslash (-1 if none)."""
    found = text.find(closer, start)
    while found > 0 and text[found - 1] == "\\":
        found = text.find(closer, found + 1)
    return found


def _phrases(text: str, begin: int) -> list[_Marked]:
    matches = list(_PHRASE.finditer(text, begin))
    found = []
    for index, match in enumerate(matches):
        limit = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        segment = _phrase_segment(text, match.end(), min(limit, match.end() + _MAX_PHRASE))
        if segment is not None:
            found.append(_Marked(match.start(), *segment))
    return found


def _hedged(answer: _Marked) -> bool:
    if answer.text.replace(",", "").isdigit():  # the usual "#### 1,234": nothing to look for
        return False
    if _HEDGE.search(answer.text):
        return not _inequalities_joined(answer.text)
    return not answer.math and _RANGE.match(answer.text) is not None


def _inequalities_joined(text: str) -> bool:
    """Whether every "or" of ``text`` stands between two inequalities (and no other hedge word is
    there): ``x < 1 \\text{ or } x > 3`` is one answer, the union of both sets."""
    parts = _OR.split(text)
    return all(map(_COMPARISON.search, parts)) and not _HEDGE.search(" ".join(parts))


def _with_alternatives(
    text: str, last: _Marked, alternative: re.Match[str] | None, same: Callable[[str, str], bool]
) -> _Marked | None:
    """The final answer with what is offered right after it (``alternative``, the first match of
    :data:`_ALTERNATIVE`): the same answer restated changes nothing, inequalities joined by a plain
    "or" are one set (``$x < 1$ or $x > 3$``); None when anything else is offered (a hedge)."""
    while alternative is not None:
        offered = next(group for group in alternative.groups() if group is not None).strip()
        if not offered or same(offered, last.text):
            return last
        words = [word.lower() for word in _HEDGE.findall(alternative[0])]
        if words != ["or"] or not (_COMPARISON.search(offered) and _COMPARISON.search(last.text)):
            return None
        last = _Marked(last.start, alternative.end(), f"{last.text} \\text{{ or }} {offered}", last.math)
        alternative = _ALTERNATIVE.match(text, last.end)
    return last


def final_answer(text: str, same: Callable[[str, str], bool]) -> Final:
    """The final answer of ``text`` (rules in the module docstring); ``same(a, b)`` says whether two
    marked answers name the same value."""
    last_hashes = text.rfind("####")
    marked = _hashes(text) if last_hashes >= 0 else []
    begin = max(last_hashes, 0)
    if text.find("box", begin) >= 0:
        marked += _boxes(text, begin)
    if text.find("nswer", begin) >= 0 or text.find("NSWER", begin) >= 0:
        marked += _phrases(text, begin)
    if not marked:
        return Final(None, False, "no-answer")
    if len(marked) > 1:
        marked.sort()
        marked = marked[-MAX_MARKED:]
    last = marked[-1]
    if _hedged(last):
        return Final(None, True, "hedged")
    if not last.text:
        return Final(None, True, "no-answer")
    alternative = _ALTERNATIVE.match(text, last.end)
    if alternative is not None:  # rare: nothing more runs for a plain answer
        joined = _with_alternatives(text, last, alternative, same)
        if joined is None:
            return Final(None, True, "hedged")
        last = joined
    if _RETRACTION.match(text, last.end) is not None:
        return Final(None, True, "hedged")
    boxed = _BOXED.match(text, last.start) is not None
    if last.math and changes_answer(text, last.start, last.end, boxed=boxed):
        return Final(None, True, "hedged")
    for earlier in reversed(marked[:-1]):
        if not same(earlier.text, last.text):
            corrected = _CORRECTION.search(text, earlier.end, last.start) is not None
            return Final(last.text, True) if corrected else Final(None, True, "hedged")
    return Final(last.text, True)
