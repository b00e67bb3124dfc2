"""The edit_similarity benchmark section runs end to end on small inputs."""

from __future__ import annotations

from benchmarks import edit_similarity


def test_quick_benchmark_runs_and_both_paths_agree():
    table = edit_similarity.run(quick=True)
    assert [row[0] for row in table.rows] == [
        "text_similarity (edit_similarity), pure Python",
        "text_similarity (edit_similarity), rapidfuzz",
        "rapidfuzz Levenshtein.normalized_similarity alone",
    ]
    assert "values differing between the two paths: 0 of 256 pairs" in table.notes
