"""How close two inexact values must be (kept apart from :mod:`.compare` so that plain-number
grading can read it without importing the symbolic parser)."""

from __future__ import annotations

from typing import NamedTuple


class Tolerance(NamedTuple):
    """How close two inexact values must be: ``relative`` (default 1e-9) and ``absolute`` (default 0:
    a small value such as ``e^{-30}`` is not 0)."""

    relative: float = 1e-9
    absolute: float = 0.0
