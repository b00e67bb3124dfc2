"""The figures of a baseline or a comparison as JSON-ready dicts, and their text form.

Everything a report shows is computed here once, from graded responses, so ``--format json``, the
text output and the HTML report can never disagree. A promotion gate can build the same dict from
the same graded responses (:func:`comparison`) and decide with
:func:`rft_runtime.evaluation.verdicts.gate_passes`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rft_runtime.evaluation import stats, verdicts
from rft_runtime.evaluation.base_model import measured_through
from rft_runtime.evaluation.grading import Graded
from rft_runtime.evaluation.prompts import Prompt

#: Default reward at or above which a response counts as a pass.
DEFAULT_PASS_THRESHOLD = 0.5


def side(model: str, graded: Graded, threshold: float) -> dict[str, Any]:
    """One model's figures: mean with CI (over prompt scores), pass rate, histogram, errors."""
    values = graded.values()
    prompt_scores = [stats.mean(v) for v in graded.scores.values()]
    return {
        "model": model,
        "responses": len(values),
        "mean": stats.mean_interval(prompt_scores).to_dict(),
        "pass_rate": stats.pass_rate(values, threshold),
        "histogram": stats.histogram(values),
        "errors": dict(sorted(graded.errors.items())),
    }


def baseline(
    model: str, graded: Graded, *, samples: int, threshold: float, label: str = "model"
) -> dict[str, Any]:
    """The ``rft baseline`` report: :func:`side` plus per-prompt variance, zero-variance prompts
    and the verdict lines."""
    figures = side(model, graded, threshold)
    variances = {prompt_id: stats.variance(v) for prompt_id, v in graded.scores.items()}
    zero = stats.zero_variance(graded.scores)
    mean = stats.Interval(figures["mean"]["value"], figures["mean"]["ci_low"], figures["mean"]["ci_high"])
    return {
        **figures,
        "prompts": len(graded.scores),
        "samples_per_prompt": samples,
        "pass_threshold": threshold,
        "per_prompt_variance": {
            "mean": stats.mean(list(variances.values())),
            "max": max(variances.values(), default=0.0),
            "by_prompt": variances,
        },
        "zero_variance": {
            "prompts_examined": zero.prompts,
            "count": zero.count,
            "share": zero.share,
            "always_zero": zero.always_zero,
            "always_one": zero.always_one,
            "other_constant": zero.other_constant,
        },
        "verdicts": verdicts.baseline_verdicts(
            label, mean, zero, samples, graded.errors, figures["responses"]
        ),
    }


def comparison(
    prompts: Sequence[Prompt],
    a: tuple[str, Graded],
    b: tuple[str, Graded],
    *,
    threshold: float,
    min_improvement: float | None,
) -> dict[str, Any]:
    """The ``rft compare`` report: both sides, paired delta (B - A) with its bootstrap CI,
    win/tie/loss, per-prompt scores, verdict lines and, with ``min_improvement``, the gate."""
    (model_a, graded_a), (model_b, graded_b) = a, b
    rows = []
    for prompt in prompts:
        score_a = stats.mean(graded_a.scores[prompt.id])
        score_b = stats.mean(graded_b.scores[prompt.id])
        delta = score_b - score_a
        rows.append(
            {
                "id": prompt.id,
                "score_a": score_a,
                "score_b": score_b,
                "delta": delta,
                "outcome": stats.outcome(delta),
            }
        )
    deltas = [row["delta"] for row in rows]
    delta = stats.paired_bootstrap(deltas)
    wins = stats.win_tie_loss(deltas)
    return {
        "prompts": len(prompts),
        "pass_threshold": threshold,
        "a": side(model_a, graded_a, threshold),
        "b": side(model_b, graded_b, threshold),
        "delta": {**delta.to_dict(), "method": f"paired bootstrap, {stats.BOOTSTRAP_RESAMPLES} resamples"},
        "win_tie_loss": wins,
        "min_improvement": min_improvement,
        "gate": None if min_improvement is None else verdicts.gate_passes(delta, min_improvement),
        "per_prompt": rows,
        "verdicts": verdicts.compare_verdicts("A", "B", delta, wins, min_improvement),
    }


