"""Stop a job its workflow left behind: the target of the rule on this state machine's executions.

Step Functions reports every execution that ends ``FAILED``, ``TIMED_OUT`` or ``ABORTED``
("Step Functions Execution Status Change"). A failure caught by the workflow already stops its job
(``publish_failure``), but a time-out (the 14-day limit), an abort (``StopExecution``, a deleted
stack) or a failure that skipped ``PublishFailure`` does not: nothing would watch, deploy or stop
the job, and it would keep training at the account's expense.

The job to stop is the one in the state record (or, when the record names none yet, the job
named after the record's fingerprint), and only when the record names this very execution: a job
another execution adopted (same inputs, a newer run) is watched and never stopped. A record this
execution has not yet marked as ended is published ``STOPPED`` (when the job was stopped) or
``FAILED`` with the reason, with notification. A ``promote_from`` run has no job: when it ends
while still waiting for the source's model (phase ``ADOPTING``, e.g. the 14-day time-out) or in
its promotion gate (``EVALUATING``), it is published ``FAILED`` with what it was doing.

Every ended execution also loses its run's candidate deployment (the promotion gate's temporary
``rft-<pipeline>-candidate-<fingerprint[:12]>``; an abort or time-out inside the gate skips the
gate's own removal). The name comes from the record when it names this execution, else from the
execution's name (:func:`names.execution_candidate`), also when a newer execution owns the record;
it is left only when that newer execution has the same fingerprint and has not ended (it may be
evaluating the very same candidate). A candidate still being created cannot be deleted: the
function then raises :class:`TransientAwsError` once the rest is done, so Lambda's asynchronous
retries try again and the event finally lands in the job-event dead-letter queue, naming it (the
pipeline's deletion also removes every candidate of the pipeline).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle import names, state
from rft_runtime.lifecycle.errors import TransientAwsError
from rft_runtime.lifecycle.settings import Settings

LOG = logging.getLogger(__name__)

#: Execution statuses after which nothing watches the job any more.
ENDED_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")
#: Job statuses worth stopping.
RUNNING_JOB_STATUSES = ("InProgress",)


def on_execution_end(event: Mapping[str, Any], clients: Any, settings: Settings) -> dict[str, Any]:
    """Stop the ended execution's job if it still trains and publish why, and remove its
    candidate deployment; returns what happened (``candidate``: deleted, gone, left, none).
    Raises :class:`TransientAwsError` after all that when the candidate is still being created."""
    detail = event.get("detail") or {}
    status, execution = str(detail.get("status", "")), str(detail.get("executionArn", ""))
    if status not in ENDED_STATUSES or not execution:
        return {"stopped": False, "reason": f"execution status {status or '?'}: nothing to do"}
    record = state.read(clients.ssm, settings.state_parameter) or {}
    result = _end_run(clients, settings, record, execution, status)
    name, result["candidate"] = _remove_candidate(clients.bedrock, settings, record, execution)
    if result["candidate"] == bc.BUSY:
        raise TransientAwsError(
            f"candidate deployment {name} of {execution} is still being created: {result}"
        )
    return result


def _candidate_of(settings: Settings, record: Mapping[str, Any], execution: str) -> str | None:
    """The ended execution's candidate deployment name (None: it cannot have one)."""
    if record.get("executionArn") == execution and names.FINGERPRINT.fullmatch(
        str(record.get("fingerprint"))
    ):
        return names.RunNames(settings.pipeline, str(record["fingerprint"])).candidate_deployment_name
    return names.execution_candidate(settings.pipeline, execution)


def _remove_candidate(
    bedrock: Any, settings: Settings, record: Mapping[str, Any], execution: str
) -> tuple[str, str]:
    """Delete the ended execution's candidate: (name, ``deleted`` | ``gone`` | ``busy`` |
    ``left`` (a newer, unfinished run of the same fingerprint may use it) | ``none``)."""
    name = _candidate_of(settings, record, execution)
    if name is None:
        return "", "none"
    newer = record.get("executionArn") not in (None, "", execution)
    if newer and record.get("phase") not in state.TERMINAL_PHASES:
        fingerprint = str(record.get("fingerprint") or "")
        if names.FINGERPRINT.fullmatch(fingerprint) and (
            names.RunNames(settings.pipeline, fingerprint).candidate_deployment_name == name
        ):
            return name, "left"
    outcome = bc.delete_deployment(bedrock, name)
    LOG.info("candidate deployment %s of %s: %s", name, execution, outcome)
    return name, outcome


def _end_run(
    clients: Any, settings: Settings, record: Mapping[str, Any], execution: str, status: str
) -> dict[str, Any]:
    """Stop the job of ``execution`` and publish the run's end (when the record names it)."""
    if record.get("executionArn") != execution:
        return {"stopped": False, "reason": "the state record names another execution (its job is watched)"}
    identifier = str(record.get("jobArn") or record.get("jobName") or _job_name(settings, record))
    job = bc.get_job(clients.bedrock, identifier) if identifier else None
    why = f"the workflow execution ended {status}"
    if job is None:
        if record.get("phase") not in (state.ADOPTING, state.EVALUATING):
            return {"stopped": False, "reason": "the execution started no job"}
        # a promote_from run that never found its model, or ended in its gate: say what it did
        return _publish_end(clients, settings, record, execution, status, f"{why} {record.get('step') or ''}")
    job_status = str(job.get("status") or "")
    stopped = job_status in RUNNING_JOB_STATUSES and bc.stop_job(clients.bedrock, identifier)
    if record.get("phase") in state.TERMINAL_PHASES:
        return {"stopped": stopped, "reason": f"run already published {record.get('phase')}"}
    message = f"{why} while job {record.get('jobName') or identifier} was {job_status or 'unknown'}; " + (
        "the job was stopped so it does not train unwatched" if stopped else "the job was not running"
    )
    return _publish_end(
        clients, settings, record, execution, status, message, stopped=stopped, job_status=job_status
    )


def _publish_end(
    clients: Any,
    settings: Settings,
    record: Mapping[str, Any],
    execution: str,
    status: str,
    message: str,
    *,
    stopped: bool = False,
    job_status: str = "",
) -> dict[str, Any]:
    """Publish STOPPED (the job was stopped) or FAILED with ``message``, with notification."""
    updated = state.merge(
        record,
        settings.pipeline,
        phase=state.STOPPED if stopped else state.FAILED,
        step="",
        jobStatus="Stopping" if stopped else job_status or None,
        fingerprint=record.get("fingerprint"),
        executionArn=execution,
        failure={
            "phase": "workflow",
            "error": f"Execution{status.title().replace('_', '')}",
            "message": message,
        },
    )
    state.publish(clients, settings, updated, notify=True)
    LOG.info("%s", message)
    return {"stopped": stopped, "reason": message, "published": updated["phase"]}


def _job_name(settings: Settings, record: Mapping[str, Any]) -> str:
    """The run's job name from its fingerprint: a run aborted between creating its job and
    recording it still finds the job (names are deterministic). Empty without a fingerprint."""
    fingerprint = str(record.get("fingerprint") or "")
    try:
        return names.RunNames(settings.pipeline, fingerprint).job_name if fingerprint else ""
    except ValueError:
        return ""
