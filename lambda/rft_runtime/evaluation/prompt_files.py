"""An evaluation dataset file, validated before anything is paid for (``rft baseline``/``compare``).

The file is first checked by the dataset validator (:func:`rft_runtime.datasets.validator.validate_path`
without the 100-row minimum, since a validation set may be small); any error stops the run with its
line. Rows become :class:`~rft_runtime.evaluation.prompts.Prompt` objects with unique ids.
"""

from __future__ import annotations

import json

from rft_runtime.datasets.validator import validate_path
from rft_runtime.evaluation.prompts import EvaluationInputError, Prompt, prompt_from_row

#: Errors listed in a dataset failure message (the rest are counted).
MAX_LISTED_ERRORS = 10


def load_prompts(path: str, *, limit: int | None = None) -> list[Prompt]:
    """Validate ``path`` and return its prompts (the first ``limit`` when given).

    Raises :class:`EvaluationInputError` naming the file and the line of each problem.
    """
    try:
        report = validate_path(path, check_row_count=False, max_listed=MAX_LISTED_ERRORS)
    except OSError as problem:
        raise EvaluationInputError([f"{path}: cannot read: {problem.strerror}"]) from None
    if not report.valid:
        lines = [f"{path}:{issue.line}: {issue.code}: {issue.message}" for issue in report.errors]
        hidden = report.error_count - len(report.errors)
        if hidden > 0:
            lines.append(f"{path}: ... and {hidden} more errors (rft validate {path} lists them)")
        raise EvaluationInputError(lines)
    prompts: list[Prompt] = []
    seen: dict[str, int] = {}
    with open(path, encoding="utf-8-sig") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            if limit is not None and len(prompts) >= limit:
                break
            prompt = prompt_from_row(json.loads(line), number)
            if prompt.id in seen:
                raise EvaluationInputError(
                    [f"{path}:{number}: id {prompt.id!r} repeats line {seen[prompt.id]}; ids must be unique"]
                )
            seen[prompt.id] = number
            prompts.append(prompt)
    if not prompts:
        raise EvaluationInputError([f"{path}: no prompts"])
    return prompts
