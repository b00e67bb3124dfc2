"""The workflow's actions. Each takes the step's input (a dict), the clients and the settings, and
returns the small dict the state machine stores (``$.preflight``, ``$.job``, ``$.deployment``,
``$.published``, ``$.failure``).

Order in the workflow: ``preflight`` (objects, grader probe) -> ``start_job`` -> (``check_job`` ->
``await_job_event``)* -> (``reconcile_deployment`` -> Wait)* -> ``publish_success``; any failure ->
``publish_failure``. With ``promote_from``, ``adopt_model`` (repeated) replaces the job's steps
(:mod:`rft_runtime.lifecycle.adoption`).
Expected outcomes (job Failed/Stopped, deployment Failed) are *returned*, the state machine routes
them; unexpected ones are *raised* with the class names of :mod:`rft_runtime.lifecycle.errors`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from rft_runtime.lifecycle import adoption, model_pruning, provisioned, retry, state, time_limit
from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle.errors import (
    InvalidRequest,
    LifecycleError,
    PreflightFailed,
    PublishFailed,
    Superseded,
)
from rft_runtime.lifecycle.settings import Settings
from rft_runtime.lifecycle.spec import PROVISIONED, RunSpec

LOG = logging.getLogger(__name__)

# --- polling schedules --------------------------------------------------------------------------

#: Job polling: first wait 2 min, x1.5 per check, at most 15 min (the job event usually ends a wait early).
JOB_POLL_FIRST_SECONDS = 120
JOB_POLL_GROWTH = 1.5
JOB_POLL_MAX_SECONDS = 900
#: Deployment polling: 30 s growing to 5 min; give up after 4 h without Active.
DEPLOY_POLL_FIRST_SECONDS = 30
DEPLOY_POLL_MAX_SECONDS = 300
DEPLOY_TIMEOUT_SECONDS = 4 * 3600
#: Checks the deployment may show no trace of a requested model swap before it is requested again.
UPDATE_SETTLE_CHECKS = 3
#: Checks a deployment this execution created may be absent before it is created again.
MISSING_CHECKS_BEFORE_RECREATE = 2


def job_poll_seconds(checks: int) -> int:
    """Wait after check number ``checks`` (1-based): 120, 180, 270, 405, 608, 900, 900, ..."""
    return int(
        min(JOB_POLL_MAX_SECONDS, round(JOB_POLL_FIRST_SECONDS * JOB_POLL_GROWTH ** max(0, checks - 1)))
    )


def deploy_poll_seconds(attempt: int) -> int:
    """Wait after deployment check number ``attempt`` (1-based): 30, 60, 120, 240, 300, ..."""
    return int(min(DEPLOY_POLL_MAX_SECONDS, DEPLOY_POLL_FIRST_SECONDS * 2 ** max(0, attempt - 1)))


# --- helpers ------------------------------------------------------------------------------------

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


def _job_state(job: Mapping[str, Any], checks: int) -> dict[str, Any]:
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


def _split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise PreflightFailed(f"{uri!r} is not an s3://bucket/key URI")
    bucket, key = uri[5:].split("/", 1)
    return bucket, key


# --- actions ------------------------------------------------------------------------------------


def _head(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    """HeadObject; ``None`` when the object does not exist. Access errors propagate."""
    try:
        return retry.call(s3.head_object, Bucket=bucket, Key=key)
    except ClientError as exc:
        if retry.error_code(exc) in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def stage(spec: RunSpec, clients: Any) -> list[dict[str, Any]]:
    """Copy staged dataset files (CDK file assets) to their content-addressed keys, server side.

    A key that already exists holds the same content (its name is the content's SHA-256), so it
    is left alone: re-runs and other runs of the same data copy nothing.
    """
    done: list[dict[str, Any]] = []
    for copy in spec.staging_copies:
        target = f"s3://{spec.dataset_bucket}/{copy['targetKey']}"
        if _head(clients.s3, spec.dataset_bucket, copy["targetKey"]) is not None:
            done.append({"uri": target, "copied": False})
            continue
        source = {"Bucket": copy["sourceBucket"], "Key": copy["sourceKey"]}
        try:
            retry.call(
                clients.s3.copy_object, Bucket=spec.dataset_bucket, Key=copy["targetKey"], CopySource=source
            )
        except ClientError as exc:
            code = retry.error_code(exc)
            where = f"s3://{source['Bucket']}/{source['Key']}"
            if code in ("404", "NoSuchKey", "NoSuchBucket"):
                raise PreflightFailed(
                    f"staged dataset {where} is missing (was the deploy interrupted?)"
                ) from exc
            if code in ("403", "AccessDenied"):
                raise PreflightFailed(f"cannot copy {where} to {target}: access denied") from exc
            raise
        done.append({"uri": target, "copied": True})
    return done


def preflight(spec: RunSpec, clients: Any) -> dict[str, Any]:
    """Stage local dataset files (:func:`stage`), then HeadObject every training/validation object
    in the dataset bucket: it must exist, be readable by the workflow and not be empty. Objects in
    other buckets are listed as unchecked. Last, one probe sample goes to the reward function
    (:func:`check_grader`), so a grader that cannot work fails the run before any job exists."""
    staged = stage(spec, clients)
    checked: list[dict[str, Any]] = []
    problems: list[str] = []
    for uri in spec.preflight_uris:
        bucket, key = _split_s3_uri(uri)
        if spec.dataset_bucket and bucket != spec.dataset_bucket:
            checked.append({"uri": uri, "checked": False})
            continue
        try:
            head = retry.call(clients.s3.head_object, Bucket=bucket, Key=key)
        except ClientError as exc:
            code = retry.error_code(exc)
            if code in ("404", "NoSuchKey", "NotFound"):
                problems.append(f"{uri} does not exist")
            elif code in ("403", "AccessDenied", "Forbidden"):
                problems.append(
                    f"{uri} cannot be read (access denied: check the bucket policy and the KMS key)"
                )
            else:
                raise
            continue
        if int(head.get("ContentLength", 0)) == 0:
            problems.append(f"{uri} is empty")
        checked.append(
            {
                "uri": uri,
                "checked": True,
                "size": int(head.get("ContentLength", 0)),
                "eTag": head.get("ETag", ""),
            }
        )
    if problems:
        raise PreflightFailed("; ".join(problems))
    return {"objects": checked, "staged": staged, "grader": check_grader(spec, clients)}


# --- grader check -------------------------------------------------------------------------------

#: Error tags of a grader that cannot work at all (see ``rft_runtime.rewards``): it was not built
#: (``config-error``, e.g. a custom grader with a failing import), grading itself broke
#: (``internal-error``) or the LLM judge cannot be called (``judge-error``: access denied, no such
#: model, ...). Data-dependent tags (bad reference, unparseable answer, throttling) never fail a run.
FATAL_GRADER_TAGS = frozenset({"config-error", "internal-error", "judge-error"})
#: Bytes of the training data read to find its first row.
SAMPLE_RANGE_BYTES = 256 * 1024
PROBE_ID = "rft-preflight-probe"
_FALLBACK_ROW = {
    "messages": [{"role": "user", "content": "What is 2 + 2? Give the final answer only."}],
    "reference_answer": "4",
}


def _first_row(spec: RunSpec, clients: Any) -> tuple[dict[str, Any], str]:
    """(first training row, where it came from); a built-in row when it cannot be read."""
    uri = (spec.job_request.get("trainingDataConfig") or {}).get("s3Uri")
    if (
        not isinstance(uri, str)
        or not uri.startswith(f"s3://{spec.dataset_bucket}/")
        or not spec.dataset_bucket
    ):
        return dict(_FALLBACK_ROW), "built-in sample"
    bucket, key = _split_s3_uri(uri)
    try:
        out = retry.call(
            clients.s3.get_object, Bucket=bucket, Key=key, Range=f"bytes=0-{SAMPLE_RANGE_BYTES - 1}"
        )
        head = out["Body"].read()
    except ClientError:
        return dict(_FALLBACK_ROW), "built-in sample"
    line = head.split(b"\n", 1)[0]
    try:
        row = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return dict(_FALLBACK_ROW), "built-in sample"
    if not isinstance(row, dict) or not isinstance(row.get("messages"), list) or not row["messages"]:
        return dict(_FALLBACK_ROW), "built-in sample"
    return row, f"first row of {uri}"


def grader_probe(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A one-sample Bedrock grader payload: the row's prompt answered with its reference answer."""
    messages = [m for m in row.get("messages", []) if isinstance(m, dict)]
    while messages and messages[-1].get("role") in ("assistant", "nova_assistant"):
        messages.pop()  # the generated turn is the one we add
    reference = row.get("reference_answer")
    if isinstance(reference, str):
        answer = reference
    elif reference is None:
        answer = "I don't know."
    else:
        answer = json.dumps(reference, ensure_ascii=False)
    metadata = {k: v for k, v in row.items() if k != "messages"}
    return [
        {
            "id": PROBE_ID,
            "messages": [*messages, {"role": "assistant", "content": answer}],
            "metadata": metadata,
        }
    ]


def _error_tags(result: Mapping[str, Any]) -> list[str]:
    tags = []
    for metric in result.get("metrics_list") or []:
        name = str((metric or {}).get("name", "")) if isinstance(metric, dict) else ""
        if name.startswith("error/") and (metric.get("value") or 0) > 0:
            tags.append(name.removeprefix("error/"))
    return tags


def check_grader(spec: RunSpec, clients: Any) -> dict[str, Any]:
    """Invoke the reward function version once with a one-sample grader payload.

    Fails the run (:class:`PreflightFailed`) before any job exists when the grader cannot work:
    the function raises (e.g. a failing import), answers with something other than a list holding
    the sample's id, or scores the sample with an error that would zero every reward of the job
    (:data:`FATAL_GRADER_TAGS`). It also fails when the check itself cannot be made: no Lambda
    client (e.g. ``UnknownServiceError``: the asset's botocore lacks the ``lambda`` model) or an
    invocation refused for good (access denied, no such version, a malformed request). Only a
    transient failure (throttling, 5xx, a timeout or connection error, see
    :func:`retry.is_transient`) is reported as unchecked: a passing moment must not stop a working
    grader, but a check that can never run must not pass as one.
    """
    grader = (
        spec.job_request.get("customizationConfig", {})
        .get("rftConfig", {})
        .get("graderConfig", {})
        .get("lambdaGrader", {})
        .get("lambdaArn", "")
    )
    row, source = _first_row(spec, clients)
    payload = grader_probe(row)
    try:
        lambda_client = clients.lambda_
    except BotoCoreError as exc:
        raise PreflightFailed(
            f"cannot create the Lambda client that checks the grader ({type(exc).__name__}: {exc})"[:1000]
        ) from exc
    try:
        out = lambda_client.invoke(
            FunctionName=grader, InvocationType="RequestResponse", Payload=json.dumps(payload).encode()
        )
        body = out["Payload"].read()
    except (ClientError, BotoCoreError) as exc:
        if not retry.is_transient(exc):
            problem = f"cannot invoke reward function {grader} to check it: {exc}"
            raise PreflightFailed(problem[:1000]) from exc
        return {"checked": False, "note": f"grader not checked: {exc}"[:500]}
    where = f"reward function {grader} on the {source}"
    try:
        results = json.loads(body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        results = body[:200].decode("utf-8", "replace")
    if out.get("FunctionError"):
        detail = (
            results
            if not isinstance(results, dict)
            else (f"{results.get('errorType', 'Error')}: {results.get('errorMessage', '')}")
        )
        raise PreflightFailed(f"{where} failed ({out['FunctionError']}): {str(detail)[:1000]}")
    if (
        not isinstance(results, list)
        or len(results) != 1
        or not isinstance(results[0], dict)
        or results[0].get("id") != PROBE_ID
    ):
        raise PreflightFailed(
            f"{where} did not answer with a list of results echoing the sample id "
            f"{PROBE_ID!r}: {json.dumps(results, default=str)[:500]}"
        )
    tags = _error_tags(results[0])
    fatal = sorted(set(tags) & FATAL_GRADER_TAGS)
    if fatal:
        raise PreflightFailed(
            f"{where} cannot grade ({', '.join(fatal)}); every reward of the job would be 0. Check the "
            "reward function's log (the grader's configuration or imports, or the judge model's access)"
        )
    return {
        "checked": True,
        "source": source,
        "score": results[0].get("aggregate_reward_score"),
        "errors": tags,
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
    result = {**_job_state(job, checks=0), "adopted": adopted}
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
        {**_job_state(found, checks=checks), "adopted": adopted},
        spec.max_training_hours,
        clients.bedrock,
        now=now,
        reread=lambda fresh: {**_job_state(fresh, checks=checks), "adopted": adopted},
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


def _deploy_result(dep: Mapping[str, Any], outcome: str, **updates: Any) -> dict[str, Any]:
    kept = (
        "attempt",
        "startedAt",
        "arn",
        "created",
        "creates",
        "missingChecks",
        "replacing",
        "updateRequested",
        "swapSeen",
        "quietChecks",
        "note",
    )
    result = {k: dep.get(k) for k in kept}
    result.update(
        outcome=outcome, failureMessage="", nextPollSeconds=deploy_poll_seconds(int(dep["attempt"]))
    )
    result.update(updates)
    return {k: v for k, v in result.items() if v is not None}


def reconcile_deployment(
    spec: RunSpec,
    job: Mapping[str, Any],
    deployment: Mapping[str, Any],
    clients: Any,
    settings: Settings,
    execution_arn: str,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, Any]:
    """Move the pipeline's one deployment one step towards serving this run's model.

    Returns ``outcome`` ``Pending`` (wait ``nextPollSeconds`` and call again), ``Active`` or
    ``Failed`` (with ``failureMessage``). Creates the deployment when there is none, swaps the new
    model in with UpdateCustomModelDeployment when one exists (same ARN for consumers; the old model
    serves until the swap completes), replaces a Failed deployment left by an earlier run, and never
    touches the deployment when a newer run owns the pipeline (:class:`Superseded`).
    """
    names = spec.names
    model_arn = str(job.get("modelArn") or "")
    current = state.read(clients.ssm, settings.state_parameter)
    if not state.owned_by(current, spec.fingerprint):
        raise Superseded(
            f"run {names.short} was superseded by {(current or {}).get('fingerprint', '?')[:12]}"
        )
    moment = now()
    dep: dict[str, Any] = {**deployment, "attempt": int(deployment.get("attempt", 0)) + 1}
    dep.setdefault("startedAt", moment.replace(microsecond=0).isoformat())
    if dep["attempt"] == 1:
        record = state.merge(
            current,
            spec.pipeline,
            phase=state.DEPLOYING,
            step="",
            jobStatus=str(job.get("status", "")),
            fingerprint=spec.fingerprint,
            executionArn=execution_arn,
            modelArn=model_arn,
            deploymentName=_serving_name(spec),
        )
        state.publish(clients, settings, record, notify=False)
    if (moment - datetime.fromisoformat(dep["startedAt"])).total_seconds() > DEPLOY_TIMEOUT_SECONDS:
        return _deploy_result(dep, "Failed", failureMessage="deployment did not become Active within 4 hours")

    model = bc.get_custom_model(clients.bedrock, model_arn) if model_arn else None
    if model is None:
        return _deploy_result(dep, "Failed", failureMessage=_model_gone_message(job, model_arn))
    if model.get("modelStatus") == "Failed":
        return _deploy_result(
            dep, "Failed", failureMessage=f"custom model failed: {model.get('failureMessage', '')}"
        )
    if model.get("modelStatus") == "Creating":
        return _deploy_result(dep, "Pending")
    if spec.deployment_mode == PROVISIONED:
        step = provisioned.reconcile(spec, model, dep, clients.bedrock, execution_arn, moment)
        return _deploy_result(dep, **step)

    found = bc.get_deployment(clients.bedrock, names.deployment_name)
    if found is None:
        missing = int(dep.get("missingChecks") or 0) + 1
        if dep.get("created") and missing < MISSING_CHECKS_BEFORE_RECREATE:
            # created by this execution and not visible yet (or deleted meanwhile): look once more
            return _deploy_result(dep, "Pending", missingChecks=missing)
        if not execution_arn:
            raise InvalidRequest("reconcile_deployment needs the execution ARN (it keys the create token)")
        # a new token for every create of this execution: Bedrock silently ignores a repeated
        # token, and this create may follow a destroyed stack, a deleted Failed deployment or an
        # out-of-band delete. A retried step has the same input, hence the same token.
        creates = int(dep.get("creates") or 0) + 1
        arn = bc.create_deployment(
            clients.bedrock,
            name=names.deployment_name,
            model_arn=model_arn,
            token=names.deployment_request_token(execution_arn, creates),
            description=f"bedrock-rft pipeline {spec.pipeline}, run {names.short}",
            tags=spec.deployment_tags,
        )
        return _deploy_result(dep, "Pending", arn=arn, created=True, creates=creates, missingChecks=0)

    dep["missingChecks"] = 0
    arn = str(found.get("customModelDeploymentArn", ""))
    status = found.get("status")
    serving = found.get("modelArn")
    update = found.get("updateDetails") or {}
    target, update_status = update.get("modelArn"), update.get("updateStatus")
    failure = str(found.get("failureMessage") or "")

    if status == "Failed":
        if serving == model_arn and dep.get("created"):
            return _deploy_result(dep, "Failed", arn=arn, failureMessage=f"deployment failed: {failure}")
        if dep.get("replacing"):
            return _deploy_result(dep, "Pending", arn=arn)
        # left Failed by an earlier run (or its model was deleted out of band): replace it
        if bc.delete_deployment(clients.bedrock, arn or names.deployment_name) == bc.BUSY:
            return _deploy_result(dep, "Pending", arn=arn)  # not deletable yet: try again next check
        return _deploy_result(dep, "Pending", arn=arn, replacing=True)
    if status == "Creating" or update_status == "Updating":
        return _deploy_result(dep, "Pending", arn=arn, swapSeen=bool(dep.get("updateRequested")) or None)
    quiet = int(dep.get("quietChecks") or 0)
    if update_status == "UpdateFailed" and target == model_arn and _own_swap_settled(dep, quiet):
        # only this execution's request, once it shows: a failed swap of the same model left by an
        # earlier run (say, before a git revert brought the model back) is requested again below
        message = f"swapping in the new model failed (the previous model keeps serving): {failure}"
        return _deploy_result(dep, "Failed", arn=arn, failureMessage=message)
    if serving == model_arn or (target == model_arn and update_status == "UpdateCompleted"):
        return _deploy_result(dep, "Active", arn=arn)
    # Active and serving another model: request the swap once, then let it settle
    if dep.get("updateRequested") and quiet < UPDATE_SETTLE_CHECKS:
        return _deploy_result(dep, "Pending", arn=arn, quietChecks=quiet + 1)
    bc.update_deployment(clients.bedrock, arn or names.deployment_name, model_arn)
    return _deploy_result(dep, "Pending", arn=arn, updateRequested=True, quietChecks=0)


def _serving_name(spec: RunSpec) -> str:
    """Name of what serves the pipeline: the Provisioned Throughput or the on-demand deployment."""
    names = spec.names
    return names.provisioned_model_name if spec.deployment_mode == PROVISIONED else names.deployment_name


def _own_swap_settled(dep: Mapping[str, Any], quiet: int) -> bool:
    """True when a swap state read now is this execution's: it requested the swap and has seen it
    Updating, or waited :data:`UPDATE_SETTLE_CHECKS` checks (a read right after the request may
    still show the previous swap)."""
    return bool(dep.get("updateRequested")) and (bool(dep.get("swapSeen")) or quiet >= UPDATE_SETTLE_CHECKS)


def _model_gone_message(job: Mapping[str, Any], model_arn: str) -> str:
    """Why there is nothing to deploy: the job's model no longer exists (or the job named none)."""
    if not model_arn:
        return f"customization job {job.get('jobName') or '?'} completed without an output model"
    if job.get("adopted"):
        return (
            f"the custom model {model_arn} of the adopted job {job.get('jobName') or '?'} does not "
            "exist any more (deleted, e.g. when the pipeline was deleted with retain_models = false); "
            "identical inputs are never trained twice, so change retrain_nonce in the environment "
            "config to train again"
        )
    return (
        f"custom model {model_arn} does not exist (deleted out of band?); change retrain_nonce in "
        "the environment config to train again"
    )


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
            "deploymentName": _serving_name(spec),
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


def failing_phase(error: Mapping[str, Any], run: Mapping[str, Any]) -> str:
    """Where the run failed: the job's own phase when the job failed, else the workflow stage."""
    if error.get("Phase"):
        return str(error["Phase"])
    if (run.get("deployment") or {}).get("attempt"):
        return "deployment"
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
    return _job_state(found, checks=0) if found else job


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
    phase = failing_phase(error, run)
    job = _job_of_failed_run(spec, run, clients.bedrock)
    try:
        current = state.read(clients.ssm, settings.state_parameter)
    except PublishFailed:  # the job must not train unwatched because SSM is down: stop it first
        if _leaves_job_unwatched(name, job):
            _stop_unwatched_job(clients.bedrock, job)
        raise
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


# --- dispatch -----------------------------------------------------------------------------------

ACTIONS = (
    "preflight",
    "start_job",
    "adopt_model",
    "check_job",
    "await_job_event",
    "reconcile_deployment",
    "publish_success",
    "publish_failure",
)


def run_action(event: Mapping[str, Any], clients: Any, settings: Settings) -> dict[str, Any]:
    """Dispatch one workflow step: ``event["action"]`` names it; ``event["spec"]`` is the run spec."""
    action = event.get("action")
    if action not in ACTIONS:
        raise InvalidRequest(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
    spec = RunSpec.from_dict(event.get("spec") or {})
    execution_arn = str(event.get("executionArn", ""))
    execution_started = str(event.get("executionStartTime", ""))
    job = event.get("job") or {}
    if action == "preflight":
        return preflight(spec, clients)
    if action == "start_job":
        return start_job(spec, clients, settings, execution_arn, execution_started)
    if action == "adopt_model":
        started = (execution_arn, execution_started)
        return adoption.adopt_model(spec, job, clients, settings, execution=started)
    if action == "check_job":
        return check_job(spec, job, clients, settings, execution_arn)
    if action == "await_job_event":
        return await_job_event(job, str(event.get("taskToken", "")), clients, settings)
    if action == "reconcile_deployment":
        return reconcile_deployment(
            spec, job, event.get("deployment") or {}, clients, settings, execution_arn
        )
    if action == "publish_success":
        return publish_success(
            spec,
            job,
            event.get("deployment") or {},
            clients,
            settings,
            execution_arn,
            event.get("evaluation"),
        )
    return publish_failure(spec, event, clients, settings, execution_arn, execution_started)
