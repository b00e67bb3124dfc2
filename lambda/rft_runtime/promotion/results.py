"""The evaluation Map's results, read back from the ResultWriter's files in S3.

The Map's output names ``ResultWriterDetails`` (``Bucket``, ``Key`` of ``manifest.json``). The
manifest lists result files by status; each file is a JSON array of child executions whose
``Output`` is the JSON text a batch returned (:func:`rft_runtime.promotion.batch.evaluate_batch`).
The evaluation is complete only when no child failed or is pending, every prompt id appears once
and every prompt has the same number of scores on both sides; anything else raises
:class:`EvaluationError` (an incomplete evaluation never promotes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from rft_runtime.lifecycle import retry
from rft_runtime.promotion.batch import SIDES
from rft_runtime.promotion.errors import EvaluationError


@dataclass
class Collected:
    """Every prompt's entry (batch output shape) in order of arrival, and the tokens spent."""

    prompts: list[dict[str, Any]] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0


def _read_json(s3: Any, bucket: str, key: str) -> Any:
    try:
        body = retry.call(s3.get_object, Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        raise EvaluationError(f"cannot read s3://{bucket}/{key}: {exc}") from exc
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvaluationError(f"s3://{bucket}/{key} is not JSON: {exc}") from exc


def collect(s3: Any, details: Mapping[str, Any], samples_per_prompt: int) -> Collected:
    """Read and check every result of the Map whose ``ResultWriterDetails`` are ``details``."""
    bucket, key = details.get("Bucket"), details.get("Key")
    if not bucket or not key:
        raise EvaluationError("the evaluation map reported no ResultWriterDetails (Bucket, Key)")
    manifest = _read_json(s3, bucket, key)
    files = manifest.get("ResultFiles") if isinstance(manifest, dict) else None
    if not isinstance(files, dict):
        raise EvaluationError(f"s3://{bucket}/{key} has no ResultFiles")
    unfinished = {status: len(files.get(status) or []) for status in ("FAILED", "PENDING")}
    if any(unfinished.values()):
        raise EvaluationError(
            f"the evaluation is incomplete: result files with {unfinished['FAILED']} FAILED and "
            f"{unfinished['PENDING']} PENDING batch lists (see s3://{bucket}/{key})"
        )
    collected = Collected()
    seen: set[str] = set()
    for entry in files.get("SUCCEEDED") or []:
        key = entry.get("Key") if isinstance(entry, dict) else None
        children = _read_json(s3, bucket, key) if isinstance(key, str) else None
        if not isinstance(children, list):
            raise EvaluationError(f"result file entry {entry!r} of s3://{bucket}/{key} holds no list"[:500])
        for child in children:
            _add_child(collected, child, samples_per_prompt, seen)
    if not collected.prompts:
        raise EvaluationError("the evaluation graded no prompts (is the validation set empty?)")
    return collected


def _add_child(collected: Collected, child: Any, samples: int, seen: set[str]) -> None:
    """Add one child execution's prompts and tokens; raise for anything but a clean success."""
    arn = child.get("ExecutionArn", "?") if isinstance(child, dict) else "?"
    if not isinstance(child, dict) or child.get("Status") != "SUCCEEDED":
        raise EvaluationError(f"batch {arn} did not succeed: {str(child)[:300]}")
    try:
        output = json.loads(child.get("Output") or "null")
    except (TypeError, json.JSONDecodeError) as exc:
        raise EvaluationError(f"batch {arn} returned no JSON: {exc}") from exc
    if not isinstance(output, dict) or not isinstance(output.get("prompts"), list):
        raise EvaluationError(f"batch {arn} returned no prompts")
    for prompt in output["prompts"]:
        _check_prompt(prompt, samples, seen)
        collected.prompts.append(prompt)
    tokens = output.get("tokens") if isinstance(output.get("tokens"), dict) else {}
    collected.input_tokens += int(tokens.get("inputTokens") or 0)
    collected.output_tokens += int(tokens.get("outputTokens") or 0)


def _check_prompt(prompt: Any, samples: int, seen: set[str]) -> None:
    prompt_id = prompt.get("id") if isinstance(prompt, dict) else None
    if not isinstance(prompt_id, str) or prompt_id in seen:
        raise EvaluationError(f"validation prompt id {prompt_id!r} is missing or repeats; ids must be unique")
    seen.add(prompt_id)
    for side in SIDES:
        scores = (prompt.get(side) or {}).get("scores")
        if not isinstance(scores, list) or len(scores) != samples:
            raise EvaluationError(f"prompt {prompt_id}: {side} has {scores!r}, expected {samples} scores")
        if not all(_is_reward(score) for score in scores):
            raise EvaluationError(
                f"prompt {prompt_id}: {side} has {scores!r}, rewards must be numbers in [0, 1]"
            )


def _is_reward(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and 0.0 <= value <= 1.0
