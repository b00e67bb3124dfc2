"""``rft check-grader``: does a reward template tell right answers from wrong ones on your dataset?

For every training row (``{"messages": [... ending with the user turn], "reference_answer": ...}``)
it builds a correct response from the reference and wrong ones (wrong value, near miss for math,
empty, refusal, hedge, number soup / keyword stuffing, prompt injection; see
:mod:`rft_runtime.rewards.probes`), grades them through the Lambda's code path, and reports the mean
score per kind, the fraction of rows where the correct response beats every wrong one, and the rows
where the grader fails.

A row fails when its correct response scores below 1, a wrong one scores at least the pass threshold
(default 0.5), or a wrong one scores at least as much as the correct one. Rows whose reference
cannot yield a correct response (or code rows without a ``solution`` field) are skipped and counted.

Exit codes: 0 every checked row separates cleanly, 1 some row fails (or no row could be checked),
2 bad arguments or options.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from rft_runtime.rewards import batch, local

CHUNK = 256
#: How many neighbouring rows lend their references as realistic wrong answers.
NEIGHBOURS = 8


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``check-grader`` arguments."""
    local.add_grader_arguments(parser)
    parser.add_argument("dataset", metavar="DATASET.jsonl", help="RFT training rows")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="report format (stdout)")
    parser.add_argument(
        "--pass-threshold", type=float, default=0.5, help="a wrong response at or above fails"
    )
    parser.add_argument("--limit", type=int, metavar="N", help="check only the first N rows")
    parser.add_argument(
        "--show", type=int, default=10, metavar="N", help="failing rows listed in text (default 10)"
    )


def _rows(path: str, limit: int | None) -> tuple[list[tuple[str, Mapping[str, Any]]], int]:
    """(``(row id, row)`` of the usable rows, count of unusable lines)."""
    rows: list[tuple[str, Mapping[str, Any]]] = []
    unusable = 0
    for number, row, _ in local.read_jsonl(path):
        if limit is not None and len(rows) >= limit:
            break
        if not isinstance(row, dict) or not isinstance(row.get("messages"), list):
            unusable += 1
            continue
        row_id = row.get("id")
        rows.append((str(row_id) if isinstance(row_id, (str, int)) else f"line-{number}", row))
    return rows, unusable


def _items(template: str, options: Mapping[str, Any], rows: Sequence[tuple[str, Mapping[str, Any]]]):
    """(grader payload items, their ``(row id, kind)`` keys, ids of rows without probes)."""
    from rft_runtime.rewards.probes import probe_responses

    items: list[dict[str, Any]] = []
    keys: list[tuple[str, str]] = []
    skipped: list[str] = []
    for index, (row_id, row) in enumerate(rows):
        others = [
            rows[(index + step) % len(rows)][1] for step in range(1, min(NEIGHBOURS, len(rows) - 1) + 1)
        ]
        probes = probe_responses(template, options, row, others)
        if probes is None:
            skipped.append(row_id)
            continue
        metadata = {key: value for key, value in row.items() if key != "messages"}
        for kind, response in probes.items():
            items.append(
                {
                    "id": f"{row_id}::{kind}",
                    "messages": [*row["messages"], {"role": "assistant", "content": response}],
                    "metadata": metadata,
                }
            )
            keys.append((row_id, kind))
    return items, keys, skipped


def analyse(scores: Mapping[str, Mapping[str, float]], threshold: float) -> dict[str, Any]:
    """Per-kind statistics, separation and failing rows from ``{row: {kind: score}}``."""
    kinds: dict[str, list[float]] = {}
    failures = []
    separated = 0
    for row_id, by_kind in scores.items():
        for kind, value in by_kind.items():
            kinds.setdefault(kind, []).append(value)
        correct = by_kind["correct"]
        wrong = {kind: value for kind, value in by_kind.items() if kind != "correct"}
        problems = [f"correct scored {correct:.3f} (< 1)"] if correct < 1.0 - 1e-9 else []
        for kind, value in wrong.items():
            if value >= correct:
                problems.append(f"{kind} scored {value:.3f}, not below correct {correct:.3f}")
            elif value >= threshold:
                problems.append(f"{kind} scored {value:.3f}, a pass (>= {threshold:g})")
        if all(value < correct for value in wrong.values()):
            separated += 1
        if problems:
            failures.append({"row": row_id, "problems": problems})
    return {
        "kinds": {
            kind: {
                "mean": sum(values) / len(values),
                "max": max(values),
                "passes": sum(1 for v in values if v >= threshold),
                "rows": len(values),
            }
            for kind, values in kinds.items()
        },
        "separated_rows": separated,
        "separation": separated / len(scores) if scores else 0.0,
        "failures": failures,
    }


def run(args: argparse.Namespace) -> int:
    """Check the grader on the dataset and print the report."""
    loaded = local.grader_from_args(args)
    if loaded is None:
        return 2
    spec, grader = loaded
    try:
        rows, unusable = _rows(args.dataset, args.limit)
    except OSError as problem:
        print(f"error: {args.dataset}: {problem.strerror}", file=sys.stderr)
        return 2
    items, keys, skipped = _items(spec.template, spec.options, rows)
    scores: dict[str, dict[str, float]] = {}
    for start in range(0, len(items), CHUNK):
        outcome = batch.grade_event(grader, items[start : start + CHUNK], name=spec.template)
        for (row_id, kind), value in zip(keys[start : start + CHUNK], outcome.values, strict=True):
            scores.setdefault(row_id, {})[kind] = value
    report = {
        "template": spec.template,
        "rows_checked": len(scores),
        "rows_skipped": len(skipped) + unusable,
        "pass_threshold": args.pass_threshold,
        **analyse(scores, args.pass_threshold),
    }
    report["ok"] = bool(scores) and not report["failures"]
    if args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        print(_text(report, args.show))
    return 0 if report["ok"] else 1


def _text(report: Mapping[str, Any], show: int) -> str:
    """The report as a table and a list of failing rows."""
    lines = [
        f"check-grader: {report['template']} on {report['rows_checked']} rows "
        f"({report['rows_skipped']} skipped), pass threshold {report['pass_threshold']:g}",
        "",
        f"{'response':<12} {'mean':>7} {'max':>7} {'passes':>12}",
    ]
    for kind, stats in report["kinds"].items():
        lines.append(
            f"{kind:<12} {stats['mean']:>7.3f} {stats['max']:>7.3f} {stats['passes']:>6}/{stats['rows']:<5}"
        )
    lines.append("")
    lines.append(
        f"separation: correct beats every wrong response on {report['separated_rows']}"
        f"/{report['rows_checked']} rows ({report['separation']:.1%})"
    )
    failures = report["failures"]
    lines.append(f"failing rows: {len(failures)}" + (" (none)" if not failures else ""))
    for failure in failures[:show]:
        lines.append(f"  {failure['row']}: " + "; ".join(failure["problems"]))
    if len(failures) > show:
        lines.append(f"  ... {len(failures) - show} more (use --format json for all)")
    lines.append("OK" if report["ok"] else "FAIL")
    return "\n".join(lines)
