"""One side of an evaluation: a model's responses (from Converse through the store, or recorded),
graded with the pipeline's reward."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from rft_runtime.evaluation import converse, grading, models
from rft_runtime.evaluation.collect import collect
from rft_runtime.evaluation.inputs import Inputs
from rft_runtime.evaluation.prompts import EvaluationInputError
from rft_runtime.evaluation.recordings import load_recordings
from rft_runtime.evaluation.store import ResponseStore

#: Identifiers whose model can be swapped behind the same ARN (UpdateCustomModelDeployment,
#: UpdateProvisionedModelThroughput).
SWAPPABLE = ("custom model deployment", "provisioned model")


@dataclass
class Side:
    """``name`` is the model identifier or the recordings file; ``texts`` the responses by prompt;
    ``graded`` their rewards; ``calls`` what calling the model took (None for recordings)."""

    name: str
    texts: dict[str, list[str]]
    graded: grading.Graded
    calls: dict[str, Any] | None = field(default=None)


def recorded(inputs: Inputs, path: str) -> Side:
    """Recorded responses from ``path``, graded (no AWS)."""
    texts = load_recordings(path, inputs.prompts)
    return Side(path, texts, grading.grade(inputs.grader, inputs.template, inputs.prompts, texts))


def served_model(model: str, bedrock: Callable[[], Any], *, option: str = "--model") -> str | None:
    """The model ARN a custom-model deployment or provisioned model ARN serves now (a free
    control-plane read: ``GetCustomModelDeployment`` / ``GetProvisionedModelThroughput``), as
    ``<current>-><target>`` while an update moves it to another model; None for
    any other identifier. ``bedrock`` makes the ``bedrock`` client. An ARN that names nothing
    raises :class:`EvaluationInputError` (before any paid call)."""
    ref = models.parse_model(model, option=option)
    if ref.kind not in SWAPPABLE:
        return None
    client = bedrock()
    try:
        if ref.kind == "custom model deployment":
            found = client.get_custom_model_deployment(customModelDeploymentIdentifier=model)
        else:
            found = client.get_provisioned_model_throughput(provisionedModelId=model)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in (
            "ResourceNotFoundException",
            "ValidationException",
        ):
            raise EvaluationInputError(
                [f"{option}: {model}: no such {ref.kind} in this account and Region"]
            ) from None
        raise
    current = str(found.get("modelArn") or "")
    if ref.kind == "custom model deployment":
        update = found.get("updateDetails") or {}
        target = str(update.get("modelArn") or "") if update.get("updateStatus") != "UpdateCompleted" else ""
    else:
        target = str(found.get("desiredModelArn") or "")
    if target and target != current:  # mid-swap: answers may come from either model
        return f"{current}->{target}"
    return current or None


def store_identity(model: str, served: str | None) -> str:
    """The model part of ``model``'s response-store keys: the identifier, and for a deployment or
    provisioned model also the model it serves (``<ARN>@<model ARN>``), so that responses of the
    model served before a swap behind the same ARN are never reused for the next one."""
    return f"{model}@{served}" if served else model


def live(
    inputs: Inputs,
    model: str,
    *,
    client: Any,
    samples: int,
    store_path: str,
    concurrency: int,
    progress: bool,
    served: str | None = None,
) -> Side:
    """``samples`` responses of ``model`` per prompt (store first, then Converse), graded.
    ``served``: the model behind a deployment or provisioned ``model`` (:func:`served_model`)."""
    store = ResponseStore.open(store_path)
    try:
        got = collect(
            client,
            model,
            inputs.prompts,
            samples=samples,
            settings=inputs.settings,
            store=store,
            concurrency=concurrency,
            show_progress=progress,
            store_model=store_identity(model, served),
        )
    finally:
        store.close()
    texts = got.texts()
    calls = {
        "called": got.called,
        "reused": got.reused,
        "throttles": got.throttles,
        "store": store_path,
        "servedModel": served,
        "skipped_store_lines": store.skipped_lines,
        "settings": inputs.settings.to_dict(),
        "tokens": got.tokens(),
    }
    return Side(model, texts, grading.grade(inputs.grader, inputs.template, inputs.prompts, texts), calls)


def runtime_client(inputs: Inputs, concurrency: int) -> Any:
    """The ``bedrock-runtime`` client for ``inputs``' Region."""
    return converse.make_client(inputs.region, concurrency)
