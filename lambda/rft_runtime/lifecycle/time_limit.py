"""``max_training_hours``: stop a job that trains longer than the pipeline allows.

``check_job`` hands every poll result to :func:`enforce`. While the job is InProgress and has run
past the limit (measured from the job's ``creationTime``), the job is stopped and the result says
so: status ``Stopped``, phase ``training`` and a message naming the limit, which the workflow then
publishes as any stopped job (state record ``STOPPED``, EventBridge event, SNS). While the job is
under the limit, the next poll is brought forward so the limit is enforced within a minute or two
instead of up to a full poll interval (15 min) late.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle import state

#: Shortest wait between polls when the limit is near (the task token's timeout must be >= 1 s;
#: polling faster than this would only add history events).
MIN_POLL_SECONDS = 60
#: ``stopReason`` of a job stopped by the limit.
STOP_REASON = "max_training_hours"


def hours_trained(job: Mapping[str, Any], now: datetime) -> float | None:
    """Hours since the job's ``creationTime``; ``None`` when the job states none."""
    started = state.instant(job.get("creationTime"))
    if started is None:
        return None
    return max(0.0, (now - started).total_seconds() / 3600)


def enforce(
    result: Mapping[str, Any],
    max_hours: float | None,
    bedrock: Any,
    *,
    now: datetime | None = None,
    reread: Any = None,
) -> dict[str, Any]:
    """``result`` (a ``check_job`` result) with the limit applied.

    ``max_hours``: the limit (None: no limit, ``result`` unchanged). ``now``: default the current
    UTC time. ``reread``: called with the job description when the stop request is refused (the job
    ended on its own meanwhile) and returns the fresh result to route instead.
    """
    out = dict(result)
    if not max_hours or out.get("status") != "InProgress":
        return out
    hours = hours_trained(out, now or datetime.now(UTC))
    if hours is None:
        return out
    remaining = (max_hours - hours) * 3600
    if remaining > 0:
        out["nextPollSeconds"] = int(min(out["nextPollSeconds"], max(MIN_POLL_SECONDS, remaining)))
        return out
    identifier = str(out.get("jobArn") or out.get("jobName"))
    if not bc.stop_job(bedrock, identifier):
        found = bc.get_job(bedrock, identifier)
        return dict(reread(found)) if found is not None and reread else out
    return {
        **out,
        "status": "Stopped",
        "stopReason": STOP_REASON,
        "failedStep": "training",
        "failureMessage": (
            f"stopped by max_training_hours = {max_hours:g}: the job had trained {hours:.1f} h "
            "(stop requested; no model is produced). Raise the limit or shrink the run, then "
            "change retrain_nonce to train again"
        ),
    }
