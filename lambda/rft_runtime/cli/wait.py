"""``rft wait``: block until a pipeline's model is deployed, for GitOps pipelines.

Exit codes: 0 the model is Active behind the deployment (or training completed, with deployment
mode ``none``); 1 the run failed or stopped (the failure is printed); 3 ``--timeout-minutes``
passed first (also when AWS kept failing transiently until then); 2 usage error, missing pipeline
or no AWS credentials; 4 an AWS request failed otherwise (e.g. access denied): the outcome is
unknown. Transient AWS errors (throttling, 5xx, connection errors) are retried with backoff until
the deadline. Progress lines go to stderr when the phase changes; the final state goes to stdout
(``--format json`` for scripts).

``--fingerprint HEX`` waits for one particular run: pass the stack output ``TrainingFingerprint``
(or at least its first 12 hex digits), e.g. ``rft wait --env dev --fingerprint "$(aws
cloudformation describe-stacks ... --query "Stacks[0].Outputs[?OutputKey=='TrainingFingerprint']
.OutputValue" --output text)"``. Until the state record shows that run, the previous run's success
or failure is not taken for this one's (``cdk deploy && rft wait`` could otherwise report the old
model while the new run has not recorded its start yet).
"""

from __future__ import annotations

import argparse
import sys
import time

from rft_runtime.cli import status
from rft_runtime.lifecycle import observe

EXIT_TIMEOUT = 3


def configure(parser: argparse.ArgumentParser) -> None:
    status.add_target_arguments(parser)
    status.add_fingerprint_argument(parser)
    parser.add_argument(
        "--timeout-minutes", type=float, default=24 * 60, help="give up after N minutes (default 1440)"
    )
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between checks (default 60)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="final report format")


def _progress(snap: observe.Snapshot) -> tuple[object, ...]:
    """What a progress line reports; a new line is printed when it changes."""
    return (snap.outcome, snap.phase, (snap.record or {}).get("step"), (snap.job or {}).get("status"))


def _progress_line(snap: observe.Snapshot, fingerprint: str) -> str:
    """The stderr line for ``snap``: the phase and step, or which run is awaited."""
    record = snap.record or {}
    if snap.outcome == "pending":
        shown = str(record.get("fingerprint") or "none")[:12]
        line = f"waiting for run {fingerprint[:12]} to start (the state shows run {shown}, {snap.phase})"
    else:
        step = f" - {record['step']}" if record.get("step") else ""
        line = f"{snap.phase}{step} ({snap.outcome})"
    return f"rft wait: {snap.pipeline} {line}"


def _timed_out(args: argparse.Namespace, snap: observe.Snapshot | None) -> int:
    """Report the last state seen (if any) and the timeout; exit 3."""
    if snap is not None:
        status.emit(snap, args.format, watching=False)
    print(f"rft wait: timed out after {args.timeout_minutes:g} minutes", file=sys.stderr)
    return EXIT_TIMEOUT


def run(args: argparse.Namespace) -> int:
    if args.timeout_minutes <= 0:
        print("rft: --timeout-minutes must be positive", file=sys.stderr)
        return status.EXIT_USAGE

    def body() -> int:
        pipeline, region = status.resolve_target(args)
        fingerprint = status.expected_fingerprint(args)
        clients = status.make_clients(region)
        deadline = time.monotonic() + args.timeout_minutes * 60
        interval = args.interval
        last: observe.Snapshot | None = None
        while True:
            snap = status.take_retrying(clients, pipeline, fingerprint, until=deadline, interval=interval)
            if snap is None:  # AWS kept failing transiently until the deadline
                return _timed_out(args, last)
            if snap.outcome == "missing":
                status.emit(snap, args.format, watching=False)
                return status.EXIT_USAGE
            if last is None or _progress(snap) != _progress(last):
                print(_progress_line(snap, fingerprint), file=sys.stderr, flush=True)
            last = snap
            if snap.terminal:
                status.emit(snap, args.format, watching=False)
                return status.EXIT_OK if snap.outcome == "success" else status.EXIT_FAILED
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _timed_out(args, snap)
            time.sleep(max(0.0, min(interval, remaining)))

    return status.guarded(body)
