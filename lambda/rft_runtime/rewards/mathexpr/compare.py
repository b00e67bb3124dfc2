"""Whether two answers are the same mathematics: :func:`prepare` each once, then :func:`equivalent`.

Rules:

- Scalars are evaluated (see :mod:`.evaluate`). Two exact rationals must be equal; a rational is never
  equal to an irrational (an inexact value counts as rational only when it is within a relative
  min(1e-12, 1e-4/q^2) of a fraction p/q with q up to 10^6, e.g. ``\\sin(\\pi/6)``; ``\\pi`` is not
  ``\\frac{3126535}{995207}``); two inexact values must agree within the tolerances.
- A value computed from a decimal literal (``0.70710678119\\cos 0``, ``3.14159265359\\pi/\\pi``,
  ``0.70710678119x``) equals an irrational written without one only with decimals of at most six
  significant digits, and, for a constant, exactly (to rounding noise, 1e-14, whatever the
  tolerances): ``1.5\\pi`` is ``\\frac{3\\pi}{2}``; a rounded decimal, however dressed, is not the
  irrational.
- Expressions with variables are compared at eight fixed, non-integer points, five of them with
  negative values (polynomials in any equivalent form agree; ``3x`` and ``3`` do not, nor ``x`` and
  ``|x|``), and at two points drawn for each comparison from a hash of both sides (an answer
  built to vanish at the fixed points, which anyone can read here, still differs at those; the
  same pair always gets the same points, so scores are reproducible). Where floating point sets
  two rational functions apart at a point, they are taken again there exactly (an expansion of
  ``(x-1)^6`` is not lost to cancellation near its repeated root; see
  :meth:`_Comparison._defined_pair`). Both sides must agree on where they are defined
  (real-valued, unless one uses ``i``) as well as on the value: ``\\ln x`` is not ``\\ln|x|``.
- An inequality is the set of its solutions (``x > 2`` is ``(2, \\infty)``; see :mod:`.inequality`).
- Tuples, points and intervals (``seq``) compare in order and with the same brackets (``[1,2)`` is not
  ``(1,2)``); sets, bare answer lists and the parts of a union compare in any order.
- Equations: ``x = 3`` matches ``3`` and ``x=3``; ``y = 2x+1`` matches ``y=1+2x``; otherwise two equations
  match when ``lhs - rhs`` of one is a constant non-zero multiple of the other's.
- Matrices compare entry by entry. A multiple-choice reference (``C``, ``(C)``, ``\\text{(C)}``) needs the
  same letter.
- A percent sign on one side only: ``25\\%`` matches ``25`` and ``0.25``. A degree sign on one side
  only: ``30^\\circ`` matches ``30`` and ``\\frac{\\pi}{6}``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

from rft_runtime.rewards.mathexpr.budget import Budget, TooComplex
from rft_runtime.rewards.mathexpr.evaluate import Undefined, Value, evaluate, inexact, variables
from rft_runtime.rewards.mathexpr.inequality import solution_sets
from rft_runtime.rewards.mathexpr.latex import choice_letter, clean
from rft_runtime.rewards.mathexpr.parser import Node, ParseError, parse
from rft_runtime.rewards.mathexpr.points import drawn_points, sample_points
from rft_runtime.rewards.mathexpr.resolution import RESOLUTION, hidden_change, subtrees
from rft_runtime.rewards.mathexpr.tolerance import Tolerance

_HUNDRED: Node = ("num", Fraction(100))
_RADIANS_PER_DEGREE: Node = ("div", ("const", "pi"), ("num", Fraction(180)))
_SNAP_DENOMINATOR = 10**6
_SNAP_TOLERANCE = 1e-12
#: A constant with a decimal literal equals an irrational only with decimals of at most this many
#: significant digits (``1.5\\pi``), and only to rounding noise (relative :data:`_DECIMAL_NOISE`).
_MAX_DECIMAL_DIGITS = 6
_DECIMAL_NOISE = 1e-14
#: Snap window for a fraction p/q: at most _SNAP_SCALE / q^2 (relative), so 1e-12 up to q = 10^4.
_SNAP_SCALE = 1e-4
#: Largest inexact value read as an exact 0: rounding noise of O(1) arithmetic (sin(pi) is 1.2e-16).
_ZERO_NOISE = 1e-14
_MAX_MEMBERS = 64
#: Largest imaginary part (relative to the value) read as rounding noise of a real value.
_REAL_NOISE = 1e-9

__all__ = ["ParseError", "Prepared", "TooComplex", "equivalent", "prepare"]


class Prepared(NamedTuple):
    """One answer ready to compare: its syntax ``tree`` (None for a bare choice letter that does not
    parse), its multiple-choice ``choice`` letter if it is one, and the ``percent`` / ``degree`` signs."""

    tree: Node | None
    choice: str | None
    percent: bool
    degree: bool


def prepare(text: str, budget: Budget) -> Prepared:
    """``text`` read as an answer; raises :class:`ParseError` or :class:`TooComplex`."""
    letter = choice_letter(text)
    cleaned = clean(text)
    try:
        tree: Node | None = parse(cleaned.text, budget)
    except ParseError:
        if letter is None:
            raise
        tree = None
    return Prepared(tree, letter, cleaned.percent, cleaned.degree)


class _Comparison:
    """One comparison's budget and tolerance, and the structural rules of the module docstring."""

    def __init__(self, budget: Budget, tolerance: Tolerance) -> None:
        self.budget = budget
        self.tolerance = tolerance

    def same(self, gold: Node, answer: Node) -> bool:
        kinds = {gold[0], answer[0]}
        if "ineq" in kinds:
            sets = solution_sets(gold, answer)
            return sets is not None and self.same(*sets)
        if "eq" in kinds:
            return self._equations(gold, answer)
        if kinds & {"list", "set"}:
            return self._unordered(_members(gold), _members(answer))
        if "union" in kinds:
            return self._unordered(_union_parts(gold), _union_parts(answer))
        if "seq" in kinds:
            return gold[0] == answer[0] and gold[1:3] == answer[1:3] and self._ordered(gold[3], answer[3])
        if "matrix" in kinds:
            same_shape = gold[0] == answer[0] and [len(r) for r in gold[1]] == [len(r) for r in answer[1]]
            return same_shape and all(self._ordered(a, b) for a, b in zip(gold[1], answer[1], strict=True))
        return self._scalars(gold, answer)

    def _ordered(self, gold: tuple[Node, ...], answer: tuple[Node, ...]) -> bool:
        return len(gold) == len(answer) and all(self.same(g, a) for g, a in zip(gold, answer, strict=True))

    def _unordered(self, gold: tuple[Node, ...], answer: tuple[Node, ...]) -> bool:
        if len(gold) != len(answer):
            return False
        if len(gold) > _MAX_MEMBERS:
            raise TooComplex(f"{len(gold)} members")
        unused = list(answer)
        for member in gold:
            match = next((i for i, other in enumerate(unused) if self.same(member, other)), None)
            if match is None:
                return False
            del unused[match]
        return True

    def _equations(self, gold: Node, answer: Node) -> bool:
        if gold[0] == answer[0] == "eq":
            if gold[1][0] == "var" and gold[1] == answer[1]:
                return self.same(gold[2], answer[2])
            return self._proportional(
                ("add", gold[1], ("neg", gold[2])), ("add", answer[1], ("neg", answer[2]))
            )
        if gold[0] == "eq":  # "x = 3" against "3"
            return gold[1][0] == "var" and self.same(gold[2], answer)
        return answer[1][0] == "var" and self.same(gold, answer[2])  # "3" against "x = 3"

    def _proportional(self, gold: Node, answer: Node) -> bool:
        ratio: complex | None = None
        pairs = self._pairs(gold, answer)
        if pairs is None:
            return False
        for exact_g, exact_a in pairs:
            g, a = inexact(exact_g), inexact(exact_a)
            if a == 0 or g == 0:
                if a != g:
                    return False
                continue
            if ratio is None:
                ratio = g / a
            elif not self._close(ratio, g / a):
                return False
        return ratio is not None

    def _scalars(self, gold: Node, answer: Node) -> bool:
        nonzero = _nonzero(gold) or _nonzero(answer)
        pairs = self._pairs(gold, answer)
        if pairs is None:
            return False
        digits = _decimal_digits(gold), _decimal_digits(answer)
        exact = all(isinstance(g, Fraction) and isinstance(a, Fraction) for g, a in pairs)
        if not exact and max(digits) > _MAX_DECIMAL_DIGITS and digits[0] != digits[1]:
            return False  # a long decimal inside an inexact value (\sqrt{4.00000000000001} is not 2)
        if bool(digits[0]) != bool(digits[1]) and any(_irrational(a if digits[0] else g) for g, a in pairs):
            # a rounded decimal, however dressed (0.70710678119\cos 0, 0.70710678119x), is not an
            # irrational: it may only be one exactly (1.5\pi, 1.5\pi x), with a short decimal
            if max(digits) > _MAX_DECIMAL_DIGITS:
                return False
            if len(pairs) == 1 and not variables((gold, answer)):  # a constant: to rounding noise
                ((g, a),) = pairs
                return abs(inexact(g) - inexact(a)) <= _DECIMAL_NOISE * abs(inexact(g))
        if not all(self._equal_values(g, a, nonzero) for g, a in pairs):
            return False
        return exact or not self._hidden_change(answer)

    def _hidden_change(self, answer: Node) -> bool:
        """Whether the answer differs from what it was compared as by a change floating point cannot
        see (see :mod:`.resolution`); only under the default resolution (a tolerance the user set
        allows such changes)."""
        if self.tolerance.relative > RESOLUTION:
            return False
        names = variables(answer)
        for point in sample_points(names) if names else [{}]:
            try:
                self._value(answer, point)
            except Undefined:
                continue
            return hidden_change(answer, lambda node, at=point: self._value(node, at), _nonzero)
        return False

    def _pairs(self, gold: Node, answer: Node) -> list[tuple[Value, Value]] | None:
        """The values of both sides at each sample point where they are defined; None when a point
        is defined on one side only (``\\ln x`` and ``\\ln|x|`` at a negative ``x``).

        Without variables: the two values (an undefined one raises :class:`Undefined`). With
        variables, "defined" means real-valued (unless either side uses ``i``): ``\\sqrt{x}`` at a
        negative ``x`` is undefined. When no point is defined on both sides, their complex values are
        compared instead (``\\sqrt{-x^2-1}`` is not ``\\sqrt{-x^2-2}``).
        """
        names = variables(gold) | variables(answer)
        if not names:
            return [(self._value(gold, {}), self._value(answer, {}))]
        points = sample_points(names) + drawn_points(names, gold, answer)
        modes = (False,) if _has_constant(gold, "i") or _has_constant(answer, "i") else (True, False)
        for real in modes:
            pairs = []
            for point in points:
                g, a = self._defined_pair(gold, answer, point, real)
                if (g is None) != (a is None):
                    return None
                if g is not None and a is not None:
                    pairs.append((g, a))
            if pairs:
                return pairs
        return None

    def _defined_pair(
        self, gold: Node, answer: Node, point: dict[str, complex], real: bool
    ) -> tuple[Value | None, Value | None]:
        """Both sides at ``point`` (see :meth:`_defined`). When their floating-point values differ,
        the point is taken again exactly (the float's exact binary fraction): two rational functions
        that are equal there exactly (``(x-1)^6`` and its expansion, which cancellation near a
        repeated root sets apart in floating point) count as equal at it. Only when both sides stay
        exact: a side with an irrational step keeps its floating-point value, so nothing periodic or
        rounded can pass this way, and exact values too large for the budget keep the first verdict.
        Never with a variable in an exponent or root index (see :func:`_variable_exponent`)."""
        values = self._defined(gold, point, real), self._defined(answer, point, real)
        g, a = values
        if g is None or a is None or self._equal_values(g, a):
            return values
        if _variable_exponent(gold) or _variable_exponent(answer):
            return values
        coordinates = {name: complex(value) for name, value in point.items()}
        if any(value.imag for value in coordinates.values()):
            return values
        exact_point = {name: Fraction(value.real) for name, value in coordinates.items()}
        try:
            exact = self._defined(gold, exact_point, real), self._defined(answer, exact_point, real)
        except TooComplex:
            return values
        if all(isinstance(value, Fraction) for value in exact) and exact[0] == exact[1]:
            return exact
        return values

    def _defined(self, node: Node, point: dict[str, complex], real: bool) -> Value | None:
        """The value of ``node`` at ``point``, or None where it is undefined (a non-real value when
        ``real``)."""
        try:
            value = self._value(node, point)
        except Undefined:
            return None
        if real and not isinstance(value, Fraction):
            number = inexact(value)
            if number.imag != 0:
                if abs(number.imag) > _REAL_NOISE * abs(number):
                    return None
                return complex(number.real)
        return value

    def _value(self, node: Node, point: dict[str, complex]) -> Value:
        try:
            return evaluate(node, point, self.budget)
        except (OverflowError, RecursionError) as error:
            raise TooComplex(type(error).__name__) from error
        except (ValueError, ZeroDivisionError) as error:
            raise Undefined(str(error)) from error

    def _equal_values(self, gold: Value, answer: Value, nonzero: bool = False) -> bool:
        """Whether two values are equal (rules in the module docstring); ``nonzero``: the inexact side
        can never be 0 (see :func:`_nonzero`), so it does not snap to an exact 0."""
        if isinstance(gold, Fraction) and isinstance(answer, Fraction):
            return gold == answer
        if isinstance(gold, Fraction) or isinstance(answer, Fraction):
            exact, other = (gold, answer) if isinstance(gold, Fraction) else (answer, gold)
            if exact == 0 and nonzero:
                return False  # e^{-30} is tiny, never 0
            snapped = _snap(inexact(other))
            return snapped == exact if snapped is not None else False
        return self._close(inexact(gold), inexact(answer))

    def _close(self, a: complex, b: complex) -> bool:
        if not (_finite(a) and _finite(b)):
            return a == b
        scale = max(abs(a), abs(b))
        return abs(a - b) <= max(self.tolerance.relative * scale, self.tolerance.absolute)


