"""The gate's incumbent: the model the pipeline serves now, or the base model before its first one.

The serving deployment (``rft-<pipeline>``, :func:`rft_runtime.lifecycle.names.deployment_name`)
is the incumbent when it exists and is ``Active``; otherwise nothing serves yet and the candidate
is measured against the base model the job trained from (``jobRequest.baseModelIdentifier``).
"""

from __future__ import annotations

from typing import Any

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle.spec import RunSpec

SERVING, BASE = "serving deployment", "base model"


def incumbent_model(spec: RunSpec, bedrock: Any) -> dict[str, str]:
    """``{"model": Converse model id or ARN, "kind": SERVING | BASE}``."""
    found = bc.get_deployment(bedrock, spec.names.deployment_name)
    arn = str((found or {}).get("customModelDeploymentArn") or "")
    if found is not None and found.get("status") == "Active" and arn:
        return {"model": arn, "kind": SERVING}
    return {"model": str(spec.job_request["baseModelIdentifier"]), "kind": BASE}
