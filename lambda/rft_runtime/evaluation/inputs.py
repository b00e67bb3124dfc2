"""The inputs ``rft baseline`` and ``rft compare`` share, checked before the first paid call.

Dataset, reward and inference settings come from the command line, or from an environment file
(``--config dev`` reads ``environments/dev.toml`` through ``bedrock_rft.config.load_environment``,
the loader ``cdk synth`` uses); command-line values win over the file's. Defaults without a file:
the package's hyperparameter defaults (``inferenceMaxTokens`` 2048, ``reasoningEffort`` medium).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rft_runtime.evaluation.base_model import invocation_model_id
from rft_runtime.evaluation.collect import DEFAULT_CONCURRENCY
from rft_runtime.evaluation.converse import InferenceSettings
from rft_runtime.evaluation.prompt_files import load_prompts
from rft_runtime.evaluation.prompts import EvaluationInputError, Prompt
from rft_runtime.evaluation.store import DEFAULT_PATH
from rft_runtime.evaluation.summary import DEFAULT_PASS_THRESHOLD
from rft_runtime.rewards import local

EFFORTS = ("low", "medium", "high", "off")
#: Exit code of bad input (nothing was called).
EXIT_USAGE = 2


@dataclass
class Inputs:
    """Everything resolved: the prompts (of ``dataset``), the reward (``template`` and its built
    ``grader``), the inference ``settings``, and from a config the ``pipeline``, ``base_model`` (the
    id RFT trains from) and ``region`` (None without one)."""

    dataset: str
    prompts: list[Prompt]
    template: str
    grader: Any
    settings: InferenceSettings
    pipeline: str | None = None
    base_model: str | None = None
    region: str | None = None

    def base_model_invocation(self) -> str | None:
        """The id Converse calls for the config's base model: its inference profile in ``region``
        (:func:`~rft_runtime.evaluation.base_model.invocation_model_id`); None without a config.
        Raises ``ValueError`` when the Region has no known geography or is unknown."""
        if self.base_model is None:
            return None
        if not self.region:
            raise ValueError(
                f"--region: needed to call the base model {self.base_model} through its Region's "
                "inference profile; give --region or set region in the environment file"
            )
        try:
            return invocation_model_id(self.base_model, self.region)
        except ValueError as error:
            raise ValueError(f"--region: {error}") from None


def add_arguments(parser: argparse.ArgumentParser, *, samples_default: int) -> None:
    """Dataset, ``--config``, reward, inference settings, run and output options."""
    parser.add_argument(
        "dataset", nargs="?", metavar="DATASET.jsonl", help="prompts (default: from --config)"
    )
    parser.add_argument("--config", metavar="ENV", help="environment name: reads environments/ENV.toml")
    parser.add_argument(
        "--environments-dir", type=Path, default=Path("environments"), help="default: ./environments"
    )
    local.add_grader_arguments(parser)
    parser.add_argument(
        "--samples-per-prompt", type=int, default=samples_default, metavar="N",
        help=f"responses per prompt (default {samples_default})",
    )  # fmt: skip
    parser.add_argument(
        "--max-tokens", type=int, metavar="N", help="default: the config's inferenceMaxTokens"
    )
    parser.add_argument(
        "--reasoning-effort", choices=EFFORTS, help="default: the config's reasoningEffort; off disables it"
    )
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N prompts")
    parser.add_argument(
        "--pass-threshold", type=float, default=DEFAULT_PASS_THRESHOLD,
        help=f"reward counted as a pass (default {DEFAULT_PASS_THRESHOLD})",
    )  # fmt: skip
    parser.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, metavar="N",
        help=f"Converse calls in flight at most (default {DEFAULT_CONCURRENCY}; halves on throttling)",
    )  # fmt: skip
    parser.add_argument("--store", default=DEFAULT_PATH, metavar="FILE.jsonl", help=f"default {DEFAULT_PATH}")
    parser.add_argument("--region", help="AWS Region (default: the config's, else your AWS config)")
    parser.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )  # fmt: skip
    parser.add_argument("--format", choices=("text", "json"), default="text", help="report on stdout")


def print_problems(command: str, error: EvaluationInputError) -> int:
    """Print every problem of ``error`` as ``rft <command>: <problem>`` on stderr; returns
    :data:`EXIT_USAGE`."""
    for problem in error.problems:
        print(f"rft {command}: {problem}", file=sys.stderr)
    return EXIT_USAGE


def guarded(command: str, body: Callable[[], int]) -> int:
    """Run ``body`` (the paid part) under the CLI's AWS error handling; an input problem found on
    the way (a deployment ARN that names nothing) is printed and exits 2."""
    from rft_runtime.cli import status

    try:
        return status.guarded(body)
    except EvaluationInputError as error:
        return print_problems(command, error)


def show_progress(args: argparse.Namespace) -> bool:
    return sys.stderr.isatty() if args.progress is None else bool(args.progress)


def resolve(args: argparse.Namespace, *, dataset_role: str) -> Inputs:
    """Resolve and check every input; raises :class:`EvaluationInputError` listing every problem.

    ``dataset_role`` picks the config's dataset when none is given: ``"training"`` (baseline:
    which prompts can teach) or ``"validation"`` (compare: held-out prompts; the training file
    when the config has none).
    """
    problems = _number_problems(args)
    config = _load_config(args) if args.config else None
    dataset = args.dataset or (_config_dataset(config, dataset_role) if config else None)
    if dataset is None:
        problems.append("give DATASET.jsonl or --config ENV (whose dataset is a local file)")
    template, options, code = args.template, args.options, args.code
    if template is None and code is None and config is not None:
        template, options = config.reward.template, json.dumps(config.reward.options)
    spec, grader, reward_problems = local.build_local_grader(template, options, code)
    problems.extend(reward_problems)
    prompts: list[Prompt] = []
    if dataset is not None:
        try:
            prompts = load_prompts(dataset, limit=args.limit)
        except EvaluationInputError as error:
            problems.extend(error.problems)
    if problems:
        raise EvaluationInputError(problems)
    assert spec is not None and dataset is not None
    return Inputs(
        dataset=dataset,
        prompts=prompts,
        template=spec.template,
        grader=grader,
        settings=_settings(args, config),
        pipeline=config.name if config else None,
        base_model=config.base_model if config else None,
        region=args.region or (config.region if config else None),
    )


def _number_problems(args: argparse.Namespace) -> list[str]:
    problems = []
    for option, value in (
        ("--samples-per-prompt", args.samples_per_prompt),
        ("--concurrency", args.concurrency),
        ("--max-tokens", args.max_tokens),
        ("--limit", args.limit),
    ):
        if value is not None and value < 1:
            problems.append(f"{option}: {value} is not allowed; give a whole number of at least 1")
    if not 0.0 <= args.pass_threshold <= 1.0:
        problems.append(f"--pass-threshold: {args.pass_threshold} is outside 0 to 1")
    return problems


def _load_config(args: argparse.Namespace) -> Any:
    from bedrock_rft.config import ConfigError, load_environment

    try:
        return load_environment(args.config, args.environments_dir)
    except ConfigError as error:
        raise EvaluationInputError(str(error).splitlines()) from None


def _config_dataset(config: Any, role: str) -> str | None:
    data = config.dataset
    chosen = data.validation_file if role == "validation" and data.validation_file else data.training_file
    return str(chosen) if chosen else None


def _settings(args: argparse.Namespace, config: Any) -> InferenceSettings:
    if config is not None:
        hyper = config.hyperparameters
    else:
        from bedrock_rft.config import Hyperparameters

        hyper = Hyperparameters()
    effort = args.reasoning_effort or hyper.reasoningEffort
    return InferenceSettings(
        max_tokens=args.max_tokens or hyper.inferenceMaxTokens,
        reasoning_effort=None if effort == "off" else effort,
    )
