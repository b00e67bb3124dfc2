"""``rft grade``: run a reward template locally on Bedrock grader payloads (JSONL).

Each input line is one item of Bedrock's grader event (``{"id", "messages", "metadata"}``); each
output line is exactly the item the reward Lambda returns for it, produced by the same code path
(:func:`rft_runtime.rewards.batch.grade_event`). Output order and count match the input's non-blank
lines; a line that is not JSON yields a zero-score entry with id ``""`` (and a warning). The summary
(count, mean, min, max, pass rate, errors by tag) goes to stderr, as text or, with
``--format json``, one JSON object, so stdout / ``--output`` stays machine-readable.

Exit codes: 0 graded, 2 bad arguments or options (every problem is printed).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import IO, Any

from rft_runtime.rewards import batch, local

#: Items handed to the adapter at once (the Lambda sees batches of similar size).
CHUNK = 256


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``grade`` arguments."""
    local.add_grader_arguments(parser)
    parser.add_argument(
        "--samples", metavar="FILE.jsonl", required=True, help="grader payload items; - for stdin"
    )
    parser.add_argument("--output", metavar="OUT.jsonl", help="write results here instead of stdout")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="summary format (stderr)")
    parser.add_argument(
        "--pass-threshold",
        type=float,
        default=0.5,
        help="reward counted as a pass in the summary (default 0.5)",
    )


def _chunks(path: str) -> Iterator[list[Any]]:
    """The items of ``path`` in chunks of :data:`CHUNK`; warns about lines that are not JSON."""
    chunk: list[Any] = []
    for _, item, problem in local.read_jsonl(path):
        if problem is not None:
            print(f"warning: {problem}", file=sys.stderr)
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run(args: argparse.Namespace) -> int:
    """Grade every item and write one result line per item."""
    loaded = local.grader_from_args(args)
    if loaded is None:
        return 2
    spec, grader = loaded
    values: list[float] = []
    errors: dict[str, int] = {}
    out: IO[str] = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        for chunk in _chunks(args.samples):
            outcome = batch.grade_event(grader, chunk, name=spec.template)
            out.writelines(json.dumps(result) + "\n" for result in outcome.results)
            values.extend(outcome.values)
            for tag, count in outcome.errors.items():
                errors[tag] = errors.get(tag, 0) + count
    except OSError as problem:
        print(f"error: {problem.filename or args.samples}: {problem.strerror}", file=sys.stderr)
        return 2
    finally:
        if out is not sys.stdout:
            out.close()
        else:
            out.flush()
    summary = batch.summary(values, errors, args.pass_threshold)
    if args.format == "json":
        print(json.dumps(summary), file=sys.stderr)
    else:
        print(local.format_summary(summary), file=sys.stderr)
    return 0
