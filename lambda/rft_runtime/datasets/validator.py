"""Streaming validator of RFT training datasets (JSONL, one chat-completions prompt per line).

Memory does not grow with the file: lines are read one at a time (at most :data:`MAX_LINE_BYTES`
each) and duplicate detection keeps one 64-bit fingerprint and a line number per distinct prompt, for
at most :data:`DUPLICATE_CHECK_LIMIT` prompts (about 10 MB). Beyond that limit, which is five times the
service maximum of 20,000 rows, duplicates are no longer looked for and a ``duplicates-not-checked``
warning says so. Fingerprints are Python's 64-bit hash of the turns' roles and text, so a false
"duplicate" warning has a probability of about 1e-10 on a 100,000-row file.

Line rules: lines are split on ``\\n``; a line holding only whitespace is a ``blank-line`` warning and
is not a row (how the service's JSONL parser treats blank lines is not documented); ``\\r\\n`` endings
and a UTF-8 byte order mark are accepted with a warning. Every other line is a row, valid or not, and
counts toward the 100 to 20,000 limit.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import BinaryIO

from rft_runtime.datasets import codes
from rft_runtime.datasets.consistency import FieldConsistency
from rft_runtime.datasets.limits import MAX_TOTAL_ROWS, MIN_TRAINING_ROWS
from rft_runtime.datasets.report import IssueLog, ValidationReport, preview
from rft_runtime.datasets.rows import ReferenceCheck, RowChecker
from rft_runtime.datasets.tokens import METHOD

#: Longest line read whole, in bytes (16 MiB, millions of tokens: far over any prompt limit).
MAX_LINE_BYTES = 16 * 1024 * 1024

#: Distinct prompts remembered for duplicate detection (memory bound, see the module docstring).
DUPLICATE_CHECK_LIMIT = 100_000

#: Bytes read between two calls of the ``progress`` callback.
PROGRESS_STEP = 8 * 1024 * 1024

_BOM = b"\xef\xbb\xbf"

#: ``progress(bytes_done, bytes_total)``
ProgressCallback = Callable[[int, int], None]


def validate_path(
    path: str | os.PathLike[str],
    *,
    required_fields: Sequence[str] = ("reference_answer",),
    recommended_fields: Sequence[str] = (),
    max_prompt_tokens: int | None = None,
    reference_check: ReferenceCheck | None = None,
    check_row_count: bool = True,
    max_listed: int = 100,
    progress: ProgressCallback | None = None,
) -> ValidationReport:
    """Validate the JSONL dataset at ``path`` and return a :class:`ValidationReport`.

    Defaults: ``required_fields=("reference_answer",)`` (error when absent or empty),
    ``recommended_fields=()`` (warning when absent or empty), ``max_prompt_tokens=None`` (no length
    check; otherwise compared with an *estimate*, see :mod:`.tokens`), ``reference_check=None`` (else
    ``check(row) -> problem or None``, e.g. ``catalogue.reference_check(template, options)``: rows
    whose reference the reward template cannot grade are ``ungradable-reference`` errors),
    ``check_row_count=True``
    (100 to 20,000 rows; turn it off for a validation set, whose rows count toward the 20,000 together
    with the training set's), ``max_listed=100`` issues kept per severity (all are counted),
    ``progress=None`` (else called as ``progress(bytes_done, bytes_total)`` every 8 MiB and at the end).

    ``stats`` keys: ``rows`` (non-blank lines), ``blank_lines``, ``bytes``, ``rows_with_errors``,
    ``duplicate_prompts``, ``max_prompt_tokens_estimate`` and ``max_prompt_tokens_line`` (0 when no row
    was well formed), ``mean_prompt_tokens_estimate``, ``token_estimate_method``.

    Raises :class:`OSError` when the file cannot be opened or read.
    """
    scan = _Scan(
        RowChecker(
            required_fields=required_fields,
            recommended_fields=recommended_fields,
            max_prompt_tokens=max_prompt_tokens,
            reference_check=reference_check,
        ),
        max_listed,
    )
    with open(path, "rb") as fh:
        scan.read(fh, os.fstat(fh.fileno()).st_size, progress)
    return scan.report(os.fspath(path), check_row_count)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


class _Scan:
    """State of one pass over a file."""

    def __init__(self, checker: RowChecker, max_listed: int) -> None:
        self.checker = checker
        self.errors = IssueLog(max_listed)
        self.warnings = IssueLog(max_listed)
        self.decoder = json.JSONDecoder(parse_constant=_reject_constant)
        # The decoder's scanner without its two whitespace regex matches: the hot path.
        self.scan_once = self.decoder.scan_once
        self.seen: dict[int, int] = {}
        self.consistency = FieldConsistency()
        self.rows = 0
        self.blank_lines = 0
        self.bytes = 0
        self.crlf_lines = 0
        self.first_crlf_line = 0
        self.rows_with_errors = 0
        self.duplicates = 0
        self.duplicate_limit_hit = False
        self.token_rows = 0
        self.token_sum = 0
        self.token_max = 0
        self.token_max_line = 0

    def read(self, fh: BinaryIO, total_bytes: int, progress: ProgressCallback | None) -> None:
        """Check every line of the binary file ``fh`` (``total_bytes`` long, for progress)."""
        readline = fh.readline
        line = 0
        done = 0
        next_progress = PROGRESS_STEP
        while raw := readline(MAX_LINE_BYTES):
            line += 1
            done += len(raw)
            if progress is not None and done >= next_progress:
                progress(done, total_bytes)
                next_progress = done + PROGRESS_STEP
            if line == 1 and raw.startswith(_BOM):
                self.warnings.add(
                    1, codes.UTF8_BOM, "the file starts with a UTF-8 byte order mark; remove it"
                )
                raw = raw[3:]
            if raw.endswith(b"\r\n"):
                self.crlf_lines += 1
                self.first_crlf_line = self.first_crlf_line or line
            elif len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
                done += self._skip_rest_of_line(readline)
                self.rows += 1
                self.rows_with_errors += 1
                self.errors.add(
                    line, codes.LINE_TOO_LONG, f"line is over {MAX_LINE_BYTES} bytes; not checked"
                )
                continue
            if raw.isspace():
                self.blank_lines += 1
                self.warnings.add(line, codes.BLANK_LINE, "blank line; skipped, not counted as a row")
                continue
            self.rows += 1
            self._row(raw, line)
        self.bytes = done
        if progress is not None:
            progress(done, total_bytes)

    @staticmethod
    def _skip_rest_of_line(readline: Callable[[int], bytes]) -> int:
        skipped = 0
        while chunk := readline(MAX_LINE_BYTES):
            skipped += len(chunk)
            if chunk.endswith(b"\n"):
                break
        return skipped

    def _row(self, raw: bytes, line: int) -> None:
        errors = self.errors
        errors_before = errors.count
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.add(
                line,
                codes.INVALID_UTF8,
                f"invalid UTF-8 byte {raw[exc.start]:#04x} at byte offset {exc.start}; save as UTF-8",
            )
            self.rows_with_errors += 1
            return
        try:
            row, end = self.scan_once(text, 0)
            if end != len(text) and not text[end:].isspace():
                raise ValueError("extra data")
        except (StopIteration, ValueError, RecursionError):
            row = self._decode_slowly(text, line)
            if errors.count != errors_before:
                self.rows_with_errors += 1
                return
        if type(row) is dict:
            self.consistency.observe(row, line)
        facts = self.checker.check(row, line, errors, self.warnings)
        if errors.count != errors_before:
            self.rows_with_errors += 1
        if facts is None:
            return
        key, tokens = facts
        self.token_rows += 1
        self.token_sum += tokens
        if tokens > self.token_max:
            self.token_max = tokens
            self.token_max_line = line
        first = self.seen.get(key)
        if first is not None:
            self.duplicates += 1
            self.warnings.add(line, codes.DUPLICATE_PROMPT, f"same prompt as line {first}")
        elif len(self.seen) < DUPLICATE_CHECK_LIMIT:
            self.seen[key] = line
        else:
            self.duplicate_limit_hit = True

    def _decode_slowly(self, text: str, line: int) -> object:
        """Decode ``text`` that the fast path refused (leading whitespace is fine); on failure record
        the error at ``line`` and return None."""
        try:
            return self.decoder.decode(text)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data":
                self.errors.add(
                    line,
                    codes.TRAILING_DATA,
                    f"text after the JSON value at column {exc.colno}: {preview(text[exc.pos :].rstrip())}; "
                    "put exactly one JSON object on each line",
                )
            else:
                self.errors.add(line, codes.INVALID_JSON, f"not valid JSON: {exc.msg} at column {exc.colno}")
        except (ValueError, RecursionError) as exc:
            self.errors.add(line, codes.INVALID_JSON, f"not valid JSON: {exc}")
        return None

    def report(self, name: str, check_row_count: bool) -> ValidationReport:
        """Add the whole-file issues and return the report."""
        if self.rows == 0:
            self.errors.add_whole_file(codes.NO_ROWS, "the file holds no rows")
        elif check_row_count and self.rows < MIN_TRAINING_ROWS:
            self.errors.add_whole_file(
                codes.TOO_FEW_ROWS,
                f"{self.rows} rows; RFT training needs at least {MIN_TRAINING_ROWS} prompts "
                "(skip this check for a validation set)",
            )
        elif check_row_count and self.rows > MAX_TOTAL_ROWS:
            self.errors.add_whole_file(
                codes.TOO_MANY_ROWS,
                f"{self.rows} rows; the service accepts at most {MAX_TOTAL_ROWS:,} prompts, "
                "training and validation sets together",
            )
        if self.crlf_lines:
            self.warnings.add_whole_file(
                codes.CRLF_LINE_ENDINGS,
                f"{self.crlf_lines} lines end with CRLF (\\r\\n), first at line {self.first_crlf_line}; "
                "whether the service accepts them is not documented: convert to LF (\\n)",
            )
        self.consistency.report(self.warnings)
        if self.duplicate_limit_hit:
            self.warnings.add_whole_file(
                codes.DUPLICATES_NOT_CHECKED,
                f"duplicates were looked for among the first {DUPLICATE_CHECK_LIMIT:,} distinct prompts only",
            )
        return ValidationReport(
            path=name,
            errors=self.errors.listed,
            warnings=self.warnings.listed,
            error_count=self.errors.count,
            warning_count=self.warnings.count,
            stats={
                "rows": self.rows,
                "blank_lines": self.blank_lines,
                "bytes": self.bytes,
                "rows_with_errors": self.rows_with_errors,
                "duplicate_prompts": self.duplicates,
                "max_prompt_tokens_estimate": self.token_max,
                "max_prompt_tokens_line": self.token_max_line,
                "mean_prompt_tokens_estimate": round(self.token_sum / self.token_rows, 1)
                if self.token_rows
                else 0,
                "token_estimate_method": METHOD,
            },
        )
