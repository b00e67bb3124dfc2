"""The rewards benchmark section runs end to end on small inputs."""

from __future__ import annotations

from benchmarks import rewards


def test_quick_benchmark_runs():
    table = rewards.run(quick=True)
    labels = [row[0] for row in table.rows]
    assert labels[0] == "math_answer" and "llm_judge (fake instant client)" in labels
    assert labels[-2:] == [
        "cold import of rft_runtime.rewards.handler",
        "cold import + first invocation (math_answer)",
    ]
    assert all(float(str(row[2]).split()[0].replace(",", "")) > 0 for row in table.rows)
    assert "rewards" in table.render()
