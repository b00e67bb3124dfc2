"""Shared fakes of the promotion tests: a reward Lambda that runs the real grading code, batch
inputs, and the Distributed Map's ResultWriter files in (moto) S3."""

from __future__ import annotations

import io
import json
from typing import Any

from botocore.response import StreamingBody

from rft_runtime.rewards import batch, catalogue

REWARD_VERSION = "arn:aws:lambda:us-east-1:123456789012:function:reward:3"
CANDIDATE = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/candidate1234"
INCUMBENT = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/serving56789"
BUCKET = "rft-dataset-bucket"
FINGERPRINT = "a" * 64
SYSTEM = "Solve the problem. End with a line '#### <answer>'."


def item(index: int, question: str, answer: str, prompt_id: str | None = None) -> dict[str, Any]:
    """One Map item: ``{"index", "row"}`` (the ItemSelector's shape)."""
    row: dict[str, Any] = {
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
        "reference_answer": answer,
    }
    if prompt_id is not None:
        row["id"] = prompt_id
    return {"index": index, "row": row}


def batch_input(**overrides: Any) -> dict[str, Any]:
    return {
        "candidateModel": CANDIDATE,
        "incumbentModel": INCUMBENT,
        "rewardFunction": REWARD_VERSION,
        "maxTokens": 256,
        "reasoningEffort": None,
        "samplesPerPrompt": 1,
        **overrides,
    }


class RewardLambda:
    """A ``lambda`` client whose ``invoke`` runs the real reward batch code (math_answer template)
    on the payload, as the deployed reward function would; records every call."""

    def __init__(self, *, function_error: str | None = None, rewrite=None) -> None:
        self.grader = catalogue.build_grader("math_answer", {})
        self.calls: list[dict[str, Any]] = []
        self.function_error = function_error
        self.rewrite = rewrite

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        payload = json.loads(kwargs["Payload"])
        self.calls.append({**kwargs, "items": payload})
        results = batch.grade_event(self.grader, payload, name="math_answer").results
        if self.rewrite:
            results = self.rewrite(results)
        body = json.dumps(results).encode()
        out: dict[str, Any] = {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}
        if self.function_error:
            out["FunctionError"] = self.function_error
        return out


def prompt_entry(prompt_id: str, incumbent: list[float], candidate: list[float]) -> dict[str, Any]:
    """One prompt of a batch output, as :func:`evaluate_batch` returns it."""
    return {
        "id": prompt_id,
        "prompt": f"question {prompt_id}",
        "reference": "4",
        "incumbent": {"scores": incumbent, "errors": {}, "responses": ["<b>inc</b>"] * len(incumbent)},
        "candidate": {"scores": candidate, "errors": {}, "responses": ["cand"] * len(candidate)},
    }


def write_map_results(
    s3: Any, batches: list[list[dict[str, Any]]], *, failed: int = 0, prefix: str = "runs/x/evaluation/map/"
) -> dict[str, str]:
    """Write a ResultWriter manifest and one SUCCEEDED file holding ``batches`` (plus a FAILED file
    with ``failed`` children); return the Map's ``ResultWriterDetails``."""
    children = [
        {
            "ExecutionArn": f"arn:aws:states:us-east-1:123456789012:execution:m/child-{n}",
            "Status": "SUCCEEDED",
            "Output": json.dumps({"prompts": prompts, "tokens": {"inputTokens": 10, "outputTokens": 5}}),
        }
        for n, prompts in enumerate(batches)
    ]
    files: dict[str, list[dict[str, Any]]] = {"SUCCEEDED": [], "FAILED": [], "PENDING": []}
    s3.put_object(Bucket=BUCKET, Key=prefix + "SUCCEEDED_0.json", Body=json.dumps(children).encode())
    files["SUCCEEDED"].append({"Key": prefix + "SUCCEEDED_0.json", "Size": 1})
    if failed:
        failures = [{"Status": "FAILED", "Error": "States.TaskFailed"}] * failed
        s3.put_object(Bucket=BUCKET, Key=prefix + "FAILED_0.json", Body=json.dumps(failures).encode())
        files["FAILED"].append({"Key": prefix + "FAILED_0.json", "Size": 1})
    manifest = {"DestinationBucket": BUCKET, "MapRunArn": "arn:...:mapRun:m/x", "ResultFiles": files}
    s3.put_object(Bucket=BUCKET, Key=prefix + "manifest.json", Body=json.dumps(manifest).encode())
    return {"Bucket": BUCKET, "Key": prefix + "manifest.json"}
