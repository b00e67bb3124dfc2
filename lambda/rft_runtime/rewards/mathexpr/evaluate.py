"""The value of a scalar syntax tree (see :mod:`.parser`): exact when possible, else complex floating point.

Rationals stay :class:`~fractions.Fraction` through ``+ - * /``, integer powers, factorials, binomials
and perfect roots, so ``0.5`` vs ``\\frac12`` and AIME integers compare exactly. Anything irrational
(``\\sqrt2``, ``\\pi``, logarithms, trigonometry) becomes a Python ``complex`` (principal branches;
odd roots of negative reals stay real: ``(-8)^{1/3}`` and ``(-8)^{2/3}`` are -2 and 4, as in
competition mathematics, while ``(-4)^{1/2}`` is ``2i``). Variables take the values in ``point``.
``("const", "inf")`` is ``math.inf``. Every step ticks the :class:`.budget.Budget` and exact results
are bounded by :data:`.budget.MAX_BITS`, so no input can stall the caller.

Errors: :class:`Undefined` (division by zero, factorial of a non-integer, log of zero, unknown
variable), :class:`.budget.TooComplex` (out of budget, overflow).
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Mapping
from fractions import Fraction

from rft_runtime.rewards.mathexpr.budget import Budget, TooComplex, check_bits
from rft_runtime.rewards.mathexpr.parser import Node

Value = Fraction | complex | float
_CONSTANTS: dict[str, Value] = {"pi": math.pi, "e": math.e, "i": 1j, "inf": math.inf}
_FUNCTIONS = {
    "sin": cmath.sin,
    "cos": cmath.cos,
    "tan": cmath.tan,
    "sec": lambda z: 1 / cmath.cos(z),
    "csc": lambda z: 1 / cmath.sin(z),
    "cot": lambda z: 1 / cmath.tan(z),
    "arcsin": cmath.asin,
    "arccos": cmath.acos,
    "arctan": cmath.atan,
    "sinh": cmath.sinh,
    "cosh": cmath.cosh,
    "tanh": cmath.tanh,
    "exp": cmath.exp,
}
_MAX_ROOT_INDEX = 64


class Undefined(ArithmeticError):
    """The expression has no value (e.g. division by zero)."""


def _bits(value: Fraction) -> int:
    return value.numerator.bit_length() + value.denominator.bit_length()


def _exact(value: Fraction) -> Fraction:
    check_bits(_bits(value))
    return value


def inexact(value: Value) -> complex:
    """``value`` as a complex number (:class:`.TooComplex` when a rational is too large for a float)."""
    try:
        return complex(value)
    except OverflowError as error:
        raise TooComplex("value beyond floating point") from error


def _integer(value: Value) -> int | None:
    return value.numerator if isinstance(value, Fraction) and value.denominator == 1 else None


def _integer_root(number: int, index: int) -> int:
    """The floor of the ``index``-th root of a non-negative integer (Newton's method on integers)."""
    if number < 2:
        return number
    guess = 1 << -(-number.bit_length() // index)
    while True:
        better = ((index - 1) * guess + number // guess ** (index - 1)) // index
        if better >= guess:
            return guess
        guess = better


def _exact_root(value: Fraction, index: int) -> Fraction | None:
    """The exact ``index``-th root of a non-negative rational, or None when it is irrational."""
    top, bottom = _integer_root(value.numerator, index), _integer_root(value.denominator, index)
    if top**index == value.numerator and bottom**index == value.denominator:
        return Fraction(top, bottom)
    return None


def _root(index: Value, radicand: Value) -> Value:
    whole = _integer(index)
    if whole is not None and 2 <= whole <= _MAX_ROOT_INDEX and isinstance(radicand, Fraction):
        if radicand >= 0:
            exact = _exact_root(radicand, whole)
            if exact is not None:
                return exact
            return float(radicand) ** (1.0 / whole)
        if whole % 2:
            odd = _exact_root(-radicand, whole)
            return -odd if odd is not None else -(float(-radicand) ** (1.0 / whole))
    return _power(radicand, 1 / index if isinstance(index, Fraction) else 1 / inexact(index))


def _power(base: Value, exponent: Value) -> Value:
    whole = _integer(exponent)
    if isinstance(base, Fraction) and whole is not None:
        if base == 0 and whole < 0:
            raise Undefined("zero to a negative power")
        if base in (0, 1):
            return base
        if base == -1:
            return Fraction(1 if whole % 2 == 0 else -1)
        check_bits(abs(whole) * max(_bits(base), 2))
        return base**whole
    if (
        isinstance(base, Fraction)
        and isinstance(exponent, Fraction)
        and base > 0
        and exponent.denominator <= _MAX_ROOT_INDEX
    ):
        root = _exact_root(base, exponent.denominator)
        if root is not None:
            return _power(root, Fraction(exponent.numerator))
    if isinstance(exponent, Fraction) and exponent.denominator % 2 and _negative_real(base):
        return -_power(-base, exponent) if exponent.numerator % 2 else _power(-base, exponent)
    try:
        real_base, real_exponent = inexact(base), inexact(exponent)
        if real_base.imag == 0 and real_exponent.imag == 0 and real_base.real > 0:
            return real_base.real**real_exponent.real
        if real_base == 0:
            if real_exponent.real > 0:
                return 0j
            raise Undefined("zero to a non-positive power")
        return real_base**real_exponent
    except OverflowError as error:
        raise TooComplex("power beyond floating point") from error
    except ZeroDivisionError as error:
        raise Undefined("zero to a negative power") from error


def _negative_real(value: Value) -> bool:
    """Whether ``value`` is a real number below 0 (an odd root of it is real: ``(-8)^{1/3}`` is -2)."""
    if isinstance(value, Fraction):
        return value < 0
    number = inexact(value)
    return number.imag == 0 and number.real < 0


def _factorial(value: Value) -> Value:
    whole = _integer(value)
    if whole is None or whole < 0:
        raise Undefined("factorial of a non-integer or negative number")
    check_bits(int(whole * math.log2(whole + 1)))
    return Fraction(math.factorial(whole))


def _binomial(n: Value, k: Value) -> Value:
    top, bottom = _integer(n), _integer(k)
    if top is None or bottom is None or top < 0:
        raise Undefined("binomial of a non-integer or negative number")
    check_bits(top)
    return Fraction(math.comb(top, bottom) if 0 <= bottom <= top else 0)


def _logarithm(base: Value | None, argument: Value) -> Value:
    try:
        natural = cmath.log(inexact(argument))
        if base is None:
            return natural
        exact_base = (
            isinstance(base, Fraction) and isinstance(argument, Fraction) and base > 1 and argument > 0
        )
        if exact_base:
            exponent = round(math.log(argument) / math.log(base))  # type: ignore[arg-type]
            if abs(exponent) <= 4096 and Fraction(base) ** exponent == argument:
                return Fraction(exponent)
        return natural / cmath.log(inexact(base))
    except (ValueError, ZeroDivisionError) as error:
        raise Undefined("logarithm of zero or to base 1") from error


def _binary(kind: str, left: Value, right: Value) -> Value:
    try:
        if isinstance(left, Fraction) and isinstance(right, Fraction):
            if kind == "add":
                return _exact(left + right)
            if kind == "mul":
                return _exact(left * right)
            return _exact(left / right)
        a, b = inexact(left), inexact(right)
        return a + b if kind == "add" else a * b if kind == "mul" else a / b
    except ZeroDivisionError as error:
        raise Undefined("division by zero") from error
    except OverflowError as error:
        raise TooComplex("overflow") from error


def evaluate(node: Node, point: Mapping[str, complex], budget: Budget) -> Value:
    """The value of ``node`` with the variables at ``point`` (see the module docstring)."""
    budget.tick()
    kind = node[0]
    if kind == "num":
        return _exact(node[1])
    if kind == "var":
        if node[1] not in point:
            raise Undefined(f"unknown variable {node[1]}")
        return point[node[1]]
    if kind == "const":
        return _CONSTANTS[node[1]]
    if kind in ("add", "mul", "div"):
        return _binary(kind, evaluate(node[1], point, budget), evaluate(node[2], point, budget))
    if kind == "neg":
        value = evaluate(node[1], point, budget)
        return -value
    if kind == "pow":
        return _power(evaluate(node[1], point, budget), evaluate(node[2], point, budget))
    if kind == "root":
        return _root(evaluate(node[1], point, budget), evaluate(node[2], point, budget))
    if kind == "fact":
        return _factorial(evaluate(node[1], point, budget))
    if kind == "binom":
        return _binomial(evaluate(node[1], point, budget), evaluate(node[2], point, budget))
    if kind == "abs":
        value = evaluate(node[1], point, budget)
        return abs(value) if isinstance(value, Fraction) else abs(inexact(value))
    if kind == "log":
        base = None if node[1] is None else evaluate(node[1], point, budget)
        return _logarithm(base, evaluate(node[2], point, budget))
    if kind == "fn":
        try:
            return _FUNCTIONS[node[1]](inexact(evaluate(node[2], point, budget)))
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            raise Undefined(f"{node[1]} undefined here") from error
    raise Undefined(f"{kind} is not a scalar")


def variables(node: object) -> set[str]:
    """The variable names in a syntax tree (any shape)."""
    if isinstance(node, tuple):
        if node and node[0] == "var":
            return {node[1]}
        found: set[str] = set()
        for part in node:
            found |= variables(part)
        return found
    return set()
