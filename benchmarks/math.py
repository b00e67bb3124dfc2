"""math_answer on competition math, beside HuggingFace ``math-verify`` on the same labelled batch.

The batch is ``tests/data/math_equivalence/cases.jsonl`` (gold answer, whole response, expected
verdict; ``quick``: every eighth row). Each engine reads the final answer out of the response and
decides equivalence with the gold:

- this package: ``math_answer``'s ``Grader.score`` (extraction, plain-number path, symbolic path);
- math-verify: ``verify(parse("$" + gold + "$"), parse(response))`` with its default configuration.

Both prepare each distinct gold once per run (``math_answer`` through its reference memo, math-verify
through a dict), as rollouts of one prompt share a reference. Accuracy is the share of rows whose
verdict matches the label; samples/s is CPU time over the whole batch, best of several runs. The
plain-number row is the GSM8K-style batch of the ``rewards`` section (``#### 1,234`` after ~1 KB of
working) through the Lambda adapter, and the cold import is ``import rft_runtime.rewards.handler`` in a
fresh interpreter: both must not get slower because the symbolic path exists.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import rewards
from benchmarks.table import Table

CASES = Path(__file__).parents[1] / "tests" / "data" / "math_equivalence" / "cases.jsonl"


def _rows(quick: bool) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]
    return rows[::8] if quick else rows


def _ours() -> Callable[[str, str], bool]:
    from rft_runtime.rewards import catalogue
    from rft_runtime.rewards.core import Sample

    grader = catalogue.build_grader("math_answer", {})
    return lambda gold, response: grader.score(Sample(response, gold)).value == 1.0


def _math_verify_installed() -> bool:
    try:
        import math_verify  # noqa: F401
    except ImportError:
        return False
    return True


def _math_verify() -> Callable[[str, str], bool]:
    from math_verify import parse, verify

    golds: dict[str, Any] = {}

    def judge(gold: str, response: str) -> bool:
        if gold not in golds:
            golds[gold] = parse(f"${gold}$")
        try:
            return bool(verify(golds[gold], parse(response)))
        except Exception:  # a reference library failing on a row counts as a wrong verdict
            return False

    return judge


def _measure(
    build: Callable[[], Callable[[str, str], bool]], rows: list[dict[str, Any]], runs: int
) -> tuple[float, float]:
    """(accuracy, samples/s) of the engine ``build`` makes; a new engine per run."""
    best, right = float("inf"), 0
    for _ in range(runs):
        judge = build()
        started = time.process_time()
        verdicts = [judge(row["gold"], row["response"]) for row in rows]
        best = min(best, time.process_time() - started)
        right = sum(verdict == bool(row["expected"]) for verdict, row in zip(verdicts, rows, strict=True))
    return right / len(rows), len(rows) / best


def run(quick: bool) -> Table:
    """Accuracy and speed of both engines on one batch, then the plain-number rate and cold import."""
    rows = _rows(quick)
    table = Table(
        title="math: competition-math equivalence, this package vs math-verify (same batch, one thread)",
        columns=["measure", "batch", "accuracy", "result", "target", "met"],
    )
    ours = _measure(_ours, rows, 2 if quick else 5)
    reference = _measure(_math_verify, rows, 1 if quick else 2) if _math_verify_installed() else None
    if reference is None:
        table.add("math-verify", len(rows), "-", "not installed", "-", "-")
    else:
        table.add(
            "math-verify 0.9 (sympy)",
            len(rows),
            f"{reference[0]:.1%}",
            f"{reference[1]:,.0f} samples/s",
            "-",
            "-",
        )
    target = "-" if reference is None else f"> {reference[0]:.1%}, > {reference[1]:,.0f}/s"
    met = "-" if reference is None else ("yes" if ours[0] > reference[0] and ours[1] > reference[1] else "NO")
    table.add(
        "math_answer (this package)", len(rows), f"{ours[0]:.1%}", f"{ours[1]:,.0f} samples/s", target, met
    )
    size, runs = (256, 2) if quick else (2048, 11)
    plain = rewards._throughput("math_answer", {}, rewards._events(rewards._math, size, runs), {})
    table.add(
        "math_answer plain numbers (Lambda adapter)",
        size,
        "-",
        f"{plain:,.0f} samples/s",
        f">= {rewards.TARGET_SAMPLES_PER_S:,}/s",
        "yes" if plain >= rewards.TARGET_SAMPLES_PER_S else "NO",
    )
    import_ms = rewards._subprocess_seconds(rewards._IMPORT, 3 if quick else 7) * 1000
    table.add(
        "cold import of rft_runtime.rewards.handler",
        "-",
        "-",
        f"{import_ms:.1f} ms",
        f"< {rewards.TARGET_IMPORT_MS:.0f} ms",
        "yes" if import_ms < rewards.TARGET_IMPORT_MS else "NO",
    )
    held_out = sum(row.get("batch") == "held-out" for row in rows)
    table.notes.append(
        f"{len(rows)} labelled rows ({held_out} in the held-out batch written after the implementation);"
        " see tests/data/math_equivalence/README.md. CPU time, best run; each run builds a new engine."
    )
    table.notes.append(
        "math-verify: default LatexExtractionConfig + ExprExtractionConfig, gold wrapped in $...$."
    )
    return table
