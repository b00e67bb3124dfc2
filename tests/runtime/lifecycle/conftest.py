"""Fixtures for the lifecycle runtime tests (fakes live in ``lifecycle_fakes``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lifecycle_fakes import BUCKET, Aws, aws_env


@pytest.fixture
def aws(monkeypatch) -> Iterator[Aws]:
    with aws_env(monkeypatch) as env:
        yield env


@pytest.fixture
def put_objects(aws):
    def put(*keys: str, body: bytes = b'{"messages": []}\n') -> None:
        for key in keys:
            aws.clients.s3.put_object(Bucket=BUCKET, Key=key, Body=body)

    return put
