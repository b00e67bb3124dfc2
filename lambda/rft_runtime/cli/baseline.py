"""``rft baseline``: how well does a model already do on your prompts, with your reward?

Calls the model through Converse (``--samples-per-prompt`` responses per prompt, the pipeline's
inference settings), grades every response through the reward Lambda's code path, and reports the
mean reward with a 95% CI, the pass rate, a score histogram, per-prompt variance, the prompts that
teach nothing at that sample count (every sample scores the same) and the tokens used, ending with
verdict lines. ``--config ENV`` takes the training dataset, reward, base model and inference settings
from ``environments/ENV.toml``; the base model is called through its Region's inference profile
(``amazon.nova-2-lite-v1:0:256k`` in ``us-east-1``: ``us.amazon.nova-2-lite-v1:0``, see
:mod:`rft_runtime.evaluation.base_model`) and the report names both. ``--model`` is used as given.
Responses are kept in the response store (``--store``), so a rerun
resumes and ``rft compare`` reuses them.

Exit codes: 0 measured, 2 bad input (nothing was called), 4 an AWS request failed.
"""

from __future__ import annotations

import argparse
import json

from rft_runtime.cli import status
from rft_runtime.evaluation import inputs, models, runs, summary
from rft_runtime.evaluation.prompts import EvaluationInputError

EXIT_OK = 0


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``baseline`` arguments."""
    parser.add_argument(
        "--model",
        metavar="ID",
        help="model to measure, used as given (default: the config's base_model, through its Region's "
        "inference profile)",
    )
    inputs.add_arguments(parser, samples_default=4)


def run(args: argparse.Namespace) -> int:
    """Measure the model and print the report."""
    try:
        resolved = inputs.resolve(args, dataset_role="training")
        model = args.model or resolved.base_model_invocation()
        if model is None:
            raise EvaluationInputError(["give --model ID or --config ENV (its base_model)"])
        models.parse_model(model)
    except ValueError as error:
        return inputs.print_problems("baseline", EvaluationInputError([str(error)]))
    except EvaluationInputError as error:
        return inputs.print_problems("baseline", error)

    def body() -> int:
        served = runs.served_model(model, lambda: status.make_clients(resolved.region).bedrock)
        side = runs.live(
            resolved,
            model,
            client=runs.runtime_client(resolved, args.concurrency),
            samples=args.samples_per_prompt,
            store_path=args.store,
            concurrency=args.concurrency,
            progress=inputs.show_progress(args),
            served=served,
        )
        of_base = args.model is None
        report = summary.baseline(
            model,
            side.graded,
            samples=args.samples_per_prompt,
            threshold=args.pass_threshold,
            label="base model" if of_base or model == resolved.base_model else "model",
        )
        if of_base and model != resolved.base_model:
            report["base_model"] = resolved.base_model
        report["dataset"] = resolved.dataset
        report["calls"] = side.calls
        if args.format == "json":
            print(json.dumps(report, indent=2))
        else:
            print(summary.baseline_text(report))
        return EXIT_OK

    return inputs.guarded("baseline", body)
