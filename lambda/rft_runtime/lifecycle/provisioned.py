"""``[deployment] mode = "provisioned"``: the pipeline serves through one Provisioned Throughput.

The throughput is named like the on-demand deployment (``rft-<pipeline>``). The first successful
run creates it (``CreateProvisionedModelThroughput``, one idempotency token per execution and
attempt); later runs swap their model in behind the same provisioned model ARN with
``UpdateProvisionedModelThroughput(desiredModelId=...)``, which the service allows for a custom
model of the same base model only. Where it is not allowed (the base model changed) the run fails
with the reason and what to do; the previous model keeps serving. Consumers invoke one ARN in every
mode: the state record's ``deploymentArn``, here the provisioned model ARN.

Mode changes (see :func:`after_success`): on_demand -> provisioned deletes the pipeline's on-demand
deployment once the success (with the new ARN) is published. provisioned -> on_demand or none keeps
the throughput (the roles of those modes hold no provisioned-throughput permissions, and a committed
one cannot be deleted before its term) and reports that it still bills, with the command that
deletes it. Stack delete removes a throughput without a running commitment
(:func:`release_on_delete`) and never one with a running commitment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle import names, state
from rft_runtime.lifecycle.errors import InvalidRequest, LifecycleError
from rft_runtime.lifecycle.spec import ON_DEMAND, PROVISIONED, RunSpec

LOG = logging.getLogger(__name__)

#: Checks a requested swap may show no trace (still InService with the old model, never Updating)
#: before the run reports that it did not take effect.
SWAP_SETTLE_CHECKS = 3
#: Checks a throughput this execution created may be absent before it is created again.
MISSING_CHECKS_BEFORE_RECREATE = 2
#: Statuses in which a throughput serves requests (the old model serves while Updating).
SERVING_STATUSES = frozenset({"InService", "Updating"})
PROVISIONED_ARN_MARK = ":provisioned-model/"


def committed(found: Mapping[str, Any], now: datetime) -> bool:
    """True while ``found``'s commitment term runs (a committed throughput without an expiry yet,
    e.g. still Creating, counts as committed)."""
    if not found.get("commitmentDuration"):
        return False
    end = state.instant(found.get("commitmentExpirationTime"))
    return end is None or end > now


def _delete_command(name: str) -> str:
    return f"aws bedrock delete-provisioned-model-throughput --provisioned-model-id {name}"


def reconcile(
    spec: RunSpec,
    model: Mapping[str, Any],
    progress: Mapping[str, Any],
    bedrock: Any,
    execution_arn: str,
    now: datetime,
) -> dict[str, Any]:
    """One step towards the throughput serving ``model`` (a GetCustomModel answer, Active).

    ``progress`` is the deployment state the workflow carries (``created``, ``creates``,
    ``missingChecks``, ``replacing``, ``updateRequested``, ``swapSeen``, ``quietChecks``). Returns
    the fields to update in it, with ``outcome`` ``Pending``, ``Active`` or ``Failed`` (then
    ``failureMessage``) and ``arn`` (the provisioned model ARN) once known.
    """
    run = spec.names
    name = run.provisioned_model_name
    model_arn = str(model.get("modelArn") or "")
    found = bc.get_provisioned(bedrock, name)
    if found is None:
        missing = int(progress.get("missingChecks") or 0) + 1
        if progress.get("created") and missing < MISSING_CHECKS_BEFORE_RECREATE:
            return {"outcome": "Pending", "missingChecks": missing}  # not visible yet: look once more
        if not execution_arn:
            raise InvalidRequest("reconcile needs the execution ARN (it keys the create token)")
        creates = int(progress.get("creates") or 0) + 1
        arn = bc.create_provisioned(
            bedrock,
            name=name,
            model_arn=model_arn,
            model_units=int(spec.model_units or 1),
            commitment=spec.commitment,
            token=run.provisioned_request_token(execution_arn, creates),
            tags=spec.deployment_tags,
        )
        return {"outcome": "Pending", "arn": arn, "created": True, "creates": creates, "missingChecks": 0}

    arn = str(found.get("provisionedModelArn") or "")
    status, serving = found.get("status"), found.get("modelArn")
    step = {"arn": arn, "missingChecks": 0, **_units_note(spec, found)}
    if status in ("Creating", "Updating"):
        return {**step, "outcome": "Pending", "swapSeen": True if progress.get("updateRequested") else None}
    if status == "Failed":
        return {**step, **_after_failure(spec, found, progress, bedrock, now)}
    if serving == model_arn:
        return {**step, "outcome": "Active"}
    quiet = int(progress.get("quietChecks") or 0)
    if progress.get("updateRequested"):
        if progress.get("swapSeen") or quiet >= SWAP_SETTLE_CHECKS:
            reason = found.get("failureMessage") or f"it is InService with {serving}"
            message = f"swapping the new model into provisioned throughput {name} failed: {reason}"
            return {
                **step,
                "outcome": "Failed",
                "failureMessage": message + " (the previous model keeps serving)",
            }
        return {**step, "outcome": "Pending", "quietChecks": quiet + 1}
    refused = swap_refusal(found, model, now)
    if refused:
        return {**step, "outcome": "Failed", "failureMessage": refused}
    try:
        bc.update_provisioned(bedrock, arn or name, model_arn)
    except InvalidRequest as exc:  # e.g. ValidationException: the service refuses this swap
        message = f"provisioned throughput {name} refused the new model ({exc}); {_way_out(found, name, now)}"
        return {**step, "outcome": "Failed", "failureMessage": message}
    return {**step, "outcome": "Pending", "updateRequested": True, "quietChecks": 0}


def swap_refusal(found: Mapping[str, Any], model: Mapping[str, Any], now: datetime) -> str:
    """Why the throughput cannot take ``model`` (empty: it can). UpdateProvisionedModelThroughput
    accepts only a custom model of the base model the throughput was bought for."""
    bought_for, base = found.get("foundationModelArn"), model.get("baseModelArn")
    if not bought_for or not base or bought_for == base:
        return ""
    name = str(found.get("provisionedModelName") or found.get("provisionedModelArn"))
    return (
        f"provisioned throughput {name} was bought for base model {bought_for}, the new model "
        f"{model.get('modelArn')} is customized from {base}; the service swaps in only models of the "
        f"same base model (the previous model keeps serving). {_way_out(found, name, now)}"
    )


def _way_out(found: Mapping[str, Any], name: str, now: datetime) -> str:
    if committed(found, now):
        return (
            f"It is committed until {found.get('commitmentExpirationTime') or 'its term ends'} and cannot "
            'be deleted before; serve the new model with mode = "on_demand" meanwhile'
        )
    return f"Delete it ({_delete_command(name)}) so that the next run creates one for the new model"


def _after_failure(
    spec: RunSpec, found: Mapping[str, Any], progress: Mapping[str, Any], bedrock: Any, now: datetime
) -> dict[str, Any]:
    """A Failed throughput: this run's own create or swap failed -> Failed; one left Failed by an
    earlier run is deleted and created again, unless its commitment runs."""
    name = str(found.get("provisionedModelName") or spec.names.provisioned_model_name)
    reason = found.get("failureMessage") or "no message"
    if progress.get("created") or progress.get("updateRequested"):
        return {"outcome": "Failed", "failureMessage": f"provisioned throughput {name} failed: {reason}"}
    if committed(found, now):
        return {
            "outcome": "Failed",
            "failureMessage": f"provisioned throughput {name} is Failed ({reason}) and committed until "
            f"{found.get('commitmentExpirationTime') or 'its term ends'}, so it is not replaced; ask AWS "
            'Support, or serve with mode = "on_demand" meanwhile',
        }
    if progress.get("replacing"):
        return {"outcome": "Pending"}
    if bc.delete_provisioned(bedrock, str(found.get("provisionedModelArn") or name)) == bc.BUSY:
        return {"outcome": "Pending"}
    return {"outcome": "Pending", "replacing": True}


def _units_note(spec: RunSpec, found: Mapping[str, Any]) -> dict[str, str]:
    """A note when the throughput's model units differ from the config: the API cannot change them."""
    units = found.get("desiredModelUnits") or found.get("modelUnits")
    if units is None or spec.model_units is None or int(units) == spec.model_units:
        return {}
    return {
        "note": f"provisioned throughput {spec.names.provisioned_model_name} has {units} model units, the "
        f"config asks for {spec.model_units}: the API cannot change them; delete it (no commitment) for "
        "the next run to create it with the configured units"
    }


