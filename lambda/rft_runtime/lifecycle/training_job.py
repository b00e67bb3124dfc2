"""The training job's steps: ``start_job`` (create or adopt the customization job, publish
``TRAINING``), ``check_job`` (poll it; the time limit applies) and ``await_job_event`` (park a task
token until the job's state-change event or the next poll). Polling: 2 min growing by 1.5x to 15 min.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle import retry, state, time_limit
from rft_runtime.lifecycle.errors import InvalidRequest, Superseded
from rft_runtime.lifecycle.settings import Settings
from rft_runtime.lifecycle.spec import RunSpec

LOG = logging.getLogger(__name__)


#: Job polling: first wait 2 min, x1.5 per check, at most 15 min (the job event usually ends a wait early).
JOB_POLL_FIRST_SECONDS = 120


JOB_POLL_GROWTH = 1.5


JOB_POLL_MAX_SECONDS = 900


def job_poll_seconds(checks: int) -> int:
    """Wait after check number ``checks`` (1-based): 120, 180, 270, 405, 608, 900, 900, ..."""
    return int(
        min(JOB_POLL_MAX_SECONDS, round(JOB_POLL_FIRST_SECONDS * JOB_POLL_GROWTH ** max(0, checks - 1)))
    )


_STEPS = (
    ("validationDetails", "validation"),
    ("dataProcessingDetails", "data processing"),
    ("trainingDetails", "training"),
)


def current_step(details: Mapping[str, Any] | None) -> str:
    """The job's current phase from ``statusDetails``: first one in progress, else the last completed."""
    details = details or {}
    statuses = [(label, (details.get(key) or {}).get("status", "")) for key, label in _STEPS]
    for label, status in statuses:
        if status in ("InProgress", "Stopping"):
            return label
    done = [label for label, status in statuses if status == "Completed"]
    return done[-1] if done else ""


def failed_step(details: Mapping[str, Any] | None) -> str:
    """The phase a failed or stopped job ended in: the first Failed one, else the first Stopped one."""
    details = details or {}
    for wanted in (("Failed",), ("Stopped", "Stopping")):
        for key, label in _STEPS:
            if (details.get(key) or {}).get("status") in wanted:
                return label
    return ""


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0).isoformat()
    return str(value or "")


def job_state(job: Mapping[str, Any], checks: int) -> dict[str, Any]:
    status = str(job.get("status") or "InProgress")
    details = job.get("statusDetails")
    failed = status in ("Failed", "Stopped")
    return {
        "jobName": job.get("jobName", ""),
        "jobArn": job.get("jobArn", ""),
        "status": status,
        "step": current_step(details),
        "modelArn": job.get("outputModelArn", "") or "",
        "failureMessage": (job.get("failureMessage") or ("job was stopped" if status == "Stopped" else ""))
        if failed
        else "",
        "failedStep": (failed_step(details) or "training") if failed else "",
        "creationTime": _iso(job.get("creationTime")),
        "checks": checks,
        "nextPollSeconds": job_poll_seconds(max(1, checks)),
    }


def start_job(
    spec: RunSpec, clients: Any, settings: Settings, execution_arn: str, execution_started: str = ""
) -> dict[str, Any]:
    """Start the customization job, or adopt the one already named after this fingerprint.

    Get-by-name first (a retried step, a replayed event or a re-created stack finds the job and
    never starts a second one); ``ConflictException`` on create also means "adopt".

    Ownership is settled first: a run whose state record names a newer run fails as
    :class:`Superseded` before any job exists; a run that finds an older owner (the launcher's
    STARTING write was lost) takes the record over. Whenever the record lacks this execution's
    start (taken over, or NOT_STARTED), ``execution_started`` (``$$.Execution.StartTime``; default
    empty: none recorded) becomes its ``startedAt``, so later runs can order themselves against it.
    """
    names = spec.names
    current = state.read(clients.ssm, settings.state_parameter)
    if not state.may_take_over(current, spec.fingerprint, execution_started):
        raise Superseded(
            f"run {names.short} was superseded by {(current or {}).get('fingerprint', '?')[:12]} "
            "before it started its job"
        )
    job = bc.get_job(clients.bedrock, names.job_name)
    adopted = job is not None
    if job is None:
        arn = bc.create_job(clients.bedrock, spec.create_job_request())
        if arn is None:
            job = bc.get_job(clients.bedrock, names.job_name)
            if job is None:
                raise InvalidRequest(
                    f"CreateModelCustomizationJob reported a conflict but {names.job_name} is absent"
                )
            adopted = True
        else:
            job = {"jobArn": arn, "jobName": names.job_name, "status": "InProgress"}
    result = {**job_state(job, checks=0), "adopted": adopted}
    _publish_training(
        spec,
        clients,
        settings,
        execution_arn,
        result,
        started_at=execution_started,
        deploymentMode=spec.deployment_mode,
        startedAt=state.start_of_run(current, execution_arn, execution_started),
    )
    return result


