"""The publishing steps: ``publish_success`` (state record, event and notification; promotion
mark, mode-change clean-up, pruning), ``publish_outcome`` (one place that writes a run's outcome) and
``publish_failure`` (record why a run failed; stop a job the failure would leave unwatched)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle import model_pruning, provisioned, state
from rft_runtime.lifecycle.deployment import serving_name
from rft_runtime.lifecycle.errors import LifecycleError, PublishFailed, Superseded
from rft_runtime.lifecycle.settings import Settings
from rft_runtime.lifecycle.spec import RunSpec
from rft_runtime.lifecycle.training_job import job_state

LOG = logging.getLogger(__name__)


def publish_success(
    spec: RunSpec,
    job: Mapping[str, Any],
    deployment: Mapping[str, Any],
    clients: Any,
    settings: Settings,
    execution_arn: str,
    evaluation: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Publish the outcome: ACTIVE (model serving behind the deployment) or TRAINED (mode none).

    ``evaluation``: the promotion gate's decision when the gate ran (default None: no gate). A
    ``promote`` decision tags the model promoted (:func:`bedrock_calls.mark_promoted`, value
    ``gate``) once the deployment serves it, and the record, event and notification carry the
    evaluation's location and figures.

    Returns the published record; with ``spec.keep_models`` > 0 also ``pruning``, what
    :func:`model_pruning.prune` deleted and kept once the success is recorded (the new model, the
    one served before it and the record's model are protected)."""
    previous = state.read(clients.ssm, settings.state_parameter) or {}
    if spec.deployment_mode == "none":
        published = publish_outcome(spec, job, clients, settings, execution_arn, state.TRAINED, {})
    else:
        serving: dict[str, Any] = {
            "deploymentName": serving_name(spec),
            "deploymentArn": deployment.get("arn"),
            "servingModelArn": job.get("modelArn"),
        }
        if evaluation and evaluation.get("decision") == state.PROMOTE:
            bc.mark_promoted(clients.bedrock, str(job.get("modelArn") or ""), "gate")
            serving["evaluation"] = state.evaluation_record(evaluation)
        published = publish_outcome(spec, job, clients, settings, execution_arn, state.ACTIVE, serving)
    changed = provisioned.after_success(spec, previous, clients.bedrock)
    if changed:
        published["modeChange"] = changed
    if spec.keep_models > 0:
        protected = (job.get("modelArn"), previous.get("servingModelArn"), previous.get("modelArn"))
        published["pruning"] = model_pruning.prune(
            clients.bedrock, spec.pipeline, spec.keep_models, protected
        )
    return published


def publish_outcome(
    spec: RunSpec,
    job: Mapping[str, Any],
    clients: Any,
    settings: Settings,
    execution_arn: str,
    phase: str,
    fields: Mapping[str, Any],
) -> dict[str, Any]:
    """Publish the end of a run whose job completed: ``phase``, the job's fields and ``fields``
    (state record, event, notification). Raises :class:`Superseded` when a newer run owns the
    record. Returns exactly what the parameter now holds."""
    current = state.read(clients.ssm, settings.state_parameter)
    if not state.owned_by(current, spec.fingerprint):
        raise Superseded(f"run {spec.names.short} finished after a newer run took over; nothing published")
    record = state.merge(
        current,
        spec.pipeline,
        phase=phase,
        step="",
        jobStatus=str(job.get("status", "")),
        fingerprint=spec.fingerprint,
        executionArn=execution_arn,
        jobName=job.get("jobName"),
        jobArn=job.get("jobArn"),
        modelArn=job.get("modelArn"),
        adoptedFrom=job.get("adoptedFrom"),
        deploymentMode=spec.deployment_mode,
        **fields,
    )
    state.publish(clients, settings, record, notify=True)
    return json.loads(state.serialize(record))


def _failure_message(error: Mapping[str, Any]) -> str:
    cause = str(error.get("Cause") or "")
    try:
        parsed = json.loads(cause)
    except json.JSONDecodeError:
        return cause
    if isinstance(parsed, dict) and "errorMessage" in parsed:
        return str(parsed["errorMessage"])
    return cause


def failing_phase(
    error: Mapping[str, Any], run: Mapping[str, Any], record: Mapping[str, Any] | None = None
) -> str:
    """Where the run failed: the job's own phase when the job failed, else the workflow stage;
    ``evaluation`` when ``record`` (the state record; default None) shows this very execution
    ``EVALUATING`` (the promotion gate failed)."""
    if error.get("Phase"):
        return str(error["Phase"])
    if (run.get("deployment") or {}).get("attempt"):
        return "deployment"
    record = record or {}
    if record.get("phase") == state.EVALUATING and record.get("executionArn") == run.get("executionArn"):
        return "evaluation"
    if (run.get("job") or {}).get("jobArn"):
        return "training"
    if "objects" in (run.get("preflight") or {}):
        return "job start"
    return "preflight"


def _leaves_job_unwatched(error_name: str, job: Mapping[str, Any]) -> bool:
    """True when the run fails while its job still trains: the job was last seen InProgress and
    the error is neither the job's own outcome (``Job*``) nor a newer run taking over."""
    if error_name.startswith("Job") or error_name == Superseded.__name__:
        return False
    return job.get("status") == "InProgress" and bool(job.get("jobArn") or job.get("jobName"))


