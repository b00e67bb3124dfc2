"""The plain sentences that end a report, and the one rule a promotion gate applies.

Baseline thresholds: a base model averaging :data:`ALREADY_GOOD` or more leaves RFT little to gain
(AWS's RFT guidance puts the line at about 0.95); one averaging :data:`TOO_HARD` or less gives RFT
almost no reward signal to learn from.
"""

from __future__ import annotations

from collections.abc import Mapping

from rft_runtime.evaluation.stats import TIE_TOLERANCE, Interval, ZeroVariance

ALREADY_GOOD = 0.95
TOO_HARD = 0.05


def gate_passes(delta: Interval, min_improvement: float) -> bool:
    """The gate rule: B may replace A when the mean paired delta (B - A) is at least
    ``min_improvement`` (0.0: B must not be worse on average), less :data:`TIE_TOLERANCE` (1e-9):
    float rounding of the per-prompt deltas (0.3 - 0.2 is 0.09999999999999998) must not turn a tie
    in mean reward into a loss. Rewards are in [0, 1], so no real difference is that small."""
    return delta.value >= min_improvement - TIE_TOLERANCE


def baseline_verdicts(
    label: str, mean: Interval, zero: ZeroVariance, samples: int, errors: Mapping[str, int], responses: int
) -> list[str]:
    """What a baseline run means for training (``label`` names the model, e.g. "base model")."""
    lines = []
    if mean.value >= ALREADY_GOOD:
        lines.append(f"{label} already averages {mean.value:.2f}: RFT unlikely to help")
    elif mean.value <= TOO_HARD:
        lines.append(
            f"{label} averages only {mean.value:.2f}: the reward is rarely earned, so RFT gets little "
            "signal; check the prompts and the reward (rft check-grader) or start from a stronger model"
        )
    else:
        lines.append(
            f"{label} averages {mean.value:.2f} (95% CI {mean.low:.2f} to {mean.high:.2f}): "
            "room for RFT to improve"
        )
    if samples < 2:
        lines.append(
            "1 sample per prompt: prompts that teach nothing cannot be told apart; "
            "use --samples-per-prompt 4 or more"
        )
    else:
        lines.append(
            f"{zero.share:.0%} of prompts have zero reward variance at {samples} samples "
            f"({len(zero.always_zero)} always 0, {len(zero.always_one)} always 1"
            f"{f', {len(zero.other_constant)} another constant' if zero.other_constant else ''}): "
            "they teach RFT nothing"
        )
    failed = sum(errors.values())
    if failed:
        tags = ", ".join(f"{tag} {count}" for tag, count in sorted(errors.items()))
        lines.append(f"{failed} of {responses} responses carry grader error tags ({tags})")
    return lines


def compare_verdicts(
    label_a: str, label_b: str, delta: Interval, wins: Mapping[str, int], min_improvement: float | None
) -> list[str]:
    """Whether B is better than A, by how much, and the gate's decision when one was asked for."""
    figures = f"{delta.value:+.3f} (95% CI {delta.low:+.3f} to {delta.high:+.3f})"
    if delta.low > 0:
        lines = [f"{label_b} beats {label_a} by {figures}: the improvement is real at 95%"]
    elif delta.high < 0:
        lines = [f"{label_b} is worse than {label_a} by {figures}"]
    else:
        lines = [f"no clear difference between {label_b} and {label_a}: {figures}, the interval includes 0"]
    lines.append(f"{label_b} wins {wins['win']}, ties {wins['tie']}, loses {wins['loss']} prompts")
    if min_improvement is not None:
        verdict = "PASS" if gate_passes(delta, min_improvement) else "FAIL"
        lines.append(f"gate: mean delta {delta.value:+.3f} vs required {min_improvement:+.3f}: {verdict}")
    return lines
