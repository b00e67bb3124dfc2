"""Grading a batch on a thread pool within a wall-clock budget (slow graders: LLM judge, code tests)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from rft_runtime.rewards.core import Sample, Score, failed

_LOG = logging.getLogger(__name__)


def batch_deadline(budget_seconds: float, deadline: float | None, clock: Callable[[], float]) -> float:
    """The earlier of ``now + budget_seconds`` and the caller's ``deadline`` (``clock()`` instants)."""
    own = clock() + budget_seconds
    return own if deadline is None else min(own, deadline)


def run_bounded(
    score: Callable[[Sample], Score],
    samples: Sequence[Sample],
    *,
    max_workers: int,
    deadline: float,
    exhausted_tag: str,
    clock: Callable[[], float] = time.monotonic,
) -> list[Score]:
    """``score`` every sample on up to ``max_workers`` threads, in input order, never raising.

    A sample not started by ``deadline`` scores 0 with ``exhausted_tag``; an exception scores 0 with
    ``grader-exception``. Work already started is not interrupted (bound it with its own timeout).
    """

    def task(sample: Sample) -> Score:
        if clock() >= deadline:
            return failed(exhausted_tag)
        try:
            return score(sample)
        except Exception:
            _LOG.exception("grading sample %r raised", sample.id)
            return failed("grader-exception")

    if max_workers <= 1 or len(samples) <= 1:
        return [task(sample) for sample in samples]
    with ThreadPoolExecutor(
        max_workers=min(max_workers, len(samples)), thread_name_prefix="rft-grade"
    ) as pool:
        return list(pool.map(task, samples))