def _publish_training(
    spec: RunSpec,
    clients: Any,
    settings: Settings,
    execution_arn: str,
    result: Mapping[str, Any],
    *,
    started_at: str = "",
    **extra: Any,
) -> None:
    """Publish (without notifying) that this run's job is in ``result``'s status and phase
    (``started_at``: this execution's start, to take the record over; see :func:`start_job`)."""
    record = state.merge(
        state.read(clients.ssm, settings.state_parameter),
        spec.pipeline,
        phase=state.TRAINING,
        step=result["step"],
        jobStatus=result["status"],
        fingerprint=spec.fingerprint,
        executionArn=execution_arn,
        jobName=result["jobName"],
        jobArn=result["jobArn"],
        **extra,
    )
    state.publish(clients, settings, record, notify=False, started_at=started_at)


def check_job(
    spec: RunSpec,
    job: Mapping[str, Any],
    clients: Any,
    settings: Settings,
    execution_arn: str,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Poll the job once; publish a state change when its status or phase moved. A job past
    ``spec.max_training_hours`` (at ``now``, default the current time) is stopped and reported
    Stopped with the reason (:mod:`rft_runtime.lifecycle.time_limit`)."""
    found = bc.get_job(clients.bedrock, str(job.get("jobArn") or spec.names.job_name))
    if found is None:
        raise InvalidRequest(f"customization job {job.get('jobArn') or spec.names.job_name} no longer exists")
    checks = int(job.get("checks", 0)) + 1
    adopted = bool(job.get("adopted"))
    result = time_limit.enforce(
        {**job_state(found, checks=checks), "adopted": adopted},
        spec.max_training_hours,
        clients.bedrock,
        now=now,
        reread=lambda fresh: {**job_state(fresh, checks=checks), "adopted": adopted},
    )
    moved = (result["status"], result["step"]) != (job.get("status"), job.get("step"))
    if moved and result["status"] in ("InProgress", "Stopping"):
        _publish_training(spec, clients, settings, execution_arn, result)
    return result


def await_job_event(
    job: Mapping[str, Any], task_token: str, clients: Any, settings: Settings
) -> dict[str, Any]:
    """Park the task token where the job-event function finds it; the workflow then waits for the
    event or for ``job.nextPollSeconds``, whichever comes first.

    Parking only lets the event end the wait early: when it fails (any error, after retries) the
    failure is logged and ``{"parked": False, "reason": ...}`` returned, and the wait simply times
    out into the next poll instead of failing the run."""
    value = json.dumps(
        {"jobName": job.get("jobName", ""), "jobArn": job.get("jobArn", ""), "taskToken": task_token},
        separators=(",", ":"),
    )
    parameter = settings.wait_parameter
    try:
        retry.call(clients.ssm.put_parameter, Name=parameter, Value=value, Type="String", Overwrite=True)
    except Exception as exc:
        LOG.warning("task token not parked in %s; polling instead", parameter, exc_info=True)
        return {"parked": False, "reason": f"{type(exc).__name__}: {exc}"[:500]}
    return {"parked": True}