def add_samples(
    report: Mapping[str, Any],
    texts: tuple[Mapping[str, Sequence[str]], Mapping[str, Sequence[str]]],
    graded: tuple[Graded, Graded],
) -> None:
    """Give every row of ``report["per_prompt"]`` (a :func:`comparison`) both sides' samples:
    ``row["a"]`` and ``row["b"]`` = ``{"responses": [...], "rewards": [...]}`` in sample order."""
    for row in report["per_prompt"]:
        for name, side_texts, side_graded in zip(("a", "b"), texts, graded, strict=True):
            row[name] = {
                "responses": list(side_texts[row["id"]]),
                "rewards": list(side_graded.scores[row["id"]]),
            }


def _histogram_text(counts: Sequence[int]) -> list[str]:
    bins = len(counts)
    widest = max(counts, default=0) or 1
    return [
        f"  {i / bins:.1f}-{(i + 1) / bins:.1f} {'#' * round(30 * count / widest):<30} {count}"
        for i, count in enumerate(counts)
    ]


#: Prompt ids the text form lists per kind of prompt that teaches nothing (JSON lists them all).
LISTED_IDS = 10


def _zero_variance_text(report: Mapping[str, Any]) -> list[str]:
    """Which prompts teach nothing at the run's sample count (none listed at one sample)."""
    zero = report["zero_variance"]
    if not zero["prompts_examined"]:
        return []
    lines = [
        f"prompts that teach nothing at {report['samples_per_prompt']} samples: "
        f"{zero['count']} of {zero['prompts_examined']}"
    ]
    for label, key in (
        ("always 0", "always_zero"),
        ("always 1", "always_one"),
        ("another constant", "other_constant"),
    ):
        ids = zero[key]
        if ids:
            more = len(ids) - LISTED_IDS
            tail = f", and {more} more (--format json lists all)" if more > 0 else ""
            lines.append(f"  {label} ({len(ids)}): {', '.join(ids[:LISTED_IDS])}{tail}")
    return lines


def _calls_text(calls: Mapping[str, Any] | None) -> list[str]:
    if not calls:
        return []
    tokens = calls["tokens"]
    return [
        f"calls: {calls['called']} made now, {calls['reused']} reused from {calls['store']}; "
        f"{calls['throttles']} throttled attempts",
        f"tokens (all responses): {tokens['inputTokens']:,} input, {tokens['outputTokens']:,} output",
    ]


def baseline_text(report: Mapping[str, Any]) -> str:
    mean = report["mean"]
    lines = [
        f"baseline of {report['model']}: {report['prompts']} prompts x "
        f"{report['samples_per_prompt']} samples",
        *base_model_lines(report),
        f"mean reward {mean['value']:.3f} (95% CI {mean['ci_low']:.3f} to {mean['ci_high']:.3f}), "
        f"pass rate {report['pass_rate']:.1%} (reward >= {report['pass_threshold']:g})",
        "score histogram:",
        *_histogram_text(report["histogram"]),
        f"per-prompt variance: mean {report['per_prompt_variance']['mean']:.4f}, "
        f"max {report['per_prompt_variance']['max']:.4f}",
        *_zero_variance_text(report),
        *_calls_text(report.get("calls")),
        "",
        *report["verdicts"],
    ]
    return "\n".join(lines)


def base_model_lines(side: Mapping[str, Any], prefix: str = "") -> list[str]:
    """``[prefix + "base model X (what RFT trains from), measured through inference profile Y"]``
    when the side (or a baseline report) has ``base_model``; else ``[]``."""
    base = side.get("base_model")
    return [prefix + measured_through(str(base), str(side["model"]))] if base else []


def comparison_text(report: Mapping[str, Any]) -> str:
    a, b, delta = report["a"], report["b"], report["delta"]
    lines = [f"compare on {report['prompts']} prompts: A = {a['model']}, B = {b['model']}"]
    lines.extend(
        line for name, figures in (("A", a), ("B", b)) for line in base_model_lines(figures, f"  {name}: ")
    )
    for name, figures in (("A", a), ("B", b)):
        mean = figures["mean"]
        lines.append(
            f"  {name}: mean {mean['value']:.3f} (95% CI {mean['ci_low']:.3f} to {mean['ci_high']:.3f}), "
            f"pass rate {figures['pass_rate']:.1%}"
        )
    lines.append(
        f"  delta B - A: {delta['value']:+.3f} (95% CI {delta['ci_low']:+.3f} to {delta['ci_high']:+.3f}, "
        f"{delta['method']})"
    )
    for name in ("a", "b"):
        lines.extend(f"  {name.upper()} {line}" for line in _calls_text(report.get("calls", {}).get(name)))
    lines.extend(["", *report["verdicts"]])
    return "\n".join(lines)
