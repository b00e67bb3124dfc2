"""``rft promote --fingerprint F (--env E | --pipeline P)``: serve a model the promotion gate rejected.

The state record must show the run ``F`` (the stack output ``TrainingFingerprint``, or its first
12+ hex digits) as ``REJECTED``. What the record serves through (the pipeline's deployment, created
when the pipeline never served one, or its Provisioned Throughput) is swapped to that run's model
and the record becomes ``ACTIVE`` with an
``override`` (``by``, ``at``, the model it replaced, the gate's decision). The swap itself takes
minutes; ``rft status`` / ``rft wait`` follow it. Exit codes: 0 swap requested and recorded,
2 usage error (wrong run, not rejected, missing credentials), 4 an AWS request failed.
"""

from __future__ import annotations

import argparse
import json
import sys

from rft_runtime.cli import status as common
from rft_runtime.lifecycle import state
from rft_runtime.lifecycle.errors import LifecycleError
from rft_runtime.lifecycle.settings import Settings
from rft_runtime.promotion.outcome import NotPromotable, manual_promote


def configure(parser: argparse.ArgumentParser) -> None:
    common.add_target_arguments(parser)
    parser.add_argument(
        "--fingerprint",
        metavar="HEX",
        required=True,
        help="the rejected run to serve: the stack output TrainingFingerprint (or its first 12+ hex digits)",
    )


def run(args: argparse.Namespace) -> int:
    def body() -> int:
        fingerprint = common.expected_fingerprint(args)
        pipeline, region = common.resolve_target(args)
        clients = common.make_clients(region)
        try:
            record = manual_promote(clients, Settings(pipeline), fingerprint, requested_at=state.now_iso())
        except NotPromotable as exc:
            raise common.UsageError(str(exc)) from None
        except LifecycleError as exc:  # Bedrock refused the swap, or SSM/EventBridge failed
            print(f"rft: {exc}; check rft status before retrying", file=sys.stderr)
            return common.EXIT_AWS
        print(
            f"{pipeline}: swap to {record['servingModelArn']} requested on {record['deploymentArn']} "
            "(manual override recorded; rft status shows the swap)"
        )
        print(json.dumps(record.get("override"), sort_keys=True))
        return common.EXIT_OK

    return common.guarded(body)
