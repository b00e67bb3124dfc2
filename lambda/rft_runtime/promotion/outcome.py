"""What the gate's decision does to the pipeline's state record.

- :func:`publish_rejected`: the gate kept the serving model; the record says ``REJECTED`` with the
  figures and the evaluation's location, the pipeline's deployment fields stay as they were (the
  old model keeps serving).
- :func:`manual_promote`: ``rft promote`` serves a rejected model anyway: the serving deployment
  or Provisioned Throughput is swapped to it (a deployment is created when the pipeline never
  served a model) and the record says
  ``ACTIVE`` with an ``override`` naming who decided and the figures that had rejected it; the
  model is tagged promoted (``bedrock-rft:promoted`` = ``rft-promote``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle import names, observe, state
from rft_runtime.lifecycle.errors import LifecycleError
from rft_runtime.lifecycle.provisioned import PROVISIONED_ARN_MARK
from rft_runtime.lifecycle.publish import publish_outcome
from rft_runtime.lifecycle.settings import Settings
from rft_runtime.lifecycle.spec import RunSpec


class NotPromotable(LifecycleError):
    """The state record does not show a rejected model of the run asked for."""


def rejection_message(decision: Mapping[str, Any]) -> str:
    """One sentence: why the gate kept the serving model."""
    if decision.get("decision") == "error":
        return f"the evaluation failed, so the new model was not promoted: {decision.get('message', '')}"
    delta = decision.get("delta") or {}
    return (
        f"the new model's mean reward delta {delta.get('value', 0.0):+.3f} (95% CI "
        f"{delta.get('ciLow', 0.0):+.3f} to {delta.get('ciHigh', 0.0):+.3f}) over "
        f"{decision.get('prompts', 0)} validation prompts is below the required "
        f"{decision.get('minImprovement', 0.0):+.3f}"
    )


def publish_rejected(
    spec: RunSpec,
    job: Mapping[str, Any],
    decision: Mapping[str, Any],
    clients: Any,
    settings: Settings,
    execution_arn: str,
) -> dict[str, Any]:
    """Publish ``REJECTED`` (state record, event, notification) for a gate that did not promote;
    the pipeline's deployment fields are carried over untouched."""
    failure = {"phase": "evaluation", "error": "Rejected", "message": rejection_message(decision)}
    fields = {"failure": failure, "evaluation": state.evaluation_record(decision)}
    return publish_outcome(spec, job, clients, settings, execution_arn, state.REJECTED, fields)


def manual_promote(
    clients: Any, settings: Settings, fingerprint: str, *, requested_at: str
) -> dict[str, Any]:
    """Serve the rejected model of the run ``fingerprint`` (full or a prefix of 12+ hex digits).

    Raises :class:`NotPromotable` when ``fingerprint`` is not 12 to 64 hex digits (before reading
    anything), or unless the state record shows that run ``REJECTED`` with a model. Serves the
    model where the record says consumers invoke (:func:`_swap_in`; the swap takes minutes,
    ``rft status`` shows it). Returns the record written.
    """
    try:  # an empty or short prefix would match whichever run the record shows
        fingerprint = observe.check_fingerprint(fingerprint)
    except ValueError as exc:
        raise NotPromotable(f"--fingerprint: {exc}") from None
    current = state.read(clients.ssm, settings.state_parameter) or {}
    recorded = str(current.get("fingerprint") or "")
    if not recorded or not recorded.startswith(fingerprint.lower()):
        raise NotPromotable(
            f"pipeline {settings.pipeline}: the state record is about run {recorded[:12] or '(none)'}, "
            f"not {fingerprint[:12]}; only the latest run can be promoted"
        )
    if current.get("phase") != state.REJECTED or not current.get("modelArn"):
        raise NotPromotable(
            f"pipeline {settings.pipeline}: run {recorded[:12]} is {current.get('phase')}, not "
            f"{state.REJECTED}; only a model the promotion gate rejected can be promoted"
        )
    model_arn = str(current["modelArn"])
    deployment, arn = _swap_in(clients.bedrock, settings.pipeline, current, model_arn, requested_at)
    bc.mark_promoted(clients.bedrock, model_arn, "rft-promote")
    previous = current.get("servingModelArn")
    record = state.merge(
        current,
        settings.pipeline,
        phase=state.ACTIVE,
        fingerprint=recorded,
        deploymentName=deployment,
        deploymentArn=arn,
        servingModelArn=model_arn,
        override={
            "by": "rft promote",
            "at": requested_at,
            "replacedModelArn": previous or "",
            "gateDecision": (current.get("evaluation") or {}).get("decision", ""),
        },
    )
    state.publish(clients, settings, record, notify=True)
    return json.loads(state.serialize(record))


def _swap_in(
    bedrock: Any, pipeline: str, current: Mapping[str, Any], model_arn: str, requested_at: str
) -> tuple[str, str]:
    """``(name, ARN)`` of what now serves ``model_arn``: the pipeline's Provisioned Throughput when
    the record's ``deploymentArn`` is one (``UpdateProvisionedModelThroughput``, same ARN; the
    service takes only a model of the throughput's base model), else the on-demand deployment,
    swapped (``UpdateCustomModelDeployment``) or created when none exists."""
    serving = str(current.get("deploymentArn") or "")
    if PROVISIONED_ARN_MARK in serving:
        bc.update_provisioned(bedrock, serving, model_arn)
        return names.provisioned_model_name(pipeline), serving
    deployment = names.deployment_name(pipeline)
    found = bc.get_deployment(bedrock, deployment)
    if found is not None:
        arn = str(found.get("customModelDeploymentArn") or deployment)
        return deployment, bc.update_deployment(bedrock, arn, model_arn)
    token = names.RunNames(pipeline, str(current["fingerprint"])).deployment_request_token(
        f"rft-promote|{requested_at}"
    )
    arn = bc.create_deployment(
        bedrock,
        name=deployment,
        model_arn=model_arn,
        token=token,
        description=f"bedrock-rft pipeline {pipeline}, promoted by hand",
        tags=[],
    )
    return deployment, arn
