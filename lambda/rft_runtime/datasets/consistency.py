"""Optional fields used by some rows but not others (a ``inconsistent-field`` warning per field).

Rule source: aws/nova-forge-sdk ``dataset_validator/dataset_validator.py``
(``_check_optional_field_consistency``) with the optional fields of its RFT validator
(``OPTIONAL_FIELDS = ["id", "reference_answer", "tools"]``): if any row has one of them, every row
must. nova-forge rejects such a file; the Bedrock documentation does not state the rule, so here it
is a warning that names the first row with the field and the first row without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rft_runtime.datasets import codes
from rft_runtime.datasets.report import IssueLog

#: Fields a row may leave out, but then every row should (see the module docstring).
OPTIONAL_FIELDS = ("id", "reference_answer", "tools")


class FieldConsistency:
    """Remembers, per optional field, the first line having it and the first line lacking it, and how
    many rows lack it."""

    __slots__ = ("_first_with", "_first_without", "_missing")

    def __init__(self) -> None:
        self._first_with: dict[str, int] = {}
        self._first_without: dict[str, int] = {}
        self._missing = dict.fromkeys(OPTIONAL_FIELDS, 0)

    def observe(self, row: Mapping[str, Any], line: int) -> None:
        """Note which optional fields the row at ``line`` has."""
        for name in OPTIONAL_FIELDS:
            if name in row:
                self._first_with.setdefault(name, line)
            else:
                self._first_without.setdefault(name, line)
                self._missing[name] += 1

    def report(self, warnings: IssueLog) -> None:
        """One ``inconsistent-field`` warning per field that some rows have and others lack."""
        for name in OPTIONAL_FIELDS:
            if name in self._first_with and name in self._first_without:
                warnings.add(
                    self._first_without[name],
                    codes.INCONSISTENT_FIELD,
                    f'no "{name}" here ({self._missing[name]} rows lack it) but line '
                    f"{self._first_with[name]} has one; give it in every row or in none "
                    "(nova-forge-sdk rejects mixed files)",
                )
