"""Grading one Bedrock batch: event in, the list Bedrock expects out (never raises).

Each input item gets exactly one result, in order, with its ``id`` echoed as given::

    {"id": "123", "aggregate_reward_score": 0.8,
     "metrics_list": [{"name": "<grader>", "value": 0.8, "type": "Reward"},
                      {"name": "<component>", "value": 1.0, "type": "Metric"}, ...,
                      {"name": "error", "value": 0.0, "type": "Metric"}]}

``error`` is 1.0 when the sample carries an error tag, and then an ``error/<tag>`` metric (1.0) names
it. Malformed items (see :mod:`rft_runtime.rewards.payload`) score 0 with their tag. Scores and
components are clamped to [0, 1]; NaN and infinities become 0. This is the one code path shared by
the Lambda handler, ``rft grade`` and ``rft check-grader``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any, NamedTuple

from rft_runtime.rewards.core import Grader, Sample, Score, clamp01, failed, score_all
from rft_runtime.rewards.payload import MalformedSample, batch_items, item_id, to_sample

_UNSAFE_TAG = re.compile(r"[^a-z0-9:_.-]+")
_MAX_TAG = 64


class BatchOutcome(NamedTuple):
    """What grading a batch produced: the ``results`` to return plus figures for metrics."""

    results: list[dict[str, Any]]
    values: list[float]
    errors: dict[str, int]
    latency_ms: float


def error_tag(raw: object) -> str:
    """A metric-safe tag: lower case, ``[a-z0-9:_.-]``, at most 64 characters (``"error"`` if empty)."""
    text = raw if isinstance(raw, str) else type(raw).__name__
    tag = _UNSAFE_TAG.sub("-", text.lower()).strip("-")[:_MAX_TAG]
    return tag or "error"


def grade_event(
    grader: Grader | None,
    event: object,
    *,
    name: str,
    deadline: float | None = None,
    unavailable_tag: str = "config-error",
) -> BatchOutcome:
    """Grade every item of ``event`` with ``grader``.

    ``name`` is the Reward metric's name (the template). ``deadline`` (a ``time.monotonic()``
    instant) is passed to graders that grade batches. With ``grader=None`` (it could not be built)
    every item scores 0 with ``unavailable_tag``.
    """
    started = time.perf_counter()
    items = batch_items(event)
    scores: list[Score | None] = [None] * len(items)
    samples: list[Sample] = []
    positions: list[int] = []
    for index, item in enumerate(items):
        try:
            samples.append(to_sample(item))
        except MalformedSample as problem:
            scores[index] = failed(problem.tag)
        else:
            positions.append(index)
    if grader is None:
        graded = [failed(unavailable_tag)] * len(samples)
    else:
        graded = score_all(grader, samples, deadline)
    for index, score in zip(positions, graded, strict=True):
        scores[index] = score
    results: list[dict[str, Any]] = []
    values: list[float] = []
    errors: dict[str, int] = {}
    for item, score in zip(items, scores, strict=True):
        result, value, tag = _result(item_id(item), score, name)
        results.append(result)
        values.append(value)
        if tag is not None:
            errors[tag] = errors.get(tag, 0) + 1
    return BatchOutcome(results, values, errors, (time.perf_counter() - started) * 1000.0)


def _result(sample_id: Any, score: object, name: str) -> tuple[dict[str, Any], float, str | None]:
    """(the result item, its clamped value, its error tag or None) for one score."""
    if not isinstance(score, Score):
        score = failed("bad-score")
    value = score.value
    if type(value) is not float or not 0.0 <= value <= 1.0:  # fast path for the usual case
        value = clamp01(value)
    metrics = [{"name": name, "value": value, "type": "Reward"}]
    components = score.components
    if components:
        try:
            for key, part in components.items():
                if type(part) is not float or not 0.0 <= part <= 1.0:
                    part = clamp01(part)
                metrics.append({"name": str(key), "value": part, "type": "Metric"})
        except (AttributeError, TypeError):
            del metrics[1:]
    tag = None
    if score.error is None:
        metrics.append({"name": "error", "value": 0.0, "type": "Metric"})
    else:
        tag = error_tag(score.error)
        metrics.append({"name": "error", "value": 1.0, "type": "Metric"})
        metrics.append({"name": f"error/{tag}", "value": 1.0, "type": "Metric"})
    return {"id": sample_id, "aggregate_reward_score": value, "metrics_list": metrics}, value, tag


def summary(values: Sequence[float], errors: dict[str, int], pass_threshold: float) -> dict[str, Any]:
    """Count, mean, min, max, pass rate (value >= ``pass_threshold``) and errors by tag of a batch."""
    count = len(values)
    if not count:
        return {"count": 0, "mean": None, "min": None, "max": None, "pass_rate": None, "errors": dict(errors)}
    passed = sum(1 for value in values if value >= pass_threshold)
    return {
        "count": count,
        "mean": sum(values) / count,
        "min": min(values),
        "max": max(values),
        "pass_rate": passed / count,
        "errors": dict(sorted(errors.items())),
    }
