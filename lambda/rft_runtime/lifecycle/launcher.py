"""``on_event`` of the launcher custom resource (Provider framework, no ``is_complete``).

Two resource kinds share the handler (property ``Kind``):

``run`` -- one training run; PhysicalResourceId ``rft-run-<pipeline>-<fingerprint[:16]>``.
  Create/Update with new inputs starts one Step Functions execution and returns within seconds.
  Update whose PhysicalResourceId already is this fingerprint's id (tags, descriptions,
  reward-Lambda config; or the rollback of an Update that failed before replacing the id) is a
  no-op. The
  execution name is ``<pipeline>-<fingerprint[:16]>-<hash(RequestId)[:8]>``: a replayed request
  adopts its execution; any other launch of known inputs (rollback, ``git revert``, re-created
  stack) gets a fresh execution that *adopts the finished job by name* and only reconciles the
  deployment -- it never trains the same inputs twice. Delete stops this fingerprint's running
  executions and its job; it never touches the deployment (see below).
``pipeline`` -- owner of the pipeline's one deployment and of its state record (the SSM parameter
  ``StateParameter``); PhysicalResourceId ``rft-pipeline-<name>`` never changes, so CloudFormation
  deletes it only when the pipeline itself goes (stack delete or construct removed). Create/Update
  write the initial record unless one exists (the workflow owns the value; CloudFormation would
  reset it on every update of a parameter resource). Its Delete removes the deployment, the state
  record, the job-wait parameter (``WaitParameter``, written by the workflow), with
  ``ProvisionedThroughput`` true the pipeline's Provisioned Throughput unless its commitment runs
  (:func:`provisioned.release_on_delete`) and, with ``RetainModels`` false, the pipeline's custom
  models (but those a kept committed throughput serves).

Why two kinds: a failed update's rollback sends Update back to the old inputs, then cleans up the
*new* physical id with a Delete. That Delete arrives while the deployment still serves the old
model, so a run's Delete must never remove the deployment; only the pipeline resource may, and
CloudFormation sends it no Delete during update cleanups. The run resource depends on the
pipeline resource, so on stack delete runs are stopped before the deployment goes.

Unknown physical ids on Delete (e.g. invented by CloudFormation after a failed Create) are gone.
Errors are raised (the Provider framework reports FAILED); nothing is returned as a status value.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle import names, provisioned, retry, state
from rft_runtime.lifecycle.errors import InvalidRequest, SpecError
from rft_runtime.lifecycle.settings import Settings
from rft_runtime.lifecycle.spec import RunSpec

LOG = logging.getLogger(__name__)

RUN, PIPELINE = "run", "pipeline"
#: Default wait before re-checking for a job a just-stopped execution may still be creating.
DEFAULT_GRACE_SECONDS = 90
#: How long a pipeline Delete waits in all (the deployment finishing a create or update, then
#: disappearing before models are deleted); inside the launcher's 10-minute timeout.
MODEL_DELETE_WAIT_SECONDS = 480
#: Of that, how long it waits for a deployment that is being created or updated (ConflictException).
DEPLOYMENT_BUSY_WAIT_SECONDS = 240
#: Seconds between checks while a pipeline Delete waits.
DELETE_POLL_SECONDS = 15


def on_event(event: Mapping[str, Any], clients: Any, *, sleep: Callable[[float], None] = time.sleep) -> dict:
    """Handle one CloudFormation request; returns ``{"PhysicalResourceId", "Data"}``."""
    props = event.get("ResourceProperties") or {}
    kind = props.get("Kind")
    request = event.get("RequestType")
    LOG.info("%s %s %s", request, kind, event.get("PhysicalResourceId", "(new)"))
    if kind == RUN:
        return _delete_run(event, clients, sleep) if request == "Delete" else _launch_run(event, clients)
    if kind == PIPELINE:
        return _delete_pipeline(event, clients, sleep) if request == "Delete" else _pipeline(props, clients)
    if request == "Delete":
        return {"PhysicalResourceId": event.get("PhysicalResourceId", "")}
    raise SpecError(f"unknown resource Kind {kind!r}; expected {RUN!r} or {PIPELINE!r}")


# --- run ----------------------------------------------------------------------------------------


def _run_spec(props: Mapping[str, Any]) -> RunSpec:
    spec = RunSpec.from_json(str(props.get("Spec", "")))
    if props.get("Fingerprint") != spec.fingerprint:
        raise SpecError("property Fingerprint differs from the fingerprint inside Spec")
    return spec


def _run_data(spec: RunSpec) -> dict[str, str]:
    n = spec.names
    return {
        "Fingerprint": spec.fingerprint,
        "JobName": n.job_name,
        "CustomModelName": n.custom_model_name,
        "ExecutionNamePrefix": n.execution_prefix,
    }


def _launch_run(event: Mapping[str, Any], clients: Any) -> dict[str, Any]:
    props = event["ResourceProperties"]
    spec = _run_spec(props)
    physical = spec.names.run_physical_id
    response = {"PhysicalResourceId": physical, "Data": _run_data(spec)}
    if event.get("RequestType") == "Update" and event.get("PhysicalResourceId") == physical:
        # The resource already is this fingerprint's run, whatever OldResourceProperties say: an
        # unchanged redeploy, or the rollback of an Update that failed before it replaced the id
        # (OldResourceProperties then hold the new inputs, but this run kept the pipeline).
        LOG.info("run %s is already the current one: nothing to run", spec.names.short)
        return response
    machine = str(props.get("StateMachineArn", ""))
    name = spec.names.execution_name(str(event.get("RequestId", "")))
    arn = names.execution_arn(machine, name)
    run_input = names.canonical_json({"spec": spec.to_dict()})
    try:
        started = retry.call(clients.sfn.start_execution, stateMachineArn=machine, name=name, input=run_input)
    except ClientError as exc:
        if retry.error_code(exc) != "ExecutionAlreadyExists":
            raise InvalidRequest(f"StartExecution {name}: {exc}") from exc
        LOG.info("execution %s exists: replayed request, adopting it", name)
        return response
    _stop_executions(clients, machine, spec, keep=arn, cause=f"relaunched as {name}")
    settings = Settings(pipeline=spec.pipeline, state_parameter=str(props.get("StateParameter", "")))
    try:
        current = state.read(clients.ssm, settings.state_parameter)
        record = state.merge(
            current,
            spec.pipeline,
            phase=state.STARTING,
            fingerprint=spec.fingerprint,
            executionArn=arn,
            jobName=spec.names.job_name,
            deploymentMode=spec.deployment_mode,
            # the execution's own start time: what its steps compare when settling ownership
            startedAt=state.instant_text(started.get("startDate")) or state.now_iso(),
        )
        for stale in ("jobArn", "modelArn", "jobStatus", "step"):
            record.pop(stale, None)
        state.publish(clients, settings, record, notify=False, force=True)
    except Exception:  # the run has started; its own steps publish again within seconds
        LOG.exception("could not publish STARTING for %s", name)
    return response


def _running_executions(clients: Any, machine: str, prefix: str) -> list[str]:
    arns: list[str] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"stateMachineArn": machine, "statusFilter": "RUNNING", "maxResults": 100}
        if token:
            kwargs["nextToken"] = token
        try:
            out = retry.call(clients.sfn.list_executions, **kwargs)
        except ClientError as exc:
            if retry.error_code(exc) == "StateMachineDoesNotExist":
                return arns
            raise
        arns += [e["executionArn"] for e in out.get("executions", []) if e.get("name", "").startswith(prefix)]
        token = out.get("nextToken")
        if not token:
            return arns


def _stop_executions(clients: Any, machine: str, spec: RunSpec, *, keep: str, cause: str) -> int:
    """Stop this fingerprint's running executions except ``keep``; returns how many were stopped."""
    stopped = 0
    for arn in _running_executions(clients, machine, spec.names.execution_prefix):
        if arn == keep:
            continue
        try:
            retry.call(clients.sfn.stop_execution, executionArn=arn, error="RftRunStopped", cause=cause[:256])
            stopped += 1
        except ClientError as exc:
            if retry.error_code(exc) != "ExecutionDoesNotExist":
                raise
    return stopped


