"""The math benchmark section runs end to end on small inputs, with both engines on one batch."""

from __future__ import annotations

from benchmarks import math as math_bench


def test_quick_math_benchmark_reports_both_engines_and_the_plain_rate():
    table = math_bench.run(quick=True)
    labels = [row[0] for row in table.rows]
    assert labels == [
        "math-verify 0.9 (sympy)",
        "math_answer (this package)",
        "math_answer plain numbers (Lambda adapter)",
        "cold import of rft_runtime.rewards.handler",
    ]
    batches = {row[1] for row in table.rows[:2]}
    assert len(batches) == 1  # the same batch for both engines
    assert all(float(str(row[3]).split()[0].replace(",", "")) > 0 for row in table.rows)
