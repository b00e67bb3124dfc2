"""Review 3: one evaluation batch's output must fit Step Functions' 256 KiB state payload limit,
whatever the models answer (else the Map child fails, the gate decides ``error`` on every run)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from promotion_fakes import RewardLambda, batch_input, item

from rft_runtime.promotion.batch import evaluate_batch

STATE_PAYLOAD_LIMIT = 256 * 1024
ANSWER = "答" * 3000 + "\n#### 4"  # Step Functions: max input or output size of a state (UTF-8 bytes)


def converse_response(text: str) -> dict:
    message = {"role": "assistant", "content": [{"text": text}]}
    usage, metrics = {"inputTokens": 20, "outputTokens": 8, "totalTokens": 28}, {"latencyMs": 1}
    return {"output": {"message": message}, "stopReason": "end_turn", "usage": usage, "metrics": metrics}


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_a_full_batch_of_long_non_ascii_answers_fits_the_state_payload_limit(ensure_ascii):
    runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
    prompts = 8  # items_per_batch(1) = 16 // 2
    with Stubber(runtime) as stub:
        for _ in range(prompts * 2):
            stub.add_response("converse", converse_response(ANSWER))
        event = {
            "Items": [item(i, "问题" * 1500, "4", prompt_id=f"p{i}") for i in range(prompts)],
            "BatchInput": batch_input(),
        }
        out = evaluate_batch(event, runtime, RewardLambda())
    size = len(json.dumps(out, ensure_ascii=ensure_ascii).encode("utf-8"))
    assert size <= STATE_PAYLOAD_LIMIT, f"batch output is {size} bytes > {STATE_PAYLOAD_LIMIT}"
    # the report shows the cut: every response keeps its start and says how much it kept
    response = out["prompts"][0]["candidate"]["responses"][0]
    assert response.startswith("答" * 100) and response.endswith(f" of {len(ANSWER)} characters kept]")
    assert "[cut: " in out["prompts"][0]["prompt"]
