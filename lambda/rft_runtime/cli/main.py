"""Entry point of the ``rft`` command.

Every subcommand lives in its own module under ``rft_runtime.cli`` and exposes two functions:

- ``configure(parser: argparse.ArgumentParser) -> None`` adds its arguments;
- ``run(args: argparse.Namespace) -> int`` does the work and returns the exit code.

Modules are imported only when their subcommand is chosen, so ``rft --help`` stays fast and one
subcommand's optional dependencies never slow down another. Exit codes: 0 success, 1 the checked
thing failed (invalid data, failed job), 2 usage error; ``rft wait`` adds 3 (timed out), and
``rft status``/``rft wait`` add 4 (an AWS request failed: the outcome is unknown); ``rft doctor``
uses 3 for "no check failed, but one could not be made"; ``rft plan`` uses 3 for "no plan could be
made".
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from rft_runtime import __version__

#: subcommand name -> (module under rft_runtime.cli, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "check an RFT training dataset (JSONL) before you pay for a job"),
    "convert-logs": ("convert_logs", "turn Bedrock model invocation logs into RFT training rows"),
    "grade": ("grade", "run a reward template locally on Bedrock grader payloads"),
    "check-grader": ("check_grader", "measure how well a reward template separates right from wrong"),
    "baseline": ("baseline", "measure a model on your prompts with your reward before training"),
    "compare": ("compare", "compare two models (or recorded responses) on the same prompts"),
    "status": ("status", "show where a pipeline's training run is"),
    "wait": ("wait", "block until a pipeline's model is deployed (exit 0) or has failed (exit 1)"),
    "promote": ("promote", "serve a model the promotion gate rejected (recorded as a manual override)"),
    "doctor": ("doctor", "check, read-only, what a deploy needs in the account and Region"),
    "plan": ("plan", "show what a change would train, serve and change in each environment"),
    "init": ("init", "write the GitOps pull-request workflow into a repository"),
}


def _build_parser(chosen: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rft", description="Amazon Bedrock reinforcement fine-tuning tools (bedrock-rft-cdk)."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module = importlib.import_module(f"rft_runtime.cli.{module_name}")
            module.configure(sub)
            sub.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), run the chosen subcommand, return its exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in args_list if not a.startswith("-")), None)
    parser = _build_parser(chosen if chosen in COMMANDS else None)
    args = parser.parse_args(args_list)
    if getattr(args, "_run", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args._run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
