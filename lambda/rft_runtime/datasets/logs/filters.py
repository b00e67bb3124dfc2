"""Request-metadata filters with the semantics of the service's ``requestMetadataFilters``.

The service accepts one ``equals`` or ``notEquals`` map (exactly one key), or ``andAll`` / ``orAll``
lists of 1-16 such base filters; AND and OR cannot be mixed. Keys are 1-256 and values 0-256
characters of ``[a-zA-Z0-9\\s._:/=+$@-]`` (botocore ``bedrock`` model). :class:`MetadataFilter` holds
the same thing, applies it locally and can print the equivalent service value, so a local conversion
and a service-side one select the same records.

A record without the key does not match ``equals`` and does match ``notEquals`` (the service's
behaviour for absent keys is not documented).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

#: At most this many base filters in ``andAll`` / ``orAll``.
MAX_CONDITIONS = 16

_ALLOWED = re.compile(r"[a-zA-Z0-9\s._:/=+$@-]{0,256}")

FilterMode = Literal["all", "any"]


@dataclass(frozen=True)
class Condition:
    """``metadata[key] == value`` (``equals=True``) or ``!=`` (``equals=False``)."""

    key: str
    value: str
    equals: bool = True

    def __post_init__(self) -> None:
        for what, text, minimum in (("key", self.key, 1), ("value", self.value, 0)):
            if len(text) < minimum or not _ALLOWED.fullmatch(text):
                raise ValueError(
                    f"metadata {what} {text!r}: {minimum}-256 characters of letters, digits, "
                    "whitespace and ._:/=+$@- (the service's rule)"
                )

    def matches(self, metadata: Mapping[str, object]) -> bool:
        """Apply the condition to a record's ``requestMetadata``."""
        return (metadata.get(self.key) == self.value) is self.equals

    def to_service(self) -> dict[str, dict[str, str]]:
        """Return ``{"equals": {key: value}}`` or ``{"notEquals": {key: value}}``."""
        return {"equals" if self.equals else "notEquals": {self.key: self.value}}

    @classmethod
    def parse(cls, text: str, *, equals: bool = True) -> Condition:
        """Parse ``key=value`` (split at the first ``=``); raise :class:`ValueError` when malformed."""
        key, sep, value = text.partition("=")
        if not sep:
            raise ValueError(f"metadata filter {text!r}: expected key=value")
        return cls(key, value, equals)


@dataclass(frozen=True)
class MetadataFilter:
    """``conditions`` combined with ``mode`` "all" (andAll, the default) or "any" (orAll).

    No conditions means every record matches.
    """

    conditions: tuple[Condition, ...] = ()
    mode: FilterMode = "all"

    def __post_init__(self) -> None:
        if self.mode not in ("all", "any"):
            raise ValueError(f"filter mode {self.mode!r}: choose all or any")
        if len(self.conditions) > MAX_CONDITIONS:
            raise ValueError(f"{len(self.conditions)} metadata filters; the service allows {MAX_CONDITIONS}")

    @classmethod
    def from_cli(
        cls, filters: Sequence[str], excludes: Sequence[str], mode: FilterMode = "all"
    ) -> MetadataFilter:
        """Build from ``--filter key=value`` (equals) and ``--exclude key=value`` (notEquals) options."""
        conditions = [Condition.parse(text) for text in filters]
        conditions += [Condition.parse(text, equals=False) for text in excludes]
        return cls(tuple(conditions), mode)

    def matches(self, metadata: object) -> bool:
        """Apply the filter to a record's ``requestMetadata`` (anything but an object counts as {})."""
        if not self.conditions:
            return True
        found = metadata if isinstance(metadata, Mapping) else {}
        results = (condition.matches(found) for condition in self.conditions)
        return all(results) if self.mode == "all" else any(results)

    def to_service(self) -> dict[str, object] | None:
        """Return the equivalent ``invocationLogsConfig.requestMetadataFilters`` value (None if empty)."""
        if not self.conditions:
            return None
        if len(self.conditions) == 1:
            return self.conditions[0].to_service()
        combined = [condition.to_service() for condition in self.conditions]
        return {"andAll" if self.mode == "all" else "orAll": combined}
