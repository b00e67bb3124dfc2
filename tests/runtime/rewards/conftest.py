"""Builders shared by the reward-runtime tests."""

from __future__ import annotations

from typing import Any

import pytest

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.core import Sample, Score


@pytest.fixture
def item():
    """``item(content, reference=None, role="assistant", **top_level)``: one Bedrock grader payload item."""

    def build(content: Any, reference: Any = None, *, role: str = "assistant", id: Any = "s-1", **extra: Any):
        payload = {
            "id": id,
            "messages": [{"role": "user", "content": "question"}, {"role": role, "content": content}],
            "metadata": {} if reference is None else {"reference_answer": reference},
        }
        payload.update(extra)
        return payload

    return build


@pytest.fixture
def grade():
    """``grade(template, options, response, reference=None, **sample_fields) -> Score`` on one sample."""

    def run(template: str, options: dict, response: str, reference: Any = None, **fields: Any) -> Score:
        grader = catalogue.build_grader(template, options)
        return grader.score(Sample(response, reference, **fields))

    return run
