"""Statistics against values computed by hand (fixed seeds for the bootstrap)."""

from __future__ import annotations

import math
import random

import pytest

from rft_runtime.evaluation import stats


def test_mean_interval_matches_the_t_formula_by_hand():
    # mean 0.5; sample variance (0.01 + 0 + 0.01 + 0) / 3; se = sd / 2; t(3) = 3.182
    interval = stats.mean_interval([0.4, 0.5, 0.6, 0.5])
    half = 3.182 * math.sqrt(0.02 / 3) / 2
    assert interval.value == pytest.approx(0.5)
    assert (interval.low, interval.high) == pytest.approx((0.5 - half, 0.5 + half))
    assert half == pytest.approx(0.129905, abs=1e-6)


def test_mean_interval_is_clipped_to_the_reward_range_and_degenerate_for_one_value():
    wide = stats.mean_interval([0.0, 1.0])
    assert (wide.low, wide.high) == (0.0, 1.0)
    single = stats.mean_interval([0.3])
    assert (single.value, single.low, single.high) == (0.3, 0.3, 0.3)


def test_t_quantiles_use_the_table_then_the_normal():
    assert stats.t975(1) == 12.706
    assert stats.t975(35) == 2.042  # df 35 falls back to df 30: a slightly wider interval
    assert stats.t975(500) == 1.960
    with pytest.raises(ValueError):
        stats.t975(0)


def test_pass_rate_histogram_and_variance():
    assert stats.pass_rate([0.0, 0.5, 0.49, 1.0], 0.5) == 0.5
    assert stats.histogram([0.0, 0.05, 0.1, 0.95, 1.0]) == [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert stats.variance([0.0, 1.0]) == 0.25
    assert stats.variance([0.5, 0.5, 0.5]) == 0.0


def test_zero_variance_prompts_are_split_by_their_constant():
    zero = stats.zero_variance(
        {
            "solved": [1.0, 1.0],
            "hard": [0.0, 0.0, 0.0],
            "half": [0.5, 0.5],
            "mixed": [0.0, 1.0],
            "single": [1.0],
        }
    )
    assert zero.always_one == ["solved"] and zero.always_zero == ["hard"] and zero.other_constant == ["half"]
    assert zero.prompts == 4  # one sample says nothing about variance
    assert zero.share == 0.75


def test_win_tie_loss_counts_b_side():
    assert stats.win_tie_loss([0.5, 0.0, -1.0, 1e-12, 0.25]) == {"win": 2, "tie": 2, "loss": 1}


def test_bootstrap_of_constant_deltas_is_a_point():
    interval = stats.paired_bootstrap([0.2] * 5)
    assert (interval.value, interval.low, interval.high) == pytest.approx((0.2, 0.2, 0.2))


def test_bootstrap_matches_the_exact_resampling_distribution_by_hand():
    # deltas (0, 0, 0, 1): a resample's mean is k/4 with k ~ Binomial(4, 1/4):
    # P(k <= 0) = 0.316, P(k <= 2) = 0.949, P(k <= 3) = 0.996, so the exact 2.5th percentile is 0
    # and the 97.5th is 3/4; 2000 seeded resamples land on the same values.
    interval = stats.paired_bootstrap([0.0, 0.0, 0.0, 1.0])
    assert (interval.value, interval.low, interval.high) == (0.25, 0.0, 0.75)


def test_bootstrap_is_reproducible_and_close_to_the_normal_interval_for_many_prompts():
    rng = random.Random(7)
    deltas = [rng.choice((-1.0, 0.0, 0.0, 1.0, 1.0)) for _ in range(600)]
    first = stats.paired_bootstrap(deltas)
    assert stats.paired_bootstrap(deltas) == first
    centre = sum(deltas) / len(deltas)
    sd = math.sqrt(sum((d - centre) ** 2 for d in deltas) / (len(deltas) - 1))
    half = 1.96 * sd / math.sqrt(len(deltas))
    assert first.low == pytest.approx(centre - half, abs=0.01)
    assert first.high == pytest.approx(centre + half, abs=0.01)
