"""The evaluation benchmark section runs end to end on small inputs."""

from __future__ import annotations

from benchmarks import evaluation


def test_quick_benchmark_runs_and_resumes_only_the_missing_half():
    table = evaluation.run(quick=True)
    labels = [row[0] for row in table.rows]
    assert labels[0].startswith("grade 1,000 responses") and labels[3].startswith("total")
    assert table.rows[-1][2] == "250 calls made, 250 reused"
    assert all(float(row[1]) > 0 for row in table.rows)
