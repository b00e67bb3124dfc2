"""Phase ``EVALUATING``: the gate steps publish what the gate does (record and event, no SNS), only
for the run that owns the record; a superseded run writes nothing, creates no candidate and stops."""

from __future__ import annotations

import json

import pytest
from lifecycle_fakes import (
    DEPLOYMENT_ARN,
    FP_A,
    FP_B,
    PIPELINE,
    deployment_response,
    expect_candidate_delete,
    job_arn,
    make_spec,
    model_arn,
)

from rft_runtime.lifecycle import execution_end, names, state
from rft_runtime.lifecycle.errors import Superseded
from rft_runtime.promotion import handlers, progress

EXEC = "arn:aws:states:us-east-1:123456789012:execution:RftLifecycle:demo-aaaa-1"
GATE = {
    "gate": True,
    "minImprovement": 0.0,
    "samplesPerPrompt": 2,
    "maxPrompts": 200,
    "validationKey": "datasets/val.jsonl",
    "resultPrefix": f"runs/{FP_A}/evaluation/map/",
    "rewardFunction": "arn:aws:lambda:us-east-1:123456789012:function:reward:3",
    "maxTokens": 2048,
    "reasoningEffort": "medium",
}
SPEC = make_spec(evaluation=GATE)
JOB = {"status": "Completed", "jobName": SPEC.names.job_name, "jobArn": job_arn(), "modelArn": model_arn()}
CANDIDATE = SPEC.names.candidate_deployment_name
OLD_MODEL = model_arn(FP_B)


def _training(aws, fingerprint: str = FP_A) -> None:
    """The record as the run's training left it: the old model still serves."""
    aws.put_record(phase=state.TRAINING, step="training", jobStatus="InProgress", fingerprint=fingerprint,
                   executionArn=EXEC, jobName=SPEC.names.job_name, jobArn=job_arn(fingerprint),
                   startedAt="2026-05-01T08:00:00+00:00", deploymentName=names.deployment_name(PIPELINE),
                   deploymentArn=DEPLOYMENT_ARN, servingModelArn=OLD_MODEL)  # fmt: skip


def _action(aws, action: str, **fields) -> dict:
    event = {"action": action, "spec": SPEC.to_dict(), "executionArn": EXEC, **fields}
    return handlers.run_action(event, aws.clients, aws.settings)


def test_the_first_candidate_check_makes_the_run_evaluating_with_the_jobs_fields(aws):
    _training(aws)
    aws.bedrock.add_client_error("get_custom_model_deployment", "ResourceNotFoundException", "", 404)
    aws.bedrock.add_response("create_custom_model_deployment", {"customModelDeploymentArn": "arn:c"})
    polled = _action(aws, "reconcile_candidate", job=JOB, candidate={})
    record = aws.record()
    assert (record["phase"], record["step"]) == (
        state.EVALUATING,
        f"creating the candidate deployment {CANDIDATE}",
    )
    assert (record["jobStatus"], record["modelArn"], record["startedAt"]) == (
        "Completed", model_arn(), "2026-05-01T08:00:00+00:00")  # fmt: skip
    # the pipeline's deployment is untouched: the old model serves throughout the gate
    assert (record["deploymentArn"], record["servingModelArn"]) == (DEPLOYMENT_ARN, OLD_MODEL)
    assert "endedAt" not in record
    (event,) = aws.events
    assert json.loads(event["Detail"])["phase"] == state.EVALUATING and EXEC in event["Resources"]
    assert aws.notifications == []  # no outcome: no e-mail
    # later checks of the same candidate publish nothing new
    aws.bedrock.add_response("get_custom_model_deployment", {**deployment_response("Creating", model_arn()),
                                                             "modelDeploymentName": CANDIDATE})  # fmt: skip
    assert _action(aws, "reconcile_candidate", job=JOB, candidate=polled)["outcome"] == "Pending"
    assert len(aws.events) == 1
    aws.verify()