def serving_arn(spec: RunSpec, bedrock: Any) -> str | None:
    """What serves the pipeline now (the promotion gate's incumbent): the provisioned model ARN in
    ``provisioned`` mode, the on-demand deployment ARN in ``on_demand`` mode; None in mode ``none``
    or while nothing serves (not created yet, Creating, Failed)."""
    if spec.deployment_mode == PROVISIONED:
        found = bc.get_provisioned(bedrock, spec.names.provisioned_model_name)
        if found and found.get("status") in SERVING_STATUSES:
            return str(found.get("provisionedModelArn") or "") or None
        return None
    if spec.deployment_mode == ON_DEMAND:
        return on_demand_serving_arn(spec, bedrock)
    return None


def on_demand_serving_arn(spec: RunSpec, bedrock: Any) -> str | None:
    """The pipeline's on-demand deployment ARN while it is Active, else None (whatever the mode:
    after a change to ``provisioned`` it serves until the throughput does, see :func:`after_success`)."""
    found = bc.get_deployment(bedrock, spec.names.deployment_name)
    if found and found.get("status") == "Active":
        return str(found.get("customModelDeploymentArn") or "") or None
    return None


def after_success(spec: RunSpec, previous: Mapping[str, Any], bedrock: Any) -> dict[str, Any]:
    """After a success is published (consumers now read this mode's ARN): in ``provisioned`` mode
    delete the pipeline's on-demand deployment, if any; in the other modes report a throughput
    the previous record served through (``previous["deploymentArn"]``), which keeps billing.
    Returns what happened (empty: nothing to do). Never raises."""
    run = spec.names
    if spec.deployment_mode == PROVISIONED:
        try:
            outcome = bc.delete_deployment(bedrock, run.deployment_name)
        except (LifecycleError, BotoCoreError) as exc:
            LOG.warning("on-demand deployment %s not deleted", run.deployment_name, exc_info=True)
            return {"onDemandDeployment": f"not deleted ({exc}); delete {run.deployment_name} by hand"[:500]}
        return {} if outcome == bc.GONE else {"onDemandDeployment": outcome}
    arn = str(previous.get("deploymentArn") or "")
    if PROVISIONED_ARN_MARK not in arn:
        return {}
    note = (
        f"provisioned throughput {arn} no longer serves this pipeline and still bills per model unit "
        f"and hour: delete it with {_delete_command(run.provisioned_model_name)} (a committed one "
        "only once its term ended)"
    )
    LOG.warning(note)
    return {"provisionedThroughput": note}


