"""The code_runner benchmark section runs end to end on small inputs and leaves /tmp alone."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks import code_runner


def test_quick_benchmark_runs_and_empties_only_its_own_scratch():
    canary = Path(tempfile.gettempdir()) / "rft-code-runner-bench-canary"
    canary.write_text("still here")
    try:
        table = code_runner.run(quick=True)
        assert canary.exists()
    finally:
        canary.unlink(missing_ok=True)
    assert table.rows[0][0].startswith("reference: bare python")
    assert all(float(str(row[2]).split()[0]) > 0 for row in table.rows)
    assert str(table.rows[2][4]).startswith("$")
