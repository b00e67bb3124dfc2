"""Validate the config's local dataset files at synth with the same validator as ``rft validate``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bedrock_rft.data.errors import DatasetError

#: Service limits on prompts per job, training plus validation (bedrock-rft-facts §2).
MIN_PROMPTS = 100
MAX_PROMPTS = 20_000


@dataclass(frozen=True)
class DatasetRules:
    """What the reward template and hyperparameters ask of every row.

    ``required_fields``: row fields the reward template reads (default none).
    ``max_prompt_tokens``: ``maxPromptLength``; longer prompts are errors (default: unchecked).
    ``reference_check``: ``check(row) -> problem or None``, whether the reward template can grade the
    row's reference (``rft_runtime.rewards.catalogue.reference_check``; default None: unchecked).
    ``max_listed``: errors listed per file before "and N more" (default 20).
    """

    required_fields: tuple[str, ...] = ()
    max_prompt_tokens: int | None = None
    reference_check: Callable[[Mapping[str, Any]], str | None] | None = None
    max_listed: int = 20


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_local_datasets(
    training: Path | None, validation: Path | None, rules: DatasetRules
) -> dict[str, int]:
    """Validate the local training and/or validation file; return their row counts by role.

    Raises :class:`DatasetError` naming every invalid row (capped per file, all counted) and a
    total outside the service's 100 to 20,000 prompts.
    """
    from rft_runtime.datasets import validate_path  # the same validator as `rft validate`

    messages: list[str] = []
    rows: dict[str, int] = {}
    for role, path in (("training", training), ("validation", validation)):
        if path is None:
            continue
        report = validate_path(
            path,
            required_fields=rules.required_fields,
            max_prompt_tokens=rules.max_prompt_tokens,
            reference_check=rules.reference_check,
            check_row_count=role == "training",
            max_listed=rules.max_listed,
        )
        rows[role] = int(report.stats["rows"])
        messages.extend(f"{path}:{issue.line}: {issue.code}: {issue.message}" for issue in report.errors)
        unlisted = report.error_count - len(report.errors)
        if unlisted > 0:
            messages.append(f"{path}: ... and {unlisted} more errors (run `rft validate {path}` for all)")
    total = sum(rows.values())
    if len(rows) == 2 and not MIN_PROMPTS <= total <= MAX_PROMPTS:
        messages.append(
            f"{training}: training ({rows['training']}) plus validation ({rows['validation']}) prompts total "
            f"{total}; the service accepts {MIN_PROMPTS} to {MAX_PROMPTS}"
        )
    if messages:
        count = len(messages)
        raise DatasetError(
            f"dataset validation failed ({count} problem{'s' if count != 1 else ''}):\n  "
            + "\n  ".join(messages)
        )
    return rows
