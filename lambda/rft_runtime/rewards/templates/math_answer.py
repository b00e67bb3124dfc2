"""``math_answer``: the response's final number must equal the reference (RLVR for math word problems).

Options (all optional):

- ``tolerance``: relative tolerance, default ``1e-9``.
- ``abs_tolerance``: absolute tolerance, default ``1e-9``.
- ``fallback``: ``"single"`` (default) accepts an unmarked response holding exactly one distinct
  number; ``"none"`` requires ``#### n``, ``\\boxed{n}`` or "answer is n".

Dataset field: ``reference_answer`` (a number, a string such as ``"42"``, ``"$1,200"``, ``"3/4"`` or a
worked solution ending in ``#### 42``, or ``{"answer": ...}``).

Score: 1.0 when equal within tolerance, else 0.0. Components: ``correct``, ``marked`` (the answer
used a marker). Error tags: ``no-answer``, ``hedged`` (several values offered), ``unmarked`` (several
numbers and no marker), ``bad-reference``.

Example::

    {"template": "math_answer", "options": {"tolerance": 0.01}}
    # response "... so she pays $1,250.00.\\n#### 1250"  reference "1250"  -> 1.0
    # response "#### 1250 or 1300"                                        -> 0.0 (hedged)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rft_runtime.rewards.core import Sample, Score, failed, reference_answer
from rft_runtime.rewards.memo import Memo
from rft_runtime.rewards.numeric import Number, candidates, extract_answer, reference_number
from rft_runtime.rewards.options import choice, number, option

NAME = "math_answer"


@dataclass(frozen=True)
class Options:
    """Options of ``math_answer`` (defaults in the module docstring)."""

    tolerance: float = option(1e-9, rule=number(0.0, 1.0))
    abs_tolerance: float = option(1e-9, rule=number(0.0))
    fallback: str = option("single", rule=choice("single", "none"))


def required_fields(options: Options) -> tuple[str, ...]:
    """``math_answer`` needs ``reference_answer``."""
    return ("reference_answer",)


class Grader:
    """Compares the final numeric answer with the reference."""

    name = NAME

    def __init__(self, options: Options, **deps: Any) -> None:
        self.options = options
        self._parsed = Memo(reference_number)
        rel, absolute = options.tolerance, options.abs_tolerance
        self._close = lambda got, want: math.isclose(got, want, rel_tol=rel, abs_tol=absolute)

    def _reference(self, reference: object) -> Number | None:
        """The reference's number (string references are parsed once per grader)."""
        return self._parsed(reference) if isinstance(reference, str) else reference_number(reference)

    def score(self, sample: Sample) -> Score:
        """1.0 when the response's final number equals the reference's, else 0.0 (with a tag)."""
        expected = self._reference(reference_answer(sample.reference))
        if expected is None:
            return failed("bad-reference")
        answer = extract_answer(sample.response, fallback=self.options.fallback)
        marked = 1.0 if answer.marked else 0.0
        if answer.number is None:
            return Score(0.0, {"correct": 0.0, "marked": marked}, answer.tag)
        got, want = answer.number, expected
        if got.percent or want.percent:
            correct = any(self._close(g, w) for g in candidates(got) for w in candidates(want))
        else:
            correct = self._close(got.value, want.value)
        value = 1.0 if correct else 0.0
        return Score(value, {"correct": value, "marked": marked})
