"""CloudWatch Embedded Metric Format (EMF) document for one graded batch.

One JSON object per batch, printed as one line to stdout; CloudWatch Logs turns it into metrics in
namespace ``RFT_METRICS_NAMESPACE`` (default ``BedrockRFT``) with dimensions
``Pipeline`` and ``Template``:

==================  ============  =================================================
Metric              Unit          Meaning
==================  ============  =================================================
``SampleCount``     Count         samples in the batch
``RewardMean``      None          mean aggregate reward (absent for empty batches)
``RewardMin``       None          lowest reward (absent for empty batches)
``RewardMax``       None          highest reward (absent for empty batches)
``PassRate``        None          fraction with reward >= the pass threshold (default 0.5)
``ErrorCount``      Count         samples carrying an error tag
``Errors.<tag>``    Count         samples per error tag (at most 20 tags, most frequent first)
``GradingLatency``  Milliseconds  time to grade the batch
==================  ============  =================================================

Plot ``RewardMean`` against time to follow training.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rft_runtime.rewards.batch import summary

#: EMF allows 100 metrics per directive; keep far below it.
MAX_ERROR_TAGS = 20


def emf_document(
    *,
    namespace: str,
    pipeline: str,
    template: str,
    values: list[float],
    errors: Mapping[str, int],
    latency_ms: float,
    pass_threshold: float,
    timestamp_ms: int,
) -> dict[str, Any]:
    """The EMF object for one batch (serialize it with ``json.dumps`` and print it on one line)."""
    stats = summary(values, dict(errors), pass_threshold)
    fields: dict[str, Any] = {
        "SampleCount": stats["count"],
        "ErrorCount": sum(errors.values()),
        "GradingLatency": round(latency_ms, 3),
    }
    units = {"SampleCount": "Count", "ErrorCount": "Count", "GradingLatency": "Milliseconds"}
    if stats["count"]:
        for metric, key in (
            ("RewardMean", "mean"),
            ("RewardMin", "min"),
            ("RewardMax", "max"),
            ("PassRate", "pass_rate"),
        ):
            fields[metric] = stats[key]
            units[metric] = "None"
    frequent = sorted(errors.items(), key=lambda item: (-item[1], item[0]))[:MAX_ERROR_TAGS]
    for tag, count in frequent:
        fields[f"Errors.{tag}"] = count
        units[f"Errors.{tag}"] = "Count"
    return {
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [["Pipeline", "Template"]],
                    "Metrics": [{"Name": name, "Unit": unit} for name, unit in units.items()],
                }
            ],
        },
        "Pipeline": pipeline,
        "Template": template,
        **fields,
    }
