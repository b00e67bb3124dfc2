"""The gate's incumbent: the model the pipeline serves now, or the base model before its first one.

What serves now is :func:`rft_runtime.lifecycle.provisioned.serving_arn`, by deployment mode:

- ``on_demand``: the serving deployment (``rft-<pipeline>``) while it is ``Active``.
- ``provisioned``: the Provisioned Throughput's model ARN while it is ``InService`` or
  ``Updating`` (during a swap the old model serves until the new one takes over, and the ARN is
  what consumers invoke either way). While it is ``Creating`` or ``Failed``, or before it exists,
  nothing serves through it: then the pipeline's on-demand deployment, if one is still ``Active``
  (the mode changed from ``on_demand``; it is deleted only once the throughput serves), else the
  base model.

Otherwise nothing serves yet and the candidate is measured against the base model the job trained
from (``jobRequest.baseModelIdentifier``), called through the inference profile of the function's
Region (:func:`rft_runtime.evaluation.base_model.invocation_model_id`: Converse does not take the
training id ``amazon.nova-2-lite-v1:0:256k``, it takes ``us.amazon.nova-2-lite-v1:0``), except when
the state record says the pipeline serves a model (``servingModelArn``) and its serving deployment
or throughput exists but serves nothing (``Creating``, ``Failed``): the base model would be the
wrong incumbent, so the step raises :class:`EvaluationError` (the gate ends in error and never
promotes; once that deployment is Active, or deleted, a new run measures against the right
incumbent). The candidate itself is always a temporary on-demand deployment: the gate measures the
model, not the serving mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rft_runtime.evaluation.base_model import invocation_model_id
from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle import provisioned
from rft_runtime.lifecycle.spec import ON_DEMAND, PROVISIONED, RunSpec
from rft_runtime.promotion.errors import EvaluationError

SERVING, THROUGHPUT, BASE = "serving deployment", "provisioned throughput", "base model"
KIND_BY_MODE = {ON_DEMAND: SERVING, PROVISIONED: THROUGHPUT}


def incumbent_model(spec: RunSpec, bedrock: Any, record: Mapping[str, Any] | None = None) -> dict[str, str]:
    """``{"model": Converse model id or ARN, "kind": SERVING | THROUGHPUT | BASE}``, for BASE also
    ``"baseModel"`` (the training id the profile in ``model`` stands for); ``record`` is the
    pipeline's state record (default: none). Raises :class:`EvaluationError` when the record serves
    a model but what serves it is not serving (see the module docstring), or when the Region of
    ``bedrock`` has no known inference-profile geography."""
    serving = provisioned.serving_arn(spec, bedrock)
    if serving:
        return {"model": serving, "kind": KIND_BY_MODE[spec.deployment_mode]}
    if spec.deployment_mode == PROVISIONED:
        left_over = provisioned.on_demand_serving_arn(spec, bedrock)
        if left_over:
            return {"model": left_over, "kind": SERVING}
    served = str((record or {}).get("servingModelArn") or "")
    idle = _idle_server(spec, bedrock) if served and spec.deployment_mode in KIND_BY_MODE else ""
    if idle:
        raise EvaluationError(
            f"pipeline {spec.pipeline} serves {served} (its state record), but its {idle}: the gate "
            "does not measure the candidate against the base model instead. Start the run again once "
            "it is Active (or after deleting it, to compare with the base model)"
        )
    base_model = str(spec.job_request["baseModelIdentifier"])
    try:
        model = invocation_model_id(base_model, bedrock.meta.region_name)
    except ValueError as error:
        raise EvaluationError(str(error)) from None
    return {"model": model, "kind": BASE, "baseModel": base_model}


def _idle_server(spec: RunSpec, bedrock: Any) -> str:
    """``"<kind> <name> is <status>"`` for the pipeline's throughput (``provisioned`` mode) or
    on-demand deployment that exists without serving; empty when none exists."""
    names = spec.names
    if spec.deployment_mode == PROVISIONED:
        throughput = bc.get_provisioned(bedrock, names.provisioned_model_name)
        if throughput is not None:
            return f"{THROUGHPUT} {names.provisioned_model_name} is {throughput.get('status')}"
    deployment = bc.get_deployment(bedrock, names.deployment_name)
    return f"{SERVING} {names.deployment_name} is {deployment.get('status')}" if deployment else ""
