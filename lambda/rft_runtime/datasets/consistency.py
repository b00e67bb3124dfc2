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
    """Counts rows by which optional fields they have (their *shape*), remembering each shape's first
    line; the comparison is done once, at the end."""

    __slots__ = ("_counts", "_first_line")

    def __init__(self) -> None:
        self._counts: dict[tuple[bool, ...], int] = {}
        self._first_line: dict[tuple[bool, ...], int] = {}

    def observe(self, row: Mapping[str, Any], line: int) -> None:
        """Note which optional fields the row at ``line`` has (spelled out: the validator's hot path)."""
        shape = ("id" in row, "reference_answer" in row, "tools" in row)  # OPTIONAL_FIELDS, in order
        count = self._counts.get(shape, 0)
        if not count:
            self._first_line[shape] = line
        self._counts[shape] = count + 1

    def report(self, warnings: IssueLog) -> None:
        """One ``inconsistent-field`` warning per field that some rows have and others lack."""
        for index, name in enumerate(OPTIONAL_FIELDS):
            having = [shape for shape in self._counts if shape[index]]
            lacking = [shape for shape in self._counts if not shape[index]]
            if not having or not lacking:
                continue
            first_with = min(self._first_line[shape] for shape in having)
            warnings.add(
                min(self._first_line[shape] for shape in lacking),
                codes.INCONSISTENT_FIELD,
                f'no "{name}" here ({sum(self._counts[shape] for shape in lacking)} rows lack it) but line '
                f"{first_with} has one; give it in every row or in none (nova-forge-sdk rejects mixed files)",
            )
