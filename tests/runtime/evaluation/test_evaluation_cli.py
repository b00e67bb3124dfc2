"""``rft baseline`` and ``rft compare`` end to end: Stubber for Converse and the state record,
the shipped recordings offline, and bad input refused before any paid call."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from evaluation_fakes import RECORDINGS, REPO, VALIDATION, converse_response

from rft_runtime.cli import main, status
from rft_runtime.evaluation import converse
from rft_runtime.evaluation.converse import InferenceSettings, request
from rft_runtime.evaluation.prompt_files import load_prompts
from rft_runtime.lifecycle.clients import Clients

BASE = "amazon.nova-2-lite-v1:0:256k"
#: What Converse calls for BASE in us-east-1 (it refuses the training id).
PROFILE = "us.amazon.nova-2-lite-v1:0"
DEPLOYMENT = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/abcdef123456"
OFFLINE = [
    str(VALIDATION),
    "--template",
    "math_answer",
    "--responses-a",
    str(RECORDINGS / "base_responses.jsonl"),
    "--responses-b",
    str(RECORDINGS / "tuned_responses.jsonl"),
]


@pytest.fixture
def no_aws(monkeypatch):
    """Any attempt to create an AWS client fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("an AWS client was created")

    monkeypatch.setattr(converse, "make_client", refuse)
    monkeypatch.setattr(status, "make_clients", refuse)


