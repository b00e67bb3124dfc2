"""Changes to a value that floating point cannot see, so an answer holding one is not paid.

Irrational values are compared in floating point (see :mod:`.compare`), which cannot tell ``\\pi``
from ``\\pi + 10^{-10}``. Within the default resolution (a relative :data:`RESOLUTION`, the default
tolerance) an answer therefore states a *different* value than the reference when it holds:

- a sum with a non-zero term too small to change it (``\\pi + 10^{-10}``, ``x + 10^{-12}``,
  ``\\sqrt{1 + 10^{-13}}``, ``e^{50} + 1``, ``2^{1/2 + 10^{-12}}``), or
- a product or quotient with a factor within the resolution of 1 but not 1
  (``\\frac{10000000001}{10000000000}\\sqrt2``), or
- a function of, or a power to, a non-zero value within the resolution of 0 (``\\sin(10^{-20})``,
  ``e^{10^{-15}}``),

including one below the smallest floating-point number, which floating point reads as 0
(``x + 10^{-400}``, ``x(1 + 10^{-400})``, ``x + e^{-1000}``).

A change hidden in a larger argument (``\\cos(10^{-8})`` is 1.0 in floating point) is not detected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

from rft_runtime.rewards.mathexpr.evaluate import Undefined, Value, inexact

#: Relative size below which a term or a factor's distance from 1 is invisible (the default tolerance).
RESOLUTION = 1e-9


def subtrees(node: object) -> Iterator[tuple[Any, ...]]:
    """Every tuple in a syntax tree, without recursion (trees may be hundreds of levels deep)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple) and item:
            yield item
            stack.extend(item[1:])


def hidden_change(
    node: tuple[Any, ...],
    value: Callable[[tuple[Any, ...]], Value],
    never_zero: Callable[[tuple[Any, ...]], bool],
) -> bool:
    """Whether ``node`` holds a term or factor that changes its value invisibly (see the module
    docstring); ``value(subtree)`` is the subtree's value at one point (it may raise
    :class:`.evaluate.Undefined`: that subtree is skipped); ``never_zero(subtree)``: whether a
    subtree can never be 0, so a floating-point 0 is an underflow (``e^{-1000}``)."""
    for part in subtrees(node):
        if part[0] not in ("add", "mul", "div", "fn", "pow"):
            continue
        try:
            left, right = value(part[1]) if part[0] != "fn" else Fraction(1), value(part[2])
        except Undefined:
            continue
        if part[0] in ("fn", "pow"):
            if _invisible(right, 1.0, lambda sub=part[2]: never_zero(sub)):
                return True
        elif part[0] == "add":
            (small, small_node), (large, _) = sorted(
                ((left, part[1]), (right, part[2])), key=lambda term: abs(inexact(term[0]))
            )
            if _invisible(small, abs(inexact(large)), lambda sub=small_node: never_zero(sub)):
                return True
        elif any(_invisible(factor - 1, 1.0, lambda: False) for factor in (left, right)):
            return True
    return False


def _invisible(change: Value, scale: float, never_zero: Callable[[], bool]) -> bool:
    """Whether a non-zero ``change`` is within :data:`RESOLUTION` of ``scale`` (0 in floating point
    too: ``10^{-400}`` is exactly not 0; an inexact 0 only when ``never_zero()``)."""
    size = abs(inexact(change))
    if size > RESOLUTION * scale:
        return False
    return change != 0 if isinstance(change, Fraction) else size > 0 or never_zero()