def _stop_unwatched_job(bedrock: Any, job: Mapping[str, Any]) -> str:
    """Stop the run's job (nobody would watch, deploy or publish it) and say what happened, for
    the failure message. Never raises: a failed stop is reported in the sentence. Empty when the
    job had ended on its own meanwhile."""
    identifier = str(job.get("jobArn") or job.get("jobName"))
    name = str(job.get("jobName") or identifier)
    try:
        stopped = bc.stop_job(bedrock, identifier)
        # not stoppable: stopped by an earlier attempt of this step, or ended on its own
        status = "Stopping" if stopped else (bc.get_job(bedrock, identifier) or {}).get("status")
    except (LifecycleError, BotoCoreError) as exc:
        LOG.warning("could not stop job %s", identifier, exc_info=True)
        return (
            f"job {name} could not be stopped and may still be training ({exc}); stop it with "
            f"aws bedrock stop-model-customization-job --job-identifier {identifier}"
        )
    if status not in ("Stopping", "Stopped"):
        return ""
    return f"job {name} was stopped so it does not train unwatched; change retrain_nonce to train again"


def _job_of_failed_run(spec: RunSpec, run: Mapping[str, Any], bedrock: Any) -> Mapping[str, Any]:
    """The run's job as the workflow last saw it; when the run failed after pre-flight without
    knowing its job (StartJob created it, then kept failing to publish), the job found by its
    deterministic name. Never raises: an unreadable job counts as none."""
    job = run.get("job") or {}
    if job.get("jobArn") or "objects" not in (run.get("preflight") or {}) or spec.promote_from:
        return job  # (a promoting run has no job of its own)
    try:
        found = bc.get_job(bedrock, spec.names.job_name)
    except (LifecycleError, BotoCoreError):
        LOG.warning("could not look up job %s", spec.names.job_name, exc_info=True)
        return job
    return job_state(found, checks=0) if found else job


def _adopted_elsewhere(record: Mapping[str, Any] | None, spec: RunSpec, execution_arn: str) -> bool:
    """True when another execution of the same inputs owns the record: it adopted the job (same
    name), so the job is watched and must not be stopped."""
    record = record or {}
    return record.get("fingerprint") == spec.fingerprint and record.get("executionArn") not in (
        None,
        "",
        execution_arn,
    )


def _success_recorded(record: Mapping[str, Any] | None, execution_arn: str) -> bool:
    """True when ``record`` is a success published by the execution ``execution_arn`` itself."""
    record = record or {}
    return record.get("executionArn") == execution_arn and record.get("phase") in state.SUCCESS_PHASES


def _not_published(name: str, message: str) -> dict[str, Any]:
    return {"error": name, "message": message[:4000], "published": False}


def publish_failure(
    spec: RunSpec,
    run: Mapping[str, Any],
    clients: Any,
    settings: Settings,
    execution_arn: str,
    execution_started: str = "",
) -> dict[str, Any]:
    """Publish FAILED (or STOPPED) with the service's message and the failing phase, leaving the
    pipeline's deployment fields (the previous model keeps serving) untouched.

    Ownership as in :func:`start_job`: a run that finds an older owner (the launcher's STARTING
    write was lost, e.g. a run failing in pre-flight) takes the record over with
    ``execution_started`` (default empty: none recorded) as its ``startedAt``; a run that finds a
    newer one publishes nothing. A success this execution already recorded (its SSM write went
    through, the event or notification did not) is never turned into FAILED. A job still
    InProgress (e.g. polling kept failing) is stopped first, even when the record cannot be read
    or names a newer run, unless another execution of the same inputs adopted it; see
    :func:`_stop_unwatched_job`.
    Returns ``error``, ``message`` (``"<phase>: <message>"``) and ``published``.
    """
    error = run.get("error") or {}
    name = str(error.get("Error") or "Error")
    message = _failure_message(error)[:2000] or name
    job = _job_of_failed_run(spec, run, clients.bedrock)
    try:
        current = state.read(clients.ssm, settings.state_parameter)
    except PublishFailed:  # the job must not train unwatched because SSM is down: stop it first
        if _leaves_job_unwatched(name, job):
            _stop_unwatched_job(clients.bedrock, job)
        raise
    phase = failing_phase(error, {**run, "executionArn": execution_arn}, current)
    if _leaves_job_unwatched(name, job) and not _adopted_elsewhere(current, spec, execution_arn):
        message = "; ".join(filter(None, (message, _stop_unwatched_job(clients.bedrock, job))))
    if _success_recorded(current, execution_arn):
        return _not_published(name, f"{phase}: {message} (the state keeps this run's recorded success)")
    if not state.may_take_over(current, spec.fingerprint, execution_started):
        return _not_published(name, f"{phase}: {message}")
    record = state.merge(
        current,
        spec.pipeline,
        phase=state.STOPPED if name == "JobStopped" else state.FAILED,
        step="",
        jobStatus=job.get("status") or None,
        fingerprint=spec.fingerprint,
        executionArn=execution_arn,
        jobName=job.get("jobName") or None,
        jobArn=job.get("jobArn") or None,
        modelArn=job.get("modelArn") or None,
        failure={"phase": phase, "error": name, "message": message},
        startedAt=state.start_of_run(current, execution_arn, execution_started),
    )
    published = state.publish(clients, settings, record, notify=True, started_at=execution_started)
    return {"error": name, "message": f"{phase}: {message}"[:4000], "published": published}
