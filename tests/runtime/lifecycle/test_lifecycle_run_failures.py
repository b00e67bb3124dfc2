"""How a run fails: best-effort token parking, failure publishing (ownership, a success already
recorded, a job left training) and the start time every run records for ownership."""

from __future__ import annotations

import logging

import pytest
from aws_faults import fail_calls
from lifecycle_fakes import DEPLOYMENT_ARN, FP_A, FP_B, job_arn, job_response, make_spec, model_arn

from rft_runtime.lifecycle import state, steps

EXEC = "arn:aws:states:us-east-1:123456789012:execution:RftLifecycle:demo-aaaa"
MY_START = "2026-05-01T08:00:00.250Z"  # $$.Execution.StartTime of EXEC
MY_START_TEXT = "2026-05-01T08:00:00.250+00:00"
STOPPED_NOTE = "was stopped so it does not train unwatched; change retrain_nonce to train again"


# --- await_job_event: parking is an optimisation ------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status", "failures"),
    [("ThrottlingException", 400, 5), ("AccessDeniedException", 400, 1), ("InternalServerError", 500, 5)],
    ids=["throttled-after-retries", "access-denied", "5xx-after-retries"],
)
def test_a_token_that_cannot_be_parked_does_not_fail_the_run(aws, caplog, code, status, failures):
    failed = fail_calls(aws.clients.ssm, "PutParameter", code, status=status, times=5)
    job = {"jobName": "rft-demo-x", "jobArn": job_arn()}
    with caplog.at_level(logging.WARNING, logger="rft_runtime.lifecycle.training_job"):
        result = steps.await_job_event(job, "token-123", aws.clients, aws.settings)
    assert result["parked"] is False and len(failed) == failures
    assert code in result["reason"]
    assert "task token not parked" in caplog.text
    parked = aws.clients.ssm.get_parameter(Name=aws.settings.wait_parameter)["Parameter"]["Value"]
    assert parked == "{}"  # nothing was written


def test_too_many_updates_on_the_wait_parameter_is_retried(aws):
    failed = fail_calls(aws.clients.ssm, "PutParameter", "TooManyUpdates", times=1)
    result = steps.await_job_event({"jobName": "j"}, "token-1", aws.clients, aws.settings)
    assert result == {"parked": True} and len(failed) == 1 and len(aws.sleeps) == 1


# --- publish_failure: ownership -----------------------------------------------------------------


def _failure_event(fp: str = FP_A, start: str = MY_START, **run) -> dict:
    return {
        "action": "publish_failure",
        "spec": make_spec(fp).to_dict(),
        "executionArn": EXEC,
        "executionStartTime": start,
        "preflight": {},
        "job": {},
        "deployment": {},
        "error": {"Error": "PreflightFailed", "Cause": "s3://b/train.jsonl does not exist"},
        **run,
    }


def test_a_preflight_failure_takes_over_a_record_the_launcher_could_not_write(aws):
    """The launcher's STARTING write was lost and the run fails before start_job: its failure must
    still be published, or ``rft wait`` reports the older run's outcome."""
    aws.put_record(
        phase=state.ACTIVE,
        fingerprint=FP_B,
        startedAt="2026-04-30T08:00:00+00:00",
        deploymentArn=DEPLOYMENT_ARN,
        servingModelArn=model_arn(FP_B),
    )
    result = steps.run_action(_failure_event(), aws.clients, aws.settings)
    assert result["published"] is True
    record = aws.record()
    assert (record["fingerprint"], record["phase"], record["executionArn"]) == (FP_A, state.FAILED, EXEC)
    assert record["startedAt"] == MY_START_TEXT and record["failure"]["phase"] == "preflight"
    assert record["servingModelArn"] == model_arn(FP_B)  # the previous model keeps serving
    assert aws.notifications and "FAILED" in aws.notifications[-1]["Subject"]


@pytest.mark.parametrize(
    "owner_started", ["2026-05-01T09:00:00+00:00", MY_START_TEXT, None], ids=["newer", "same", "unordered"]
)
def test_a_failure_never_overwrites_a_newer_or_unordered_owner(aws, owner_started):
    fields = {"startedAt": owner_started} if owner_started else {}
    aws.put_record(phase=state.STARTING, fingerprint=FP_B, **fields)
    result = steps.run_action(_failure_event(), aws.clients, aws.settings)
    assert result["published"] is False and result["message"].startswith("preflight: ")
    assert aws.record()["fingerprint"] == FP_B and aws.events == [] and aws.notifications == []


