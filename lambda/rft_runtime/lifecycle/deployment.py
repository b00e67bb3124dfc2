"""The ``reconcile_deployment`` step: move the pipeline's serving deployment one step towards
serving the run's model (create, swap, poll; provisioned mode in :mod:`rft_runtime.lifecycle.provisioned`).
Polling: 30 s growing to 5 min; at most 4 h."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle import provisioned, state
from rft_runtime.lifecycle.errors import InvalidRequest, Superseded
from rft_runtime.lifecycle.settings import Settings
from rft_runtime.lifecycle.spec import PROVISIONED, RunSpec

#: Deployment polling: 30 s growing to 5 min; give up after 4 h without Active.
DEPLOY_POLL_FIRST_SECONDS = 30


DEPLOY_POLL_MAX_SECONDS = 300


DEPLOY_TIMEOUT_SECONDS = 4 * 3600


#: Checks the deployment may show no trace of a requested model swap before it is requested again.
UPDATE_SETTLE_CHECKS = 3


#: Checks a deployment this execution created may be absent before it is created again.
MISSING_CHECKS_BEFORE_RECREATE = 2


def deploy_poll_seconds(attempt: int) -> int:
    """Wait after deployment check number ``attempt`` (1-based): 30, 60, 120, 240, 300, ..."""
    return int(min(DEPLOY_POLL_MAX_SECONDS, DEPLOY_POLL_FIRST_SECONDS * 2 ** max(0, attempt - 1)))


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
            deploymentName=serving_name(spec),
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


def serving_name(spec: RunSpec) -> str:
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
