"""A work budget for one symbolic comparison: CPU time of the grading thread and the size of exact numbers.

Checked cooperatively by the parser and the evaluator (no ``signal.alarm``), so it works on any
thread. The time is the thread's own CPU time (``time.thread_time``), not the wall clock: a
grader descheduled on a busy or throttled host (a Lambda below 1,769 MB has less than one vCPU),
or waiting for the GIL while other threads run, must not zero a correct answer as ``too-complex``;
a comparison that really computes is stopped all the same. A single arithmetic step is bounded
before it runs (``10^{10^{10}}``, ``1000!``): an exact result above :data:`MAX_BITS` bits is refused
rather than computed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: Largest exact integer or rational (numerator + denominator bits) the evaluator will build.
MAX_BITS = 4096
#: Default CPU-time allowance of one comparison, in seconds.
DEFAULT_SECONDS = 0.05
_CHECK_EVERY = 64


class TooComplex(Exception):
    """The comparison ran out of its budget (time, or an exact number above :data:`MAX_BITS`)."""


class Budget:
    """``tick()`` raises :class:`TooComplex` once ``seconds`` (default 0.05) have passed since creation.

    The clock is read every 64 ticks; ``clock`` defaults to ``time.thread_time``.
    """

    def __init__(
        self, seconds: float = DEFAULT_SECONDS, clock: Callable[[], float] = time.thread_time
    ) -> None:
        self._clock = clock
        self._deadline = clock() + seconds
        self._ticks = 0

    def tick(self) -> None:
        """Count one unit of work; raise :class:`TooComplex` when the time is up."""
        self._ticks += 1
        if self._ticks % _CHECK_EVERY == 0 and self._clock() > self._deadline:
            raise TooComplex("time budget exhausted")


def check_bits(bits: int) -> None:
    """Raise :class:`TooComplex` when an exact result would need more than :data:`MAX_BITS` bits."""
    if bits > MAX_BITS:
        raise TooComplex(f"exact value of about {bits} bits")
