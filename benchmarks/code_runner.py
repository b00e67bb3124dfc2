"""Code runner: what running model code in a fresh, isolated worker costs per sample.

Rows, each the median wall time of one sample run alone (``quick``: fewer samples):

- reference: a bare ``python -I -S -c`` per sample (a fresh interpreter, no isolation at all);
- the local worker in function mode (kernel filter, privilege drop, re-exec, one call);
- the runner function's handler (what one runner invocation does in its warm environment: empty
  the scratch directory, start a fresh worker, return plain values);
- an assert suite end to end through ``code_tests`` (judge process, worker, judge again).

Dollars per 1,000 samples assume AWS Lambda on arm64 in us-east-1 at list price ($0.0000133334 per
GB-second, $0.20 per million requests), a 1,024 MB runner and a 1,024 MB grader that waits for the
runner's answer, and the handler's median as the runner's billed duration. Lambda's own invoke
latency is not in these figures (no AWS account here).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.table import Table

PRICE_PER_GB_SECOND = 0.0000133334
PRICE_PER_REQUEST = 0.20 / 1_000_000
MEMORY_GB = 1.0
SOLUTION = "def add(a, b):\n    return a + b\n"
TESTS = "assert add(1, 2) == 3\nassert add(-1, 1) == 0\nassert add(2, 2) == 4"


def _median_ms(action, samples: int) -> float:
    action()  # warm-up (imports, page cache)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _dollars_per_thousand(runner_ms: float, invocations: int = 1) -> float:
    billed = runner_ms / 1000 * MEMORY_GB * PRICE_PER_GB_SECOND * 2  # runner + waiting grader
    return 1000 * (billed + invocations * PRICE_PER_REQUEST * 2)


def run(quick: bool = False) -> Table:
    """Measure each row (module docstring)."""
    from rft_runtime.rewards import catalogue
    from rft_runtime.rewards.core import Sample
    from rft_runtime.rewards.sandbox import call, run_code
    from rft_runtime.runner.handler import handler

    samples = 5 if quick else 30
    bare = [sys.executable, "-I", "-S", "-c", SOLUTION + "print(add(1, 2))"]
    reference_ms = _median_ms(lambda: subprocess.run(bare, check=True, capture_output=True), samples)
    worker_ms = _median_ms(lambda: run_code(SOLUTION, calls=[call("add", 1, 2)]), samples)
    event = {"code": SOLUTION, "calls": [call("add", 1, 2)], "limits": {}}
    with tempfile.TemporaryDirectory() as scratch:  # never the machine's /tmp
        os.environ["RFT_RUNNER_SCRATCH"] = scratch
        try:
            handler_ms = _median_ms(lambda: handler(event), samples)
        finally:
            del os.environ["RFT_RUNNER_SCRATCH"]
    grader = catalogue.build_grader("code_tests", {})
    fenced = f"```python\n{SOLUTION}```"
    suite_ms = _median_ms(lambda: grader.score(Sample(fenced, TESTS)), samples)
    table = Table(
        title="code runner: per-sample cost of a fresh isolated worker (median, one at a time)",
        columns=["measure", "samples", "latency", "vs bare interpreter", "$ per 1,000 samples (Lambda)"],
    )
    table.add("reference: bare python -I -S -c per sample", samples, f"{reference_ms:.1f} ms", "1.00x", "-")
    for label, value, dollars in (
        ("local worker, function mode (1 call)", worker_ms, "-"),
        (
            "runner handler (scratch wipe + fresh worker)",
            handler_ms,
            f"${_dollars_per_thousand(handler_ms):.4f}",
        ),
        (
            "code_tests assert suite (judge, worker, judge)",
            suite_ms,
            f"${_dollars_per_thousand(suite_ms):.4f}",
        ),
    ):
        table.add(label, samples, f"{value:.1f} ms", f"{value / reference_ms:.2f}x", dollars)
    table.notes.append(
        f"Python {sys.version.split()[0]} on {os.uname().machine}; {os.cpu_count()} CPUs visible; load "
        f"average {os.getloadavg()[0]:.1f} at the end (wall time: the work happens in child processes)."
    )
    table.notes.append(
        "Dollars: arm64 Lambda list price in us-east-1, 1,024 MB runner + 1,024 MB grader waiting on it, "
        "billed for the measured latency, plus one request each; Lambda's invoke latency not included."
    )
    return table
