"""``math_answer``: the response's final answer must equal the reference (RLVR for math).

Plain numbers (GSM8K style: ``42``, ``$1,200``, ``3/4``, ``25%``) are compared as numbers, fast.
Anything else (competition math: ``\\frac{\\sqrt{2}}{2}``, ``2\\pi``, intervals, sets, tuples,
equations, matrices, choice letters; see :mod:`rft_runtime.rewards.mathexpr.compare`) is compared
symbolically, on both sides: a reference or an answer that is not a plain number is never reduced to
a number inside it.

Options (all optional):

- ``tolerance``: relative tolerance. Default: none for numbers written exactly (a decimal, a
  fraction, a percent: ``1000000000.5`` is not ``1000000000``; with any tolerance it would be paid
  as a midpoint for either neighbour of a large integer) and ``1e-9`` for values only computed
  (``\\sqrt{2}`` against ``2^{1/2}``). Set it when answers may be rounded, e.g. ``0.01``. Two
  integers always compare exactly (``1000000001`` is not ``1000000000``); a tolerance applies to
  the rest.
- ``abs_tolerance``: absolute tolerance, default ``0`` (relative only: ``0`` is not ``6.626e-34``;
  before 0.x it was ``1e-9``, which paid ``0`` for any reference smaller than that). Set it when
  references near zero are measurements.
- ``fallback``: ``"single"`` (default) accepts an unmarked response holding exactly one distinct
  number (or, for a symbolic reference, a short response that is one answer); ``"none"`` requires
  ``#### x``, ``\\boxed{x}`` or "answer is x".
- ``budget_ms``: time allowed for the symbolic work on one sample (comparing its marked answers with
  each other and the final one with the reference), default ``50`` (1-10000), in CPU time of the
  grading thread (a busy or throttled host does not use it up). It is checked
  cooperatively (works on any thread) and exact numbers are capped at 4096 bits, so ``10^{10^{10}}``
  or ``1000!`` end at once.

Dataset field: ``reference_answer`` (a number, a string such as ``"42"``, ``"$1,200"``,
``"\\frac{\\sqrt{2}}{2}"``, ``"(-\\infty, 2]"``, ``"x \\le 2"``, a worked solution ending in ``#### 42``
or with a last ``\\boxed{...}``, or ``{"answer": ...}``).

Score: 1.0 when equal, else 0.0. Components: ``correct``, ``marked`` (the answer used a marker).
Error tags: ``no-answer`` (none, or one that is not mathematics), ``hedged`` (several values offered),
``unmarked`` (several numbers and no marker), ``too-complex`` (the comparison ran out of its budget),
``bad-reference``.

Example::

    {"template": "math_answer", "options": {"tolerance": 0.01}}
    # response "... so she pays $1,250.00.\\n#### 1250"  reference "1250"      -> 1.0
    # response "#### 1250 or 1300"                                            -> 0.0 (hedged)
    # response "Final Answer: The final answer is $\\frac{1}{\\sqrt2}$."
    #                                          reference "\\frac{\\sqrt2}{2}"  -> 1.0
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from rft_runtime.rewards.core import Sample, Score, failed, reference_answer
from rft_runtime.rewards.mathexpr.extract import final_answer
from rft_runtime.rewards.mathexpr.tolerance import Tolerance
from rft_runtime.rewards.memo import Memo
from rft_runtime.rewards.numeric import (
    Number,
    candidates,
    exact_candidates,
    integer,
    leading_number,
    plain_number,
    reference_text,
    same_plain_value,
    single_unmarked,
)
from rft_runtime.rewards.options import choice, number, option

NAME = "math_answer"
#: A reference that is only a word of two or more letters is text, never read as mathematics.
_WORD = re.compile(r"[A-Za-z]{2,}")
#: Longest unmarked response read as one symbolic answer (fallback "single").
_MAX_UNMARKED_ANSWER = 200


@dataclass(frozen=True)
class Options:
    """Options of ``math_answer`` (defaults in the module docstring)."""

    tolerance: float | None = option(None, rule=number(0.0, 1.0, optional=True))
    abs_tolerance: float = option(0.0, rule=number(0.0))
    fallback: str = option("single", rule=choice("single", "none"))
    budget_ms: float = option(50.0, rule=number(1.0, 10000.0))


def required_fields(options: Options) -> tuple[str, ...]:
    """``math_answer`` needs ``reference_answer``."""
    return ("reference_answer",)


class Gold(NamedTuple):
    """A usable reference: its answer ``text`` and, when that is a plain number, the ``number``."""

    text: str
    number: Number | None


class Grader:
    """Compares the final answer with the reference: as numbers when both are plain, else symbolically."""

    name = NAME

    def __init__(self, options: Options, clock: Callable[[], float] = time.thread_time, **deps: Any) -> None:
        self.options = options
        self._seconds = options.budget_ms / 1000.0
        self._clock = clock
        self._gold = Memo(self._read_reference)
        self._symbolic_gold = Memo(self._prepare_gold)
        rel, absolute = options.tolerance, options.abs_tolerance
        #: No tolerance set: numbers written exactly compare exactly (see the module docstring).
        self._exact_numbers = rel is None and absolute == 0.0
        self._tolerance = Tolerance(absolute=absolute) if rel is None else Tolerance(rel, absolute)
        self._close = lambda got, want: math.isclose(
            got, want, rel_tol=self._tolerance.relative, abs_tol=absolute
        )

    # -- references ---------------------------------------------------------------------------
    def _read_reference(self, reference: object) -> Gold | None:
        text = reference_text(reference)
        if text is None:
            return None
        number = plain_number(text)
        if number is not None:
            return Gold(text, number)
        if _WORD.fullmatch(text.strip()):
            return None  # "No", "yes", "Paris": words, not a product of one-letter variables
        return Gold(text, None) if self._symbolic_gold(text) is not None else None

    def _budget(self) -> Any:
        """A fresh time budget for one symbolic comparison (``budget_ms``, on this grader's clock)."""
        from rft_runtime.rewards.mathexpr.budget import Budget

        return Budget(self._seconds, self._clock)

    def _prepare_gold(self, text: str) -> Any:
        """The reference prepared for symbolic comparison (None when it is not mathematics we read)."""
        from rft_runtime.rewards.mathexpr import compare

        try:
            return compare.prepare(text, self._budget())
        except (compare.ParseError, compare.TooComplex):
            return None

    def gold(self, reference: object) -> Gold | None:
        """The usable reading of ``reference``, or None (``bad-reference``)."""
        return self._gold(reference) if isinstance(reference, str) else self._read_reference(reference)

    # -- comparing ----------------------------------------------------------------------------
    def _sample_budget(self, shared: list[Any]) -> Any:
        """The one budget of the sample being graded (``shared`` holds it once made)."""
        if not shared:
            shared.append(self._budget())
        return shared[0]

    def _same(self, first: str, second: str, shared: list[Any]) -> bool:
        """Whether two marked answers of one response name the same value (on the sample's budget)."""
        if same_plain_value(first, second):
            return True
        from rft_runtime.rewards.mathexpr import compare

        within = self._sample_budget(shared)
        try:
            return compare.equivalent(compare.prepare(first, within), compare.prepare(second, within), within)
        except (compare.ParseError, compare.TooComplex):
            return False

    def _numeric(self, got: Number, want: Number) -> bool:
        both_exact = got.exact is not None and want.exact is not None
        if both_exact and (self._exact_numbers or (integer(got.exact) and integer(want.exact))):
            if got.percent == want.percent:  # equal as written, never "close"
                return got.exact == want.exact
            return any(g == w for g in exact_candidates(got) for w in exact_candidates(want))
        if got.percent != want.percent:  # a sign on one side only: 25% is 25 or 0.25 (both signs: as written)
            return any(self._close(g, w) for g in candidates(got) for w in candidates(want))
        return self._close(got.value, want.value)

    def _symbolic(self, gold: Gold, text: str, shared: list[Any]) -> tuple[bool, str | None]:
        """(correct, error tag) of a symbolic comparison under the sample's time budget."""
        from rft_runtime.rewards.mathexpr import compare

        prepared_gold = self._symbolic_gold(gold.text)
        if prepared_gold is None:
            return False, "bad-reference"
        within = self._sample_budget(shared)
        try:
            answer = compare.prepare(text, within)
            return compare.equivalent(prepared_gold, answer, within, self._tolerance), None
        except compare.TooComplex:
            return False, "too-complex"
        except compare.ParseError:
            return False, "no-answer"

    def score(self, sample: Sample) -> Score:
        """1.0 when the response's final answer equals the reference's, else 0.0 (with a tag)."""
        gold = self.gold(reference_answer(sample.reference))
        if gold is None:
            return failed("bad-reference")
        shared: list[Any] = []  # one time budget for everything symbolic about this sample
        final = final_answer(sample.response, lambda first, second: self._same(first, second, shared))
        marked = 1.0 if final.marked else 0.0
        text = final.text
        if text is None:
            if final.marked or self.options.fallback == "none":
                return Score(0.0, {"correct": 0.0, "marked": marked}, final.tag)
            if gold.number is not None:
                unmarked = single_unmarked(sample.response)
                if unmarked.number is None:
                    return Score(0.0, {"correct": 0.0, "marked": 0.0}, unmarked.tag)
                value = 1.0 if self._numeric(unmarked.number, gold.number) else 0.0
                return Score(value, {"correct": value, "marked": 0.0})
            text = sample.response.strip()
            if not text or len(text) > _MAX_UNMARKED_ANSWER:
                return Score(0.0, {"correct": 0.0, "marked": 0.0}, "no-answer" if not text else "unmarked")
        got = plain_number(text) if gold.number is not None else None
        if got is not None and gold.number is not None:
            correct, tag = self._numeric(got, gold.number), None
        else:
            correct, tag = self._symbolic(gold, text, shared)
            prose = leading_number(text) if tag == "no-answer" and gold.number is not None else None
            if prose is not None and gold.number is not None:
                correct, tag = self._numeric(prose, gold.number), None
        value = 1.0 if correct else 0.0
        return Score(value, {"correct": value, "marked": marked}, tag)
