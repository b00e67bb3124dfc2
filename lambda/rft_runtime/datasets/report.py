"""What a validation run found: issues (capped lists, complete counts) and file statistics."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

#: Longest excerpt of a bad value quoted in a message, in characters.
PREVIEW_CHARS = 60


def preview(value: object, limit: int = PREVIEW_CHARS) -> str:
    """Return ``value`` as compact JSON, cut to ``limit`` characters (default 60) with a trailing "…"."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: ``line`` counts from 1 (0 = the whole file), ``code`` is from :mod:`.codes`."""

    line: int
    code: str
    message: str

    def to_dict(self) -> dict[str, object]:
        """Return ``{"line", "code", "message"}``."""
        return {"line": self.line, "code": self.code, "message": self.message}


class IssueLog:
    """Issues of one severity: keeps at most ``max_listed`` and counts every one.

    Whole-file issues (line 0) go first and are always kept (within ``max_listed``); line issues keep
    file order.
    """

    __slots__ = ("_whole_file", "count", "listed", "max_listed")

    def __init__(self, max_listed: int) -> None:
        self.max_listed = max_listed
        self.listed: list[Issue] = []
        self.count = 0
        self._whole_file = 0

    def add(self, line: int, code: str, message: str) -> None:
        """Count the issue and keep it while fewer than ``max_listed`` are kept."""
        self.count += 1
        if len(self.listed) < self.max_listed:
            self.listed.append(Issue(line, code, message))

    def add_whole_file(self, code: str, message: str) -> None:
        """Count a line-0 issue and keep it ahead of line issues, dropping the last line issue if full."""
        self.count += 1
        self.listed.insert(self._whole_file, Issue(0, code, message))
        self._whole_file += 1
        del self.listed[self.max_listed :]

    @property
    def not_listed(self) -> int:
        """How many issues were counted but not kept."""
        return self.count - len(self.listed)


@dataclass
class ValidationReport:
    """Result of validating one dataset file.

    ``errors`` and ``warnings`` hold at most ``max_listed`` issues each: whole-file issues (line 0)
    first, then line issues in file order. ``error_count`` and ``warning_count`` count every issue
    found. ``stats`` is described in :func:`.validator.validate_path`.
    """

    path: str
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    stats: dict[str, int | float | str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when no error was found (warnings do not count)."""
        return self.error_count == 0

    def to_dict(self) -> dict[str, object]:
        """Return the JSON shape printed by ``rft validate --format json``.

        Keys: ``valid``, ``errors`` and ``warnings`` (lists of ``{"line","code","message"}``),
        ``error_count`` and ``warning_count`` (all issues), ``errors_not_listed`` and
        ``warnings_not_listed`` (counted beyond the cap), ``stats``.
        """
        return {
            "valid": self.valid,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": [issue.to_dict() for issue in self.warnings],
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "errors_not_listed": self.error_count - len(self.errors),
            "warnings_not_listed": self.warning_count - len(self.warnings),
            "stats": dict(self.stats),
        }
