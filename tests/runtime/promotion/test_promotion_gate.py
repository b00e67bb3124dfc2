"""The summarising step: the Map's results read back from S3 (moto), figures and report written
next to them, and the decision for a better, worse, tied, failed or incomplete evaluation."""

from __future__ import annotations

import json
import re

import boto3
import pytest
from moto import mock_aws
from promotion_fakes import BUCKET, CANDIDATE, FINGERPRINT, INCUMBENT, prompt_entry, write_map_results

from rft_runtime.promotion import gate


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def decide(s3, details, **extra):
    event = {
        "bucket": BUCKET,
        "fingerprint": FINGERPRINT,
        "candidateModel": CANDIDATE,
        "incumbent": {"model": INCUMBENT, "kind": "serving deployment"},
        "map": {"ResultWriterDetails": details},
        **extra,
    }
    return gate.summarise(event, s3)


def read(s3, name):
    return s3.get_object(Bucket=BUCKET, Key=f"runs/{FINGERPRINT}/evaluation/{name}")["Body"].read()


def test_a_better_candidate_is_promoted_with_figures_and_report_in_s3(s3):
    details = write_map_results(
        s3,
        [
            [prompt_entry("p1", [0.0], [1.0]), prompt_entry("p2", [1.0], [1.0])],
            [prompt_entry("p3", [0.0], [1.0]), prompt_entry("p4", [0.5], [0.0])],
        ],
    )
    out = decide(s3, details)
    assert out["decision"] == "promote"
    assert out["location"] == f"s3://{BUCKET}/runs/{FINGERPRINT}/evaluation/"
    # by hand: deltas +1, 0, +1, -0.5 -> mean 0.375
    assert out["delta"]["value"] == pytest.approx(0.375)
    assert out["winTieLoss"] == {"win": 2, "tie": 1, "loss": 1}
    assert out["meanCandidate"] == pytest.approx(0.75) and out["meanIncumbent"] == pytest.approx(0.375)
    figures = json.loads(read(s3, "figures.json"))
    assert figures["b"]["model"] == CANDIDATE and figures["a"]["model"] == INCUMBENT
    assert figures["gate"] is True and figures["tokens"] == {"inputTokens": 20, "outputTokens": 10}
    page = read(s3, "report.html").decode()
    assert 'id="chart-deltas"' in page and "question p3" in page
    assert "<b>inc</b>" not in page and "&lt;b&gt;inc&lt;/b&gt;" in page  # responses are escaped
    assert out["incumbent"] == {"model": INCUMBENT, "kind": "serving deployment"}
    assert "base_model" not in figures["a"] and "measured through" not in page


def test_a_first_run_names_the_base_model_and_the_profile_it_was_measured_through(s3):
    details = write_map_results(s3, [[prompt_entry("p1", [0.0], [1.0])]])
    base = {
        "model": "us.amazon.nova-2-lite-v1:0",
        "kind": "base model",
        "baseModel": "amazon.nova-2-lite-v1:0:256k",
    }
    out = decide(s3, details, incumbent=base)
    assert out["incumbent"] == base  # kept in the state record's evaluation field
    figures = json.loads(read(s3, "figures.json"))
    assert (figures["a"]["model"], figures["a"]["base_model"]) == (base["model"], base["baseModel"])
    expected = (
        "A: base model amazon.nova-2-lite-v1:0:256k (what RFT trains from), measured through inference "
        "profile us.amazon.nova-2-lite-v1:0"
    )
    assert f'<p class="sub">{expected}</p>' in read(s3, "report.html").decode()


def test_an_execution_started_before_the_incumbent_was_passed_whole_is_still_summarised(s3):
    details = write_map_results(s3, [[prompt_entry("p1", [0.0], [1.0])]])
    event = {"bucket": BUCKET, "fingerprint": FINGERPRINT, "candidateModel": CANDIDATE,
             "incumbentModel": INCUMBENT, "map": {"ResultWriterDetails": details}}  # fmt: skip
    out = gate.summarise(event, s3)
    assert out["decision"] == "promote" and out["incumbent"] == {"model": INCUMBENT}


