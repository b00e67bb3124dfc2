"""Synth time of the full app (default environment) against an empty CDK app, on this machine.

Each row is the median of several fresh processes, so jsii start-up is included, as users see it.
``cdk synth`` rows go through the pinned CLI; ``python`` rows run the app script directly.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.table import Table

REPO = Path(__file__).resolve().parents[1]
EMPTY_APP = "import aws_cdk as cdk\napp = cdk.App()\ncdk.Stack(app, 'Empty')\napp.synth()\n"


def _environment(outdir: str) -> dict[str, str]:
    return {
        **os.environ,
        "CDK_OUTDIR": outdir,
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
    }


def _time(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as outdir:
            start = time.perf_counter()
            subprocess.run(command, cwd=REPO, env=_environment(outdir), check=True, capture_output=True)
            samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run(quick: bool) -> Table:
    """Time empty and full apps, directly and through the CLI; ``quick`` does one run each."""
    runs = 1 if quick else 3
    table = Table("CDK synth time", ["app", "how", "median seconds", "runs"])
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as empty:
        empty.write(EMPTY_APP)
    cdk_bin = str(REPO / "node_modules" / ".bin" / "cdk")
    try:
        rows = [
            ("empty app", "python", [sys.executable, empty.name]),
            ("full app (dev, nag packs)", "python", [sys.executable, "app.py"]),
            (
                "empty app",
                "cdk synth",
                [
                    cdk_bin,
                    "synth",
                    "--quiet",
                    "--no-notices",
                    "--app",
                    f"{sys.executable} {empty.name}",
                    "-o",
                    "{out}",
                ],
            ),
            (
                "full app (dev, nag packs)",
                "cdk synth",
                [cdk_bin, "synth", "--quiet", "--no-notices", "-o", "{out}"],
            ),
        ]
        for name, how, command in rows:
            with tempfile.TemporaryDirectory() as out:
                resolved = [part.replace("{out}", out) for part in command]
                table.add(name, how, f"{_time(resolved, runs):.1f}", runs)
    finally:
        os.unlink(empty.name)
    table.notes.append(f"{os.cpu_count()} cores; jsii/Node start-up included in every row")
    return table
