"""A run that ends without finishing (time-out, abort, failure) leaves no job training: the
execution-status event stops the job recorded for that very execution, never an adopted one, and
removes the candidate deployment of that execution's run (unless a live run of the same inputs
may still be evaluating it)."""

from __future__ import annotations

import pytest
from lifecycle_fakes import FP_A, FP_B, PIPELINE, expect_candidate_delete, job_arn, job_response, make_spec

from rft_runtime.lifecycle import execution_end, handlers, names, state
from rft_runtime.lifecycle.errors import TransientAwsError

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:bedrock-rft-demo"
EXEC = names.execution_arn(MACHINE, names.RunNames(PIPELINE, FP_A).execution_name("request-1"))
OTHER = names.execution_arn(MACHINE, names.RunNames(PIPELINE, FP_A).execution_name("request-2"))
CANDIDATE = names.RunNames(PIPELINE, FP_A).candidate_deployment_name
NO_CANDIDATE = "ResourceNotFoundException"  # the run never reached its gate


def ended(status: str, execution: str = EXEC) -> dict:
    return {"source": "aws.states", "detail-type": "Step Functions Execution Status Change",
            "detail": {"executionArn": execution, "status": status}}  # fmt: skip


def training_record(aws, execution: str = EXEC) -> None:
    spec = make_spec()
    aws.put_record(phase=state.TRAINING, fingerprint=spec.fingerprint, executionArn=execution,
                   jobName=spec.names.job_name, jobArn=job_arn())  # fmt: skip


@pytest.mark.parametrize("status", ["TIMED_OUT", "ABORTED", "FAILED"])
def test_the_job_of_a_run_that_ended_unfinished_is_stopped_and_published(aws, status):
    training_record(aws)
    aws.bedrock.add_response(
        "get_model_customization_job", job_response("InProgress"), {"jobIdentifier": job_arn()}
    )
    aws.bedrock.add_response("stop_model_customization_job", {}, {"jobIdentifier": job_arn()})
    expect_candidate_delete(aws, CANDIDATE, NO_CANDIDATE)
    result = execution_end.on_execution_end(ended(status), aws.clients, aws.settings)
    aws.verify()
    record = aws.record()
    assert result["stopped"] and record["phase"] == state.STOPPED
    assert f"ended {status}" in record["failure"]["message"] and "stopped" in record["failure"]["message"]
    assert aws.notifications[-1]["Subject"] == "[bedrock-rft] demo: STOPPED"


def test_a_job_another_execution_adopted_is_never_stopped(aws):
    training_record(aws, execution=OTHER)  # a newer execution of the same inputs owns the job now
    result = execution_end.on_execution_end(ended("ABORTED"), aws.clients, aws.settings)
    aws.verify()  # no Bedrock call at all: not even the candidate, which the live run may evaluate
    assert not result["stopped"] and aws.record()["phase"] == state.TRAINING and aws.events == []
    assert result["candidate"] == "left"


def test_a_candidate_of_the_same_inputs_is_removed_once_the_newer_run_has_ended(aws):
    training_record(aws, execution=OTHER)
    aws.put_record(phase=state.REJECTED)
    expect_candidate_delete(aws, CANDIDATE)
    assert (
        execution_end.on_execution_end(ended("ABORTED"), aws.clients, aws.settings)["candidate"] == "deleted"
    )
    aws.verify()


def test_a_superseded_run_of_other_inputs_loses_its_candidate_not_the_newer_run_s(aws):
    newer = names.execution_arn(MACHINE, names.RunNames(PIPELINE, FP_B).execution_name("request-3"))
    aws.put_record(phase=state.TRAINING, fingerprint=FP_B, executionArn=newer)
    expect_candidate_delete(aws, CANDIDATE)
    assert (
        execution_end.on_execution_end(ended("ABORTED"), aws.clients, aws.settings)["candidate"] == "deleted"
    )
    aws.verify()