def test_a_worse_candidate_is_rejected(s3):
    details = write_map_results(s3, [[prompt_entry("p1", [1.0], [0.0]), prompt_entry("p2", [1.0], [1.0])]])
    out = decide(s3, details)
    assert out["decision"] == "reject" and out["delta"]["value"] == pytest.approx(-0.5)
    assert json.loads(read(s3, "figures.json"))["gate"] is False


def test_a_tie_passes_the_default_gate_but_not_a_required_improvement(s3):
    details = write_map_results(s3, [[prompt_entry("p1", [1.0], [1.0]), prompt_entry("p2", [0.0], [0.0])]])
    assert decide(s3, details)["decision"] == "promote"  # min_improvement 0.0: must not be worse
    out = decide(s3, details, minImprovement=0.05)
    assert out["decision"] == "reject" and out["minImprovement"] == 0.05


def test_a_candidate_just_short_of_the_required_improvement_is_rejected(s3):
    details = write_map_results(s3, [[prompt_entry("p1", [0.0], [0.1]), prompt_entry("p2", [0.0], [0.0])]])
    assert decide(s3, details, minImprovement=0.05)["decision"] == "promote"  # delta 0.05
    assert decide(s3, details, minImprovement=0.0501)["decision"] == "reject"


@pytest.mark.parametrize(
    "batches, failed, problem",
    [
        ([[prompt_entry("p1", [0.0], [1.0])]], 1, "incomplete: result files with 1 FAILED"),
        (
            [[prompt_entry("p1", [0.0], [1.0])], [prompt_entry("p1", [0.0], [1.0])]],
            0,
            "'p1' is missing or repeats",
        ),
        ([[prompt_entry("p1", [0.0], [])]], 0, "candidate has \\[\\], expected 1 scores"),
        ([[]], 0, "graded no prompts"),
    ],
)
def test_a_failed_or_incomplete_evaluation_never_promotes(s3, batches, failed, problem):
    details = write_map_results(s3, batches, failed=failed)
    out = decide(s3, details)
    assert out["decision"] == "error"
    assert re.search(problem, out["message"])


def test_missing_map_results_are_an_error_not_a_promotion(s3):
    out = decide(s3, {"Bucket": BUCKET, "Key": "runs/x/evaluation/map/manifest.json"})
    assert out["decision"] == "error" and "cannot read" in out["message"]
    assert decide(s3, {})["decision"] == "error"


@pytest.mark.parametrize(
    "children, problem",
    [
        ([{"ExecutionArn": "c1", "Status": "FAILED"}], "batch c1 did not succeed"),
        ([{"ExecutionArn": "c1", "Status": "SUCCEEDED", "Output": "not json"}], "batch c1 returned no JSON"),
        ([{"ExecutionArn": "c1", "Status": "SUCCEEDED", "Output": "{}"}], "batch c1 returned no prompts"),
        (
            [{"Status": "SUCCEEDED", "Output": json.dumps({"prompts": [prompt_entry("p1", [0.0], [7.0])]})}],
            "rewards must be numbers in \\[0, 1\\]",
        ),
        (
            [{"Status": "SUCCEEDED", "Output": json.dumps({"prompts": [prompt_entry("p1", [0.0], ["1"])]})}],
            "rewards must be numbers",
        ),
    ],
)
def test_malformed_map_results_are_an_error(s3, children, problem):
    key = "runs/x/evaluation/map/"
    s3.put_object(Bucket=BUCKET, Key=key + "SUCCEEDED_0.json", Body=json.dumps(children).encode())
    files = {"SUCCEEDED": [{"Key": key + "SUCCEEDED_0.json", "Size": 1}], "FAILED": [], "PENDING": []}
    s3.put_object(Bucket=BUCKET, Key=key + "manifest.json", Body=json.dumps({"ResultFiles": files}).encode())
    out = decide(s3, {"Bucket": BUCKET, "Key": key + "manifest.json"})
    assert out["decision"] == "error" and re.search(problem, out["message"]), out
