"""Shared data of the evaluation tests: paths, dataset rows and Converse responses."""

from __future__ import annotations

from pathlib import Path

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
