"""Shared builders for the dataset tests: rows, JSONL files, invocation-log records."""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

Line = dict | list | str | bytes


def _row(number: int, **fields: object) -> dict:
    row = {
        "id": f"r-{number}",
        "messages": [
            {"role": "system", "content": "Answer with a number."},
            {"role": "user", "content": f"What is {number} + {number}?"},
        ],
        "reference_answer": str(2 * number),
    }
    row.update(fields)
    return row


@pytest.fixture
def good_row() -> Callable[..., dict]:
    """``good_row(n, **overrides)``: a valid row whose prompt is unique per ``n``."""
    return _row


def _encode(item: Line) -> bytes:
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("utf-8")
    return json.dumps(item, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def make_dataset(tmp_path: Path) -> Callable[..., Path]:
    """``make_dataset(*lines, newline=b"\\n", prefix=b"")``: write a JSONL file and return its path.

    Each line is a dict/list (JSON-encoded), a str (UTF-8) or raw bytes.
    """
    names = itertools.count(1)

    def make(*lines: Line, newline: bytes = b"\n", prefix: bytes = b"") -> Path:
        path = tmp_path / f"dataset-{next(names)}.jsonl"
        path.write_bytes(prefix + b"".join(_encode(line) + newline for line in lines))
        return path

    return make


@pytest.fixture
def valid_rows() -> Callable[[int], list[dict]]:
    """``valid_rows(n)``: n valid, distinct rows."""
    return lambda count: [_row(number) for number in range(1, count + 1)]


def _record(model_id: str, request: object, response: object = None, **extra: object) -> dict:
    record: dict = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": "2026-01-01T00:00:00Z",
        "accountId": "123456789012",
        "region": "us-east-1",
        "requestId": "req",
        "operation": "InvokeModel",
        "modelId": model_id,
        "input": {"inputContentType": "application/json", "inputBodyJson": request},
    }
    if response is not None:
        record["output"] = {"outputContentType": "application/json", "outputBodyJson": response}
    record.update(extra)
    return record


@pytest.fixture
def log_record() -> Callable[..., dict]:
    """``log_record(model_id, request, response=None, **top_level_overrides)``: one log record."""
    return _record


def converse_record(question: str, answer: str = "42", **extra: object) -> dict:
    """A Converse log record asking ``question``."""
    return _record(
        "amazon.nova-lite-v1:0",
        {"messages": [{"role": "user", "content": [{"text": question}]}]},
        {"output": {"message": {"role": "assistant", "content": [{"text": answer}]}}},
        operation="Converse",
        **extra,
    )


@pytest.fixture
def converse_log() -> Callable[..., dict]:
    """``converse_log(question, answer="42", **top_level_overrides)``: a Converse log record."""
    return converse_record


@pytest.fixture
def write_logs(tmp_path: Path) -> Callable[..., Path]:
    """``write_logs(records, name="logs/a.json.gz")``: write records as JSONL (gzipped for .gz)."""

    def write(records: list[dict], name: str = "logs/a.json.gz") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = b"".join(json.dumps(record).encode() + b"\n" for record in records)
        path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
        return path

    return write
