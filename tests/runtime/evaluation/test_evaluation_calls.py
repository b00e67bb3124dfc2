"""Converse requests (validated by botocore's Stubber), throttling, the response store and resume."""

from __future__ import annotations

import io
import json

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from evaluation_fakes import converse_response

from rft_runtime.evaluation import throttle
from rft_runtime.evaluation.collect import collect
from rft_runtime.evaluation.converse import InferenceSettings, request
from rft_runtime.evaluation.progress import Progress, eta_text
from rft_runtime.evaluation.prompt_files import load_prompts
from rft_runtime.evaluation.store import ResponseStore, make_key

MODEL = "us.amazon.nova-2-lite-v1:0"
SETTINGS = InferenceSettings(max_tokens=512, reasoning_effort="low")


def _expected(prompt, settings=SETTINGS):
    return request(MODEL, prompt, settings)


def test_request_maps_chat_turns_and_the_pipeline_settings(small_dataset):
    prompt = load_prompts(str(small_dataset))[0]
    kwargs = request(MODEL, prompt, SETTINGS)
    assert kwargs["system"] == [{"text": "Solve the problem. End with a line '#### <answer>'."}]
    assert kwargs["messages"] == [{"role": "user", "content": [{"text": "What is 2 + 2?"}]}]
    assert kwargs["inferenceConfig"] == {"maxTokens": 512}
    assert kwargs["additionalModelRequestFields"] == {
        "reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}
    }
    assert "additionalModelRequestFields" not in request(MODEL, prompt, InferenceSettings(512, None))


def test_collect_calls_converse_once_per_missing_sample_and_counts_tokens(
    small_dataset, runtime_client, tmp_path
):
    prompts = load_prompts(str(small_dataset))
    store = ResponseStore.open(str(tmp_path / "store.jsonl"))
    with Stubber(runtime_client) as stub:
        for prompt in prompts:
            for sample in range(2):
                stub.add_response(
                    "converse",
                    converse_response(f"#### {sample}", input_tokens=30, output_tokens=5 + sample),
                    _expected(prompt),
                )
        got = collect(
            runtime_client, MODEL, prompts, samples=2, settings=SETTINGS, store=store, concurrency=1
        )
        stub.assert_no_pending_responses()
    store.close()
    assert got.called == 6 and got.reused == 0
    assert got.tokens() == {"inputTokens": 180, "outputTokens": 33}
    assert got.texts()["p1"] == ["#### 0", "#### 1"]
    lines = [json.loads(line) for line in (tmp_path / "store.jsonl").read_text().splitlines()]
    assert {(line["model"], line["sample"], line["settings"]["maxTokens"]) for line in lines} == {
        (MODEL, 0, 512),
        (MODEL, 1, 512),
    }


def test_an_interrupted_run_resumes_without_paying_twice(small_dataset, runtime_client, tmp_path):
    prompts = load_prompts(str(small_dataset))
    path = str(tmp_path / "store.jsonl")
    store = ResponseStore.open(path)
    with Stubber(runtime_client) as stub:
        stub.add_response("converse", converse_response("#### 4"), _expected(prompts[0]))
        stub.add_client_error("converse", "AccessDeniedException", "no access", 403)
        with pytest.raises(ClientError):
            collect(runtime_client, MODEL, prompts, samples=1, settings=SETTINGS, store=store, concurrency=1)
    store.close()
    with open(path, "a", encoding="utf-8") as stream:
        stream.write('{"model": "torn')  # the process died mid-line
    resumed = ResponseStore.open(path)
    assert resumed.skipped_lines == 1 and len(resumed.responses) == 1
    with Stubber(runtime_client) as stub:
        for prompt in prompts[1:]:
            stub.add_response("converse", converse_response("#### 1"), _expected(prompt))
        got = collect(
            runtime_client, MODEL, prompts, samples=1, settings=SETTINGS, store=resumed, concurrency=1
        )
        stub.assert_no_pending_responses()
    resumed.close()
    assert (got.called, got.reused) == (2, 1)
    assert got.texts() == {"p1": ["#### 4"], "p2": ["#### 1"], "p3": ["#### 1"]}
    assert len(ResponseStore.open(path).responses) == 3  # the torn line was closed, new lines readable


def test_other_settings_or_models_are_not_reused(small_dataset):
    prompt = load_prompts(str(small_dataset))[0]
    key = make_key(MODEL, prompt.digest, 0, SETTINGS)
    assert key != make_key(MODEL, prompt.digest, 0, InferenceSettings(1024, "low"))
    assert key != make_key(MODEL, prompt.digest, 0, InferenceSettings(512, "high"))
    assert key != make_key("amazon.nova-2-lite-v1:0:256k", prompt.digest, 0, SETTINGS)
    assert key != make_key(MODEL, prompt.digest, 1, SETTINGS)


def test_throttling_never_fails_the_run_and_halves_the_concurrency(small_dataset, runtime_client, tmp_path):
    prompts = load_prompts(str(small_dataset))[:1]
    store = ResponseStore.open(str(tmp_path / "store.jsonl"))
    pauses: list[float] = []
    with Stubber(runtime_client) as stub:
        for _ in range(7):
            stub.add_client_error("converse", "ThrottlingException", "Too many requests", 429)
        stub.add_client_error("converse", "ServiceUnavailableException", "busy", 503)
        stub.add_response("converse", converse_response("#### 4"), _expected(prompts[0]))
        got = collect(
            runtime_client,
            MODEL,
            prompts,
            samples=1,
            settings=SETTINGS,
            store=store,
            concurrency=8,
            sleep=pauses.append,
        )
    store.close()
    assert got.texts() == {"p1": ["#### 4"]}
    assert got.throttles == 8 and len(pauses) == 8
    assert all(0 <= pause <= throttle.THROTTLE_CAP_SECONDS for pause in pauses)


def test_adaptive_limit_halves_on_throttle_and_grows_back():
    limit = throttle.AdaptiveLimit(8)
    limit.throttled()
    limit.throttled()
    assert limit.limit == 2
    for _ in range(2):
        limit.succeeded()
    assert limit.limit == 3
    for _ in range(100):
        limit.succeeded()
    assert limit.limit == 8
    for _ in range(10):
        limit.throttled()
    assert limit.limit == 1


def test_transient_errors_are_retried_a_bounded_number_of_times():
    calls = []

    def failing():
        calls.append(1)
        raise ClientError(
            {"Error": {"Code": "InternalServerException"}, "ResponseMetadata": {"HTTPStatusCode": 500}},
            "Converse",
        )

    with pytest.raises(ClientError):
        throttle.call_with_backoff(failing, throttle.AdaptiveLimit(2), sleep=lambda s: None)
    assert len(calls) == throttle.TRANSIENT_ATTEMPTS


def test_progress_bar_shows_rate_and_eta_only_when_enabled():
    now = [0.0]
    stream = io.StringIO()
    bar = Progress("model", 100, stream, enabled=True, clock=lambda: now[0])
    now[0] = 10.0
    bar.advance(25)
    assert "25/100" in stream.getvalue() and "2.5/s" in stream.getvalue() and "ETA 30s" in stream.getvalue()
    quiet = io.StringIO()
    Progress("model", 100, quiet, enabled=False).advance(50)
    assert quiet.getvalue() == ""
    assert eta_text(3725) == "1h02m" and eta_text(188) == "3m08s"