def _finite(value: complex) -> bool:
    return math.isfinite(value.real) and math.isfinite(value.imag)


def _snap(value: complex) -> Fraction | None:
    """The fraction p/q (q <= 10^6) within min(1e-12, 1e-4/q^2) of a real ``value`` (relative), or None."""
    if value.imag != 0 or not math.isfinite(value.real):
        return None
    fraction = Fraction(value.real).limit_denominator(_SNAP_DENOMINATOR)
    # relative to the value: 1e-13 is not the fraction 0 (only rounding noise such as sin(pi) is);
    # and narrower for a larger denominator: any number is within 1/q^2 of some p/q, so a fixed 1e-12
    # read pi as 3126535/995207
    if fraction:
        allowed = min(_SNAP_TOLERANCE, _SNAP_SCALE / fraction.denominator**2) * abs(value.real)
    else:
        allowed = _ZERO_NOISE
    return fraction if abs(fraction - Fraction(value.real)) <= allowed else None


def _decimal_digits(node: object) -> int:
    """The most significant digits of a non-integer decimal literal in a syntax tree (0: none)."""
    return max((part[2] for part in subtrees(node) if part[0] == "num" and len(part) > 2), default=0)


def _irrational(value: Value) -> bool:
    """Whether a value is irrational: inexact, with a real or imaginary part that is no fraction."""
    if isinstance(value, Fraction):
        return False
    number = inexact(value)
    return any(part != 0 and _snap(complex(part)) is None for part in (number.real, number.imag))


