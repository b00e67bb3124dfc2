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
from (``jobRequest.baseModelIdentifier``). The candidate itself is always a temporary on-demand
deployment: the gate measures the model, not the serving mode.
"""

from __future__ import annotations

from typing import Any

from rft_runtime.lifecycle import provisioned
from rft_runtime.lifecycle.spec import ON_DEMAND, PROVISIONED, RunSpec

SERVING, THROUGHPUT, BASE = "serving deployment", "provisioned throughput", "base model"
KIND_BY_MODE = {ON_DEMAND: SERVING, PROVISIONED: THROUGHPUT}


def incumbent_model(spec: RunSpec, bedrock: Any) -> dict[str, str]:
    """``{"model": Converse model id or ARN, "kind": SERVING | THROUGHPUT | BASE}``."""
    serving = provisioned.serving_arn(spec, bedrock)
    if serving:
        return {"model": serving, "kind": KIND_BY_MODE[spec.deployment_mode]}
    if spec.deployment_mode == PROVISIONED:
        left_over = provisioned.on_demand_serving_arn(spec, bedrock)
        if left_over:
            return {"model": left_over, "kind": SERVING}
    return {"model": str(spec.job_request["baseModelIdentifier"]), "kind": BASE}
