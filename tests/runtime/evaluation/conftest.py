"""Fixtures of the evaluation tests: a small dataset and a real bedrock-runtime client to stub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from evaluation_fakes import row


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


@pytest.fixture
def runtime_client():
    """A real ``bedrock-runtime`` client (no credentials needed) to wrap in botocore's Stubber."""
    import boto3

    return boto3.client("bedrock-runtime", region_name="us-east-1")
