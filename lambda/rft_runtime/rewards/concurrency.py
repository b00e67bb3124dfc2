"""Grading a batch on a thread pool within a wall-clock budget (slow graders: LLM judge, code tests)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from rft_runtime.rewards.core import Score, failed

_LOG = logging.getLogger(__name__)
Item = TypeVar("Item")


def batch_deadline(budget_seconds: float, deadline: float | None, clock: Callable[[], float]) -> float:
    """The earlier of ``now + budget_seconds`` and the caller's ``deadline`` (``clock()`` instants)."""
    own = clock() + budget_seconds
    return own if deadline is None else min(own, deadline)


def run_bounded(
    score: Callable[[Item], Score],
    items: Sequence[Item],
    *,
    max_workers: int,
    deadline: float,
    exhausted_tag: str,
    clock: Callable[[], float] = time.monotonic,
) -> list[Score]:
    """``score`` every item (a sample, or what a grader prepared from one) on up to ``max_workers``
    threads, in input order, never raising.

    An item not started by ``deadline`` scores 0 with ``exhausted_tag``; an exception scores 0 with
    ``grader-exception``. Work already started is not interrupted (bound it with its own timeout).
    """

    def task(position: int) -> Score:
        if clock() >= deadline:
            return failed(exhausted_tag)
        try:
            return score(items[position])
        except Exception:
            _LOG.exception("grading batch item %d raised", position)
            return failed("grader-exception")

    if max_workers <= 1 or len(items) <= 1:
        return [task(position) for position in range(len(items))]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items)), thread_name_prefix="rft-grade") as pool:
        return list(pool.map(task, range(len(items))))
