"""Evaluation: ``rft compare`` offline at scale, and resuming an interrupted ``rft baseline``.

Offline compare: 10,000 prompts (``quick``: 500) x 2 models, one ~300-character recorded response
each (A right about 60% of the time, B about 85%), graded with ``math_answer`` through the reward
Lambda's batch adapter, then the statistics (both sides, paired bootstrap with 2,000 resamples,
win/tie/loss) and the HTML report (rendered and written). Target: under 10 s for all three on this
2-core machine. References in the same run: the statistics row against the standard library's
``statistics.fmean`` + ``statistics.stdev`` over the same prompt scores (what a t interval alone
costs), the report row against ``json.dumps`` of the same rows and responses (what writing the data
alone costs).

Resume: a run over 10,000 prompts (``quick``: 500) against an instant in-process Converse stand-in
(no network: this measures the runtime, not Bedrock) is interrupted half-way by a refused request;
the rerun loads the store and calls the model only for the missing half. Wall time, best of 3.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from benchmarks.table import Table

TARGET_SECONDS = 10.0
SYSTEM = "Solve the problem. End with a line '#### <answer>'."


def _prompts(count: int) -> list[Any]:
    from rft_runtime.evaluation.prompts import Prompt, prompt_digest

    prompts = []
    for n in range(count):
        a, b = n % 97 + 3, n % 89 + 5
        messages = [
            {"role": "system", "content": SYSTEM},
            {
                "role": "user",
                "content": f"A shop sells {a} pens on Monday and {b} on Tuesday. How many in all? #{n}",
            },
        ]
        prompts.append(Prompt(f"q{n}", messages, {"reference_answer": str(a + b)}, prompt_digest(messages)))
    return prompts


def _responses(prompts: list[Any], skill: float, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    out = {}
    for prompt in prompts:
        right = int(prompt.reference)
        answer = right if rng.random() < skill else right + rng.choice((-1, 1, 10))
        out[prompt.id] = [
            f"First add the two days. Monday and Tuesday together give {answer} pens, counting each "
            f"sale once and checking the sum by estimating both numbers to the nearest ten.\n#### {answer}"
        ]
    return out


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


class _InstantConverse:
    """Answers every Converse call at once; refuses call number ``fail_at`` (1-based)."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.calls = 0
        self.fail_at = fail_at
        self._lock = threading.Lock()

    def converse(self, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        with self._lock:
            self.calls += 1
            number = self.calls
        if self.fail_at is not None and number >= self.fail_at:
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "stop"}}, "Converse")
        return {
            "output": {"message": {"role": "assistant", "content": [{"text": "#### 42"}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 50, "outputTokens": 6, "totalTokens": 56},
        }


def _resume(prompts: list[Any], folder: str, attempt: int) -> tuple[float, int, int]:
    """(seconds of the rerun, calls it made, responses reused)."""
    from botocore.exceptions import ClientError

    from rft_runtime.evaluation.collect import collect
    from rft_runtime.evaluation.converse import InferenceSettings
    from rft_runtime.evaluation.store import ResponseStore

    path = os.path.join(folder, f"store-{attempt}.jsonl")
    settings = InferenceSettings(2048, "medium")
    store = ResponseStore.open(path)
    try:
        collect(_InstantConverse(fail_at=len(prompts) // 2 + 1), "amazon.nova-2-lite-v1:0:256k", prompts,
                samples=1, settings=settings, store=store, concurrency=4)  # fmt: skip
    except ClientError:
        pass
    finally:
        store.close()
    client = _InstantConverse()

    def rerun() -> Any:
        resumed = ResponseStore.open(path)
        try:
            return collect(client, "amazon.nova-2-lite-v1:0:256k", prompts, samples=1, settings=settings,
                           store=resumed, concurrency=4)  # fmt: skip
        finally:
            resumed.close()

    seconds, got = _timed(rerun)
    return seconds, client.calls, got.reused


def run(quick: bool) -> Table:
    """Measure grading, statistics and the report offline, then the resume path."""
    from rft_runtime.evaluation import grading, report_html, summary
    from rft_runtime.rewards import local

    count = 500 if quick else 10_000
    prompts = _prompts(count)
    texts_a, texts_b = _responses(prompts, 0.60, 1), _responses(prompts, 0.85, 2)
    spec, grader, problems = local.build_local_grader("math_answer", "{}", None)
    assert spec is not None, problems
    table = Table(
        title=f"evaluation: rft compare offline, {count:,} prompts x 2 models; resume after interruption",
        columns=["measure", "seconds", "reference", "ratio"],
    )
    grade_s, graded = _timed(
        lambda: (
            grading.grade(grader, "math_answer", prompts, texts_a),
            grading.grade(grader, "math_answer", prompts, texts_b),
        )
    )
    table.add(f"grade {2 * count:,} responses (reward Lambda code path)", f"{grade_s:.2f}", "-", "-")
    stats_s, report = _timed(
        lambda: summary.comparison(
            prompts, ("A", graded[0]), ("B", graded[1]), threshold=0.5, min_improvement=0.0
        )
    )
    scores = [row["score_a"] for row in report["per_prompt"]]
    ref_stats_s, _ = _timed(lambda: (statistics.fmean(scores), statistics.stdev(scores)))
    table.add(
        "statistics (both sides, bootstrap 2,000 resamples)", f"{stats_s:.2f}",
        f"stdlib fmean+stdev {ref_stats_s * 1000:.1f} ms", f"{stats_s / max(ref_stats_s, 1e-9):.0f}x",
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        page_path = os.path.join(folder, "report.html")

        def write_report() -> int:
            page = report_html.render(report, prompts, (texts_a, texts_b), graded)
            with open(page_path, "w", encoding="utf-8") as stream:
                stream.write(page)
            return len(page.encode("utf-8"))

        report_s, size = _timed(write_report)
        dump = {"rows": report["per_prompt"], "a": texts_a, "b": texts_b}
        ref_report_s, _ = _timed(lambda: json.dumps(dump))
        table.add(
            f"HTML report ({size / 1e6:.1f} MB, rendered and written)", f"{report_s:.2f}",
            f"json.dumps of the data {ref_report_s:.2f} s", f"{report_s / max(ref_report_s, 1e-9):.1f}x",
        )  # fmt: skip
        total = grade_s + stats_s + report_s
        table.add("total: grading + statistics + report", f"{total:.2f}", f"target < {TARGET_SECONDS:.0f} s",
                  "met" if total < TARGET_SECONDS else "NOT MET")  # fmt: skip
        best = min((_resume(prompts, folder, attempt) for attempt in range(3)), key=lambda r: r[0])
        table.add(
            f"resume: rerun after interruption at {count // 2:,} of {count:,}", f"{best[0]:.2f}",
            f"{best[1]:,} calls made, {best[2]:,} reused", "-",
        )  # fmt: skip
    table.notes.append(
        f"Python {sys.version.split()[0]}; {os.cpu_count()} CPUs visible; load average "
        f"{os.getloadavg()[0]:.1f} at the end. Wall time, one run (resume: best of 3)."
    )
    table.notes.append(
        f"Compare result on the synthetic data: delta {report['delta']['value']:+.3f} "
        f"(CI {report['delta']['ci_low']:+.3f} to {report['delta']['ci_high']:+.3f}), "
        f"win/tie/loss {report['win_tie_loss']}."
    )
    return table
