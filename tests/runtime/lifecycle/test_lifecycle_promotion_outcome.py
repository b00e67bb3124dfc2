"""What the promotion gate's decision does to the state record (moto SSM/EventBridge/SNS,
Stubber for Bedrock): REJECTED keeps the serving model; ``rft promote`` serves it anyway, recorded
as a manual override."""

from __future__ import annotations

import json

import pytest
from lifecycle_fakes import (
    DEPLOYMENT_ARN,
    FP_A,
    FP_B,
    PIPELINE,
    PT_ARN,
    aws_env,
    deployment_response,
    job_arn,
    make_spec,
    model_arn,
)

from rft_runtime.cli import main, status
from rft_runtime.lifecycle import names, state
from rft_runtime.lifecycle.errors import Superseded
from rft_runtime.promotion.outcome import NotPromotable, manual_promote, publish_rejected

EXEC = "arn:aws:states:us-east-1:123456789012:execution:RftLifecycle:demo-aaaa-1"
LOCATION = f"s3://rft-dataset-bucket/runs/{FP_A}/evaluation/"
JOB = {"status": "Completed", "jobName": "rft-demo-x", "jobArn": job_arn(), "modelArn": model_arn()}
REJECTED = {
    "decision": "reject",
    "location": LOCATION,
    "prompts": 40,
    "delta": {"value": -0.125, "ciLow": -0.2, "ciHigh": -0.05},
    "minImprovement": 0.0,
    "winTieLoss": {"win": 3, "tie": 20, "loss": 17},
}


#: ``rft promote`` marks the model it serves (contract: one tag, ``bedrock_calls.mark_promoted``).
PROMOTED_BY_HAND = {
    "resourceARN": model_arn(),
    "tags": [{"key": "bedrock-rft:promoted", "value": "rft-promote"}],
}


def _serving_before(aws, name: str = names.deployment_name(PIPELINE), arn: str = DEPLOYMENT_ARN) -> None:
    """Run FP_A trains while ``name`` (``arn``) serves FP_B's model."""
    aws.put_record(
        phase=state.TRAINING,
        fingerprint=FP_A,
        executionArn=EXEC,
        deploymentName=name,
        deploymentArn=arn,
        servingModelArn=model_arn(FP_B),
    )


def test_a_rejected_model_is_published_and_the_old_model_keeps_serving(aws):
    _serving_before(aws)
    out = publish_rejected(make_spec(), JOB, REJECTED, aws.clients, aws.settings, EXEC)
    record = aws.record()
    assert out == record
    assert record["phase"] == "REJECTED" and record["modelArn"] == model_arn()
    assert record["servingModelArn"] == model_arn(FP_B) and record["deploymentArn"] == DEPLOYMENT_ARN
    assert record["evaluation"]["location"] == LOCATION and record["evaluation"]["delta"]["value"] == -0.125
    assert "-0.125" in record["failure"]["message"] and record["failure"]["phase"] == "evaluation"
    (event,) = aws.events
    assert json.loads(event["Detail"])["evaluation"]["location"] == LOCATION
    (note,) = aws.notifications
    assert note["Subject"].endswith("demo: REJECTED")
    assert LOCATION in note["Message"] and f"keeps serving: {model_arn(FP_B)}" in note["Message"]
    aws.verify()  # no Bedrock call: the serving deployment is untouched


def test_an_evaluation_error_is_published_as_rejected_with_its_reason(aws):
    _serving_before(aws)
    decision = {
        "decision": "error",
        "location": LOCATION,
        "message": "the evaluation is incomplete: 1 FAILED",
    }
    record = publish_rejected(make_spec(), JOB, decision, aws.clients, aws.settings, EXEC)
    assert record["phase"] == "REJECTED" and record["evaluation"]["decision"] == "error"
    assert "evaluation failed" in record["failure"]["message"] and "1 FAILED" in record["failure"]["message"]
    assert record["servingModelArn"] == model_arn(FP_B)


def test_a_superseded_run_publishes_no_rejection(aws):
    aws.put_record(phase=state.TRAINING, fingerprint=FP_B, executionArn="other")
    with pytest.raises(Superseded):
        publish_rejected(make_spec(), JOB, REJECTED, aws.clients, aws.settings, EXEC)
    assert aws.record()["fingerprint"] == FP_B and not aws.events


def _rejected(aws, **serving: str) -> None:
    _serving_before(aws, **serving)
    publish_rejected(make_spec(), JOB, REJECTED, aws.clients, aws.settings, EXEC)


def test_manual_promote_swaps_the_serving_deployment_and_records_the_override(aws):
    _rejected(aws)
    name = names.deployment_name(PIPELINE)
    aws.bedrock.add_response(
        "get_custom_model_deployment", deployment_response("Active", model=model_arn(FP_B)),
        {"customModelDeploymentIdentifier": name},
    )  # fmt: skip
    aws.bedrock.add_response(
        "update_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN},
        {"customModelDeploymentIdentifier": DEPLOYMENT_ARN, "modelArn": model_arn()},
    )  # fmt: skip
    aws.bedrock.add_response("tag_resource", {}, PROMOTED_BY_HAND)
    record = manual_promote(aws.clients, aws.settings, FP_A[:12], requested_at="2026-05-02T10:00:00+00:00")
    assert record == aws.record()
    assert record["phase"] == "ACTIVE" and record["servingModelArn"] == model_arn()
    assert "failure" not in record and record["evaluation"]["decision"] == "reject"
    assert record["override"] == {
        "by": "rft promote",
        "at": "2026-05-02T10:00:00+00:00",
        "replacedModelArn": model_arn(FP_B),
        "gateDecision": "reject",
    }
    aws.verify()