@pytest.fixture
def stubbed_runtime(monkeypatch, runtime_client):
    monkeypatch.setattr(converse, "make_client", lambda region, connections: runtime_client)
    with Stubber(runtime_client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def test_compare_offline_prints_delta_ci_and_win_tie_loss(no_aws, capsys, tmp_path):
    report = tmp_path / "report.html"
    assert main.main(["compare", *OFFLINE, "--format", "json", "--report", str(report)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["prompts"] == 40
    assert out["a"]["pass_rate"] == 0.625 and out["b"]["pass_rate"] == 0.85
    assert out["delta"]["value"] == pytest.approx(0.225)
    assert out["delta"]["ci_low"] > 0 and out["delta"]["ci_high"] < 0.5
    assert out["win_tie_loss"] == {"win": 11, "tie": 27, "loss": 2}
    assert report.read_text().startswith("<!DOCTYPE html>")
    # per prompt: both responses and their rewards, as recorded and graded
    recorded = {
        side: {
            r["id"]: r["response"]
            for r in map(json.loads, (RECORDINGS / f"{name}_responses.jsonl").read_text().splitlines())
        }
        for side, name in (("a", "base"), ("b", "tuned"))
    }
    for row in out["per_prompt"]:
        for side in ("a", "b"):
            assert row[side]["responses"] == [recorded[side][row["id"]]]
            assert row[side]["rewards"] == [row[f"score_{side}"]]
    assert {row["outcome"] for row in out["per_prompt"] if row["a"]["rewards"] == [0.0]} == {"win", "tie"}


def test_min_improvement_makes_the_exit_code_a_gate(no_aws, capsys):
    assert main.main(["compare", *OFFLINE, "--min-improvement", "0.2"]) == 0
    assert "gate: mean delta +0.225 vs required +0.200: PASS" in capsys.readouterr().out
    assert main.main(["compare", *OFFLINE, "--min-improvement", "0.3"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_compare_takes_dataset_and_reward_from_the_environment_file(no_aws, capsys):
    args = ["compare", "--config", "dev", "--environments-dir", str(REPO / "environments"), *OFFLINE[3:]]
    assert main.main([*args, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dataset"].endswith("arithmetic_validation.jsonl") and out["win_tie_loss"]["win"] == 11


def test_baseline_measures_a_model_and_reports_zero_variance_prompts(
    stubbed_runtime, small_dataset, tmp_path, capsys
):
    answers = {
        "What is 2 + 2?": ["#### 4", "#### 4"],
        "What is 5 * 2?": ["#### 11", "#### 10"],
        "What is 9 - 2?": ["#### 1", "#### 2"],
    }
    for question, replies in answers.items():
        for text in replies:
            stubbed_runtime.add_response(
                "converse",
                converse_response(text, input_tokens=40, output_tokens=10),
                {
                    "modelId": BASE,
                    "system": [{"text": "Solve the problem. End with a line '#### <answer>'."}],
                    "messages": [{"role": "user", "content": [{"text": question}]}],
                    "inferenceConfig": {"maxTokens": 2048},
                    "additionalModelRequestFields": {
                        "reasoningConfig": {"type": "enabled", "maxReasoningEffort": "medium"}
                    },
                },
            )
    store = tmp_path / "store.jsonl"
    code = main.main(
        ["baseline", str(small_dataset), "--template", "math_answer", "--model", BASE,
         "--samples-per-prompt", "2", "--concurrency", "1", "--store", str(store), "--format", "json"]
    )  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mean"]["value"] == pytest.approx(0.5)  # prompt scores 1, 0.5, 0
    assert out["pass_rate"] == pytest.approx(0.5)
    assert out["zero_variance"]["always_one"] == ["p1"] and out["zero_variance"]["always_zero"] == ["p3"]
    assert out["per_prompt_variance"]["by_prompt"]["p2"] == 0.25
    assert out["calls"]["tokens"] == {"inputTokens": 240, "outputTokens": 60}
    assert out["calls"]["called"] == 6
    assert any("67% of prompts have zero reward variance at 2 samples" in line for line in out["verdicts"])
    # a rerun pays nothing: every response comes from the store (the Stubber has none left to give)
    assert main.main(["baseline", str(small_dataset), "--template", "math_answer", "--model", BASE,
                      "--samples-per-prompt", "2", "--store", str(store)]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert "calls: 0 made now, 6 reused" in text and "tokens (all responses): 240 input, 60 output" in text
    # compare reuses the baseline's base-model responses (sample 0 of each prompt) instead of paying twice
    recorded = tmp_path / "b.jsonl"
    recorded.write_text("".join(json.dumps({"id": f"p{n}", "response": "#### 0"}) + "\n" for n in (1, 2, 3)))
    code = main.main(["compare", str(small_dataset), "--template", "math_answer", "--model-a", BASE,
                      "--responses-b", str(recorded), "--store", str(store), "--format", "json"])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["calls"]["a"]["called"] == 0 and out["calls"]["a"]["reused"] == 3
    assert out["a"]["mean"]["value"] == pytest.approx(1 / 3)  # the first samples: #### 4, #### 11, #### 1


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--template", "math_answer", "--model", "not a model"], "not a model identifier"),
        (["--template", "math_answer"], "give --model ID or --config ENV"),
        (["--template", "no_such_template", "--model", BASE], "no_such_template"),
        (["--template", "math_answer", "--options", '{"tolerance": "x"}', "--model", BASE], "tolerance"),
        (["--template", "math_answer", "--model", BASE, "--samples-per-prompt", "0"], "--samples-per-prompt"),
    ],
)
def test_bad_input_fails_before_the_first_paid_call(no_aws, small_dataset, capsys, arguments, says):
    assert main.main(["baseline", str(small_dataset), *arguments]) == 2
    assert says in capsys.readouterr().err


def test_a_bad_dataset_fails_before_the_first_paid_call(no_aws, tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n')
    assert main.main(["baseline", str(path), "--template", "math_answer", "--model", BASE]) == 2
    assert f"{path}:1: " in capsys.readouterr().err


def _arith_config(tmp_path, dataset) -> str:
    """An environments folder with ``arith.toml`` (us-east-1, base model BASE); returns its path."""
    env = tmp_path / "envs"
    env.mkdir()
    (env / "arith.toml").write_text(
        f'name = "arith"\nregion = "us-east-1"\nbase_model = "{BASE}"\n'
        f'[dataset]\ntraining = "{dataset}"\n'
        '[reward]\ntemplate = "math_answer"\n'
        '[hyperparameters]\ninferenceMaxTokens = 256\nreasoningEffort = "low"\n'
    )
    return str(env)


def test_baseline_with_a_config_calls_the_base_model_through_its_regions_inference_profile(
    stubbed_runtime, small_dataset, tmp_path, capsys
):
    env = _arith_config(tmp_path, small_dataset)
    for prompt, text in zip(load_prompts(str(small_dataset)), ["#### 4", "#### 9", "#### 7"], strict=True):
        expected = request(PROFILE, prompt, InferenceSettings(256, "low"))  # never the training id
        stubbed_runtime.add_response("converse", converse_response(text), expected)
    store = str(tmp_path / "s.jsonl")
    args = ["baseline", "--config", "arith", "--environments-dir", env, "--samples-per-prompt", "1",
            "--concurrency", "1", "--store", store]  # fmt: skip
    assert main.main([*args, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["model"], out["base_model"]) == (PROFILE, BASE)
    assert main.main(args) == 0  # from the store: no call left in the Stubber
    text = capsys.readouterr().out
    assert f"base model {BASE} (what RFT trains from), measured through inference profile {PROFILE}" in text


def test_baseline_uses_an_explicit_model_as_given_even_with_a_config(
    stubbed_runtime, small_dataset, tmp_path, capsys
):
    env = _arith_config(tmp_path, small_dataset)
    model = "global.amazon.nova-2-lite-v1:0"
    for prompt in load_prompts(str(small_dataset)):
        stubbed_runtime.add_response(
            "converse", converse_response("#### 4"), request(model, prompt, InferenceSettings(256, "low"))
        )
    code = main.main(["baseline", "--config", "arith", "--environments-dir", env, "--model", model,
                      "--samples-per-prompt", "1", "--concurrency", "1",
                      "--store", str(tmp_path / "s.jsonl"), "--format", "json"])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == model and "base_model" not in out


@pytest.mark.parametrize("command", ["baseline", "compare"])
def test_a_region_without_a_known_profile_geography_fails_before_any_call(
    no_aws, small_dataset, tmp_path, capsys, command
):
    env = _arith_config(tmp_path, small_dataset)
    code = main.main([command, "--config", "arith", "--environments-dir", env, "--region", "ca-central-1"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"rft {command}: --region: Region 'ca-central-1' has no known inference-profile geography" in err
    assert "allowed: us-* -> us., eu-* -> eu., ap-* -> apac." in err


def test_compare_defaults_to_base_model_vs_the_serving_deployment(
    stubbed_runtime, monkeypatch, small_dataset, tmp_path, capsys
):
    ssm = boto3.client("ssm", region_name="us-east-1")
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    monkeypatch.setattr(status, "make_clients", lambda region: Clients(ssm=ssm, bedrock=bedrock))
    env = tmp_path / "envs"
    env.mkdir()
    (env / "arith.toml").write_text(
        f'name = "arith"\nregion = "us-east-1"\nbase_model = "{BASE}"\n'
        f'[dataset]\ntraining = "{small_dataset}"\n'
        '[reward]\ntemplate = "math_answer"\n'
        '[hyperparameters]\ninferenceMaxTokens = 256\nreasoningEffort = "low"\n'
    )
    record = {"schema": 1, "pipeline": "arith", "phase": "ACTIVE", "deploymentArn": DEPLOYMENT}
    for model, texts in (
        (PROFILE, ["#### 4", "#### 9", "#### 7"]),
        (DEPLOYMENT, ["#### 4", "#### 10", "#### 7"]),
    ):
        for prompt, text in zip(load_prompts(str(small_dataset)), texts, strict=True):
            expected = request(model, prompt, InferenceSettings(256, "low"))
            stubbed_runtime.add_response("converse", converse_response(text), expected)
    with Stubber(ssm) as ssm_stub, Stubber(bedrock) as bedrock_stub:
        _deployment_serves(bedrock_stub, "arn:aws:bedrock:us-east-1:123456789012:custom-model/m/abcdefabcdef")
        ssm_stub.add_response(
            "get_parameter",
            {
                "Parameter": {
                    "Name": "/bedrock-rft/arith/state",
                    "Type": "String",
                    "Value": json.dumps(record),
                }
            },
            {"Name": "/bedrock-rft/arith/state"},
        )
        store = str(tmp_path / "s.jsonl")
        code = main.main(["compare", "--config", "arith", "--environments-dir", str(env),
                          "--concurrency", "1", "--store", store, "--format", "json"])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["a"]["model"], out["b"]["model"]) == (PROFILE, DEPLOYMENT)
    assert out["a"]["base_model"] == BASE and "base_model" not in out["b"]
    assert out["win_tie_loss"] == {"win": 1, "tie": 2, "loss": 0}
    assert out["calls"]["a"]["settings"] == {"maxTokens": 256, "reasoningEffort": "low"}


def test_compare_without_a_serving_deployment_says_so(monkeypatch, small_dataset, tmp_path, capsys):
    ssm = boto3.client("ssm", region_name="us-east-1")
    monkeypatch.setattr(status, "make_clients", lambda region: Clients(ssm=ssm))
    monkeypatch.setattr(converse, "make_client", lambda region, connections: object())
    env = tmp_path / "envs"
    env.mkdir()
    (env / "arith.toml").write_text(
        f'name = "arith"\nregion = "us-east-1"\n[dataset]\ntraining = "{small_dataset}"\n'
        '[reward]\ntemplate = "math_answer"\n'
    )
    with Stubber(ssm) as ssm_stub:
        ssm_stub.add_response(
            "get_parameter",
            {"Parameter": {"Value": json.dumps({"phase": "TRAINING"})}},
            {"Name": "/bedrock-rft/arith/state"},
        )
        code = main.main(["compare", "--config", "arith", "--environments-dir", str(env)])
    assert code == 2
    assert "no serving deployment yet (phase TRAINING)" in capsys.readouterr().err


def test_an_unwritable_report_path_fails_before_any_work(no_aws, capsys):
    assert main.main(["compare", *OFFLINE, "--report", "/no/such/folder/report.html"]) == 2
    assert "--report: folder of /no/such/folder/report.html does not exist" in capsys.readouterr().err


def _deployment_serves(bedrock_stub: Stubber, model_arn: str) -> None:
    bedrock_stub.add_response(
        "get_custom_model_deployment",
        {"customModelDeploymentArn": DEPLOYMENT, "modelDeploymentName": "rft-arith", "modelArn": model_arn,
         "createdAt": "2026-12-01T00:00:00Z", "status": "Active"},
        {"customModelDeploymentIdentifier": DEPLOYMENT},
    )  # fmt: skip


def test_a_model_swapped_in_behind_the_same_deployment_is_called_again_not_read_from_the_store(
    stubbed_runtime, monkeypatch, small_dataset, tmp_path, capsys
):
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    monkeypatch.setattr(status, "make_clients", lambda region: Clients(bedrock=bedrock))
    old, new = (f"arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-2-lite-v1:0:256k/{n}"
                for n in ("oldoldoldold", "newnewnewnew"))  # fmt: skip
    store = str(tmp_path / "s.jsonl")
    arguments = ["baseline", str(small_dataset), "--template", "math_answer", "--model", DEPLOYMENT,
                 "--samples-per-prompt", "1", "--concurrency", "1", "--store", store,
                 "--format", "json"]  # fmt: skip
    with Stubber(bedrock) as bedrock_stub:
        for model, text in ((old, "#### 0"), (new, "#### 4")):
            _deployment_serves(bedrock_stub, model)
            for prompt in load_prompts(str(small_dataset)):
                expected = request(DEPLOYMENT, prompt, InferenceSettings(2048, "medium"))
                stubbed_runtime.add_response("converse", converse_response(text), expected)
            assert main.main(arguments) == 0
            out = json.loads(capsys.readouterr().out)
            assert (out["calls"]["called"], out["calls"]["reused"]) == (3, 0)  # the new model answers anew
        _deployment_serves(bedrock_stub, new)
        assert main.main(arguments) == 0  # same model behind the ARN: everything from the store
    out = json.loads(capsys.readouterr().out)
    assert (out["calls"]["called"], out["calls"]["reused"]) == (0, 3)
    assert out["calls"]["servedModel"] == new and out["mean"]["value"] == pytest.approx(1 / 3)


def test_an_unknown_deployment_fails_before_the_first_paid_call(monkeypatch, small_dataset, capsys):
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    monkeypatch.setattr(status, "make_clients", lambda region: Clients(bedrock=bedrock))
    monkeypatch.setattr(converse, "make_client", lambda region, connections: object())  # no converse
    with Stubber(bedrock) as bedrock_stub:
        bedrock_stub.add_client_error("get_custom_model_deployment", "ResourceNotFoundException", "none", 404)
        code = main.main(["compare", str(small_dataset), "--template", "math_answer",
                          "--model-a", BASE, "--model-b", DEPLOYMENT])  # fmt: skip
    assert code == 2
    assert f"--model-b: {DEPLOYMENT}: no such custom model deployment" in capsys.readouterr().err
