"""``rft convert-logs SRC... --output OUT.jsonl``: Bedrock invocation logs -> RFT training rows.

Sources are ``s3://bucket/prefix`` URIs, local log files or folders. ``--filter key=value``
(requestMetadata equals) and ``--exclude key=value`` (not equals) combine like the service's
``requestMetadataFilters``: all must hold (``andAll``, default) or any (``--filter-mode any``,
``orAll``), excludes included. The equivalent service filter is printed with the summary, so the same
selection can be configured on the training job.

Exit codes: 0 rows written, 1 nothing written (the rows would not form a valid dataset, or S3 failed),
2 usage error (missing source, bad filter, missing output folder).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from rft_runtime.datasets import (
    ConversionError,
    ConversionSummary,
    MetadataFilter,
    SourceError,
    convert_logs,
)
from rft_runtime.datasets.limits import MAX_TOTAL_ROWS
from rft_runtime.datasets.logs.sources import parse_source


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``rft convert-logs``."""
    parser.add_argument("sources", nargs="+", metavar="SRC", help="s3://bucket/prefix, log file or folder")
    parser.add_argument("--output", "-o", required=True, metavar="OUT.jsonl", help="dataset file to write")
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="keep records whose requestMetadata KEY equals VALUE (repeatable)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="keep records whose requestMetadata KEY does not equal VALUE (repeatable)",
    )
    parser.add_argument(
        "--filter-mode",
        choices=("all", "any"),
        default="all",
        help="all conditions must hold (andAll, default) or any (orAll)",
    )
    parser.add_argument(
        "--use-response",
        action="store_true",
        help="keep the logged model answer as reference_answer",
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=MAX_TOTAL_ROWS,
        metavar="N",
        help=f"write at most N rows (default {MAX_TOTAL_ROWS}, the service maximum)",
    )
    parser.add_argument(
        "--no-row-count-check",
        action="store_true",
        help="write even fewer than 100 rows (for a validation set)",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )


def run(args: argparse.Namespace) -> int:
    """Convert the logs and print the summary; return the exit code."""
    try:
        filters = MetadataFilter.from_cli(args.filter, args.exclude, args.filter_mode)
    except ValueError as exc:
        return _usage(str(exc))
    if args.max_rows < 1:
        return _usage(f"--max-rows {args.max_rows}: give a positive number")
    if not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        return _usage(f"--output {args.output}: its folder does not exist")
    try:
        for source in args.sources:
            parse_source(source)
    except (FileNotFoundError, ValueError) as exc:
        return _usage(str(exc))
    problem = None
    try:
        summary = convert_logs(
            args.sources,
            args.output,
            filters=filters,
            use_response=args.use_response,
            max_rows=args.max_rows,
            check_row_count=not args.no_row_count_check,
        )
    except SourceError as exc:
        print(f"rft convert-logs: {exc}", file=sys.stderr)
        return 1
    except ConversionError as exc:
        summary, problem = exc.summary, str(exc)
    _print(summary, filters, problem, args.format)
    return 1 if problem else 0


def _usage(message: str) -> int:
    print(f"rft convert-logs: {message}", file=sys.stderr)
    return 2


def _print(summary: ConversionSummary, filters: MetadataFilter, problem: str | None, fmt: str) -> None:
    if fmt == "json":
        document = {
            "written": problem is None,
            "error": problem,
            **summary.to_dict(),
            "request_metadata_filters": filters.to_service(),
        }
        print(json.dumps(document, ensure_ascii=False))
        return
    outcome = f"wrote {summary.converted:,} rows to {summary.output_path}" if problem is None else problem
    print(
        f"{outcome}: read {summary.read:,} records from {summary.files:,} files; "
        f"{summary.duplicates:,} duplicate prompts, {sum(summary.skipped.values()):,} skipped"
    )
    for reason, count in sorted(summary.skipped.items(), key=lambda item: (-item[1], item[0])):
        print(f"  skipped {count:>8,}  {reason}")
    for name in summary.unreadable_files:
        print(f"  unreadable file: {name}")
    service = filters.to_service()
    if service is not None:
        print(f"  same selection on the service: requestMetadataFilters = {json.dumps(service)}")
