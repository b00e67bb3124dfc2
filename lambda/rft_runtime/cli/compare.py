"""``rft compare``: model A vs model B on the same prompts, graded with the pipeline's reward.

Each side is a model (``--model-a`` / ``--model-b``) or a file of recorded responses (``--responses-a`` /
``--responses-b``, JSONL ``{"id", "response"}``: no AWS at all). Defaults with ``--config ENV``: A is the
pipeline's base model (called through its Region's inference profile, see
:mod:`rft_runtime.evaluation.base_model`; the report names both), B its serving deployment, read from the
state record (``/bedrock-rft/<pipeline>/state``); the dataset is the config's validation file (else its
training file). Reports each side's mean reward and pass rate, the paired mean delta B - A with a
paired-bootstrap 95% CI, and win/tie/loss counts; ``--report FILE.html`` writes the self-contained
HTML report. Live responses go through the response store like ``rft baseline``'s, so the base
model's responses from a baseline run with the same settings are reused.

Exit codes: 0 compared (and, with ``--min-improvement X``, the mean delta is at least X), 1 the
delta is below ``--min-improvement``, 2 bad input (nothing was called), 4 an AWS request failed.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rft_runtime.cli import status
from rft_runtime.evaluation import inputs, models, report_html, runs, summary
from rft_runtime.evaluation.prompts import EvaluationInputError
from rft_runtime.lifecycle import names, state

EXIT_OK, EXIT_GATE_FAILED = 0, 1


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``compare`` arguments."""
    for side, default in (
        ("a", "the config's base_model, through its Region's inference profile"),
        ("b", "the pipeline's serving deployment"),
    ):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(f"--model-{side}", metavar="ID", help=f"model {side.upper()} (default: {default})")
        group.add_argument(
            f"--responses-{side}",
            metavar="FILE.jsonl",
            help=f'recorded responses of {side.upper()}: {{"id", "response"}}',
        )
    parser.add_argument("--report", metavar="FILE.html", help="write the self-contained HTML report here")
    parser.add_argument(
        "--min-improvement", type=float, metavar="X", help="exit 1 unless the mean delta B - A is at least X"
    )
    inputs.add_arguments(parser, samples_default=1)


def _serving_deployment(pipeline: str, region: str | None) -> str:
    """The deployment ARN of the pipeline's state record (an SSM read, free of charge)."""
    parameter = names.state_parameter_name(pipeline)
    ssm = status.make_clients(region).ssm
    try:
        value = ssm.get_parameter(Name=parameter)["Parameter"]["Value"]
    except Exception as error:
        if getattr(error, "response", {}).get("Error", {}).get("Code") == "ParameterNotFound":
            raise status.UsageError(
                f"pipeline {pipeline!r} has no state record {parameter}; is it deployed?"
            ) from None
        raise
    record = state.parse(value) or {}
    arn = record.get("deploymentArn")
    if not arn:
        raise status.UsageError(
            f"pipeline {pipeline!r} has no serving deployment yet (phase {record.get('phase', 'unknown')}); "
            "give --model-b or --responses-b"
        )
    return str(arn)


def _side_models(args: argparse.Namespace, resolved: inputs.Inputs) -> dict[str, str | None]:
    """Each live side's model (None for recordings or B from the state record); problems raise."""
    chosen: dict[str, str | None] = {}
    problems = []
    for side in ("a", "b"):
        if getattr(args, f"responses_{side}"):
            chosen[side] = None
            continue
        model = getattr(args, f"model_{side}")
        if model is None and side == "a":
            try:
                model = resolved.base_model_invocation()
            except ValueError as error:
                problems.append(str(error))
                continue
        if model is None and (side == "a" or resolved.pipeline is None):
            problems.append(
                f"side {side.upper()}: give --model-{side} ID, --responses-{side} FILE or --config ENV"
            )
            continue
        if model is not None:
            try:
                models.parse_model(model, option=f"--model-{side}")
            except ValueError as error:
                problems.append(str(error))
        chosen[side] = model
    if problems:
        raise EvaluationInputError(problems)
    return chosen


def run(args: argparse.Namespace) -> int:
    """Compare A with B and print the figures (and write the report)."""
    try:
        resolved = inputs.resolve(args, dataset_role="validation")
        chosen = _side_models(args, resolved)
        if args.report and not Path(args.report).resolve().parent.is_dir():
            raise EvaluationInputError([f"--report: folder of {args.report} does not exist"])
    except EvaluationInputError as error:
        return inputs.print_problems("compare", error)

    def body() -> int:
        live = {side for side in ("a", "b") if not getattr(args, f"responses_{side}")}
        if "b" in live and chosen["b"] is None:
            assert resolved.pipeline is not None
            chosen["b"] = _serving_deployment(resolved.pipeline, resolved.region)
        bedrock = _lazy(lambda: status.make_clients(resolved.region).bedrock)
        served = {  # both before any paid call: an unknown deployment stops the run here
            side: runs.served_model(str(chosen[side]), bedrock, option=f"--model-{side}") for side in live
        }
        client = runs.runtime_client(resolved, args.concurrency) if live else None
        sides: dict[str, runs.Side] = {}
        for side in ("a", "b"):
            if side in live:
                sides[side] = runs.live(
                    resolved,
                    str(chosen[side]),
                    client=client,
                    samples=args.samples_per_prompt,
                    store_path=args.store,
                    concurrency=args.concurrency,
                    progress=inputs.show_progress(args),
                    served=served[side],
                )
            else:
                sides[side] = runs.recorded(resolved, getattr(args, f"responses_{side}"))
        return _finish(args, resolved, sides)

    return inputs.guarded("compare", body)


def _lazy(make: Callable[[], Any]) -> Callable[[], Any]:
    """``make`` called at most once (one ``bedrock`` client for both sides, none when unused)."""
    made: list[Any] = []

    def get() -> Any:
        if not made:
            made.append(make())
        return made[0]

    return get


def _finish(args: argparse.Namespace, resolved: inputs.Inputs, sides: dict[str, runs.Side]) -> int:
    a, b = sides["a"], sides["b"]
    report: dict[str, Any] = summary.comparison(
        resolved.prompts,
        (a.name, a.graded),
        (b.name, b.graded),
        threshold=args.pass_threshold,
        min_improvement=args.min_improvement,
    )
    summary.add_samples(report, (a.texts, b.texts), (a.graded, b.graded))
    if args.model_a is None and not args.responses_a and resolved.base_model != a.name:
        report["a"]["base_model"] = resolved.base_model
    report["dataset"] = resolved.dataset
    report["calls"] = {name: side.calls for name, side in sides.items() if side.calls}
    if args.report:
        page = report_html.render(
            report,
            resolved.prompts,
            (a.texts, b.texts),
            (a.graded, b.graded),
            title=f"rft compare: {resolved.dataset}",
        )
        try:
            Path(args.report).write_text(page, encoding="utf-8")
        except OSError as error:
            raise EvaluationInputError([f"--report: cannot write {args.report}: {error.strerror}"]) from None
        report["report"] = args.report
    if args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        print(summary.comparison_text(report))
        if args.report:
            print(f"report: {args.report}")
    return EXIT_GATE_FAILED if report["gate"] is False else EXIT_OK
