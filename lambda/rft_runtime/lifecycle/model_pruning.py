"""``[deployment] keep_models``: delete a pipeline's older custom models that nothing uses.

Runs after a successful run (``publish_success``). Conservative by design: a model is deleted only
when every one of these holds, and any doubt (a listing or tag read that fails) deletes nothing:

- its name is exactly this pipeline's (``rft-<pipeline>-<12 hex>``) and it carries the tag
  ``bedrock-rft:pipeline = <pipeline>`` (the IAM grant is conditioned on that tag too);
- it is Active (not being created) and not among the ``keep`` newest of the pipeline's models;
- it is not protected by the caller: the model this run serves, the model served before it, the
  run's own model;
- no custom-model deployment in the account and Region serves it or is being swapped to it (a
  candidate, or another environment's serving deployment), and no provisioned throughput uses it;
- it carries none of :data:`HOLD_TAG_KEYS` (set one by hand, or by a promoting environment, to
  keep a model forever).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle import names

LOG = logging.getLogger(__name__)

PIPELINE_TAG_KEY = bc.PACKAGE_TAG_PREFIX + "pipeline"
#: A model with any of these tag keys is never pruned, whatever the value.
HOLD_TAG_KEYS = (bc.PACKAGE_TAG_PREFIX + "keep", bc.PROMOTED_TAG)


def models_in_use(bedrock: Any) -> set[str]:
    """Every model ARN a deployment serves or is being swapped to, or a provisioned throughput uses."""
    used: set[str] = set()
    for summary in bc.list_pages(
        bedrock.list_custom_model_deployments, "ListCustomModelDeployments", "modelDeploymentSummaries"
    ):
        used.add(str(summary.get("modelArn") or ""))
        found = bc.get_deployment(bedrock, str(summary.get("customModelDeploymentArn") or ""))
        if found is not None:
            used.add(str(found.get("modelArn") or ""))
            used.add(str((found.get("updateDetails") or {}).get("modelArn") or ""))
    for summary in bc.list_pages(
        bedrock.list_provisioned_model_throughputs,
        "ListProvisionedModelThroughputs",
        "provisionedModelSummaries",
    ):
        used.update(str(summary.get(k) or "") for k in ("modelArn", "desiredModelArn", "foundationModelArn"))
    used.discard("")
    return used


def prune(bedrock: Any, pipeline: str, keep: int, protected: Iterable[str]) -> dict[str, Any]:
    """Delete what the module docstring allows; returns ``deleted`` (names), ``kept`` (name ->
    reason) and, when it stopped early, ``skipped`` (why nothing more was deleted). ``keep`` <= 0
    prunes nothing. Never raises."""
    if keep <= 0:
        return {"deleted": [], "kept": {}, "skipped": "keep_models is 0 (pruning off)"}
    protected_arns = {arn for arn in protected if arn}
    kept: dict[str, str] = {}
    deleted: list[str] = []
    try:
        own = names.own_model_name(pipeline)
        models = [
            m
            for m in bc.list_models(bedrock, f"rft-{pipeline}-")
            if own.fullmatch(str(m.get("modelName", "")))
        ]
        # creationTime is a required member of every summary (botocore model); one without it
        # raises here and, like any doubt, deletes nothing
        models.sort(key=lambda m: m["creationTime"], reverse=True)
        in_use = models_in_use(bedrock)
        for rank, model in enumerate(models):
            name, arn = str(model.get("modelName")), str(model.get("modelArn") or "")
            reason = _reason_to_keep(bedrock, model, rank, keep, pipeline, protected_arns, in_use)
            if reason:
                kept[name] = reason
                continue
            LOG.info("pruning custom model %s (%s)", name, arn)
            if bc.delete_model(bedrock, arn):
                deleted.append(name)
    except Exception as exc:  # pruning is housekeeping: it must never fail a run
        LOG.warning("model pruning stopped", exc_info=True)
        return {"deleted": deleted, "kept": kept, "skipped": f"{type(exc).__name__}: {exc}"[:500]}
    return {"deleted": deleted, "kept": kept}


def _reason_to_keep(
    bedrock: Any,
    model: dict[str, Any],
    rank: int,
    keep: int,
    pipeline: str,
    protected: set[str],
    in_use: set[str],
) -> str:
    """Why ``model`` must stay (empty: it may be deleted). Tags are read last, only when needed."""
    arn = str(model.get("modelArn") or "")
    if rank < keep:
        return f"among the {keep} newest"
    if not arn or arn in protected:
        return "serving, previously serving or this run's model"
    if arn in in_use:
        return "used by a deployment or provisioned throughput"
    if model.get("modelStatus") not in (None, "Active"):
        return f"status {model.get('modelStatus')}"
    tags = bc.resource_tags(bedrock, arn)
    if tags.get(PIPELINE_TAG_KEY) != pipeline:
        return f"not tagged {PIPELINE_TAG_KEY} = {pipeline}"
    held = [key for key in HOLD_TAG_KEYS if key in tags]
    if held:
        return f"tagged {held[0]}"
    return ""
