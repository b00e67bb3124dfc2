"""Converting Bedrock model invocation logs into an RFT training dataset.

Each log record becomes at most one row ``{"messages": [...], "reference_answer"?: "..."}``:

1. records that are not log records, do not match the request-metadata filter, or carry an
   ``errorCode`` (failed invocations) are skipped and counted;
2. the request body (inline ``input.inputBodyJson`` or fetched from ``input.inputBodyS3Path``) is read
   by its model family (:mod:`.logs.families`); an empty system prompt and trailing assistant turns
   (a prefill, or the logged answer in a replayed conversation) are dropped so the prompt ends on a
   user turn, and earlier turns are kept;
3. with ``use_response`` the logged answer becomes ``reference_answer`` (records without one are
   skipped as ``no-response``); when the request ended on an assistant turn (a prefill, such as
   ``{`` to force JSON), the model continued it, so the reference is prefill + completion;
4. the row is checked with the dataset validator's row rules; a failing row is skipped as
   ``invalid-row:<code>``; a prompt already written is counted as a duplicate (the first one wins);
   rows past ``max_rows`` are skipped as ``over-max-rows``.

Rows go to a temporary file next to the output, which is validated as a whole and only then renamed
over ``output_path``: a failed or interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from rft_runtime.datasets.limits import MAX_TOTAL_ROWS
from rft_runtime.datasets.logs.families import family_for, prompt_turns, response_text
from rft_runtime.datasets.logs.filters import MetadataFilter
from rft_runtime.datasets.logs.records import UNPARSEABLE, iter_records
from rft_runtime.datasets.logs.skip import Skip
from rft_runtime.datasets.logs.sources import LogStore, SourceError, parse_source
from rft_runtime.datasets.logs.templates import Turn
from rft_runtime.datasets.report import IssueLog, ValidationReport
from rft_runtime.datasets.rows import RowChecker
from rft_runtime.datasets.validator import validate_path


@dataclass
class ConversionSummary:
    """Counts of one conversion: every record ``read`` ends up ``converted``, a duplicate, or in
    ``skipped`` under its reason. ``unreadable_files`` lists files that were corrupt (not gzip or
    truncated); their records read before the damage are counted."""

    output_path: str
    files: int = 0
    unreadable_files: list[str] = field(default_factory=list)
    read: int = 0
    converted: int = 0
    duplicates: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        """Count one record skipped for ``reason``."""
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def to_dict(self) -> dict[str, object]:
        """Return the summary as JSON-ready data (``skipped`` sorted by reason)."""
        return {
            "output_path": self.output_path,
            "files": self.files,
            "unreadable_files": list(self.unreadable_files),
            "read": self.read,
            "converted": self.converted,
            "duplicates": self.duplicates,
            "skipped": dict(sorted(self.skipped.items())),
        }


class ConversionError(Exception):
    """The converted rows do not form a valid dataset (e.g. fewer than 100); nothing was written."""

    def __init__(self, message: str, summary: ConversionSummary, report: ValidationReport) -> None:
        super().__init__(message)
        self.summary = summary
        self.report = report


class _RecordConverter:
    """Turns one log record into one dataset line, or raises :class:`Skip`."""

    def __init__(self, store: LogStore, filters: MetadataFilter, use_response: bool) -> None:
        self._store = store
        self._filters = filters
        self._use_response = use_response
        self.required_fields = ("reference_answer",) if use_response else ()
        self._checker = RowChecker(required_fields=self.required_fields)

    def convert(self, record: object) -> tuple[bytes, bytes]:
        """Return ``(prompt_key, line)``: the prompt's canonical JSON and the encoded row line."""
        if record is UNPARSEABLE:
            raise Skip("invalid-json")
        if not (
            isinstance(record, dict)
            and isinstance(record.get("operation"), str)
            and isinstance(record.get("modelId"), str)
        ):
            raise Skip("not-a-log-record")
        if not self._filters.matches(record.get("requestMetadata")):
            raise Skip("filtered-out")
        if record.get("errorCode"):
            raise Skip("failed-invocation")
        family = family_for(record["operation"], record["modelId"])
        request = self._body(record, "input", "inputBodyJson", "inputBodyS3Path")
        if request is None:
            raise Skip("missing-input-body")
        turns, prefill = _as_prompt(prompt_turns(family, request))
        messages = [{"role": role, "content": text} for role, text in turns]
        row: dict[str, object] = {"messages": messages}
        if self._use_response:
            answer = response_text(family, self._body(record, "output", "outputBodyJson", "outputBodyS3Path"))
            if answer is None or not answer.strip():
                raise Skip("no-response")
            row["reference_answer"] = (prefill + answer).strip()
        errors = IssueLog(max_listed=1)
        self._checker.check(row, 0, errors, IssueLog(max_listed=0))
        if errors.count:
            raise Skip(f"invalid-row:{errors.listed[0].code}")
        try:
            prompt = json.dumps(messages, ensure_ascii=False).encode("utf-8")
            line = json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n"
        except UnicodeEncodeError:
            raise Skip("invalid-row:invalid-utf8") from None
        return prompt, line

    def _body(self, record: dict, section: str, inline: str, s3_path: str) -> object:
        """The inline body, else the one stored in S3, else None; an S3 read failure skips the record."""
        part = record.get(section)
        if not isinstance(part, dict):
            return None
        if inline in part:
            return part[inline]
        if isinstance(part.get(s3_path), str):
            try:
                return self._store.read_json(part[s3_path])
            except SourceError:
                raise Skip("body-unavailable") from None
        return None


