"""Repeating decimals: ``0.\\overline{3}`` is exactly 1/3, ``0.1\\overline{6}`` 1/6 and
``1.\\overline{142857}`` 8/7.

The overline repeats the digits under it forever after the digits written before it, so the value is
exact: ``0.\\overline{3}`` is neither ``0.33`` nor ``0.333`` (rounded decimals), and ``0.\\overline{9}``
is 1. Only digits directly after a decimal point can repeat: ``3\\overline{3}`` (no point) and an
overline over anything but digits (``0.\\overline{x}``) are not numbers this reads.
"""

from __future__ import annotations

import re
from fractions import Fraction

from rft_runtime.rewards.mathexpr.budget import check_bits

_OVERLINE = re.compile(r"\\overline\s*(?:\{\s*(\d+)\s*\}|(\d))")
#: Bits per decimal digit, rounded up (log2(10) = 3.32).
_BITS_PER_DIGIT = 4


def repeating_decimal(written: str, text: str, position: int) -> tuple[Fraction, int] | None:
    """The value of the decimal literal ``written`` followed by ``\\overline{digits}`` at
    ``text[position:]``, and where the overline ends; None when ``written`` has no decimal point (or
    an exponent) or no digits are under the overline. Raises :class:`.budget.TooComplex` for a value
    above :data:`.budget.MAX_BITS` bits."""
    overline = _OVERLINE.match(text, position)
    plain = written.replace(",", "").replace(" ", "")
    if overline is None or "." not in plain or "e" in plain.lower():
        return None
    repeated = overline[1] or overline[2]
    whole, _, decimals = plain.partition(".")
    check_bits(_BITS_PER_DIGIT * (len(plain) + 2 * len(repeated)))
    shift = 10 ** len(decimals)
    start = Fraction(int(whole + decimals), shift)
    return start + Fraction(int(repeated), (10 ** len(repeated) - 1) * shift), overline.end()