def release_on_delete(
    bedrock: Any, pipeline: str, sleep: Callable[[float], None], *, wait_seconds: float, poll_seconds: float
) -> set[str]:
    """Stack delete: delete the pipeline's throughput unless its commitment runs, and wait (up to
    ``wait_seconds``) until it is gone (a Creating/Updating one refuses the delete until it
    settles; its models can be deleted only once it is gone). Returns the model ARNs a kept
    (committed) throughput still uses, which must not be deleted."""
    name = names.provisioned_model_name(pipeline)
    waited = 0.0
    while True:
        found = bc.get_provisioned(bedrock, name)
        if found is None:
            return set()
        if committed(found, datetime.now(UTC)):
            LOG.warning(
                "provisioned throughput %s is committed until %s: kept (it cannot be deleted before)",
                name,
                found.get("commitmentExpirationTime"),
            )
            return {str(found.get(k)) for k in ("modelArn", "desiredModelArn") if found.get(k)}
        outcome = bc.delete_provisioned(bedrock, str(found.get("provisionedModelArn") or name))
        LOG.info("provisioned throughput %s: %s", name, outcome)
        if outcome == bc.GONE:
            return set()
        if waited >= wait_seconds:
            raise InvalidRequest(
                f"provisioned throughput {name} still exists after {waited:.0f} s (being created, "
                "updated or deleted); delete the stack again once it is InService, Failed or gone"
            )
        sleep(poll_seconds)
        waited += poll_seconds
