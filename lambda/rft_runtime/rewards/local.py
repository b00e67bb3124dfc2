"""Shared plumbing of the local grading commands (``rft grade``, ``rft check-grader``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from rft_runtime.rewards import catalogue


class GraderSpec(NamedTuple):
    """A template name and its options, as given on the command line."""

    template: str
    options: dict[str, Any]


def add_grader_arguments(parser: Any) -> None:
    """``--template``, ``--options`` and ``--code`` on an argparse parser."""
    parser.add_argument(
        "--template", metavar="NAME", help=f"reward template: {', '.join(catalogue.TEMPLATE_NAMES)}"
    )
    parser.add_argument(
        "--options",
        metavar="JSON",
        default="{}",
        help="template options as a JSON object, or @FILE holding one",
    )
    parser.add_argument(
        "--code", metavar="FILE", help="your grader file defining score(sample) (template custom)"
    )


def grader_spec(
    template: str | None, options_text: str, code: str | None
) -> tuple[GraderSpec | None, list[str]]:
    """The spec from ``--template/--options/--code``, or None and every problem found."""
    problems: list[str] = []
    if options_text.startswith("@"):
        try:
            options_text = Path(options_text[1:]).read_text(encoding="utf-8")
        except OSError as problem:
            return None, [f"--options: cannot read {options_text[1:]}: {problem.strerror}"]
    try:
        options = json.loads(options_text)
    except ValueError as problem:
        return None, [f"--options: not valid JSON: {problem}"]
    if not isinstance(options, dict):
        return None, ["--options: must be a JSON object"]
    if code is not None:
        if template not in (None, "custom"):
            problems.append(f"--code means template 'custom'; drop --template {template}")
        template = "custom"
        options = {**options, "path": code}
    if template is None:
        problems.append(f"give --template (one of: {', '.join(catalogue.TEMPLATE_NAMES)}) or --code")
        return None, problems
    problems.extend(catalogue.validate_options(template, options))
    return (None if problems else GraderSpec(template, options)), problems


def read_jsonl(path: str) -> Iterator[tuple[int, Any, str | None]]:
    """``(line number, decoded value or None, problem or None)`` per non-blank line; ``-`` is stdin.

    Raises OSError when the file cannot be opened.
    """
    # undecodable bytes become U+FFFD: the line then fails as JSON or grades as text, never crashes
    stream: IO[str] = sys.stdin if path == "-" else open(path, encoding="utf-8-sig", errors="replace")  # noqa: SIM115
    try:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line), None
            except ValueError as problem:
                yield number, None, f"line {number}: not valid JSON ({problem})"
    finally:
        if stream is not sys.stdin:
            stream.close()


def format_summary(summary: dict[str, Any]) -> str:
    """The text form of :func:`rft_runtime.rewards.batch.summary`."""
    if not summary["count"]:
        return "graded 0 samples"
    lines = [
        f"graded {summary['count']} samples: mean {summary['mean']:.4f}, min {summary['min']:.4f}, "
        f"max {summary['max']:.4f}, pass rate {summary['pass_rate']:.1%}"
    ]
    if summary["errors"]:
        lines.append("errors: " + ", ".join(f"{tag} {count}" for tag, count in summary["errors"].items()))
    return "\n".join(lines)


def grader_from_args(args: Any) -> tuple[GraderSpec, Any] | None:
    """``(spec, grader)`` from the parsed ``--template/--options/--code``; None after printing every
    problem on stderr (the command then exits 2)."""
    spec, grader, problems = build_local_grader(args.template, args.options, args.code)
    if spec is None:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return None
    if any(name == "code_tests" for name, _ in catalogue.graders_in_use(spec.template, spec.options)):
        from rft_runtime.rewards.sandbox import LOCAL_WARNING

        print(LOCAL_WARNING, file=sys.stderr)
    return spec, grader


def build_local_grader(
    template: str | None, options_text: str, code: str | None
) -> tuple[GraderSpec | None, Any, list[str]]:
    """``(spec, grader, [])`` from ``--template/--options/--code``, or ``(None, None, problems)``."""
    from rft_runtime.rewards.options import OptionsError

    spec, problems = grader_spec(template, options_text, code)
    if spec is None:
        return None, None, problems
    try:
        return spec, catalogue.build_grader(spec.template, spec.options), []
    except OptionsError as problem:
        return None, None, list(problem.problems)
