"""``max_training_hours``: the job-status step stops a job past the limit and the failure path
publishes why (Stubber for Bedrock, moto for SSM, EventBridge and SNS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lifecycle_fakes import details, job_arn, job_response, make_spec

from rft_runtime.lifecycle import state, steps, time_limit
from rft_runtime.lifecycle.errors import SpecError

EXEC = "arn:aws:states:us-east-1:123456789012:execution:RftLifecycle:demo-aaaa"
CREATED = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)  # job_response's creationTime
TRAINING = details("Completed", "Completed", "InProgress")


def _check(aws, spec, *, after: timedelta, checks: int = 3):
    job = {"jobArn": job_arn(), "jobName": spec.names.job_name, "status": "InProgress",
           "step": "training", "checks": checks}  # fmt: skip
    return steps.check_job(spec, job, aws.clients, aws.settings, EXEC, now=CREATED + after)


def test_a_job_past_the_limit_is_stopped_and_reported_stopped_with_the_reason(aws):
    spec = make_spec(maxTrainingHours=4)
    aws.bedrock.add_response(
        "get_model_customization_job", job_response("InProgress", statusDetails=TRAINING)
    )
    aws.bedrock.add_response("stop_model_customization_job", {}, {"jobIdentifier": job_arn()})
    result = _check(aws, spec, after=timedelta(hours=4, minutes=6))
    aws.verify()  # the stop request was sent, for exactly this job
    assert (result["status"], result["failedStep"], result["stopReason"]) == (
        "Stopped",
        "training",
        "max_training_hours",
    )
    assert "max_training_hours = 4: the job had trained 4.1 h" in result["failureMessage"]


def test_the_stopped_job_is_published_stopped_with_the_reason_by_event_and_sns(aws):
    spec = make_spec(maxTrainingHours=4)
    aws.put_record(phase=state.TRAINING, fingerprint=spec.fingerprint, executionArn=EXEC)
    aws.bedrock.add_response(
        "get_model_customization_job", job_response("InProgress", statusDetails=TRAINING)
    )
    aws.bedrock.add_response("stop_model_customization_job", {})
    job = _check(aws, spec, after=timedelta(hours=5))
    # what the workflow's RecordJobFailure state passes on to PublishFailure
    error = {"Error": "JobStopped", "Cause": job["failureMessage"], "Phase": job["failedStep"]}
    run = {"job": job, "error": error, "preflight": {"objects": []}}
    out = steps.publish_failure(spec, run, aws.clients, aws.settings, EXEC)
    aws.verify()  # no second stop: the job's own outcome is not "left unwatched"
    record = aws.record()
    assert out["published"] and record["phase"] == state.STOPPED
    assert record["failure"]["phase"] == "training"
    assert "max_training_hours = 4" in record["failure"]["message"]
    assert "max_training_hours = 4" in aws.notifications[-1]["Message"]
    assert "max_training_hours = 4" in aws.events[-1]["Detail"]


def test_under_the_limit_the_next_poll_is_brought_forward_to_the_limit(aws):
    spec = make_spec(maxTrainingHours=4)
    aws.bedrock.add_response(
        "get_model_customization_job", job_response("InProgress", statusDetails=TRAINING)
    )
    result = _check(aws, spec, after=timedelta(hours=3, minutes=55), checks=8)
    assert (result["status"], result["nextPollSeconds"]) == ("InProgress", 300)  # not 900
    aws.bedrock.add_response(
        "get_model_customization_job", job_response("InProgress", statusDetails=TRAINING)
    )
    result = _check(aws, spec, after=timedelta(hours=3, minutes=59, seconds=50), checks=8)
    assert result["nextPollSeconds"] == time_limit.MIN_POLL_SECONDS
    aws.verify()  # and no stop request


def test_a_job_that_finished_as_the_limit_passed_is_routed_by_its_real_status(aws):
    spec = make_spec(maxTrainingHours=4)
    aws.bedrock.add_response(
        "get_model_customization_job", job_response("InProgress", statusDetails=TRAINING)
    )
    aws.bedrock.add_client_error(
        "stop_model_customization_job", "ValidationException", "job is not in progress", 400
    )
    aws.bedrock.add_response(
        "get_model_customization_job",
        job_response("Completed", statusDetails=details("Completed", "Completed", "Completed")),
    )
    result = _check(aws, spec, after=timedelta(hours=9))
    aws.verify()
    assert (result["status"], result["failureMessage"], result["checks"]) == ("Completed", "", 4)
    assert "stopReason" not in result and result["modelArn"]


def test_without_a_limit_a_long_job_is_never_stopped(aws):
    aws.bedrock.add_response(
        "get_model_customization_job", job_response("InProgress", statusDetails=TRAINING)
    )
    result = _check(aws, make_spec(), after=timedelta(days=13))
    aws.verify()
    assert result["status"] == "InProgress" and result["nextPollSeconds"] == 405


@pytest.mark.parametrize("bad", [0, -1, "4", True])
def test_the_spec_refuses_a_limit_that_is_not_a_positive_number(bad):
    with pytest.raises(SpecError, match="maxTrainingHours must be a positive number"):
        make_spec(maxTrainingHours=bad)