def test_a_failure_on_a_fresh_pipeline_records_when_the_run_started(aws):
    steps.run_action(_failure_event(), aws.clients, aws.settings)
    record = aws.record()
    assert record["phase"] == state.FAILED and record["startedAt"] == MY_START_TEXT


# --- publish_failure: a success already recorded ------------------------------------------------


def _published_success_then_failed(aws, execution: str) -> dict:
    aws.put_record(
        phase=state.ACTIVE,
        fingerprint=FP_A,
        executionArn=execution,
        deploymentArn=DEPLOYMENT_ARN,
        servingModelArn=model_arn(),
    )
    run = {
        "job": {"jobArn": job_arn(), "jobName": "j", "status": "Completed", "modelArn": model_arn()},
        "deployment": {"attempt": 3, "arn": DEPLOYMENT_ARN, "outcome": "Active"},
        "error": {"Error": "PublishFailed", "Cause": "SNS: topic gone"},
    }
    return steps.publish_failure(make_spec(), run, aws.clients, aws.settings, EXEC, MY_START)


def test_a_success_this_execution_recorded_is_never_downgraded(aws):
    """publish_success wrote ACTIVE to SSM, then SNS failed after every retry."""
    result = _published_success_then_failed(aws, EXEC)
    assert result["published"] is False and result["error"] == "PublishFailed"
    assert "SNS: topic gone" in result["message"]  # the execution still fails visibly
    assert aws.record()["phase"] == state.ACTIVE and aws.events == [] and aws.notifications == []


def test_a_success_of_an_earlier_execution_of_the_same_inputs_is_replaced_by_the_failure(aws):
    result = _published_success_then_failed(aws, EXEC + "-earlier")
    assert result["published"] is True and aws.record()["phase"] == state.FAILED


# --- publish_failure: a job left training -------------------------------------------------------

POLLING_FAILED = {"Error": "TransientAwsError", "Cause": "get_model_customization_job still failing"}


def _training_run(error: dict = POLLING_FAILED) -> dict:
    job = {"jobArn": job_arn(), "jobName": "rft-demo-aaaa", "status": "InProgress", "checks": 40}
    return {"preflight": {"objects": []}, "job": job, "deployment": {}, "error": error}


def _fail(aws, run: dict) -> dict:
    aws.put_record(phase=state.TRAINING, fingerprint=FP_A, executionArn=EXEC, startedAt=MY_START_TEXT)
    return steps.publish_failure(make_spec(), run, aws.clients, aws.settings, EXEC, MY_START)


def test_a_run_failing_while_its_job_trains_stops_the_job(aws):
    aws.bedrock.add_response("stop_model_customization_job", {}, {"jobIdentifier": job_arn()})
    result = _fail(aws, _training_run())
    aws.verify()
    assert f"job rft-demo-aaaa {STOPPED_NOTE}" in result["message"] and result["published"] is True
    assert STOPPED_NOTE in aws.record()["failure"]["message"]


def test_a_retried_failure_step_finds_the_job_already_stopping(aws):
    aws.bedrock.add_client_error("stop_model_customization_job", "ValidationException", "not running", 400)
    aws.bedrock.add_response("get_model_customization_job", job_response("Stopping"))
    result = _fail(aws, _training_run())
    aws.verify()
    assert STOPPED_NOTE in result["message"]


def test_a_job_that_completed_meanwhile_is_not_reported_stopped(aws):
    aws.bedrock.add_client_error("stop_model_customization_job", "ValidationException", "not running", 400)
    aws.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    result = _fail(aws, _training_run())
    aws.verify()
    assert result["message"] == "training: get_model_customization_job still failing"


def test_a_job_that_cannot_be_stopped_is_reported_and_the_failure_still_published(aws):
    aws.bedrock.add_client_error("stop_model_customization_job", "AccessDeniedException", "no stop", 403)
    result = _fail(aws, _training_run())
    aws.verify()
    assert result["published"] is True and "could not be stopped" in result["message"]
    assert f"--job-identifier {job_arn()}" in aws.record()["failure"]["message"]


@pytest.mark.parametrize("error_name", ["JobFailed", "JobStopped", "Superseded"])
def test_job_outcomes_and_superseded_runs_never_stop_the_job(aws, error_name):
    result = _fail(aws, _training_run({"Error": error_name, "Cause": "why"}))
    aws.verify()  # no Bedrock response queued: a stop call would have reached the stub
    assert "stopped so it does not" not in result["message"]
    assert "could not be stopped" not in result["message"]