def test_manual_promote_creates_the_deployment_when_the_pipeline_never_served(aws):
    aws.put_record(phase=state.TRAINING, fingerprint=FP_A, executionArn=EXEC)
    publish_rejected(make_spec(), JOB, REJECTED, aws.clients, aws.settings, EXEC)
    aws.bedrock.add_client_error(
        "get_custom_model_deployment", "ResourceNotFoundException", "no such deployment"
    )
    aws.bedrock.add_response("create_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN})
    aws.bedrock.add_response("tag_resource", {}, PROMOTED_BY_HAND)
    record = manual_promote(aws.clients, aws.settings, FP_A, requested_at="2026-05-02T10:00:00+00:00")
    assert record["deploymentArn"] == DEPLOYMENT_ARN and record["override"]["replacedModelArn"] == ""
    aws.verify()


def test_manual_promote_swaps_the_model_behind_the_provisioned_throughput_that_serves(aws):
    _rejected(aws, name=names.provisioned_model_name(PIPELINE), arn=PT_ARN)
    aws.bedrock.add_response(
        "update_provisioned_model_throughput",
        {},
        {"provisionedModelId": PT_ARN, "desiredModelId": model_arn()},
    )  # no on-demand deployment is created or swapped: the stubs would refuse those calls
    aws.bedrock.add_response("tag_resource", {}, PROMOTED_BY_HAND)
    record = manual_promote(aws.clients, aws.settings, FP_A, requested_at="2026-05-02T10:00:00+00:00")
    assert (record["phase"], record["deploymentArn"], record["servingModelArn"]) == (
        "ACTIVE",
        PT_ARN,
        model_arn(),
    )
    assert record["deploymentName"] == f"rft-{PIPELINE}" and record["override"][
        "replacedModelArn"
    ] == model_arn(FP_B)
    aws.verify()


@pytest.mark.parametrize(
    "phase, fingerprint, problem",
    [
        (state.ACTIVE, FP_A, "is ACTIVE, not REJECTED"),
        (state.FAILED, FP_A, "is FAILED, not REJECTED"),
        (state.REJECTED, FP_B, "about run bbbbbbbbfedc, not aaaaaaaa0123"),
    ],
)
def test_only_the_latest_rejected_run_can_be_promoted(aws, phase, fingerprint, problem):
    aws.put_record(phase=phase, fingerprint=fingerprint, executionArn=EXEC, modelArn=model_arn(fingerprint))
    with pytest.raises(NotPromotable, match=problem):
        manual_promote(aws.clients, aws.settings, FP_A[:12], requested_at="2026-05-02T10:00:00+00:00")
    aws.verify()  # nothing was swapped


@pytest.mark.parametrize("fingerprint", ["", "   ", FP_A[:11], "a" * 11, FP_A[:12] + "g", FP_A + "0"])
def test_a_fingerprint_that_is_not_12_to_64_hex_digits_promotes_nothing(aws, fingerprint):
    # "" is a prefix of every fingerprint: it would promote whatever run the record rejected last
    aws.put_record(phase=state.REJECTED, fingerprint=FP_A, executionArn=EXEC, modelArn=model_arn())
    with pytest.raises(NotPromotable, match=r"--fingerprint: fingerprint .* must be 12 to 64 hex digits"):
        manual_promote(aws.clients, aws.settings, fingerprint, requested_at="2026-05-02T10:00:00+00:00")
    aws.verify()  # nothing was swapped
    assert aws.record()["phase"] == state.REJECTED


@pytest.fixture
def cli(monkeypatch):
    with aws_env(monkeypatch) as env:
        monkeypatch.setattr(status, "make_clients", lambda region: env.clients)
        yield env


def test_rft_promote_command(cli, capsys):
    _rejected(cli)
    cli.bedrock.add_response(
        "get_custom_model_deployment", deployment_response("Active", model=model_arn(FP_B))
    )
    cli.bedrock.add_response("update_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN})
    cli.bedrock.add_response("tag_resource", {}, PROMOTED_BY_HAND)
    assert main.main(["promote", "--pipeline", PIPELINE, "--fingerprint", FP_A[:12]]) == 0
    out = capsys.readouterr().out
    assert f"swap to {model_arn()} requested on {DEPLOYMENT_ARN}" in out and '"by": "rft promote"' in out
    assert cli.record()["override"]["gateDecision"] == "reject"


def test_rft_promote_refuses_a_run_that_was_not_rejected(cli, capsys):
    cli.put_record(phase=state.ACTIVE, fingerprint=FP_A, executionArn=EXEC, modelArn=model_arn())
    assert main.main(["promote", "--pipeline", PIPELINE, "--fingerprint", FP_A[:12]]) == 2
    assert "is ACTIVE, not REJECTED" in capsys.readouterr().err


def test_rft_promote_reports_a_refused_swap_as_an_aws_failure(cli, capsys):
    _rejected(cli)
    cli.bedrock.add_response(
        "get_custom_model_deployment", deployment_response("Active", model=model_arn(FP_B))
    )
    cli.bedrock.add_client_error("update_custom_model_deployment", "AccessDeniedException", "not allowed")
    assert main.main(["promote", "--pipeline", PIPELINE, "--fingerprint", FP_A[:12]]) == 4
    assert "AccessDeniedException" in capsys.readouterr().err
    assert cli.record()["phase"] == "REJECTED"


@pytest.mark.parametrize("fingerprint", ["", FP_A[:8]])
def test_rft_promote_refuses_an_empty_or_short_fingerprint(cli, capsys, fingerprint):
    _rejected(cli)
    assert main.main(["promote", "--pipeline", PIPELINE, "--fingerprint", fingerprint]) == 2
    assert "must be 12 to 64 hex digits" in capsys.readouterr().err
    assert cli.record()["phase"] == "REJECTED"
