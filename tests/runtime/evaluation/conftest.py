"""Fixtures of the evaluation tests: small datasets, the shipped recordings, a stubbed Converse client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
VALIDATION = REPO / "examples" / "data" / "arithmetic_validation.jsonl"
RECORDINGS = REPO / "examples" / "evaluation"
SYSTEM = "Solve the problem. End with a line '#### <answer>'."


def row(prompt_id: str, question: str, answer: str) -> dict:
    return {
        "id": prompt_id,
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
        "reference_answer": answer,
    }


@pytest.fixture
def small_dataset(tmp_path: Path) -> Path:
    """Three arithmetic prompts with answers 4, 10 and 7."""
    path = tmp_path / "prompts.jsonl"
    rows = [
        row("p1", "What is 2 + 2?", "4"),
        row("p2", "What is 5 * 2?", "10"),
        row("p3", "What is 9 - 2?", "7"),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def converse_response(text: str, input_tokens: int = 20, output_tokens: int = 8) -> dict:
    """A Converse response as bedrock-runtime returns it."""
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {
            "inputTokens": input_tokens,
            "outputTokens": output_tokens,
            "totalTokens": input_tokens + output_tokens,
        },
        "metrics": {"latencyMs": 120},
    }


@pytest.fixture
def runtime_client():
    """A real ``bedrock-runtime`` client (no credentials needed) to wrap in botocore's Stubber."""
    import boto3

    return boto3.client("bedrock-runtime", region_name="us-east-1")
