"""The gate's temporary candidate deployment (Stubber for Bedrock) and the gate handler's dispatch:
the serving deployment is never touched by any gate step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lifecycle_fakes import DEPLOYMENT_ARN, FP_A, FP_B, PIPELINE, make_spec, model_arn

from rft_runtime.lifecycle import names, state
from rft_runtime.lifecycle.errors import InvalidRequest, SpecError, TransientAwsError
from rft_runtime.promotion import handlers
from rft_runtime.promotion.candidate import reconcile_candidate, remove_candidate
from rft_runtime.promotion.errors import EvaluationError

EXEC = "arn:aws:states:us-east-1:123456789012:execution:RftLifecycle:demo-aaaa-1"
JOB = {"status": "Completed", "modelArn": model_arn(), "jobName": "rft-demo-x"}
CANDIDATE = names.RunNames(PIPELINE, FP_A).candidate_deployment_name
CANDIDATE_ARN = DEPLOYMENT_ARN.replace("abcdefgh1234", "candidate123")
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def candidate_response(status="Active", model=None, **extra):
    return {
        "customModelDeploymentArn": CANDIDATE_ARN,
        "modelDeploymentName": CANDIDATE,
        "modelArn": model or model_arn(),
        "createdAt": T0,
        "status": status,
        **extra,
    }


def reconcile(aws, previous=None, at=T0):
    return reconcile_candidate(make_spec(), JOB, previous or {}, aws.clients.bedrock, EXEC, now=lambda: at)


def test_the_candidate_has_its_own_name_per_run_never_the_serving_one():
    assert f"rft-{PIPELINE}-candidate-{FP_A[:12]}" == CANDIDATE
    assert names.deployment_name(PIPELINE) != CANDIDATE
    assert names.RunNames("a" * 24, FP_B).candidate_deployment_name.startswith("rft-" + "a" * 24)


def test_the_candidate_is_created_then_polled_until_active(aws):
    aws.bedrock.add_client_error("get_custom_model_deployment", "ResourceNotFoundException", "none")
    aws.bedrock.add_response(
        "create_custom_model_deployment",
        {"customModelDeploymentArn": CANDIDATE_ARN},
        {
            "modelDeploymentName": CANDIDATE,
            "modelArn": model_arn(),
            "clientRequestToken": names.RunNames(PIPELINE, FP_A).deployment_request_token(
                f"{EXEC}|candidate", 1
            ),
            "description": f"bedrock-rft pipeline {PIPELINE}, candidate of run {FP_A[:12]}",
            "tags": [{"key": "team", "value": "ml"}],
        },
    )
    first = reconcile(aws)
    assert first["outcome"] == "Pending" and first["arn"] == CANDIDATE_ARN and first["nextPollSeconds"] == 30
    aws.bedrock.add_response("get_custom_model_deployment", candidate_response("Creating"))
    second = reconcile(aws, first, T0 + timedelta(seconds=30))
    assert second["outcome"] == "Pending" and second["nextPollSeconds"] == 60
    aws.bedrock.add_response("get_custom_model_deployment", candidate_response("Active"))
    assert reconcile(aws, second, T0 + timedelta(seconds=90))["outcome"] == "Active"
    aws.verify()


@pytest.mark.parametrize(
    "response, message",
    [
        (candidate_response("Failed", failureMessage="capacity"), "candidate deployment failed: capacity"),
        (candidate_response("Active", model=model_arn(FP_B)), "serves another model"),
    ],
)
def test_a_candidate_that_fails_is_reported_failed(aws, response, message):
    aws.bedrock.add_response("get_custom_model_deployment", response)
    out = reconcile(aws)
    assert out["outcome"] == "Failed" and message in out["failureMessage"]
    aws.verify()


def test_a_candidate_not_active_within_four_hours_fails(aws):
    out = reconcile(aws, {"attempt": 40, "startedAt": T0.isoformat()}, T0 + timedelta(hours=4, seconds=1))
    assert out["outcome"] == "Failed" and "within 4 hours" in out["failureMessage"]
    aws.verify()  # no call at all


def test_the_candidate_is_removed_and_a_busy_one_is_retried(aws):
    aws.bedrock.add_client_error("delete_custom_model_deployment", "ConflictException", "being created")
    with pytest.raises(TransientAwsError, match="busy"):
        remove_candidate(make_spec(), aws.clients.bedrock)
    aws.bedrock.add_response(
        "delete_custom_model_deployment", {}, {"customModelDeploymentIdentifier": CANDIDATE}
    )
    assert remove_candidate(make_spec(), aws.clients.bedrock) == {"removed": "deleted"}
    aws.bedrock.add_client_error("delete_custom_model_deployment", "ResourceNotFoundException", "gone")
    assert remove_candidate(make_spec(), aws.clients.bedrock) == {"removed": "gone"}
    aws.verify()


def test_the_gate_handler_dispatches_its_actions(aws):
    aws.put_record(
        phase=state.DEPLOYING, fingerprint=FP_A, executionArn=EXEC, servingModelArn=model_arn(FP_B)
    )
    event = {"spec": make_spec().to_dict(), "job": JOB, "executionArn": EXEC}
    aws.bedrock.add_response(
        "delete_custom_model_deployment", {}, {"customModelDeploymentIdentifier": CANDIDATE}
    )
    assert handlers.run_action({**event, "action": "remove_candidate"}, aws.clients, aws.settings) == {
        "removed": "deleted"
    }
    decision = {"decision": "reject", "location": "s3://b/runs/x/evaluation/", "prompts": 2, "delta": {}}
    record = handlers.run_action(
        {**event, "action": "publish_rejected", "decision": decision}, aws.clients, aws.settings
    )
    assert record["phase"] == "REJECTED" and record["servingModelArn"] == model_arn(FP_B)
    with pytest.raises(InvalidRequest, match="unknown gate action 'swap'"):
        handlers.run_action({**event, "action": "swap"}, aws.clients, aws.settings)
    aws.verify()


#: The base model is called through the inference profile of the Region (us-east-1), never under
#: the id RFT trains from (Converse refuses amazon.nova-2-lite-v1:0:256k).
BASE_MODEL = {
    "model": "us.amazon.nova-2-lite-v1:0",
    "kind": "base model",
    "baseModel": "amazon.nova-2-lite-v1:0:256k",
}


@pytest.mark.parametrize(
    "serving, expected",
    [
        ({"status": "Active"}, {"model": DEPLOYMENT_ARN, "kind": "serving deployment"}),
        ({"status": "Failed"}, BASE_MODEL),
        (None, BASE_MODEL),
    ],
)
def test_the_incumbent_is_the_serving_deployment_else_the_base_model(aws, serving, expected):
    name = names.deployment_name(PIPELINE)
    if serving is None:
        aws.bedrock.add_client_error("get_custom_model_deployment", "ResourceNotFoundException", "", 404)
    else:
        response = {**candidate_response(model=model_arn(FP_B)), "customModelDeploymentArn": DEPLOYMENT_ARN,
                    "modelDeploymentName": name, **serving}  # fmt: skip
        aws.bedrock.add_response(
            "get_custom_model_deployment", response, {"customModelDeploymentIdentifier": name}
        )
    event = {"action": "find_incumbent", "spec": make_spec().to_dict(), "executionArn": EXEC}
    assert handlers.run_action(event, aws.clients, aws.settings) == expected
    aws.verify()


@pytest.mark.parametrize("status", ["Creating", "Failed"])
def test_an_idle_serving_deployment_of_a_pipeline_that_serves_is_an_evaluation_error(aws, status):
    # the record says a model serves: measuring against the base model would pass a worse candidate
    aws.put_record(phase=state.ACTIVE, fingerprint=FP_B, servingModelArn=model_arn(FP_B))
    name = names.deployment_name(PIPELINE)
    response = {**candidate_response(status, model=model_arn(FP_B)),
                "customModelDeploymentArn": DEPLOYMENT_ARN, "modelDeploymentName": name}  # fmt: skip
    for _ in range(2):  # what serves, then why it does not
        aws.bedrock.add_response(
            "get_custom_model_deployment", response, {"customModelDeploymentIdentifier": name}
        )
    event = {"action": "find_incumbent", "spec": make_spec().to_dict(), "executionArn": EXEC}
    with pytest.raises(EvaluationError, match=rf"serves {model_arn(FP_B)} .* {name} is {status}: the gate"):
        handlers.run_action(event, aws.clients, aws.settings)
    aws.verify()


def test_a_pipeline_whose_serving_deployment_was_deleted_is_measured_against_the_base_model(aws):
    # the gate's run owns the record (it trained); the record still names what served before
    aws.put_record(phase=state.TRAINING, fingerprint=FP_A, executionArn=EXEC, servingModelArn=model_arn(FP_B))
    for _ in range(2):
        aws.bedrock.add_client_error("get_custom_model_deployment", "ResourceNotFoundException", "", 404)
    event = {"action": "find_incumbent", "spec": make_spec().to_dict(), "executionArn": EXEC}
    assert handlers.run_action(event, aws.clients, aws.settings)["kind"] == "base model"
    aws.verify()


GATE = {
    "gate": True,
    "minImprovement": 0.0,
    "samplesPerPrompt": 1,
    "maxPrompts": None,
    "validationKey": "datasets/val.jsonl",
    "resultPrefix": f"runs/{FP_A}/evaluation/map/",
    "rewardFunction": "arn:aws:lambda:us-east-1:123456789012:function:reward:3",
    "maxTokens": 2048,
    "reasoningEffort": "medium",
}


def test_the_spec_carries_the_gate_settings_and_round_trips():
    spec = make_spec(evaluation=GATE)
    assert spec.gate and spec.to_dict()["evaluation"] == GATE
    assert not make_spec().gate and make_spec().to_dict()["evaluation"] == {"gate": False}


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"gate": "yes"}, "evaluation must be an object with a boolean gate"),
        ({"minImprovement": 2}, "evaluation.minImprovement must be a number in [-1, 1]"),
        ({"samplesPerPrompt": 9}, "evaluation.samplesPerPrompt must be an integer in [1, 8]"),
        ({"samplesPerPrompt": True}, "evaluation.samplesPerPrompt must be an integer in [1, 8]"),
        ({"maxPrompts": 0}, "evaluation.maxPrompts must be a positive integer or null"),
        ({"validationKey": ""}, "evaluation.validationKey must be a non-empty string"),
        ({"rewardFunction": None}, "evaluation.rewardFunction must be a non-empty string"),
        ({"maxTokens": "2048"}, "evaluation.maxTokens must be a positive integer"),
    ],
)
def test_the_spec_refuses_bad_gate_settings(change, problem):
    with pytest.raises(SpecError) as caught:
        make_spec(evaluation={**GATE, **change})
    assert problem in str(caught.value)
