"""The job-event signal: wakes the parked step for its job; every other case is a quiet no-op."""

from __future__ import annotations

import json

import pytest
from lifecycle_fakes import job_arn

from rft_runtime.lifecycle import job_events, steps

JOB = "rft-demo-aaaaaaaa0123"


def bedrock_event(job_name: str = JOB, status: str = "Completed") -> dict:
    return {
        "version": "0",
        "source": "aws.bedrock",
        "detail-type": "Model Customization Job State Change",
        "resources": [job_arn()],
        "detail": {"jobName": job_name, "jobArn": job_arn(), "jobStatus": status},
    }


def _park(aws, token: str = "tok-1", job: str = JOB) -> None:
    steps.await_job_event({"jobName": job, "jobArn": job_arn()}, token, aws.clients, aws.settings)


def test_a_terminal_event_sends_the_parked_task_token(aws):
    _park(aws)
    aws.sfn.add_response(
        "send_task_success",
        {},
        {"taskToken": "tok-1", "output": json.dumps({"wokenBy": "event", "jobStatus": "Failed"})},
    )
    result = job_events.on_job_event(bedrock_event(status="Failed"), aws.clients, aws.settings)
    aws.verify()
    assert result == {"signalled": True, "jobName": JOB, "jobStatus": "Failed"}


def test_an_event_for_another_job_is_ignored(aws):
    _park(aws, job="rft-demo-bbbbbbbbbbbb")
    other = bedrock_event(job_name="rft-demo-cccccccccccc")
    other["detail"]["jobArn"] = (
        "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/x.y/cccccccccccc"
    )
    assert job_events.on_job_event(other, aws.clients, aws.settings)["signalled"] is False
    aws.verify()


@pytest.mark.parametrize("code", ["TaskTimedOut", "InvalidToken", "TaskDoesNotExist"])
def test_a_stale_token_means_the_poll_already_moved_on(aws, code):
    _park(aws)
    aws.sfn.add_client_error("send_task_success", code, "stale", 400)
    assert job_events.on_job_event(bedrock_event(), aws.clients, aws.settings) == {
        "signalled": False,
        "reason": code,
    }


def test_nothing_parked_is_a_no_op(aws):
    assert job_events.on_job_event(bedrock_event(), aws.clients, aws.settings)["reason"] == "nothing parked"


def test_other_errors_are_raised_so_lambda_retries_then_dead_letters(aws):
    _park(aws)
    aws.sfn.add_client_error("send_task_success", "AccessDeniedException", "no", 400)
    with pytest.raises(Exception, match="AccessDenied"):
        job_events.on_job_event(bedrock_event(), aws.clients, aws.settings)
