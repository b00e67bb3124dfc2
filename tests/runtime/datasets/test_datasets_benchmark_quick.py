"""The datasets benchmark section runs end to end on small inputs and cleans up after itself."""

from __future__ import annotations

from benchmarks import datasets


def test_quick_benchmark_runs_and_cleans_up():
    before = (
        set((datasets.REPO / ".bench").glob("datasets-*")) if (datasets.REPO / ".bench").exists() else set()
    )
    table = datasets.run(quick=True)
    assert [row[0] for row in table.rows] == ["import only", "validate", "validate", "convert-logs"]
    assert all(float(row[4]) > 0 for row in table.rows[1:])
    assert set((datasets.REPO / ".bench").glob("datasets-*")) == before
    assert "datasets" in table.render().lower()