def _nonzero(node: Node) -> bool:
    """Whether a scalar tree can never be 0 whatever its variables (``e^{-30}``, ``2\\pi``,
    ``10^{-40}``): a product or quotient of non-zero numbers, constants, powers of them and ``exp``."""
    stack = [node]
    while stack:
        item = stack.pop()
        kind = item[0]
        if kind == "num":
            if not item[1]:
                return False
        elif kind == "const":
            if item[1] not in ("pi", "e", "i"):
                return False
        elif kind in ("neg", "root"):
            stack.append(item[-1])
        elif kind in ("mul", "div"):
            stack.extend(item[1:3])
        elif kind == "pow" and not _has_constant(item[2], "inf"):
            stack.append(item[1])
        elif not (kind == "fn" and item[1] == "exp" and not _has_constant(item[2], "inf")):
            return False
    return True


def _members(node: Node) -> tuple[Node, ...]:
    return node[1] if node[0] in ("list", "set") else (node,)


def _union_parts(node: Node) -> tuple[Node, ...]:
    return node[1] if node[0] == "union" else (node,)


def _variable_exponent(node: object) -> bool:
    """Whether a syntax tree has a variable in an exponent or a root index: not a rational function,
    and exact at a sample point only because the point is a binary fraction (``(-1)^{2^{64}x}`` is 1
    at every double ``x``, where floating point sees ``\\cos(2^{64}\\pi x)``)."""
    return any(
        variables(part[2] if part[0] == "pow" else part[1])
        for part in subtrees(node)
        if part[0] in ("pow", "root")
    )


