"""One batch of the evaluation Distributed Map: both models answer, the training reward grades.

Input (the Map's ``ItemBatcher`` with ``ItemSelector`` ``{"index": $$.Map.Item.Index, "row":
$$.Map.Item.Value}`` and ``BatchInput``)::

    {"Items": [{"index": 0, "row": {validation JSONL row}}, ...],
     "BatchInput": {"candidateModel": ARN, "incumbentModel": id or ARN, "rewardFunction": version ARN,
                    "maxTokens": int, "reasoningEffort": str or null, "samplesPerPrompt": int}}

Output (kept small: a Map child's output is limited to 256 KiB, so the kept texts are cut to one
byte budget per batch, :func:`rft_runtime.promotion.output_budget.fit_texts`, with a visible
marker)::

    {"prompts": [{"id", "prompt", "reference", "candidate": {"scores", "errors", "responses"},
                  "incumbent": {...}}],
     "tokens": {"inputTokens", "outputTokens"}}

Any failure raises (throttling after retries: :class:`TransientAwsError`; anything else:
:class:`EvaluationError`): the batch then fails, the Map retries or fails, and a failed evaluation
never promotes. Rewards come only from the reward function's answer, matched by the ids this step
chose, so a response cannot inject a score of its own.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from rft_runtime.evaluation import converse
from rft_runtime.evaluation.grading import payload_item
from rft_runtime.evaluation.prompts import Prompt, prompt_from_row
from rft_runtime.lifecycle import retry
from rft_runtime.promotion.errors import EvaluationError
from rft_runtime.promotion.output_budget import fit_texts

#: The two sides, in the order they are called.
SIDES = ("candidate", "incumbent")


def batch_prompts(items: Sequence[Any]) -> list[Prompt]:
    """The prompts of a batch; a row without ``id`` is named ``line-<index + 1>`` (its JSONL line
    when the file has no blank lines). Raises :class:`EvaluationError` naming the item."""
    prompts = []
    for position, item in enumerate(items):
        index = item.get("index") if isinstance(item, Mapping) else None
        row = item.get("row") if isinstance(item, Mapping) else None
        if not isinstance(index, int) or not isinstance(row, Mapping):
            raise EvaluationError(f"batch item {position} is not {{'index': int, 'row': object}}")
        messages = row.get("messages")
        if not isinstance(messages, list) or not messages:
            raise EvaluationError(f"validation row {index + 1}: 'messages' must be a non-empty list")
        prompts.append(prompt_from_row(row, index + 1))
    return prompts


def _converse(
    runtime: Any, model: str, prompt: Prompt, settings: converse.InferenceSettings
) -> converse.Reply:
    try:
        return converse.reply(retry.call(runtime.converse, **converse.request(model, prompt, settings)))
    except ClientError as exc:
        raise EvaluationError(f"Converse with {model} on prompt {prompt.id}: {exc}"[:1000]) from exc


def grade_items(lambda_client: Any, function: str, items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Invoke the reward function ``function`` with the grader payload ``items``; its results by
    id. Raises :class:`EvaluationError` when it fails or does not answer every id exactly once
    with a finite score."""
    try:
        out = retry.call(
            lambda_client.invoke,
            FunctionName=function,
            InvocationType="RequestResponse",
            Payload=json.dumps(items).encode(),
        )
        body = out["Payload"].read()
    except (ClientError, BotoCoreError) as exc:
        raise EvaluationError(f"cannot invoke reward function {function}: {exc}"[:1000]) from exc
    if out.get("FunctionError"):
        raise EvaluationError(f"reward function {function} failed ({out['FunctionError']}): {body[:500]!r}")
    try:
        results = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvaluationError(f"reward function {function} answered with no JSON: {body[:200]!r}") from exc
    wanted = {item["id"] for item in items}
    by_id: dict[str, dict[str, Any]] = {}
    for result in results if isinstance(results, list) else []:
        if not isinstance(result, dict) or result.get("id") not in wanted or result["id"] in by_id:
            raise EvaluationError(
                f"reward function {function} answered an unknown or repeated id: {result!r}"[:500]
            )
        score = result.get("aggregate_reward_score")
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
            raise EvaluationError(
                f"reward function {function} gave {result['id']} no finite score: {score!r}"
            )
        by_id[result["id"]] = result
    missing = wanted - set(by_id)
    if missing:
        raise EvaluationError(
            f"reward function {function} did not score {len(missing)} of {len(wanted)} items"
        )
    return by_id


def _error_tags(result: Mapping[str, Any]) -> list[str]:
    return [
        str(metric["name"]).removeprefix("error/")
        for metric in result.get("metrics_list") or []
        if isinstance(metric, dict)
        and str(metric.get("name", "")).startswith("error/")
        and metric.get("value")
    ]


def evaluate_batch(
    event: Mapping[str, Any], runtime: Any, lambda_client: Any, *, concurrency: int = 1
) -> dict[str, Any]:
    """Answer and grade one batch (see the module docstring) with a ``bedrock-runtime`` client
    (``runtime``, thread-safe) and a ``lambda`` client; at most ``concurrency`` Converse calls run
    at a time (default 1: one after another). The output is the same whatever the concurrency."""
    config = event.get("BatchInput") or {}
    models = {"candidate": config.get("candidateModel"), "incumbent": config.get("incumbentModel")}
    function = config.get("rewardFunction")
    samples = config.get("samplesPerPrompt", 1)
    if (
        not all(isinstance(m, str) and m for m in models.values())
        or not isinstance(function, str)
        or not function
    ):
        raise EvaluationError("BatchInput needs candidateModel, incumbentModel and rewardFunction")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise EvaluationError(f"BatchInput.samplesPerPrompt must be an integer >= 1, got {samples!r}")
    max_tokens = config.get("maxTokens")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise EvaluationError(f"BatchInput.maxTokens must be an integer >= 1, got {max_tokens!r}")
    settings = converse.InferenceSettings(max_tokens, config.get("reasoningEffort"))
    prompts = batch_prompts(event.get("Items") or [])
    calls = [(prompt, side, sample) for prompt in prompts for side in SIDES for sample in range(samples)]
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        answers = list(pool.map(lambda call: _converse(runtime, models[call[1]], call[0], settings), calls))
    replies: dict[str, converse.Reply] = {}
    items: list[dict[str, Any]] = []
    for (prompt, side, sample), answer in zip(calls, answers, strict=True):
        item = payload_item(prompt, sample, answer.text)
        item["id"] = f"{side}:{item['id']}"
        replies[item["id"]] = answer
        items.append(item)
    results = grade_items(lambda_client, function, items) if items else {}
    out = []
    for prompt in prompts:
        entry: dict[str, Any] = {
            "id": prompt.id,
            "prompt": prompt.question(),
            "reference": str(prompt.reference),
        }
        for side in SIDES:
            ids = [f"{side}:{prompt.id}#{sample}" for sample in range(samples)]
            errors = Counter(tag for i in ids for tag in _error_tags(results[i]))
            entry[side] = {
                "scores": [min(1.0, max(0.0, float(results[i]["aggregate_reward_score"]))) for i in ids],
                "errors": dict(errors),
                "responses": [replies[i].text for i in ids],
            }
        out.append(entry)
    tokens = {
        "inputTokens": sum(r.input_tokens for r in replies.values()),
        "outputTokens": sum(r.output_tokens for r in replies.values()),
    }
    return fit_texts({"prompts": out, "tokens": tokens}, SIDES)
