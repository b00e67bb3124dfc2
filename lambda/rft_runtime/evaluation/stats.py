"""Statistics of graded responses. Pure Python, deterministic (the bootstrap takes a fixed seed).

Conventions: a *prompt's score* is the mean of its samples' rewards. The mean reward's confidence
interval is taken over prompt scores (samples of one prompt are not independent), with Student's t
quantile; intervals are clipped to [0, 1] for rewards and to [-1, 1] for deltas, the ranges those
quantities live in. A delta is ``B - A`` per prompt: a *win* is a prompt where B scores higher than A
by more than :data:`TIE_TOLERANCE`, a *loss* where it scores lower, otherwise a *tie*.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: Two prompt scores closer than this are a tie (float noise, not a difference).
TIE_TOLERANCE = 1e-9
#: Resamples of the paired bootstrap.
BOOTSTRAP_RESAMPLES = 2000
#: Seed of the paired bootstrap: the same inputs always give the same interval.
BOOTSTRAP_SEED = 20261205
#: Equal-width bins of the reward histogram over [0, 1] (the last bin includes 1.0).
HISTOGRAM_BINS = 10

#: Two-sided 95% Student t quantiles (t_0.975) by degrees of freedom; beyond 120 the normal 1.960.
_T975 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
    10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110,
    18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060,
    26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980,
}  # fmt: skip
_NORMAL975 = 1.960


@dataclass(frozen=True)
class Interval:
    """A point estimate with its 95% confidence interval (``low == high == value`` for one point)."""

    value: float
    low: float
    high: float

    def to_dict(self) -> dict[str, float]:
        return {"value": self.value, "ci_low": self.low, "ci_high": self.high}


def t975(degrees: int) -> float:
    """Student's two-sided 95% quantile for ``degrees`` >= 1 (the next tabulated smaller df in
    gaps, which errs towards a wider interval; 1.960 beyond 120)."""
    if degrees < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if degrees > 120:
        return _NORMAL975
    return _T975[max(df for df in _T975 if df <= degrees)]


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean (0.0 for no values)."""
    return math.fsum(values) / len(values) if values else 0.0


def variance(values: Sequence[float]) -> float:
    """Population variance (divide by n): the spread of one prompt's sample rewards."""
    if not values:
        return 0.0
    centre = mean(values)
    return math.fsum((v - centre) ** 2 for v in values) / len(values)


def mean_interval(values: Sequence[float], *, lower: float = 0.0, upper: float = 1.0) -> Interval:
    """Mean of ``values`` with a t-based 95% CI (sample standard deviation), clipped to
    ``[lower, upper]``. One value gives a zero-width interval."""
    centre = mean(values)
    n = len(values)
    if n < 2:
        return Interval(centre, centre, centre)
    spread = math.sqrt(math.fsum((v - centre) ** 2 for v in values) / (n - 1))
    half = t975(n - 1) * spread / math.sqrt(n)
    return Interval(centre, max(lower, centre - half), min(upper, centre + half))


def pass_rate(values: Sequence[float], threshold: float) -> float:
    """Share of ``values`` at or above ``threshold`` (0.0 for no values)."""
    return sum(1 for v in values if v >= threshold) / len(values) if values else 0.0


def histogram(values: Sequence[float], bins: int = HISTOGRAM_BINS) -> list[int]:
    """Counts of ``values`` (in [0, 1]) in ``bins`` equal bins; bin i holds [i/bins, (i+1)/bins),
    the last one also 1.0."""
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v * bins)))] += 1
    return counts


@dataclass(frozen=True)
class ZeroVariance:
    """Prompts whose samples all scored the same (they teach RFT nothing at that sample count)."""

    always_zero: list[str]
    always_one: list[str]
    other_constant: list[str]
    prompts: int

    @property
    def count(self) -> int:
        return len(self.always_zero) + len(self.always_one) + len(self.other_constant)

    @property
    def share(self) -> float:
        return self.count / self.prompts if self.prompts else 0.0


def zero_variance(scores: Mapping[str, Sequence[float]]) -> ZeroVariance:
    """The prompts (of those with at least two samples) whose sample rewards are all equal, split
    into always 0, always 1 and another constant. ``prompts`` counts the prompts examined."""
    zero: list[str] = []
    one: list[str] = []
    other: list[str] = []
    examined = 0
    for prompt_id, values in scores.items():
        if len(values) < 2:
            continue
        examined += 1
        if max(values) - min(values) > TIE_TOLERANCE:
            continue
        if values[0] <= TIE_TOLERANCE:
            zero.append(prompt_id)
        elif values[0] >= 1.0 - TIE_TOLERANCE:
            one.append(prompt_id)
        else:
            other.append(prompt_id)
    return ZeroVariance(zero, one, other, examined)


def outcome(delta: float) -> str:
    """``"win"``, ``"loss"`` or ``"tie"`` for B's side of one prompt's delta (B - A)."""
    if delta > TIE_TOLERANCE:
        return "win"
    if delta < -TIE_TOLERANCE:
        return "loss"
    return "tie"


def win_tie_loss(deltas: Sequence[float]) -> dict[str, int]:
    """How many prompts B wins, ties and loses."""
    counts = {"win": 0, "tie": 0, "loss": 0}
    for delta in deltas:
        counts[outcome(delta)] += 1
    return counts


def paired_bootstrap(
    deltas: Sequence[float], *, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> Interval:
    """Mean of the per-prompt ``deltas`` with a paired-bootstrap 95% percentile interval.

    Each resample draws ``len(deltas)`` prompts with replacement (the pair of scores travels
    together, which is what makes it paired) and takes the mean delta; the interval is the 2.5th and
    97.5th percentile of the ``resamples`` means (nearest rank). ``seed`` fixes the draws.
    """
    n = len(deltas)
    centre = mean(deltas)
    if n < 2:
        return Interval(centre, centre, centre)
    rng = random.Random(seed)
    population = list(deltas)
    means = sorted(sum(rng.choices(population, k=n)) / n for _ in range(resamples))
    low = means[max(0, math.ceil(0.025 * resamples) - 1)]
    high = means[min(resamples - 1, math.ceil(0.975 * resamples) - 1)]
    return Interval(centre, max(-1.0, low), min(1.0, high))