@pytest.mark.parametrize(
    "serving, against",
    [
        ("Active", f"the serving deployment {DEPLOYMENT_ARN}"),
        (None, "the base model amazon.nova-2-lite-v1:0:256k (through us.amazon.nova-2-lite-v1:0)"),
    ],
)
def test_the_incumbent_step_says_how_much_is_evaluated_and_against_what(aws, serving, against):
    _training(aws)
    if serving:
        aws.bedrock.add_response("get_custom_model_deployment", deployment_response(serving, OLD_MODEL))
    else:
        for _ in range(2):  # what serves; then: does a deployment exist without serving?
            aws.bedrock.add_client_error("get_custom_model_deployment", "ResourceNotFoundException", "", 404)
    _action(aws, "find_incumbent")
    aws.verify()
    step = f"evaluating up to 200 validation prompts x 2 samples against {against}"
    assert (aws.record()["phase"], aws.record()["step"]) == (state.EVALUATING, step)
    assert json.loads(aws.events[-1]["Detail"])["step"] == step


def test_the_steps_name_every_prompt_and_one_sample_without_a_limit():
    spec = make_spec(evaluation={**GATE, "maxPrompts": None, "samplesPerPrompt": 1})
    incumbent = {"model": DEPLOYMENT_ARN, "kind": "serving deployment"}
    assert progress.evaluating_step(spec, incumbent) == (
        f"evaluating every validation prompt x 1 sample against the serving deployment {DEPLOYMENT_ARN}"
    )


def test_summarising_says_the_gate_is_deciding(aws):
    _training(aws)
    evaluation = {"bucket": "b", "fingerprint": FP_A, "candidateModel": "c", "incumbent": {"model": "i"}}
    decision = _action(aws, "summarise", evaluation=evaluation)
    assert decision["decision"] == "error"  # no Map results here: never a promotion
    assert (aws.record()["phase"], aws.record()["step"]) == (state.EVALUATING, progress.DECIDING)


@pytest.mark.parametrize(
    "action, fields",
    [
        ("reconcile_candidate", {"job": JOB, "candidate": {}}),
        ("find_incumbent", {}),
        ("summarise", {"evaluation": {"bucket": "b", "fingerprint": FP_A}}),
    ],
)
def test_a_superseded_run_writes_nothing_and_stops_its_gate(aws, action, fields):
    _training(aws, fingerprint=FP_B)  # a newer deploy owns the record
    before = aws.record()
    if action == "find_incumbent":
        aws.bedrock.add_response("get_custom_model_deployment", deployment_response("Active", OLD_MODEL))
    with pytest.raises(Superseded, match="superseded"):
        _action(aws, action, **fields)
    aws.verify()  # no candidate created (the stubber would have refused CreateCustomModelDeployment)
    assert aws.record() == before and aws.events == []


def test_a_record_taken_over_between_read_and_write_is_not_overwritten(aws, monkeypatch):
    _training(aws)
    read = state.read

    def newer_run_writes_meanwhile(ssm, parameter):
        current = read(ssm, parameter)
        _training(aws, fingerprint=FP_B)
        return current

    monkeypatch.setattr(state, "read", newer_run_writes_meanwhile)
    with pytest.raises(Superseded):
        progress.publish_evaluating(SPEC, progress.DECIDING, aws.clients, aws.settings, EXEC)
    monkeypatch.undo()
    assert aws.record()["fingerprint"] == FP_B and aws.events == []


def test_a_promoting_run_that_ends_in_its_gate_is_published_failed_with_what_it_did(aws):
    spec = make_spec(promoteFrom={"pipeline": "demo-dev", "account": "123456789012", "region": "us-east-1"})
    execution = names.execution_arn("arn:aws:states:us-east-1:123456789012:stateMachine:m",
                                    spec.names.execution_name("request-1"))  # fmt: skip
    step = f"creating the candidate deployment {CANDIDATE}"
    aws.put_record(phase=state.EVALUATING, step=step, fingerprint=FP_A, executionArn=execution,
                   modelArn=model_arn(), adoptedFrom={"pipeline": "demo-dev"})  # fmt: skip
    # the run has no job of its own (looked up by name, absent)
    aws.bedrock.add_client_error("get_model_customization_job", "ResourceNotFoundException", "", 404)
    expect_candidate_delete(aws, CANDIDATE)
    event = {"source": "aws.states", "detail": {"executionArn": execution, "status": "ABORTED"}}
    result = execution_end.on_execution_end(event, aws.clients, aws.settings)
    aws.verify()
    record = aws.record()
    assert (result["candidate"], record["phase"]) == ("deleted", state.FAILED)
    assert record["failure"]["message"] == f"the workflow execution ended ABORTED {step}"
    assert "step" not in record
