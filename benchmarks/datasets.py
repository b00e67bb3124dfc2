"""Dataset validator and log converter: throughput and peak memory on generated inputs.

Each measurement runs in a fresh interpreter (a worker) started by a second fresh interpreter (a
meter) that reads ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` once the worker exits, so the peak
RSS of one input never hides another's. Inputs are generated under ``.bench/`` and deleted afterwards.
Full sizes: a 20,000-row file (the service maximum), ~100 MB and ~1 GB for the validator, ~100 MB of
gzipped Converse logs for the converter; ``quick`` uses a few MB.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.table import Table

REPO = Path(__file__).resolve().parents[1]
MB = 1_000_000
TARGET_MB_PER_S = 50

_SYSTEM = "You are a careful math tutor. Solve the problem step by step. End with a line '#### <answer>'."

_METER = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)

_VALIDATE = (
    "import json, sys, time\n"
    "from rft_runtime.datasets import validate_path\n"
    "start = time.perf_counter()\n"
    "report = validate_path(sys.argv[1], max_listed=10)\n"
    "seconds = time.perf_counter() - start\n"
    "print(json.dumps({'seconds': seconds, 'rows': report.stats['rows'], 'bytes': report.stats['bytes']}))\n"
)

_CONVERT = (
    "import json, sys, time\n"
    "from rft_runtime.datasets import convert_logs\n"
    "start = time.perf_counter()\n"
    "summary = convert_logs([sys.argv[1]], sys.argv[2], use_response=True)\n"
    "seconds = time.perf_counter() - start\n"
    "print(json.dumps({'seconds': seconds, 'rows': summary.read}))\n"
)

_IMPORT_ONLY = "import rft_runtime.datasets\nprint('{}')\n"


def _row(number: int) -> str:
    a, b = 1000 + number * 7 % 9000, 17 + number % 83
    question = (
        f"A warehouse holds {a} boxes. A truck delivers {b} more boxes every day for {number % 11 + 2} days, "
        f"and {number % 50} boxes are shipped out each evening. How many boxes are in the warehouse at the "
        f"end of day {number % 11 + 2}? (problem {number})"
    )
    days = number % 11 + 2
    row = {
        "id": f"bench-{number:08d}",
        "messages": [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": question}],
        "reference_answer": str(a + days * (b - number % 50)),
    }
    return json.dumps(row) + "\n"


def _write_dataset(path: Path, *, rows: int | None = None, size: int | None = None) -> None:
    """Write ``rows`` rows, or rows until the file reaches ``size`` bytes."""
    written = number = 0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        while (rows is not None and number < rows) or (size is not None and written < size):
            batch = [
                _row(n)
                for n in range(number, number + 10_000 if rows is None else min(rows, number + 10_000))
            ]
            number += len(batch)
            text = "".join(batch)
            fh.write(text)
            written += len(text)


def _log_record(number: int) -> dict:
    question = _row(number)
    return {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": "2026-01-01T00:00:00Z",
        "accountId": "123456789012",
        "region": "us-east-1",
        "requestId": f"req-{number}",
        "operation": "Converse",
        "modelId": "amazon.nova-lite-v1:0",
        "input": {
            "inputContentType": "application/json",
            "inputBodyJson": {
                "system": [{"text": _SYSTEM}],
                "messages": [{"role": "user", "content": [{"text": question}]}],
                "inferenceConfig": {"maxTokens": 512, "temperature": 0},
            },
            "inputTokenCount": 120,
        },
        "output": {
            "outputContentType": "application/json",
            "outputBodyJson": {
                "output": {"message": {"role": "assistant", "content": [{"text": f"... #### {number}"}]}},
                "stopReason": "end_turn",
            },
            "outputTokenCount": 80,
        },
        "requestMetadata": {"project": "bench"},
    }


def _write_logs(folder: Path, size: int) -> int:
    """Write gzipped JSONL log files of ~5 MB (uncompressed) until ``size`` bytes; return that total."""
    folder.mkdir()
    total = number = files = 0
    while total < size:
        lines = []
        chunk = 0
        while chunk < min(5 * MB, size - total):
            line = json.dumps(_log_record(number)) + "\n"
            lines.append(line)
            chunk += len(line)
            number += 1
        (folder / f"batch-{files:04d}.json.gz").write_bytes(
            gzip.compress("".join(lines).encode(), 6, mtime=0)
        )
        total += chunk
        files += 1
    return total


def _measure(script: str, *args: str) -> tuple[dict, float]:
    """Run ``script`` in a fresh worker; return its JSON output and its peak RSS in MB."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "lambda")}
    done = subprocess.run(
        [sys.executable, "-c", _METER, sys.executable, "-c", script, *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result_line, rss_kb = done.stdout.strip().splitlines()[-2:]
    return json.loads(result_line), int(rss_kb) / 1024


def run(quick: bool) -> Table:
    """Validate files of growing size and convert gzipped logs; ``quick`` keeps inputs to a few MB."""
    table = Table(
        "Datasets: validator and log converter",
        ["workload", "input", "MB", "seconds", "MB/s", "rows/s", "peak RSS MB"],
    )
    (REPO / ".bench").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=REPO / ".bench", prefix="datasets-") as folder:
        work = Path(folder)
        _, baseline = _measure(_IMPORT_ONLY)
        table.add("import only", "-", "-", "-", "-", "-", f"{baseline:.0f}")
        inputs = [("20,000 rows", {"rows": 20_000})]
        inputs += (
            [("~4 MB", {"size": 4 * MB})]
            if quick
            else [("~100 MB", {"size": 100 * MB}), ("~1 GB", {"size": 1000 * MB})]
        )
        for label, spec in inputs:
            path = work / "dataset.jsonl"
            _write_dataset(path, **spec)
            result, rss = _measure(_VALIDATE, str(path))
            path.unlink()
            megabytes = result["bytes"] / MB
            table.add(
                "validate",
                label,
                f"{megabytes:.0f}",
                f"{result['seconds']:.2f}",
                f"{megabytes / result['seconds']:.0f}",
                f"{result['rows'] / result['seconds']:,.0f}",
                f"{rss:.0f}",
            )
        log_bytes = _write_logs(work / "logs", 4 * MB if quick else 100 * MB)
        compressed = sum(p.stat().st_size for p in (work / "logs").iterdir()) / MB
        result, rss = _measure(_CONVERT, str(work / "logs"), str(work / "out.jsonl"))
        table.add(
            "convert-logs",
            f"Converse .json.gz ({compressed:.1f} MB gz)",
            f"{log_bytes / MB:.0f}",
            f"{result['seconds']:.2f}",
            f"{log_bytes / MB / result['seconds']:.0f}",
            f"{result['rows'] / result['seconds']:,.0f}",
            f"{rss:.0f}",
        )
    table.notes.append(
        f"target: validation >= {TARGET_MB_PER_S} MB/s; {os.cpu_count()} cores; MB = 10^6 bytes"
    )
    table.notes.append("converter MB/s counts uncompressed log bytes; it writes at most 20,000 rows")
    table.notes.append("validator memory: lines streamed; duplicate fingerprints capped at 100,000 prompts")
    return table
