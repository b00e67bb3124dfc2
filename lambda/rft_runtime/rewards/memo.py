"""A bounded memo for per-grader caches of pure functions (parsed references, compiled patterns).

Rollouts of one prompt share its reference, so graders prepare each distinct reference once. The
memo belongs to a grader instance (never module state) and is emptied when it reaches ``limit``
entries (default 4096), which bounds memory in a long-lived Lambda container.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """``memo(key)`` is ``function(key)``, computed once per key until the memo fills up."""

    def __init__(self, function: Callable[[K], V], limit: int = 4096) -> None:
        self._function = function
        self._limit = limit
        self._values: dict[K, V] = {}

    def __call__(self, key: K) -> V:
        try:
            return self._values[key]
        except KeyError:
            if len(self._values) >= self._limit:
                self._values.clear()
            value = self._values[key] = self._function(key)
            return value