class _DedupingSink:
    """Writes converted rows, keeping the first of identical prompts and at most ``max_rows``.

    Memory: one 16-byte digest per written row, so at most ``max_rows`` digests."""

    def __init__(self, out: BinaryIO, summary: ConversionSummary, max_rows: int) -> None:
        self._out = out
        self._summary = summary
        self._max_rows = max_rows
        self._written: set[bytes] = set()

    def take(self, converter: _RecordConverter, record: object) -> None:
        """Convert ``record`` and write it, or count why not."""
        summary = self._summary
        summary.read += 1
        try:
            prompt, line = converter.convert(record)
        except Skip as skip:
            summary.skip(skip.reason)
            return
        key = hashlib.blake2b(prompt, digest_size=16).digest()
        if key in self._written:
            summary.duplicates += 1
        elif len(self._written) >= self._max_rows:
            summary.skip("over-max-rows")
        else:
            self._written.add(key)
            self._out.write(line)
            summary.converted += 1


def _as_prompt(turns: list[Turn]) -> tuple[list[Turn], str]:
    """``(prompt, prefill)``: the turns without empty system turns and trailing assistant turns, and
    the text of the last turn when it was an assistant turn (the prefill the model continued; "")."""
    kept = [(role, text) for role, text in turns if role != "system" or text.strip()]
    prefill = kept[-1][1] if kept and kept[-1][0] == "assistant" else ""
    while kept and kept[-1][0] == "assistant":
        kept.pop()
    return kept, prefill


def convert_logs(
    sources: Sequence[str | os.PathLike[str]],
    output_path: str | os.PathLike[str],
    *,
    filters: MetadataFilter | None = None,
    use_response: bool = False,
    s3_client=None,
    max_rows: int = MAX_TOTAL_ROWS,
    check_row_count: bool = True,
) -> ConversionSummary:
    """Convert the invocation logs under ``sources`` into the JSONL dataset ``output_path``.

    ``sources``: ``s3://bucket/prefix`` URIs, local files or folders (see :mod:`.logs.sources`).
    Defaults: ``filters=None`` (every record), ``use_response=False`` (prompts only; True keeps the
    logged answer as ``reference_answer``), ``s3_client=None`` (``boto3.client("s3")`` on first use),
    ``max_rows=20000`` (the service maximum), ``check_row_count=True`` (fewer than 100 rows is a
    failure; turn it off when writing a validation set).

    Raises :class:`FileNotFoundError` / :class:`ValueError` for a missing or malformed source (before
    reading anything), :class:`SourceError` when S3 cannot be listed or read, and
    :class:`ConversionError` when the rows do not form a valid dataset. In every failure case
    ``output_path`` is left untouched.
    """
    parsed = [parse_source(os.fspath(source)) for source in sources]
    output = Path(output_path)
    summary = ConversionSummary(output_path=str(output))
    store = LogStore(s3_client)
    converter = _RecordConverter(store, filters or MetadataFilter(), use_response)
    fd, temp_name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            sink = _DedupingSink(out, summary, max_rows)
            for source in parsed:
                for file in store.files(source):
                    summary.files += 1
                    try:
                        with store.open(file) as stream:
                            for record in iter_records(stream):
                                sink.take(converter, record)
                    except (EOFError, zlib.error, OSError) as exc:
                        summary.unreadable_files.append(f"{file}: {exc}")
            out.flush()
            os.fsync(out.fileno())
        report = validate_path(
            temp_name, required_fields=converter.required_fields, check_row_count=check_row_count
        )
        if not report.valid:
            first = report.errors[0]
            raise ConversionError(f"output not written: {first.code}: {first.message}", summary, report)
        os.replace(temp_name, output)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return summary
