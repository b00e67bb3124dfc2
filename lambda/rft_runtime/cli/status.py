"""``rft status``: where a pipeline's training run is.

Reads the pipeline's state parameter (``/bedrock-rft/<pipeline>/state``), the workflow execution,
the customization job and the deployment, and prints the phase, elapsed time, the job's phase
statuses and the deployment ARN. ``--watch`` refreshes until the run ends, riding out transient AWS
errors (throttling, 5xx, connection errors) with backoff. Exit codes: 0 the model is serving / the
run is still going, 1 the run failed, 2 usage error, missing pipeline or no AWS credentials, 4 an AWS
request failed (e.g. access denied, or a transient error without ``--watch``): the outcome is
unknown. The pipeline is named directly (``--pipeline``) or through its environment file
(``--env dev`` reads key ``name`` of ``environments/dev.toml``; its ``region`` key, if set, is the
default Region). ``--fingerprint HEX`` (the stack output ``TrainingFingerprint``, or at least its
first 12 hex digits) names the run expected: until the state record shows that run, the outcome is
``pending`` (exit 0; ``--watch`` keeps refreshing) and the previous run's result is not reported
as this one's.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)

from rft_runtime.lifecycle import observe, retry
from rft_runtime.lifecycle.clients import Clients

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: An AWS request failed (not a missing credential or Region): the outcome is unknown. Never 1,
#: which means the run failed.
EXIT_AWS = 4
#: First backoff after a transient AWS error while watching or waiting; it doubles up to the
#: check interval (full jitter).
TRANSIENT_FIRST_SECONDS = 5.0


class UsageError(Exception):
    """Bad arguments or environment file: printed as one line, exit 2."""


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """``--env`` | ``--pipeline``, ``--environments-dir``, ``--region``."""
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--env", metavar="NAME", help="environment name: reads environments/NAME.toml")
    target.add_argument("--pipeline", metavar="NAME", help="pipeline name (the config's `name`)")
    parser.add_argument(
        "--environments-dir", type=Path, default=Path("environments"), help="default: ./environments"
    )
    parser.add_argument("--region", help="AWS Region (default: the environment file's, else your AWS config)")


def add_fingerprint_argument(parser: argparse.ArgumentParser) -> None:
    """``--fingerprint HEX``: the run expected (stack output ``TrainingFingerprint``)."""
    parser.add_argument(
        "--fingerprint",
        metavar="HEX",
        default="",
        help="the run to report on: the stack output TrainingFingerprint (or its first 12+ hex "
        "digits); until the state shows that run, the previous run's outcome is not reported",
    )


def expected_fingerprint(args: argparse.Namespace) -> str:
    """The normalised ``--fingerprint`` (empty when not given); a bad value is a usage error."""
    value = getattr(args, "fingerprint", "") or ""
    if not value:
        return ""
    try:
        return observe.check_fingerprint(value)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def resolve_target(args: argparse.Namespace) -> tuple[str, str | None]:
    """``(pipeline name, region or None)`` from ``--pipeline`` or the environment file."""
    if args.pipeline:
        return args.pipeline, args.region
    path = Path(args.environments_dir) / f"{args.env}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such environment file") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise UsageError(f"{path}: key `name` (the pipeline name) is missing")
    region = data.get("region")
    return name, args.region or (region if isinstance(region, str) else None)


def make_clients(region: str | None) -> Clients:
    """boto3 clients with botocore's default retries (replaced in tests)."""

    def factory(service: str) -> Any:
        import boto3

        return boto3.client(service, region_name=region)

    return Clients(factory)


def guarded(body: Callable[[], int]) -> int:
    """Run ``body``; turn usage errors and missing credentials/Region into one line and exit 2, any
    other AWS error (refused request, unreachable endpoint) into one line and exit 4: never a
    traceback, never the exit code of a failed run."""
    try:
        return body()
    except UsageError as exc:
        print(f"rft: {exc}", file=sys.stderr)
    except (NoCredentialsError, PartialCredentialsError):
        print(
            "rft: no AWS credentials found; configure them (aws configure, AWS_PROFILE or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and retry",
            file=sys.stderr,
        )
    except (ProfileNotFound, CredentialRetrievalError, TokenRetrievalError, SSOError) as exc:
        print(f"rft: AWS credentials unusable ({exc}); fix the profile or sign in again", file=sys.stderr)
    except NoRegionError:
        print("rft: no AWS Region; pass --region or set AWS_REGION (or a profile region)", file=sys.stderr)
    except (ClientError, BotoCoreError) as exc:
        print(f"rft: {describe_aws_error(exc)}; the outcome is unknown", file=sys.stderr)
        return EXIT_AWS
    return EXIT_USAGE


def describe_aws_error(exc: Exception) -> str:
    """One line for an AWS error: the service's code and message, else botocore's text."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        text = f"AWS refused the request: {error.get('Code')}: {error.get('Message')}"
    else:
        text = f"AWS request failed: {exc}"
    return " ".join(text.split())


def take_retrying(
    clients: Clients, pipeline: str, fingerprint: str, *, until: float = math.inf, interval: float
) -> observe.Snapshot | None:
    """:func:`observe.take`, retrying transient AWS errors (:func:`retry.is_transient`) with backoff
    from :data:`TRANSIENT_FIRST_SECONDS` doubling up to ``interval``, each one reported on stderr.
    Returns None when ``until`` (a ``time.monotonic()`` value; default: never) passes first. Other
    errors propagate."""
    policy = retry.RetryPolicy(base_seconds=TRANSIENT_FIRST_SECONDS, cap_seconds=max(1.0, interval))
    failures = 0
    while True:
        try:
            return observe.take(clients, pipeline, fingerprint=fingerprint)
        except (ClientError, BotoCoreError) as exc:
            if not retry.is_transient(exc):
                raise
            failures += 1
            remaining = until - time.monotonic()
            if remaining <= 0:
                return None
            pause = min(remaining, policy.delay(failures))
            print(
                f"rft: {pipeline}: {describe_aws_error(exc)}; retrying in {pause:.0f} s",
                file=sys.stderr,
                flush=True,
            )
            time.sleep(pause)


def emit(snap: observe.Snapshot, fmt: str, *, watching: bool) -> None:
    """Print one snapshot (text block, or one JSON document per line)."""
    if fmt == "json":
        print(json.dumps(snap.to_dict(), sort_keys=True, default=str), flush=True)
        return
    if watching:
        print(f"--- {snap.taken_at.replace(microsecond=0).isoformat()}")
    print(observe.render_text(snap), flush=True)


def exit_code(snap: observe.Snapshot) -> int:
    """2 for a missing pipeline, 1 for a failed run, else 0 (success, running or pending)."""
    if snap.outcome == "missing":
        return EXIT_USAGE
    return EXIT_FAILED if snap.outcome == "failure" else EXIT_OK


def configure(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    add_fingerprint_argument(parser)
    parser.add_argument("--watch", action="store_true", help="refresh until the run succeeds or fails")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between refreshes (default 30)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="default: text")


def run(args: argparse.Namespace) -> int:
    def body() -> int:
        pipeline, region = resolve_target(args)
        fingerprint = expected_fingerprint(args)
        clients = make_clients(region)
        while True:
            if args.watch:
                snap = take_retrying(clients, pipeline, fingerprint, interval=args.interval)
            else:
                snap = observe.take(clients, pipeline, fingerprint=fingerprint)
            emit(snap, args.format, watching=args.watch)
            if not args.watch or snap.terminal or snap.outcome == "missing":
                return exit_code(snap)
            time.sleep(max(1.0, args.interval))

    return guarded(body)