def _has_constant(node: object, name: str) -> bool:
    """Whether a syntax tree uses the constant ``name`` (``"i"``)."""
    return any(part[0] == "const" and part[1] == name for part in subtrees(node))


def _variants(answer: Prepared, gold: Prepared) -> list[Node]:
    """The answer's tree, plus its rescaled readings when only one side carries a percent or degree sign."""
    tree = answer.tree
    assert tree is not None
    variants = [tree]
    if answer.percent != gold.percent:
        scaled = ("div", tree, _HUNDRED) if answer.percent else ("mul", tree, _HUNDRED)
        variants.append(scaled)
    if answer.degree != gold.degree:
        variants.append(
            ("mul", tree, _RADIANS_PER_DEGREE) if answer.degree else ("div", tree, _RADIANS_PER_DEGREE)
        )
    return variants


def equivalent(gold: Prepared, answer: Prepared, budget: Budget, tolerance: Tolerance | None = None) -> bool:
    """Whether ``answer`` states the same mathematics as ``gold`` (rules in the module docstring).

    ``tolerance`` defaults to :class:`Tolerance` (1e-9 relative, no absolute tolerance). Raises
    :class:`TooComplex` when the budget runs out; an undefined value counts as not equal.
    """
    if gold.choice is not None and (gold.tree is None or gold.tree[0] == "var"):
        return answer.choice == gold.choice
    if gold.tree is None or answer.tree is None:
        return False
    comparison = _Comparison(budget, tolerance or Tolerance())
    for variant in _variants(answer, gold):
        try:
            if comparison.same(gold.tree, variant):
                return True
        except Undefined:
            continue
    return False