def test_a_run_overtaken_while_its_job_trains_stops_the_job_and_leaves_the_record(aws):
    """A newer run owns the record; this run's polling failed: nobody would watch its job."""
    aws.put_record(phase=state.STARTING, fingerprint=FP_B, startedAt="2026-05-01T09:00:00+00:00")
    aws.bedrock.add_response("stop_model_customization_job", {}, {"jobIdentifier": job_arn()})
    result = steps.publish_failure(make_spec(), _training_run(), aws.clients, aws.settings, EXEC, MY_START)
    aws.verify()
    assert result["published"] is False and STOPPED_NOTE in result["message"]
    assert aws.record()["fingerprint"] == FP_B


def test_a_job_adopted_by_a_newer_execution_of_the_same_inputs_is_left_alone(aws):
    aws.put_record(phase=state.TRAINING, fingerprint=FP_A, executionArn=EXEC + "-relaunched")
    result = steps.publish_failure(make_spec(), _training_run(), aws.clients, aws.settings, EXEC, MY_START)
    aws.verify()  # no Bedrock response queued: a stop would have reached the stub and been reported
    assert "stopped" not in result["message"]


def test_a_job_is_stopped_even_when_the_state_record_cannot_be_read(aws, monkeypatch):
    from rft_runtime.lifecycle.errors import PublishFailed

    def unreadable(*_args, **_kwargs):
        raise PublishFailed("cannot read /bedrock-rft/demo/state: InternalServerError")

    monkeypatch.setattr(state, "read", unreadable)
    aws.bedrock.add_response("stop_model_customization_job", {}, {"jobIdentifier": job_arn()})
    with pytest.raises(PublishFailed):
        steps.publish_failure(make_spec(), _training_run(), aws.clients, aws.settings, EXEC, MY_START)
    aws.verify()


# --- start_job records the run's start ----------------------------------------------------------


def _start(aws) -> dict:
    aws.bedrock.add_response("get_model_customization_job", job_response("InProgress"))
    result = steps.start_job(make_spec(), aws.clients, aws.settings, EXEC, MY_START)
    aws.verify()
    return result


def test_start_job_records_the_start_when_the_launcher_write_was_lost(aws):
    """The record is still NOT_STARTED: owned by nobody, so no takeover, but the start time must be
    recorded or a later run cannot order itself against this one."""
    _start(aws)
    record = aws.record()
    assert record["fingerprint"] == FP_A and record["startedAt"] == MY_START_TEXT


def test_start_job_keeps_the_start_the_launcher_recorded(aws):
    launcher_start = "2026-05-01T08:00:00Z"
    aws.put_record(phase=state.STARTING, fingerprint=FP_A, executionArn=EXEC, startedAt=launcher_start)
    _start(aws)
    assert aws.record()["startedAt"] == launcher_start


def test_a_record_of_an_earlier_execution_of_the_same_inputs_gets_this_runs_start(aws):
    aws.put_record(
        phase=state.ACTIVE, fingerprint=FP_A, executionArn=EXEC + "-earlier", startedAt="2026-04-01T08:00:00Z"
    )
    _start(aws)
    assert aws.record()["startedAt"] == MY_START_TEXT


def test_start_of_run_only_fills_a_missing_start_of_this_execution():
    assert state.start_of_run(None, EXEC, MY_START) == MY_START_TEXT
    assert state.start_of_run({"executionArn": EXEC, "startedAt": "x"}, EXEC, MY_START) is None
    assert state.start_of_run({"executionArn": EXEC}, EXEC, MY_START) == MY_START_TEXT
    assert state.start_of_run({}, EXEC, "") is None
    assert state.start_of_run({"executionArn": "other", "startedAt": "x"}, EXEC, MY_START) == MY_START_TEXT


def test_a_job_the_run_created_but_never_recorded_is_found_by_name_and_stopped(aws):
    """StartJob created the job, then kept failing to publish: $.job is empty, the job trains."""
    spec = make_spec()
    run = {**_training_run({"Error": "PublishFailed", "Cause": "SSM: throttled"}), "job": {}}
    aws.bedrock.add_response(
        "get_model_customization_job", job_response("InProgress"), {"jobIdentifier": spec.names.job_name}
    )
    aws.bedrock.add_response("stop_model_customization_job", {})
    result = _fail(aws, run)
    aws.verify()
    assert STOPPED_NOTE in result["message"] and aws.record()["jobArn"]


def test_a_run_that_failed_in_preflight_looks_for_no_job(aws):
    run = {"preflight": {}, "job": {}, "deployment": {}, "error": {"Error": "PreflightFailed", "Cause": "x"}}
    calls: list[str] = []
    aws.clients.bedrock.meta.events.register(
        "provide-client-params.bedrock.*", lambda params, **_: calls.append(params)
    )
    result = _fail(aws, run)
    assert result["published"] is True and calls == []