def _delete_run(event: Mapping[str, Any], clients: Any, sleep: Callable[[float], None]) -> dict[str, Any]:
    props = event.get("ResourceProperties") or {}
    physical = str(event.get("PhysicalResourceId", ""))
    try:
        spec = _run_spec(props)
    except SpecError:
        LOG.warning("Delete of %s with unreadable properties: treated as gone", physical)
        return {"PhysicalResourceId": physical}
    if physical != spec.names.run_physical_id:
        LOG.info("Delete of unknown id %s: treated as gone", physical)
        return {"PhysicalResourceId": physical}
    machine = str(props.get("StateMachineArn", ""))
    stopped = _stop_executions(clients, machine, spec, keep="", cause=f"{physical} deleted by CloudFormation")
    job_name = spec.names.job_name
    job = bc.get_job(clients.bedrock, job_name)
    if job is None and stopped:
        # a stopped execution may have been inside CreateModelCustomizationJob: look once more
        sleep(float(props.get("GraceSeconds", DEFAULT_GRACE_SECONDS)))
        job = bc.get_job(clients.bedrock, job_name)
    if job is not None and job.get("status") == "InProgress":
        LOG.info("stopping job %s", job_name)
        bc.stop_job(clients.bedrock, job.get("jobArn") or job_name)
    return {"PhysicalResourceId": physical}


# --- pipeline -----------------------------------------------------------------------------------


def _pipeline_name(props: Mapping[str, Any]) -> str:
    pipeline = str(props.get("Pipeline", ""))
    problems = names.check_pipeline_name(pipeline)
    if problems:
        raise SpecError("; ".join(problems))
    return pipeline