def test_a_candidate_still_being_created_is_retried_after_the_run_is_published(aws):
    training_record(aws)
    aws.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    expect_candidate_delete(aws, CANDIDATE, "ConflictException")
    with pytest.raises(TransientAwsError, match=CANDIDATE):
        execution_end.on_execution_end(ended("ABORTED"), aws.clients, aws.settings)
    aws.verify()
    assert aws.record()["phase"] == state.FAILED  # published before the retry is asked for
    # Lambda's retry: the run is already published, the candidate is now deletable
    aws.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    expect_candidate_delete(aws, CANDIDATE)
    assert (
        execution_end.on_execution_end(ended("ABORTED"), aws.clients, aws.settings)["candidate"] == "deleted"
    )
    aws.verify()


def test_an_execution_started_by_hand_under_another_name_has_no_candidate_to_guess(aws):
    by_hand = names.execution_arn(MACHINE, "my-retry")
    aws.put_record(phase=state.TRAINING, fingerprint=FP_B, executionArn=OTHER)
    result = execution_end.on_execution_end(ended("ABORTED", by_hand), aws.clients, aws.settings)
    aws.verify()  # no Bedrock call
    assert result["candidate"] == "none"


def test_a_failure_already_published_only_makes_sure_the_job_is_stopped(aws):
    spec = make_spec()
    aws.put_record(phase=state.FAILED, fingerprint=spec.fingerprint, executionArn=EXEC, jobArn=job_arn(),
                   failure={"phase": "training", "error": "TransientAwsError", "message": "x"})  # fmt: skip
    aws.bedrock.add_response("get_model_customization_job", job_response("Stopped"))
    expect_candidate_delete(aws, CANDIDATE, NO_CANDIDATE)
    result = execution_end.on_execution_end(ended("FAILED"), aws.clients, aws.settings)
    aws.verify()  # the job had stopped: no stop request
    assert not result["stopped"] and aws.record()["failure"]["error"] == "TransientAwsError"


def test_a_finished_job_is_left_alone_and_the_run_published_failed(aws):
    training_record(aws)
    aws.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    expect_candidate_delete(aws, CANDIDATE, NO_CANDIDATE)
    result = execution_end.on_execution_end(ended("TIMED_OUT"), aws.clients, aws.settings)
    aws.verify()
    assert not result["stopped"] and aws.record()["phase"] == state.FAILED


def test_succeeded_executions_and_runs_without_a_job_do_nothing(aws):
    assert not execution_end.on_execution_end(ended("SUCCEEDED"), aws.clients, aws.settings)["stopped"]
    spec = make_spec()
    aws.put_record(phase=state.STARTING, fingerprint=spec.fingerprint, executionArn=EXEC)
    aws.bedrock.add_client_error(
        "get_model_customization_job", "ResourceNotFoundException", "", 404,
        expected_params={"jobIdentifier": spec.names.job_name},
    )  # fmt: skip
    expect_candidate_delete(aws, CANDIDATE, NO_CANDIDATE)
    assert execution_end.on_execution_end(ended("ABORTED"), aws.clients, aws.settings)["reason"] == (
        "the execution started no job"
    )
    aws.verify()
    assert aws.record()["phase"] == state.STARTING


def test_a_job_created_but_not_yet_recorded_is_found_by_its_name_and_stopped(aws):
    spec = make_spec()
    aws.put_record(phase=state.STARTING, fingerprint=spec.fingerprint, executionArn=EXEC)
    aws.bedrock.add_response(
        "get_model_customization_job", job_response("InProgress"), {"jobIdentifier": spec.names.job_name}
    )
    aws.bedrock.add_response("stop_model_customization_job", {}, {"jobIdentifier": spec.names.job_name})
    expect_candidate_delete(aws, CANDIDATE, NO_CANDIDATE)
    assert execution_end.on_execution_end(ended("ABORTED"), aws.clients, aws.settings)["stopped"]
    aws.verify()
    assert aws.record()["phase"] == state.STOPPED


def test_the_job_event_function_routes_execution_events_here(aws, monkeypatch):
    training_record(aws)
    monkeypatch.setattr(handlers, "_clients", lambda: aws.clients)
    monkeypatch.setattr(handlers, "_settings", lambda: aws.settings)
    aws.bedrock.add_response("get_model_customization_job", job_response("InProgress"))
    aws.bedrock.add_response("stop_model_customization_job", {})
    expect_candidate_delete(aws, CANDIDATE, NO_CANDIDATE)
    assert handlers.job_event_handler(ended("TIMED_OUT"), None)["stopped"]
    aws.verify()
