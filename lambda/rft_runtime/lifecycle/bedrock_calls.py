"""The Bedrock control-plane calls of the lifecycle, each retried and mapped to lifecycle errors.

Every function takes a ``bedrock`` client (``boto3.client("bedrock")``) and returns plain data.
"Not found" is an answer, not an error: getters return ``None``, stoppers and model deletion
``False``, :func:`delete_deployment` :data:`GONE` (or :data:`BUSY` while the deployment changes).
Mapping: ``ServiceQuotaExceededException`` -> :class:`QuotaExceeded` (never retried);
throttling/5xx -> retried, then :class:`TransientAwsError`; other client errors ->
:class:`InvalidRequest` with the service's message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from rft_runtime.lifecycle import retry
from rft_runtime.lifecycle.errors import InvalidRequest, QuotaExceeded

NOT_FOUND = "ResourceNotFoundException"
CONFLICT = "ConflictException"
#: Tag keys the package sets and reads (pipeline, fingerprint, promoted, keep); config tags may not
#: use them, or one config line could mark every model promoted.
PACKAGE_TAG_PREFIX = "bedrock-rft:"
#: The tag on a custom model that passed its promotion gate (value ``gate``) or was served by
#: ``rft promote`` (value ``rft-promote``). Pruning never deletes a model carrying it.
PROMOTED_TAG = PACKAGE_TAG_PREFIX + "promoted"
PROMOTED_BY = ("gate", "rft-promote")


def _message(exc: ClientError) -> str:
    err = exc.response.get("Error", {})
    return f"{err.get('Code', 'Error')}: {err.get('Message', '')}".strip()


def _call(method: Callable[..., dict[str, Any]], what: str, *, tolerate: tuple[str, ...] = (), **kwargs: Any):
    """Call with retries; return ``None`` for a tolerated error code, raise a mapped error otherwise."""
    try:
        return retry.call(method, **kwargs)
    except ClientError as exc:
        code = retry.error_code(exc)
        if code in tolerate:
            return None
        if code == "ServiceQuotaExceededException":
            raise QuotaExceeded(f"{what}: {_message(exc)}") from exc
        raise InvalidRequest(f"{what}: {_message(exc)}") from exc


def _get(method: Callable[..., dict[str, Any]], what: str, **kwargs: Any) -> dict[str, Any] | None:
    """A ``Get*`` call: the answer without ``ResponseMetadata``; ``None`` when not found."""
    out = _call(method, what, tolerate=(NOT_FOUND,), **kwargs)
    if out is not None:
        out.pop("ResponseMetadata", None)
    return out


# --- customization jobs -------------------------------------------------------------------------


def get_job(bedrock: Any, identifier: str) -> dict[str, Any] | None:
    """``GetModelCustomizationJob`` by name or ARN; ``None`` when no such job exists."""
    return _get(bedrock.get_model_customization_job, "GetModelCustomizationJob", jobIdentifier=identifier)


def create_job(bedrock: Any, request: dict[str, Any]) -> str | None:
    """``CreateModelCustomizationJob``; returns the job ARN, or ``None`` on a name conflict
    (the caller then adopts the existing job)."""
    out = _call(
        bedrock.create_model_customization_job, "CreateModelCustomizationJob", tolerate=(CONFLICT,), **request
    )
    return None if out is None else str(out["jobArn"])


def stop_job(bedrock: Any, identifier: str) -> bool:
    """``StopModelCustomizationJob``; ``False`` when the job is gone or already stopping/ended."""
    out = _call(
        bedrock.stop_model_customization_job,
        "StopModelCustomizationJob",
        tolerate=(NOT_FOUND, CONFLICT, "ValidationException"),
        jobIdentifier=identifier,
    )
    return out is not None


# --- custom models ------------------------------------------------------------------------------


def get_custom_model(bedrock: Any, identifier: str) -> dict[str, Any] | None:
    """``GetCustomModel``; ``None`` when the model does not exist (e.g. deleted out of band)."""
    return _call(
        bedrock.get_custom_model, "GetCustomModel", tolerate=(NOT_FOUND,), modelIdentifier=identifier
    )


def list_pages(method: Callable[..., dict[str, Any]], what: str, items_key: str, **kwargs: Any) -> list:
    """Every item under ``items_key`` of a paginated ``List*`` call (all pages)."""
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        out = _call(method, what, **kwargs, **({"nextToken": token} if token else {}))
        found += list(out.get(items_key) or [])
        token = out.get("nextToken")
        if not token:
            return found


def list_models(bedrock: Any, name_prefix: str) -> list[dict[str, Any]]:
    """Custom models whose name starts with ``name_prefix`` (all pages)."""
    summaries = list_pages(
        bedrock.list_custom_models,
        "ListCustomModels",
        "modelSummaries",
        nameContains=name_prefix,
        maxResults=100,
    )
    return [m for m in summaries if str(m.get("modelName", "")).startswith(name_prefix)]


def list_deployments(bedrock: Any, name_contains: str) -> list[dict[str, Any]]:
    """Summaries of the custom model deployments whose name contains ``name_contains`` (all pages)."""
    return list_pages(
        bedrock.list_custom_model_deployments,
        "ListCustomModelDeployments",
        "modelDeploymentSummaries",
        nameContains=name_contains,
        maxResults=100,
    )


def resource_tags(bedrock: Any, arn: str) -> dict[str, str]:
    """``ListTagsForResource`` as a key -> value dict."""
    out = _call(bedrock.list_tags_for_resource, "ListTagsForResource", resourceARN=arn)
    return {str(t.get("key")): str(t.get("value")) for t in out.get("tags") or []}


def mark_promoted(bedrock: Any, model_arn: str, by: str) -> None:
    """Tag the custom model ``model_arn`` with :data:`PROMOTED_TAG` = ``by`` (one of
    :data:`PROMOTED_BY`): it serves because the gate (or a person) promoted it."""
    if by not in PROMOTED_BY:
        raise ValueError(f"mark_promoted: by must be one of {PROMOTED_BY}, got {by!r}")
    _call(
        bedrock.tag_resource,
        "TagResource",
        resourceARN=model_arn,
        tags=[{"key": PROMOTED_TAG, "value": by}],
    )


def delete_model(bedrock: Any, identifier: str) -> bool:
    """``DeleteCustomModel``; ``False`` when it was already gone. A model still used by a
    deployment raises :class:`InvalidRequest` (ConflictException)."""
    out = _call(
        bedrock.delete_custom_model, "DeleteCustomModel", tolerate=(NOT_FOUND,), modelIdentifier=identifier
    )
    return out is not None


# --- on-demand deployments ----------------------------------------------------------------------


def get_deployment(bedrock: Any, identifier: str) -> dict[str, Any] | None:
    """``GetCustomModelDeployment`` by name or ARN; ``None`` when it does not exist."""
    return _get(
        bedrock.get_custom_model_deployment,
        "GetCustomModelDeployment",
        customModelDeploymentIdentifier=identifier,
    )


def create_deployment(
    bedrock: Any, *, name: str, model_arn: str, token: str, description: str, tags: list[dict[str, str]]
) -> str:
    """``CreateCustomModelDeployment``; returns the deployment ARN (idempotent through ``token``)."""
    kwargs: dict[str, Any] = {
        "modelDeploymentName": name,
        "modelArn": model_arn,
        "clientRequestToken": token,
        "description": description,
    }
    if tags:
        kwargs["tags"] = tags
    out = _call(bedrock.create_custom_model_deployment, "CreateCustomModelDeployment", **kwargs)
    return str(out["customModelDeploymentArn"])


def update_deployment(bedrock: Any, identifier: str, model_arn: str) -> str:
    """``UpdateCustomModelDeployment``: swap ``model_arn`` in behind the same deployment ARN."""
    out = _call(
        bedrock.update_custom_model_deployment,
        "UpdateCustomModelDeployment",
        customModelDeploymentIdentifier=identifier,
        modelArn=model_arn,
    )
    return str(out["customModelDeploymentArn"])


DELETED, GONE, BUSY = "deleted", "gone", "busy"


def _delete(method: Callable[..., dict[str, Any]], what: str, **kwargs: Any) -> str:
    """:data:`DELETED`, :data:`GONE` (not found) or :data:`BUSY` (``ConflictException``)."""
    try:
        retry.call(method, **kwargs)
    except ClientError as exc:
        code = retry.error_code(exc)
        if code == NOT_FOUND:
            return GONE
        if code == CONFLICT:
            return BUSY
        raise InvalidRequest(f"{what}: {_message(exc)}") from exc
    return DELETED


def delete_deployment(bedrock: Any, identifier: str) -> str:
    """``DeleteCustomModelDeployment``: :data:`DELETED`, :data:`GONE` (it was already) or
    :data:`BUSY` (``ConflictException``: it is being created or updated; try again later)."""
    return _delete(
        bedrock.delete_custom_model_deployment,
        "DeleteCustomModelDeployment",
        customModelDeploymentIdentifier=identifier,
    )


# --- provisioned throughput ---------------------------------------------------------------------


def get_provisioned(bedrock: Any, identifier: str) -> dict[str, Any] | None:
    """``GetProvisionedModelThroughput`` by name or ARN; ``None`` when it does not exist."""
    return _get(
        bedrock.get_provisioned_model_throughput,
        "GetProvisionedModelThroughput",
        provisionedModelId=identifier,
    )


def create_provisioned(
    bedrock: Any,
    *,
    name: str,
    model_arn: str,
    model_units: int,
    commitment: str,
    token: str,
    tags: list[dict[str, str]],
) -> str:
    """``CreateProvisionedModelThroughput``; returns the provisioned model ARN (idempotent through
    ``token``). ``commitment`` ``"none"`` leaves ``commitmentDuration`` out (no commitment)."""
    kwargs: dict[str, Any] = {
        "provisionedModelName": name,
        "modelId": model_arn,
        "modelUnits": model_units,
        "clientRequestToken": token,
    }
    if commitment != "none":
        kwargs["commitmentDuration"] = commitment
    if tags:
        kwargs["tags"] = tags
    out = _call(bedrock.create_provisioned_model_throughput, "CreateProvisionedModelThroughput", **kwargs)
    return str(out["provisionedModelArn"])


def update_provisioned(bedrock: Any, identifier: str, model_arn: str) -> None:
    """``UpdateProvisionedModelThroughput(desiredModelId=...)``: swap ``model_arn`` in behind the
    same provisioned model ARN (the service allows a model of the same base model only)."""
    _call(
        bedrock.update_provisioned_model_throughput,
        "UpdateProvisionedModelThroughput",
        provisionedModelId=identifier,
        desiredModelId=model_arn,
    )


def delete_provisioned(bedrock: Any, identifier: str) -> str:
    """``DeleteProvisionedModelThroughput``: :data:`DELETED`, :data:`GONE` or :data:`BUSY`
    (``ConflictException``). Callers never send it for a throughput whose commitment runs."""
    return _delete(
        bedrock.delete_provisioned_model_throughput,
        "DeleteProvisionedModelThroughput",
        provisionedModelId=identifier,
    )