def _pipeline(props: Mapping[str, Any], clients: Any) -> dict[str, Any]:
    pipeline = _pipeline_name(props)
    parameter = str(props.get("StateParameter") or "")
    if parameter:
        _create_state_record(clients, parameter, pipeline)
    return {
        "PhysicalResourceId": names.pipeline_physical_id(pipeline),
        "Data": {"DeploymentName": names.deployment_name(pipeline)},
    }


def _create_state_record(clients: Any, parameter: str, pipeline: str) -> None:
    """Write the initial (NOT_STARTED) record unless the parameter exists: never overwrite a record."""
    try:
        retry.call(
            clients.ssm.put_parameter,
            Name=parameter,
            Value=state.serialize(state.initial_record(pipeline)),
            Type="String",
            Overwrite=False,
            Description=f"bedrock-rft {pipeline}: state of the latest run (JSON, by the workflow)",
        )
    except ClientError as exc:
        if retry.error_code(exc) != "ParameterAlreadyExists":
            raise


def _delete_parameter(clients: Any, parameter: str) -> None:
    try:
        retry.call(clients.ssm.delete_parameter, Name=parameter)
    except ClientError as exc:
        if retry.error_code(exc) != "ParameterNotFound":
            raise


def _delete_deployment(
    bedrock: Any, name: str, sleep: Callable[[float], None], waited: float
) -> tuple[str, float]:
    """Delete deployment ``name``, waiting while it is busy (a stopped run was creating or
    swapping it) until ``waited`` (shared by the Delete's deployments) reaches
    :data:`DEPLOYMENT_BUSY_WAIT_SECONDS`. Returns the outcome (deleted or gone) and ``waited``."""
    outcome = bc.delete_deployment(bedrock, name)
    while outcome == bc.BUSY:
        if waited >= DEPLOYMENT_BUSY_WAIT_SECONDS:
            raise InvalidRequest(
                f"deployment {name} is still being created or updated after {waited:.0f} s; "
                "delete the stack again once it is Active or Failed"
            )
        sleep(DELETE_POLL_SECONDS)
        waited += DELETE_POLL_SECONDS
        outcome = bc.delete_deployment(bedrock, name)
    LOG.info("deployment %s %s", name, outcome)
    return outcome, waited


def _delete_pipeline(
    event: Mapping[str, Any], clients: Any, sleep: Callable[[float], None]
) -> dict[str, Any]:
    props = event.get("ResourceProperties") or {}
    physical = str(event.get("PhysicalResourceId", ""))
    try:
        pipeline = _pipeline_name(props)
    except SpecError:
        return {"PhysicalResourceId": physical}
    if physical != names.pipeline_physical_id(pipeline):
        LOG.info("Delete of unknown id %s: treated as gone", physical)
        return {"PhysicalResourceId": physical}
    deployment = names.deployment_name(pipeline)
    outcome, waited = _delete_deployment(clients.bedrock, deployment, sleep, 0.0)
    deleted = outcome == bc.DELETED
    own_candidate = names.own_candidate_deployment(pipeline)  # not demo-dev's for pipeline demo
    for summary in bc.list_deployments(clients.bedrock, f"rft-{pipeline}-candidate-"):
        name = str(summary.get("customModelDeploymentName", ""))
        if own_candidate.fullmatch(name):  # a gate's candidate its ended run could not remove
            _, waited = _delete_deployment(clients.bedrock, name, sleep, waited)
    in_use: set[str] = set()
    if str(props.get("ProvisionedThroughput", "")).lower() == "true":
        in_use = provisioned.release_on_delete(
            clients.bedrock,
            pipeline,
            sleep,
            wait_seconds=DEPLOYMENT_BUSY_WAIT_SECONDS,
            poll_seconds=DELETE_POLL_SECONDS,
        )
    for key in ("StateParameter", "WaitParameter"):
        if props.get(key):
            _delete_parameter(clients, str(props[key]))
    if str(props.get("RetainModels", "true")).lower() != "false":
        return {"PhysicalResourceId": physical}
    while deleted and bc.get_deployment(clients.bedrock, deployment) is not None:
        if waited >= MODEL_DELETE_WAIT_SECONDS:
            raise InvalidRequest(
                f"deployment {deployment} still exists after {waited:.0f} s; models not deleted"
            )
        sleep(DELETE_POLL_SECONDS)
        waited += DELETE_POLL_SECONDS
    own = names.own_model_name(pipeline)
    for model in bc.list_models(clients.bedrock, f"rft-{pipeline}-"):
        if not own.fullmatch(str(model.get("modelName", ""))) or model.get("modelArn") in in_use:
            continue  # not this pipeline's, or served by a committed throughput that stays
        LOG.info("deleting custom model %s", model.get("modelName"))
        bc.delete_model(clients.bedrock, str(model.get("modelArn") or model.get("modelName")))
    return {"PhysicalResourceId": physical}
