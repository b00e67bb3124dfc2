"""One side of an evaluation: a model's responses (from Converse through the store, or recorded),
graded with the pipeline's reward."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rft_runtime.evaluation import converse, grading
from rft_runtime.evaluation.collect import collect
from rft_runtime.evaluation.inputs import Inputs
from rft_runtime.evaluation.recordings import load_recordings
from rft_runtime.evaluation.store import ResponseStore


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


def live(
    inputs: Inputs,
    model: str,
    *,
    client: Any,
    samples: int,
    store_path: str,
    concurrency: int,
    progress: bool,
) -> Side:
    """``samples`` responses of ``model`` per prompt (store first, then Converse), graded."""
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
        )
    finally:
        store.close()
    texts = got.texts()
    calls = {
        "called": got.called,
        "reused": got.reused,
        "throttles": got.throttles,
        "store": store_path,
        "skipped_store_lines": store.skipped_lines,
        "settings": inputs.settings.to_dict(),
        "tokens": got.tokens(),
    }
    return Side(model, texts, grading.grade(inputs.grader, inputs.template, inputs.prompts, texts), calls)


def runtime_client(inputs: Inputs, concurrency: int) -> Any:
    """The ``bedrock-runtime`` client for ``inputs``' Region."""
    return converse.make_client(inputs.region, concurrency)
