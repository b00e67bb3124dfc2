"""A run that ends without finishing (time-out, abort, failure) leaves no job training: the
execution-status event stops the job recorded for that very execution, never an adopted one."""

from __future__ import annotations

import pytest
from lifecycle_fakes import job_arn, job_response, make_spec

from rft_runtime.lifecycle import execution_end, handlers, state

EXEC = "arn:aws:states:us-east-1:123456789012:execution:bedrock-rft-demo:demo-aaaa-1"
OTHER = "arn:aws:states:us-east-1:123456789012:execution:bedrock-rft-demo:demo-aaaa-2"


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
    result = execution_end.on_execution_end(ended(status), aws.clients, aws.settings)
    aws.verify()
    record = aws.record()
    assert result["stopped"] and record["phase"] == state.STOPPED
    assert f"ended {status}" in record["failure"]["message"] and "stopped" in record["failure"]["message"]
    assert aws.notifications[-1]["Subject"] == "[bedrock-rft] demo: STOPPED"


def test_a_job_another_execution_adopted_is_never_stopped(aws):
    training_record(aws, execution=OTHER)  # a newer execution of the same inputs owns the job now
    result = execution_end.on_execution_end(ended("ABORTED"), aws.clients, aws.settings)
    aws.verify()  # no Bedrock call at all
    assert not result["stopped"] and aws.record()["phase"] == state.TRAINING and aws.events == []


def test_a_failure_already_published_only_makes_sure_the_job_is_stopped(aws):
    spec = make_spec()
    aws.put_record(phase=state.FAILED, fingerprint=spec.fingerprint, executionArn=EXEC, jobArn=job_arn(),
                   failure={"phase": "training", "error": "TransientAwsError", "message": "x"})  # fmt: skip
    aws.bedrock.add_response("get_model_customization_job", job_response("Stopped"))
    result = execution_end.on_execution_end(ended("FAILED"), aws.clients, aws.settings)
    aws.verify()  # the job had stopped: no stop request
    assert not result["stopped"] and aws.record()["failure"]["error"] == "TransientAwsError"


def test_a_finished_job_is_left_alone_and_the_run_published_failed(aws):
    training_record(aws)
    aws.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    result = execution_end.on_execution_end(ended("TIMED_OUT"), aws.clients, aws.settings)
    aws.verify()
    assert not result["stopped"] and aws.record()["phase"] == state.FAILED


def test_succeeded_executions_and_runs_without_a_job_do_nothing(aws):
    assert not execution_end.on_execution_end(ended("SUCCEEDED"), aws.clients, aws.settings)["stopped"]
    spec = make_spec()
    aws.put_record(phase=state.PREFLIGHT, fingerprint=spec.fingerprint, executionArn=EXEC)
    aws.bedrock.add_client_error(
        "get_model_customization_job", "ResourceNotFoundException", "", 404,
        expected_params={"jobIdentifier": spec.names.job_name},
    )  # fmt: skip
    assert execution_end.on_execution_end(ended("ABORTED"), aws.clients, aws.settings)["reason"] == (
        "the execution started no job"
    )
    aws.verify()
    assert aws.record()["phase"] == state.PREFLIGHT


def test_a_job_created_but_not_yet_recorded_is_found_by_its_name_and_stopped(aws):
    spec = make_spec()
    aws.put_record(phase=state.PREFLIGHT, fingerprint=spec.fingerprint, executionArn=EXEC)
    aws.bedrock.add_response(
        "get_model_customization_job", job_response("InProgress"), {"jobIdentifier": spec.names.job_name}
    )
    aws.bedrock.add_response("stop_model_customization_job", {}, {"jobIdentifier": spec.names.job_name})
    assert execution_end.on_execution_end(ended("ABORTED"), aws.clients, aws.settings)["stopped"]
    aws.verify()
    assert aws.record()["phase"] == state.STOPPED


def test_the_job_event_function_routes_execution_events_here(aws, monkeypatch):
    training_record(aws)
    monkeypatch.setattr(handlers, "_clients", lambda: aws.clients)
    monkeypatch.setattr(handlers, "_settings", lambda: aws.settings)
    aws.bedrock.add_response("get_model_customization_job", job_response("InProgress"))
    aws.bedrock.add_response("stop_model_customization_job", {})
    assert handlers.job_event_handler(ended("TIMED_OUT"), None)["stopped"]
    aws.verify()
