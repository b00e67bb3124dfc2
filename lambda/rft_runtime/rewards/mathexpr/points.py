"""Where expressions with variables are compared (see :mod:`.compare`): fixed points, the same in every
process, and points drawn for each comparison from a hash of both sides."""

from __future__ import annotations

import hashlib
import random
import zlib
from collections.abc import Iterable

from rft_runtime.rewards.mathexpr.parser import Node

_POINTS = 3
_MORE_POINTS = 5
#: Points drawn for each comparison, magnitudes in :data:`_RANDOM_RANGE`, either sign.
_RANDOM_POINTS = 2
_RANDOM_RANGE = (0.3, 2.5)


def fixed_points(names: Iterable[str]) -> list[dict[str, complex]]:
    """The first, positive sample values per variable name (the same in every process)."""
    names = sorted(names)
    if not names:
        return [{}]
    return [
        {name: 0.5 + (zlib.crc32(name.encode()) % 997) / 613.0 + 0.7316 * k for name in names}
        for k in range(_POINTS)
    ]


def drawn_points(names: Iterable[str], gold: Node, answer: Node) -> list[dict[str, complex]]:
    """:data:`_RANDOM_POINTS` points drawn for one comparison, seeded by a SHA-256 of both sides: the
    same pair always gets the same points (a sample's score is reproducible), and an answer cannot be
    built to vanish at them (they depend on the answer itself), unlike the fixed ones, which anyone
    can read here. Equivalent answers agree at any point."""
    digest = hashlib.sha256(repr((gold, answer)).encode()).digest()
    draw = random.Random(int.from_bytes(digest[:16], "big"))
    names = sorted(names)
    return [
        {name: draw.choice((-1.0, 1.0)) * draw.uniform(*_RANDOM_RANGE) for name in names}
        for _ in range(_RANDOM_POINTS)
    ]


def sample_points(names: Iterable[str]) -> list[dict[str, complex]]:
    """Every sample point: :func:`fixed_points` and :data:`_MORE_POINTS` more, non-integer, of both signs
    (each variable negative at some and positive at others, mixed between variables; the last all
    negative), so ``x`` is not ``|x|`` or ``\\sqrt{x^2}`` and a polynomial vanishing at the first
    points is not 0."""
    names = sorted(names)
    points = fixed_points(names)
    if not names:
        return points
    for k in range(_MORE_POINTS):
        point: dict[str, complex] = {}
        for index, name in enumerate(names):
            magnitude = 0.23 + (zlib.crc32(name.encode()) % 991) / 797.0 + 0.5303 * k
            negative = (k + index) % 2 == 0 or k == _MORE_POINTS - 1
            point[name] = -magnitude if negative else magnitude
        points.append(point)
    return points
