"""Scoring responses with the pipeline's reward through the reward Lambda's own code path.

Each response becomes one Bedrock grader payload item, ``{"id", "messages": [prompt turns...,
{"role": "assistant", "content": response}], "metadata": row fields}``, exactly what Bedrock sends
the reward Lambda, and batches of them go through :func:`rft_runtime.rewards.batch.grade_event`,
the function the Lambda handler, ``rft grade`` and ``rft check-grader`` call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rft_runtime.evaluation.prompts import Prompt
from rft_runtime.rewards import batch

#: Items graded per call of the batch adapter (the Lambda sees batches of similar size).
CHUNK = 256


@dataclass
class Graded:
    """``scores[prompt id]``: one reward per sample, in sample order; ``errors``: error tags counted."""

    scores: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)

    def values(self) -> list[float]:
        return [v for values in self.scores.values() for v in values]


def payload_item(prompt: Prompt, sample: int, response: str) -> dict[str, Any]:
    """The grader payload item of one response (``id`` = ``<prompt id>#<sample>``)."""
    return {
        "id": f"{prompt.id}#{sample}",
        "messages": [*prompt.messages, {"role": "assistant", "content": response}],
        "metadata": prompt.metadata,
    }


def grade(
    grader: Any, template: str, prompts: Sequence[Prompt], responses: Mapping[str, Sequence[str]]
) -> Graded:
    """Rewards of ``responses[prompt.id]`` for every prompt, graded in chunks of :data:`CHUNK`."""
    items: list[dict[str, Any]] = []
    owners: list[str] = []
    for prompt in prompts:
        for index, response in enumerate(responses[prompt.id]):
            items.append(payload_item(prompt, index, response))
            owners.append(prompt.id)
    graded = Graded({prompt.id: [] for prompt in prompts})
    for start in range(0, len(items), CHUNK):
        outcome = batch.grade_event(grader, items[start : start + CHUNK], name=template)
        for owner, value in zip(owners[start : start + CHUNK], outcome.values, strict=True):
            graded.scores[owner].append(value)
        graded.errors.update(outcome.errors)
    return graded
