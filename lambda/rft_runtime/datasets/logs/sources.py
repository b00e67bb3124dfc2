"""Where invocation logs are read from: local files and folders, and S3 prefixes.

Bedrock writes gzipped batches of JSON records under
``<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/...``. A folder or S3 prefix is walked
recursively (sorted, so runs are reproducible) and every file whose name ends in ``.json``, ``.jsonl``
or ``.gz`` is read; other names (such as the service's ``amazon-bedrock-logs-permission-check``) are
left out. A file named explicitly is always read. Gzip is recognised by its magic bytes, not its name.
boto3 is imported only when an S3 source or body is met.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

#: File-name endings read when walking a folder or prefix.
LOG_SUFFIXES = (".json", ".jsonl", ".gz")

_GZIP_MAGIC = b"\x1f\x8b"
_READ_BUFFER = 1024 * 1024


class SourceError(Exception):
    """A log source could not be listed or opened (bad URI, S3 error, missing credentials)."""


@dataclass(frozen=True)
class S3Location:
    """``s3://bucket/key-or-prefix``."""

    bucket: str
    key: str

    @classmethod
    def parse(cls, uri: str) -> S3Location:
        """Parse an ``s3://`` URI; raise :class:`ValueError` when it has no bucket."""
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        if not uri.startswith("s3://") or not bucket:
            raise ValueError(f"{uri!r} is not an s3://bucket/prefix URI")
        return cls(bucket, key)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


Source = Path | S3Location


def parse_source(text: str) -> Source:
    """Return the S3 location or existing local path named by ``text``.

    Raises :class:`ValueError` for a malformed ``s3://`` URI and :class:`FileNotFoundError` for a local
    path that does not exist.
    """
    if text.startswith("s3://"):
        return S3Location.parse(text)
    path = Path(text)
    if not path.exists():
        raise FileNotFoundError(f"log source {text!r} does not exist")
    return path


class _StreamingBodyReader(io.RawIOBase):
    """Raw-IO view of a botocore ``StreamingBody`` so it can be buffered and gunzipped as it arrives."""

    def __init__(self, body) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


class LogStore:
    """Lists and opens log files on disk and in S3.

    ``s3_client`` (default None) is a boto3 S3 client; when None, one is created with
    ``boto3.client("s3")`` the first time S3 is needed.
    """

    def __init__(self, s3_client=None) -> None:
        self._s3 = s3_client

    @property
    def s3(self):
        """The S3 client, created on first use."""
        if self._s3 is None:
            import boto3

            self._s3 = boto3.client("s3")
        return self._s3

    def files(self, source: Source) -> Iterator[Path | S3Location]:
        """Yield the log files of ``source``: itself if it is a file or an object key, else the log files
        under it (see the module docstring)."""
        if isinstance(source, Path):
            if source.is_file():
                yield source
            else:
                yield from sorted(
                    p for p in source.rglob("*") if p.is_file() and p.name.endswith(LOG_SUFFIXES)
                )
            return
        # S3 lists keys in byte order, so an object named exactly like the source comes first.
        keys = self._list_keys(source)
        first = next(keys, None)
        if first is None:
            return
        if first == source.key:
            yield source
            return
        for key in itertools.chain((first,), keys):
            if key.endswith(LOG_SUFFIXES):
                yield S3Location(source.bucket, key)

    def _list_keys(self, location: S3Location) -> Iterator[str]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            pages = self.s3.get_paginator("list_objects_v2").paginate(
                Bucket=location.bucket, Prefix=location.key
            )
            for page in pages:
                for item in page.get("Contents", ()):
                    yield item["Key"]
        except (BotoCoreError, ClientError) as exc:
            raise SourceError(f"cannot list {location}: {exc}") from exc

    @contextlib.contextmanager
    def open(self, file: Path | S3Location) -> Iterator[BinaryIO]:
        """Open a log file for binary reading, gunzipping it on the fly when it is gzip."""
        with contextlib.ExitStack() as stack:
            if isinstance(file, Path):
                raw = stack.enter_context(open(file, "rb", buffering=_READ_BUFFER))
            else:
                body = self._get_body(file)
                raw = stack.enter_context(io.BufferedReader(_StreamingBodyReader(body), _READ_BUFFER))
            if raw.peek(2)[:2] == _GZIP_MAGIC:
                yield stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
            else:
                yield raw

    def _get_body(self, location: S3Location):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.s3.get_object(Bucket=location.bucket, Key=location.key)["Body"]
        except (BotoCoreError, ClientError) as exc:
            raise SourceError(f"cannot read {location}: {exc}") from exc

    def read_json(self, uri: str) -> object:
        """Return the JSON document at the ``s3://`` URI (gzip or not); raise :class:`SourceError`."""
        try:
            location = S3Location.parse(uri)
        except ValueError as exc:
            raise SourceError(str(exc)) from exc
        with self.open(location) as fh:
            try:
                return json.load(fh)
            except (ValueError, OSError, EOFError) as exc:
                raise SourceError(f"{location} is not a JSON document: {exc}") from exc
