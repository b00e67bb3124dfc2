"""``rft validate PATH``: check an RFT training dataset (JSONL) before paying for a job.

Exit codes: 0 valid (warnings allowed), 1 invalid, 2 usage error (missing file, unknown template).

Without ``--template`` no extra field is required, but rows without a ``reference_answer`` get a
``missing-recommended-field`` warning, since most reward functions grade against it. With
``--template NAME`` (and its ``--options``, required for templates with required options) the fields that
reward template reads are required, and every row's reference must be one the template can grade
(``ungradable-reference``: e.g. a yes/no answer under ``math_answer``).

``--format json`` prints exactly one JSON object on stdout (see
:meth:`rft_runtime.datasets.ValidationReport.to_dict`, plus ``"path"``). In text mode a progress bar
is drawn on stderr for files over 16 MiB when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, TextIO

from rft_runtime.datasets import Issue, ValidationReport, validate_path

#: Smallest file that gets a progress bar, in bytes.
PROGRESS_MIN_BYTES = 16 * 1024 * 1024

_RECOMMENDED_FIELDS = ("reference_answer",)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``rft validate``."""
    parser.add_argument("path", metavar="PATH", help="JSONL dataset file")
    parser.add_argument(
        "--template",
        metavar="NAME",
        help="reward template the dataset is for; its fields (e.g. reference_answer) become required",
    )
    parser.add_argument(
        "--options",
        metavar="JSON",
        default="{}",
        help="that template's options as a JSON object, or @FILE holding one (default {}); needed "
        "for templates with required options, and some options name the fields read",
    )
    parser.add_argument(
        "--max-prompt-tokens",
        type=_positive_int,
        metavar="N",
        help="error when a prompt's estimated length (UTF-8 bytes / 4) is over N, e.g. your maxPromptLength",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )
    parser.add_argument(
        "--max-errors",
        type=_non_negative_int,
        default=20,
        metavar="N",
        help="list at most N errors and N warnings; all are counted (default 20)",
    )
    parser.add_argument(
        "--epochs",
        type=_positive_int,
        metavar="N",
        help="epochCount of the run, for the LLM judge call count (default: the package default)",
    )
    parser.add_argument(
        "--samples-per-prompt",
        type=_positive_int,
        metavar="N",
        help="trainingSamplePerPrompt of the run, for the LLM judge call count (default: the package "
        "default)",
    )
    parser.add_argument(
        "--no-row-count-check",
        action="store_true",
        help="skip the 100..20,000 row limits (for a validation set)",
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def run(args: argparse.Namespace) -> int:
    """Validate ``args.path`` and print the report; return the exit code."""
    if not os.path.isfile(args.path):
        print(f"rft validate: {args.path}: no such file", file=sys.stderr)
        return 2
    reference_check = None
    if args.template is None:
        required: tuple[str, ...] = ()
        recommended = _RECOMMENDED_FIELDS
    else:
        from rft_runtime.rewards.catalogue import reference_check as template_reference_check
        from rft_runtime.rewards.catalogue import required_dataset_fields
        from rft_runtime.rewards.local import grader_spec

        spec, problems = grader_spec(args.template, args.options, None)
        if spec is None:
            for problem in problems:
                print(f"rft validate: {problem}", file=sys.stderr)
            return 2
        required = tuple(required_dataset_fields(spec.template, spec.options))
        reference_check = template_reference_check(spec.template, spec.options)
        recommended = ()
    bar = None
    if os.path.getsize(args.path) >= PROGRESS_MIN_BYTES and sys.stderr.isatty():
        bar = _ProgressBar(sys.stderr)
    try:
        report = validate_path(
            args.path,
            required_fields=required,
            recommended_fields=recommended,
            max_prompt_tokens=args.max_prompt_tokens,
            reference_check=reference_check,
            check_row_count=not args.no_row_count_check,
            max_listed=args.max_errors,
            progress=bar,
        )
    except OSError as exc:
        print(f"rft validate: {args.path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.finish()
    budget = None if args.template is None else _judge_budget(args, spec, int(report.stats["rows"]))
    if args.format == "json":
        extra = {} if budget is None else {"judgeCalls": budget.calls, "judgeBudget": budget.describe()}
        print(json.dumps({"path": args.path, **report.to_dict(), **extra}, ensure_ascii=False))
    else:
        _print_text(report, sys.stdout)
        if budget is not None:
            print(budget.describe(), file=sys.stdout)
    return 0 if report.valid else 1


def _judge_budget(args: argparse.Namespace, spec: Any, rows: int) -> Any:
    """The LLM judge calls of a run on this dataset (None when the template uses no judge);
    epochs and samples per prompt default to the package's hyperparameter defaults."""
    from bedrock_rft.config.schema import Hyperparameters
    from rft_runtime.rewards.judge_budget import judge_budget

    defaults = Hyperparameters()
    return judge_budget(
        spec.template,
        spec.options,
        rows=rows,
        samples_per_prompt=args.samples_per_prompt or defaults.trainingSamplePerPrompt,
        epochs=args.epochs or defaults.epochCount,
    )


def _print_text(report: ValidationReport, out: TextIO) -> None:
    stats = report.stats
    verdict = "valid" if report.valid else "INVALID"
    details = _size(int(stats["bytes"]))
    if stats["max_prompt_tokens_estimate"]:
        details += f"; longest prompt ~{stats['max_prompt_tokens_estimate']} tokens, estimated"
    print(
        f"{report.path}: {verdict}: {_plural(report.error_count, 'error')}, "
        f"{_plural(report.warning_count, 'warning')} in {_plural(int(stats['rows']), 'row')} ({details})",
        file=out,
    )
    for issues, total, kind in (
        (report.errors, report.error_count, "error"),
        (report.warnings, report.warning_count, "warning"),
    ):
        for issue in issues:
            print(_issue_line(report.path, issue), file=out)
        if total > len(issues):
            print(f"... and {_plural(total - len(issues), f'more {kind}')}", file=out)


def _issue_line(path: str, issue: Issue) -> str:
    where = f"{path}:{issue.line}" if issue.line else path
    return f"{where}: {issue.code}: {issue.message}"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    value = size / 1000
    for unit in ("KB", "MB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


class _ProgressBar:
    """``progress(done, total)`` callback drawing ``[#####     ]  42%`` on a terminal."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = min(100, done * 100 // total) if total else 100
        if percent != self._shown:
            self._shown = percent
            filled = percent * self.WIDTH // 100
            self._stream.write(f"\rvalidating [{'#' * filled}{' ' * (self.WIDTH - filled)}] {percent:3d}%")
            self._stream.flush()

    def finish(self) -> None:
        """Clear the bar's line."""
        self._stream.write("\r" + " " * (self.WIDTH + 18) + "\r")
        self._stream.flush()
