"""``rft wait``: block until a pipeline's model is deployed, for GitOps pipelines.

Exit codes: 0 the model is Active behind the deployment (or training completed, with deployment
mode ``none``); 1 the run failed or stopped (the failure is printed); 3 ``--timeout-minutes``
passed first; 2 usage error, missing pipeline or no AWS credentials. Progress lines go to stderr
when the phase changes; the final state goes to stdout (``--format json`` for scripts).

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


def run(args: argparse.Namespace) -> int:
    if args.timeout_minutes <= 0:
        print("rft: --timeout-minutes must be positive", file=sys.stderr)
        return status.EXIT_USAGE

    def body() -> int:
        pipeline, region = status.resolve_target(args)
        fingerprint = status.expected_fingerprint(args)
        clients = status.make_clients(region)
        deadline = time.monotonic() + args.timeout_minutes * 60
        last = None
        while True:
            snap = observe.take(clients, pipeline, fingerprint=fingerprint)
            if snap.outcome == "missing":
                status.emit(snap, args.format, watching=False)
                return status.EXIT_USAGE
            record = snap.record or {}
            progress = (snap.outcome, snap.phase, record.get("step"), (snap.job or {}).get("status"))
            if progress != last:
                if snap.outcome == "pending":
                    shown = str(record.get("fingerprint") or "none")[:12]
                    line = (
                        f"waiting for run {fingerprint[:12]} to start "
                        f"(the state shows run {shown}, {snap.phase})"
                    )
                else:
                    step = f" - {progress[2]}" if progress[2] else ""
                    line = f"{snap.phase}{step} ({snap.outcome})"
                print(f"rft wait: {pipeline} {line}", file=sys.stderr, flush=True)
                last = progress
            if snap.terminal:
                status.emit(snap, args.format, watching=False)
                return status.EXIT_OK if snap.outcome == "success" else status.EXIT_FAILED
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                status.emit(snap, args.format, watching=False)
                print(f"rft wait: timed out after {args.timeout_minutes:g} minutes", file=sys.stderr)
                return EXIT_TIMEOUT
            time.sleep(max(0.0, min(args.interval, remaining)))

    return status.guarded(body)
