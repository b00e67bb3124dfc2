"""Recorded responses for offline grading: JSONL, one ``{"id": ..., "response": "..."}`` per line.

``id`` is a dataset prompt's id; a prompt may have several lines (several samples, in file order).
Every prompt of the dataset needs the same number of samples in a file, and every id must be a
dataset prompt: otherwise the file is refused with the line and the problem.
"""

from __future__ import annotations

from collections.abc import Sequence

from rft_runtime.evaluation.prompts import EvaluationInputError, Prompt
from rft_runtime.rewards.local import read_jsonl

#: Problems listed before the rest are only counted.
MAX_LISTED = 10


def load_recordings(path: str, prompts: Sequence[Prompt]) -> dict[str, list[str]]:
    """``{prompt id: [response, ...]}`` from ``path``; raises :class:`EvaluationInputError`."""
    known = {prompt.id for prompt in prompts}
    found: dict[str, list[str]] = {prompt.id: [] for prompt in prompts}
    problems: list[str] = []
    try:
        for number, row, problem in read_jsonl(path):
            if problem is not None:
                problems.append(f"{path}:{problem}")
                continue
            if not isinstance(row, dict) or not isinstance(row.get("response"), str):
                problems.append(f'{path}:line {number}: expected {{"id": ..., "response": "<text>"}}')
                continue
            raw_id = row.get("id")
            prompt_id = str(raw_id) if isinstance(raw_id, (str, int)) else None
            if prompt_id not in known:
                problems.append(f"{path}:line {number}: id {raw_id!r} is not a prompt of the dataset")
                continue
            found[prompt_id].append(row["response"])
    except OSError as error:
        raise EvaluationInputError([f"{path}: cannot read: {error.strerror}"]) from None
    counts = {len(responses) for responses in found.values()}
    if not problems and (len(counts) > 1 or 0 in counts):
        missing = [prompt_id for prompt_id, responses in found.items() if not responses]
        detail = f"no response for {len(missing)} prompts (e.g. {', '.join(missing[:3])})" if missing else ""
        problems.append(
            f"{path}: every prompt needs the same number of responses; counts seen: "
            f"{sorted(counts)}{'; ' + detail if detail else ''}"
        )
    if problems:
        hidden = len(problems) - MAX_LISTED
        raise EvaluationInputError(problems[:MAX_LISTED] + ([f"... and {hidden} more"] if hidden > 0 else []))
    return found
