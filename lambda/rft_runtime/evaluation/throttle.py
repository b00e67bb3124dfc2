"""Calling a rate-limited service from several threads without ever failing on a throttle.

:class:`AdaptiveLimit` bounds the calls in flight. It starts at the configured concurrency, halves
on every throttle (never below 1) and grows back by one after as many successes in a row as the
current limit (additive increase, multiplicative decrease). :func:`call_with_backoff` retries a
call: throttling (the user's Bedrock quota) forever with full-jitter exponential backoff (from
:data:`THROTTLE_BASE_SECONDS` up to :data:`THROTTLE_CAP_SECONDS`), other transient errors (5xx,
connection) up to :data:`TRANSIENT_ATTEMPTS` times; anything else propagates at once.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from rft_runtime.lifecycle import retry

T = TypeVar("T")

#: Error codes meaning "slow down, then ask again" on bedrock-runtime.
THROTTLE_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "ModelNotReadyException",
    }
)
THROTTLE_BASE_SECONDS = 1.0
THROTTLE_CAP_SECONDS = 60.0
TRANSIENT_ATTEMPTS = 5


class AdaptiveLimit:
    """At most ``limit`` holders at once; ``limit`` adapts between 1 and ``maximum``."""

    def __init__(self, maximum: int) -> None:
        if maximum < 1:
            raise ValueError("concurrency must be at least 1")
        self.maximum = maximum
        self.limit = maximum
        self.throttles = 0
        self._in_flight = 0
        self._streak = 0
        self._cond = threading.Condition()

    def acquire(self) -> None:
        with self._cond:
            while self._in_flight >= self.limit:
                self._cond.wait()
            self._in_flight += 1

    def release(self) -> None:
        with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    def throttled(self) -> None:
        """A call was throttled: halve the limit."""
        with self._cond:
            self.throttles += 1
            self.limit = max(1, self.limit // 2)
            self._streak = 0

    def succeeded(self) -> None:
        """A call succeeded: after ``limit`` successes in a row, allow one more in flight."""
        with self._cond:
            self._streak += 1
            if self._streak >= self.limit and self.limit < self.maximum:
                self.limit += 1
                self._streak = 0
                self._cond.notify_all()


def is_throttle(exc: BaseException) -> bool:
    """True when ``exc`` asks the caller to slow down."""
    return retry.error_code(exc) in THROTTLE_CODES


def call_with_backoff(
    fn: Callable[[], T],
    limit: AdaptiveLimit,
    *,
    sleep: Callable[[float], None] = time.sleep,
    rand: Callable[[], float] = random.random,
) -> T:
    """``fn()`` under ``limit``, retried as the module docstring says."""
    throttle_policy = retry.RetryPolicy(base_seconds=THROTTLE_BASE_SECONDS, cap_seconds=THROTTLE_CAP_SECONDS)
    throttles = 0
    failures = 0
    while True:
        limit.acquire()
        try:
            result = fn()
        except Exception as exc:
            limit.release()
            if is_throttle(exc):
                limit.throttled()
                throttles += 1
                sleep(throttle_policy.delay(throttles, rand))
                continue
            if not retry.is_transient(exc):
                raise
            failures += 1
            if failures >= TRANSIENT_ATTEMPTS:
                raise
            sleep(retry.DEFAULT_POLICY.delay(failures, rand))
            continue
        limit.release()
        limit.succeeded()
        return result
