"""Workflow actions against Stubber (Bedrock) and moto (S3, SSM, SNS, EventBridge)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
from lifecycle_fakes import (
    BUCKET,
    DEPLOYMENT_ARN,
    FP_A,
    FP_B,
    PIPELINE,
    custom_model_response,
    deployment_response,
    details,
    job_arn,
    job_response,
    make_spec,
    model_arn,
)

from rft_runtime.lifecycle import deployment, preflight, publish, state, steps, training_job
from rft_runtime.lifecycle.errors import (
    InvalidRequest,
    PreflightFailed,
    PublishFailed,
    QuotaExceeded,
    SpecError,
    Superseded,
    TransientAwsError,
)

EXEC = "arn:aws:states:us-east-1:123456789012:execution:RftLifecycle:demo-aaaa"


def _not_found(stub, method, **params):
    stub.add_client_error(
        method, "ResourceNotFoundException", "not found", 404, expected_params=params or None
    )


# --- pre-flight ---------------------------------------------------------------------------------


def test_preflight_passes_when_every_object_exists(aws, put_objects):
    put_objects("datasets/train.jsonl", "datasets/val.jsonl")
    aws.grader_ok()
    result = steps.preflight(make_spec(), aws.clients)
    aws.verify()
    assert [o["checked"] for o in result["objects"]] == [True, True] and result["grader"]["checked"]


def test_preflight_names_every_missing_or_empty_object(aws, put_objects):
    put_objects("datasets/val.jsonl", body=b"")
    with pytest.raises(PreflightFailed) as info:
        steps.preflight(make_spec(), aws.clients)
    message = str(info.value)
    assert "train.jsonl does not exist" in message and "val.jsonl is empty" in message


def test_preflight_leaves_objects_of_other_buckets_unchecked(aws, put_objects):
    put_objects("datasets/train.jsonl")
    spec = make_spec(preflightUris=[f"s3://{BUCKET}/datasets/train.jsonl", "s3://elsewhere/v.jsonl"])
    aws.grader_ok()
    assert steps.preflight(spec, aws.clients)["objects"][1] == {
        "uri": "s3://elsewhere/v.jsonl",
        "checked": False,
    }


def test_preflight_copies_staged_files_once_to_their_content_addressed_keys(aws):
    aws.clients.s3.create_bucket(Bucket="cdk-assets")
    aws.clients.s3.put_object(Bucket="cdk-assets", Key="f00d.jsonl", Body=b'{"messages": []}\n')
    copies = [
        {"sourceBucket": "cdk-assets", "sourceKey": "f00d.jsonl", "targetKey": "datasets/f00d/train.jsonl"}
    ]
    spec = make_spec(stagingCopies=copies, preflightUris=[f"s3://{BUCKET}/datasets/f00d/train.jsonl"])
    aws.grader_ok()
    aws.grader_ok()
    first = steps.preflight(spec, aws.clients)
    assert first["staged"] == [{"uri": f"s3://{BUCKET}/datasets/f00d/train.jsonl", "copied": True}]
    assert first["objects"][0]["checked"] is True
    assert steps.preflight(spec, aws.clients)["staged"][0]["copied"] is False  # already there: no copy


def test_preflight_reports_a_staged_asset_that_was_never_published(aws):
    aws.clients.s3.create_bucket(Bucket="cdk-assets")
    copies = [
        {"sourceBucket": "cdk-assets", "sourceKey": "gone.jsonl", "targetKey": "datasets/x/train.jsonl"}
    ]
    with pytest.raises(PreflightFailed, match=r"staged dataset s3://cdk-assets/gone\.jsonl is missing"):
        steps.preflight(make_spec(stagingCopies=copies), aws.clients)


def test_staging_copies_are_validated(aws):
    with pytest.raises(SpecError, match=r"stagingCopies\[0\] needs"):
        make_spec(stagingCopies=[{"sourceBucket": "b"}])


# --- start ------------------------------------------------------------------------------------


def test_start_job_creates_the_rft_job_with_deterministic_names(aws):
    spec = make_spec()
    request = spec.create_job_request()
    assert request["customizationType"] == "REINFORCEMENT_FINE_TUNING"
    assert request["customizationConfig"]["rftConfig"]["graderConfig"]["lambdaGrader"]["lambdaArn"].endswith(
        ":3"
    )
    _not_found(aws.bedrock, "get_model_customization_job", jobIdentifier=spec.names.job_name)
    aws.bedrock.add_response("create_model_customization_job", {"jobArn": job_arn()}, expected_params=request)
    result = steps.start_job(spec, aws.clients, aws.settings, EXEC)
    aws.verify()
    assert result["jobArn"] == job_arn() and result["adopted"] is False and result["status"] == "InProgress"
    record = aws.record()
    assert (
        record["phase"] == state.TRAINING and record["jobArn"] == job_arn() and record["executionArn"] == EXEC
    )
    assert (
        aws.events[-1]["Source"] == "bedrock-rft"
        and aws.events[-1]["DetailType"] == "RFT Pipeline State Change"
    )
    assert aws.notifications == []  # notifications are for outcomes only


def test_a_retried_start_adopts_the_existing_job_and_never_creates_a_second(aws):
    spec = make_spec()
    aws.bedrock.add_response(
        "get_model_customization_job", job_response("InProgress"), {"jobIdentifier": spec.names.job_name}
    )
    result = steps.start_job(spec, aws.clients, aws.settings, EXEC)
    aws.verify()  # no create call was queued, and none was made
    assert result["adopted"] is True and result["jobArn"] == job_arn()


def test_a_conflict_on_create_adopts_the_job_created_meanwhile(aws):
    spec = make_spec()
    _not_found(aws.bedrock, "get_model_customization_job")
    aws.bedrock.add_client_error("create_model_customization_job", "ConflictException", "exists", 409)
    aws.bedrock.add_response("get_model_customization_job", job_response("InProgress"))
    assert steps.start_job(spec, aws.clients, aws.settings, EXEC)["adopted"] is True
    aws.verify()


MY_START = "2026-05-01T08:00:00.250Z"  # $$.Execution.StartTime of this run's execution


def test_start_job_takes_over_a_record_left_by_an_older_run(aws):
    """The launcher's STARTING write was lost: the record names a run that started earlier."""
    spec = make_spec(FP_A)
    aws.put_record(
        phase=state.ACTIVE,
        fingerprint=FP_B,
        startedAt="2026-04-30T08:00:00+00:00",
        jobArn="old-job",
        deploymentArn=DEPLOYMENT_ARN,
        servingModelArn=model_arn(FP_B),
    )
    _not_found(aws.bedrock, "get_model_customization_job")
    aws.bedrock.add_response("create_model_customization_job", {"jobArn": job_arn()})
    steps.start_job(spec, aws.clients, aws.settings, EXEC, MY_START)
    aws.verify()
    record = aws.record()
    assert (record["fingerprint"], record["phase"], record["jobArn"]) == (FP_A, state.TRAINING, job_arn())
    assert record["startedAt"] == "2026-05-01T08:00:00.250+00:00" and record["executionArn"] == EXEC
    assert record["servingModelArn"] == model_arn(FP_B)  # the pipeline's deployment is carried over


@pytest.mark.parametrize(
    ("owner_started", "my_start"),
    [
        ("2026-05-01T09:00:00+00:00", MY_START),  # the owner is newer
        ("2026-05-01T08:00:00.250+00:00", MY_START),  # same instant: never steal
        (None, MY_START),  # the owner cannot be ordered
        ("2026-04-30T08:00:00+00:00", ""),  # this run cannot be ordered
    ],
)
def test_start_job_of_an_overtaken_run_creates_no_job(aws, owner_started, my_start):
    fields = {"startedAt": owner_started} if owner_started else {}
    aws.put_record(phase=state.STARTING, fingerprint=FP_B, **fields)
    with pytest.raises(Superseded, match="before it started its job"):
        steps.start_job(make_spec(FP_A), aws.clients, aws.settings, EXEC, my_start)
    aws.verify()  # no Bedrock response was queued: a call would have failed the stub
    assert aws.record()["fingerprint"] == FP_B and aws.events == []


def test_the_owning_run_and_a_fresh_pipeline_start_without_a_start_time(aws):
    assert state.may_take_over(None, FP_A, "")
    assert state.may_take_over({"phase": state.NOT_STARTED}, FP_A, "")
    assert state.may_take_over({"phase": state.TRAINING, "fingerprint": FP_A}, FP_A, "")
    assert not state.may_take_over({"phase": state.TRAINING, "fingerprint": FP_B}, FP_A, "not a time")


def test_quota_exceeded_fails_at_once_without_retrying(aws):
    _not_found(aws.bedrock, "get_model_customization_job")
    aws.bedrock.add_client_error(
        "create_model_customization_job", "ServiceQuotaExceededException", "concurrent jobs: 2", 400
    )
    with pytest.raises(QuotaExceeded, match="concurrent jobs: 2"):
        steps.start_job(make_spec(), aws.clients, aws.settings, EXEC)
    aws.verify()
    assert aws.sleeps == []


def test_throttling_and_5xx_are_retried_on_every_call(aws):
    spec = make_spec()
    aws.bedrock.add_client_error("get_model_customization_job", "ThrottlingException", "slow down", 400)
    aws.bedrock.add_client_error("get_model_customization_job", "InternalServerException", "oops", 500)
    _not_found(aws.bedrock, "get_model_customization_job")
    aws.bedrock.add_client_error("create_model_customization_job", "ThrottlingException", "slow down", 400)
    aws.bedrock.add_client_error("create_model_customization_job", "ServiceUnavailable", "busy", 503)
    aws.bedrock.add_response("create_model_customization_job", {"jobArn": job_arn()})
    assert steps.start_job(spec, aws.clients, aws.settings, EXEC)["jobArn"] == job_arn()
    aws.verify()
    assert len(aws.sleeps) == 4


def test_persistent_throttling_surfaces_as_transient_for_the_workflow_retry(aws):
    for _ in range(5):
        aws.bedrock.add_client_error("get_model_customization_job", "ThrottlingException", "slow down", 400)
    with pytest.raises(TransientAwsError):
        steps.start_job(make_spec(), aws.clients, aws.settings, EXEC)


def test_validation_errors_are_raised_with_the_service_message(aws):
    _not_found(aws.bedrock, "get_model_customization_job")
    aws.bedrock.add_client_error(
        "create_model_customization_job", "ValidationException", "bad grader ARN", 400
    )
    with pytest.raises(InvalidRequest, match="bad grader ARN"):
        steps.start_job(make_spec(), aws.clients, aws.settings, EXEC)


# --- waiting ------------------------------------------------------------------------------------


def test_poll_schedule_grows_from_two_to_fifteen_minutes():
    assert [training_job.job_poll_seconds(n) for n in range(1, 9)] == [120, 180, 270, 405, 608, 900, 900, 900]
    assert [deployment.deploy_poll_seconds(n) for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]


def test_check_job_reports_the_phase_and_publishes_only_changes(aws):
    spec = make_spec()
    job = {
        "jobArn": job_arn(),
        "jobName": spec.names.job_name,
        "status": "InProgress",
        "step": "",
        "checks": 0,
    }
    aws.bedrock.add_response(
        "get_model_customization_job",
        job_response("InProgress", statusDetails=details("Completed", "InProgress", "NotStarted")),
        {"jobIdentifier": job_arn()},
    )
    first = steps.check_job(spec, job, aws.clients, aws.settings, EXEC)
    assert (first["step"], first["checks"], first["nextPollSeconds"]) == ("data processing", 1, 120)
    assert aws.record()["step"] == "data processing" and len(aws.events) == 1
    aws.bedrock.add_response(
        "get_model_customization_job",
        job_response("InProgress", statusDetails=details("Completed", "InProgress", "NotStarted")),
    )
    second = steps.check_job(spec, first, aws.clients, aws.settings, EXEC)
    assert second["nextPollSeconds"] == 180 and len(aws.events) == 1  # nothing moved: nothing published


@pytest.mark.parametrize(
    ("status", "job_details", "message", "expected_step", "expected_message"),
    [
        (
            "Failed",
            details("Completed", "Failed", "NotStarted"),
            "row 7: bad JSON",
            "data processing",
            "row 7: bad JSON",
        ),
        (
            "Failed",
            details("Failed", "NotStarted", "NotStarted"),
            "too few prompts",
            "validation",
            "too few prompts",
        ),
        ("Stopped", details("Completed", "Completed", "Stopped"), None, "training", "job was stopped"),
    ],
    ids=["data-processing-failed", "validation-failed", "stopped-out-of-band"],
)
def test_failed_and_stopped_jobs_carry_message_and_phase(
    aws, status, job_details, message, expected_step, expected_message
):
    extra = {"statusDetails": job_details}
    if message:
        extra["failureMessage"] = message
    aws.bedrock.add_response("get_model_customization_job", job_response(status, **extra))
    result = steps.check_job(make_spec(), {"jobArn": job_arn(), "checks": 3}, aws.clients, aws.settings, EXEC)
    assert (result["status"], result["failedStep"], result["failureMessage"]) == (
        status,
        expected_step,
        expected_message,
    )
    assert aws.events == []  # the failure is published by publish_failure


def test_await_job_event_parks_the_task_token(aws):
    steps.await_job_event(
        {"jobName": "rft-demo-x", "jobArn": job_arn()}, "token-123", aws.clients, aws.settings
    )
    parked = json.loads(aws.clients.ssm.get_parameter(Name=aws.settings.wait_parameter)["Parameter"]["Value"])
    assert parked == {"jobName": "rft-demo-x", "jobArn": job_arn(), "taskToken": "token-123"}


# --- deployment ---------------------------------------------------------------------------------

COMPLETED = {"jobArn": job_arn(), "jobName": "j", "status": "Completed", "modelArn": model_arn()}


def _owned(aws, fp=FP_A, **fields):
    aws.put_record(phase=state.TRAINING, fingerprint=fp, **fields)


def test_first_deployment_is_created_then_waited_for(aws):
    spec = make_spec()
    _owned(aws)
    aws.bedrock.add_response(
        "get_custom_model", custom_model_response("Active"), {"modelIdentifier": model_arn()}
    )
    _not_found(aws.bedrock, "get_custom_model_deployment", customModelDeploymentIdentifier="rft-demo")
    aws.bedrock.add_response(
        "create_custom_model_deployment",
        {"customModelDeploymentArn": DEPLOYMENT_ARN},
        {
            "modelDeploymentName": "rft-demo",
            "modelArn": model_arn(),
            "clientRequestToken": spec.names.deployment_request_token(EXEC, 1),
            "description": f"bedrock-rft pipeline demo, run {spec.names.short}",
            "tags": [{"key": "team", "value": "ml"}],
        },
    )
    first = steps.reconcile_deployment(spec, COMPLETED, {}, aws.clients, aws.settings, EXEC)
    assert (first["outcome"], first["arn"], first["created"], first["nextPollSeconds"]) == (
        "Pending",
        DEPLOYMENT_ARN,
        True,
        30,
    )
    assert aws.record()["phase"] == state.DEPLOYING
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active"))
    aws.bedrock.add_response("get_custom_model_deployment", deployment_response("Creating"))
    second = steps.reconcile_deployment(spec, COMPLETED, first, aws.clients, aws.settings, EXEC)
    assert second["outcome"] == "Pending" and second["nextPollSeconds"] == 60
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active"))
    aws.bedrock.add_response("get_custom_model_deployment", deployment_response("Active"))
    third = steps.reconcile_deployment(spec, COMPLETED, second, aws.clients, aws.settings, EXEC)
    assert third["outcome"] == "Active"
    aws.verify()


def test_new_model_is_swapped_into_the_existing_deployment_old_one_serving_meanwhile(aws):
    spec = make_spec(FP_B)
    job = {**COMPLETED, "modelArn": model_arn(FP_B)}
    _owned(aws, FP_B, deploymentArn=DEPLOYMENT_ARN, servingModelArn=model_arn(FP_A))
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active", FP_B))
    aws.bedrock.add_response("get_custom_model_deployment", deployment_response("Active", model_arn(FP_A)))
    aws.bedrock.add_response(
        "update_custom_model_deployment",
        {"customModelDeploymentArn": DEPLOYMENT_ARN},
        {"customModelDeploymentIdentifier": DEPLOYMENT_ARN, "modelArn": model_arn(FP_B)},
    )
    first = steps.reconcile_deployment(spec, job, {}, aws.clients, aws.settings, EXEC)
    assert first["outcome"] == "Pending" and first["updateRequested"] is True
    # while updating, the old model still serves and the published record says so
    record = aws.record()
    assert record["phase"] == state.DEPLOYING and record["servingModelArn"] == model_arn(FP_A)
    updating = {"modelArn": model_arn(FP_B), "updateStatus": "Updating"}
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active", FP_B))
    aws.bedrock.add_response(
        "get_custom_model_deployment", deployment_response("Active", model_arn(FP_A), updateDetails=updating)
    )
    second = steps.reconcile_deployment(spec, job, first, aws.clients, aws.settings, EXEC)
    assert second["outcome"] == "Pending"
    done = {"modelArn": model_arn(FP_B), "updateStatus": "UpdateCompleted"}
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active", FP_B))
    aws.bedrock.add_response(
        "get_custom_model_deployment", deployment_response("Active", model_arn(FP_B), updateDetails=done)
    )
    assert (
        steps.reconcile_deployment(spec, job, second, aws.clients, aws.settings, EXEC)["outcome"] == "Active"
    )
    aws.verify()


def test_a_failed_swap_is_a_failure_and_the_previous_model_keeps_serving(aws):
    spec = make_spec(FP_B)
    _owned(aws, FP_B)
    failed = {"modelArn": model_arn(FP_B), "updateStatus": "UpdateFailed"}
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active", FP_B))
    aws.bedrock.add_response(
        "get_custom_model_deployment",
        deployment_response("Active", model_arn(FP_A), updateDetails=failed, failureMessage="capacity"),
    )
    result = steps.reconcile_deployment(
        spec, {**COMPLETED, "modelArn": model_arn(FP_B)},
        {"attempt": 3, "updateRequested": True, "swapSeen": True}, aws.clients, aws.settings, EXEC,
    )  # fmt: skip
    assert result["outcome"] == "Failed"
    assert (
        "previous model keeps serving" in result["failureMessage"] and "capacity" in result["failureMessage"]
    )


def test_a_failed_swap_left_by_an_earlier_run_is_requested_again(aws):
    """An earlier execution's swap to this model failed; this run (a revert to it) tries again."""
    spec = make_spec(FP_B)
    _owned(aws, FP_B)
    stale = {"modelArn": model_arn(FP_B), "updateStatus": "UpdateFailed"}
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active", FP_B))
    aws.bedrock.add_response(
        "get_custom_model_deployment",
        deployment_response("Active", model_arn(FP_A), updateDetails=stale, failureMessage="capacity"),
    )
    aws.bedrock.add_response(
        "update_custom_model_deployment",
        {"customModelDeploymentArn": DEPLOYMENT_ARN},
        {"customModelDeploymentIdentifier": DEPLOYMENT_ARN, "modelArn": model_arn(FP_B)},
    )
    result = steps.reconcile_deployment(
        spec, {**COMPLETED, "modelArn": model_arn(FP_B)}, {}, aws.clients, aws.settings, EXEC
    )
    aws.verify()
    assert (result["outcome"], result["updateRequested"]) == ("Pending", True)


def test_a_stale_failed_swap_read_right_after_our_request_is_not_our_failure(aws):
    """Right after UpdateCustomModelDeployment the deployment may still show the earlier failed
    swap: it counts as ours only once our swap was seen Updating or the settle checks passed."""
    spec = make_spec(FP_B)
    _owned(aws, FP_B)
    stale = {"modelArn": model_arn(FP_B), "updateStatus": "UpdateFailed"}
    job = {**COMPLETED, "modelArn": model_arn(FP_B)}
    dep = {"attempt": 2, "updateRequested": True, "quietChecks": 0}
    outcomes = []
    for _ in range(deployment.UPDATE_SETTLE_CHECKS + 1):
        aws.bedrock.add_response("get_custom_model", custom_model_response("Active", FP_B))
        aws.bedrock.add_response(
            "get_custom_model_deployment",
            deployment_response("Active", model_arn(FP_A), updateDetails=stale, failureMessage="old"),
        )
        dep = steps.reconcile_deployment(spec, job, dep, aws.clients, aws.settings, EXEC)
        outcomes.append(dep["outcome"])
    aws.verify()
    assert outcomes == ["Pending"] * deployment.UPDATE_SETTLE_CHECKS + ["Failed"]


def test_our_own_failed_deployment_fails_the_run(aws):
    _owned(aws)
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active"))
    aws.bedrock.add_response(
        "get_custom_model_deployment",
        deployment_response("Failed", model_arn(), failureMessage="no capacity"),
    )
    result = steps.reconcile_deployment(make_spec(), COMPLETED, {"attempt": 2, "created": True}, aws.clients,
                                        aws.settings, EXEC)  # fmt: skip
    assert result == {**result, "outcome": "Failed", "failureMessage": "deployment failed: no capacity"}


def test_a_failed_deployment_left_by_an_earlier_run_is_replaced(aws):
    _owned(aws)
    active = custom_model_response("Active")
    aws.bedrock.add_response("get_custom_model", active)
    aws.bedrock.add_response("get_custom_model_deployment", deployment_response("Failed", model_arn(FP_B)))
    aws.bedrock.add_response(
        "delete_custom_model_deployment", {}, {"customModelDeploymentIdentifier": DEPLOYMENT_ARN}
    )
    aws.bedrock.add_response("get_custom_model", active)
    aws.bedrock.add_response("get_custom_model_deployment", deployment_response("Failed", model_arn(FP_B)))
    aws.bedrock.add_response("get_custom_model", active)
    _not_found(aws.bedrock, "get_custom_model_deployment")
    aws.bedrock.add_response("create_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN})
    dep: dict = {}
    outcomes = []
    for _ in range(3):
        dep = steps.reconcile_deployment(make_spec(), COMPLETED, dep, aws.clients, aws.settings, EXEC)
        outcomes.append((dep["outcome"], dep.get("replacing"), dep.get("created")))
    assert outcomes == [("Pending", True, None), ("Pending", True, None), ("Pending", True, True)]
    aws.verify()


def test_a_failed_deployment_that_is_not_deletable_yet_is_deleted_on_a_later_check(aws):
    _owned(aws)
    active = custom_model_response("Active")
    for busy in (True, False):
        aws.bedrock.add_response("get_custom_model", active)
        aws.bedrock.add_response(
            "get_custom_model_deployment", deployment_response("Failed", model_arn(FP_B))
        )
        if busy:
            aws.bedrock.add_client_error("delete_custom_model_deployment", "ConflictException", "busy", 409)
        else:
            aws.bedrock.add_response("delete_custom_model_deployment", {})
    dep: dict = {}
    replacing = []
    for _ in range(2):
        dep = steps.reconcile_deployment(make_spec(), COMPLETED, dep, aws.clients, aws.settings, EXEC)
        replacing.append((dep["outcome"], dep.get("replacing")))
    aws.verify()  # the delete was tried again
    assert replacing == [("Pending", None), ("Pending", True)]


def test_a_model_deleted_out_of_band_fails_clearly(aws):
    _owned(aws)
    _not_found(aws.bedrock, "get_custom_model")
    result = steps.reconcile_deployment(make_spec(), COMPLETED, {}, aws.clients, aws.settings, EXEC)
    assert result["outcome"] == "Failed" and "does not exist" in result["failureMessage"]


def test_a_model_still_being_created_is_waited_for(aws):
    _owned(aws)
    aws.bedrock.add_response("get_custom_model", custom_model_response("Creating"))
    assert (
        steps.reconcile_deployment(make_spec(), COMPLETED, {}, aws.clients, aws.settings, EXEC)["outcome"]
        == "Pending"
    )


def test_deployment_gives_up_after_four_hours(aws):
    _owned(aws)
    started = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    dep = {"attempt": 50, "startedAt": started.isoformat()}
    result = steps.reconcile_deployment(
        make_spec(),
        COMPLETED,
        dep,
        aws.clients,
        aws.settings,
        EXEC,
        now=lambda: started + timedelta(hours=4, seconds=1),
    )
    assert result["outcome"] == "Failed" and "4 hours" in result["failureMessage"]


def test_a_superseded_run_never_touches_the_deployment(aws):
    _owned(aws, FP_B)  # a newer run owns the pipeline
    with pytest.raises(Superseded):
        steps.reconcile_deployment(make_spec(FP_A), COMPLETED, {}, aws.clients, aws.settings, EXEC)
    aws.verify()


# --- publishing ---------------------------------------------------------------------------------


def test_publish_success_makes_the_model_the_pipelines_serving_model(aws):
    _owned(aws, startedAt="2026-05-01T08:00:00+00:00")
    record = steps.publish_success(
        make_spec(), COMPLETED, {"arn": DEPLOYMENT_ARN}, aws.clients, aws.settings, EXEC
    )
    stored = aws.record()
    assert stored == record
    assert (stored["phase"], stored["deploymentArn"], stored["servingModelArn"]) == (
        state.ACTIVE,
        DEPLOYMENT_ARN,
        model_arn(),
    )
    assert stored["endedAt"] and stored["startedAt"] == "2026-05-01T08:00:00+00:00"
    assert aws.notifications and "modelId = " + DEPLOYMENT_ARN in aws.notifications[-1]["Message"]
    assert json.loads(aws.events[-1]["Detail"])["phase"] == state.ACTIVE
    assert DEPLOYMENT_ARN in aws.events[-1]["Resources"]


def test_publish_success_after_the_gate_marks_the_model_promoted_and_publishes_the_figures(aws):
    _owned(aws)
    location = f"s3://rft-dataset-bucket/runs/{FP_A}/evaluation/"
    evaluation = {"decision": "promote", "location": location, "prompts": 40, "minImprovement": 0.0,
                  "delta": {"value": 0.1, "ciLow": 0.02, "ciHigh": 0.18}, "meanCandidate": 0.7}  # fmt: skip
    aws.bedrock.add_response(
        "tag_resource",
        {},
        {"resourceARN": model_arn(), "tags": [{"key": "bedrock-rft:promoted", "value": "gate"}]},
    )
    record = steps.run_action(
        {"action": "publish_success", "spec": make_spec().to_dict(), "job": COMPLETED,
         "deployment": {"arn": DEPLOYMENT_ARN}, "evaluation": evaluation, "executionArn": EXEC},
        aws.clients, aws.settings,
    )  # fmt: skip
    aws.verify()  # the model was tagged, once
    assert record["phase"] == state.ACTIVE and record["evaluation"]["location"] == location
    assert "meanCandidate" not in record["evaluation"]  # the compact record; the full figures are in S3
    assert json.loads(aws.events[-1]["Detail"])["evaluation"]["delta"]["value"] == 0.1
    assert f"figures and report: {location}" in aws.notifications[-1]["Message"]


def test_publish_success_without_a_gate_tags_nothing(aws):
    _owned(aws)
    record = steps.run_action(
        {"action": "publish_success", "spec": make_spec().to_dict(), "job": COMPLETED,
         "deployment": {"arn": DEPLOYMENT_ARN}, "evaluation": {}, "executionArn": EXEC},
        aws.clients, aws.settings,
    )  # fmt: skip
    aws.verify()  # no TagResource was queued, and none was made
    assert record["phase"] == state.ACTIVE and "evaluation" not in record


def test_publish_success_with_mode_none_is_trained_and_keeps_earlier_deployment_fields(aws):
    _owned(aws, deploymentArn=DEPLOYMENT_ARN, servingModelArn=model_arn(FP_B))
    spec = make_spec(deploymentMode="none")
    record = steps.publish_success(spec, COMPLETED, {}, aws.clients, aws.settings, EXEC)
    assert record["phase"] == state.TRAINED and record["modelArn"] == model_arn()
    assert record["servingModelArn"] == model_arn(FP_B)


def test_publish_failure_keeps_the_previous_model_serving_and_names_the_phase(aws):
    aws.put_record(
        phase=state.TRAINING, fingerprint=FP_B, deploymentArn=DEPLOYMENT_ARN, servingModelArn=model_arn(FP_A)
    )
    run = {
        "job": {"jobArn": job_arn(FP_B), "jobName": "j", "status": "Failed"},
        "deployment": {},
        "preflight": {"objects": []},
        "error": {"Error": "JobFailed", "Cause": "reward Lambda timed out", "Phase": "training"},
    }
    result = steps.publish_failure(make_spec(FP_B), run, aws.clients, aws.settings, EXEC)
    assert result == {"error": "JobFailed", "message": "training: reward Lambda timed out", "published": True}
    stored = aws.record()
    assert stored["phase"] == state.FAILED and stored["failure"]["phase"] == "training"
    assert stored["servingModelArn"] == model_arn(FP_A) and stored["deploymentArn"] == DEPLOYMENT_ARN
    assert "The previous model keeps serving" in aws.notifications[-1]["Message"]


@pytest.mark.parametrize(
    ("run", "phase"),
    [
        ({"preflight": {}, "job": {}, "deployment": {}}, "preflight"),
        ({"preflight": {"objects": []}, "job": {}, "deployment": {}}, "job start"),
        ({"preflight": {"objects": []}, "job": {"jobArn": "x"}, "deployment": {}}, "training"),
        ({"preflight": {"objects": []}, "job": {"jobArn": "x"}, "deployment": {"attempt": 2}}, "deployment"),
    ],
)
def test_failing_phase_follows_the_workflow_stage(run, phase):
    assert publish.failing_phase({"Error": "QuotaExceeded"}, run) == phase


def test_a_failure_in_the_promotion_gate_is_an_evaluation_failure_of_this_execution_only():
    run = {"preflight": {"objects": []}, "job": {"jobArn": "x"}, "deployment": {}, "executionArn": EXEC}
    gate = {"phase": state.EVALUATING, "executionArn": EXEC}
    assert publish.failing_phase({"Error": "InvalidRequest"}, run, gate) == "evaluation"
    other = {**gate, "executionArn": EXEC + "-relaunched"}
    assert publish.failing_phase({"Error": "InvalidRequest"}, run, other) == "training"


def test_lambda_error_causes_are_unwrapped_and_stopped_jobs_are_stopped(aws):
    cause = json.dumps({"errorMessage": "CreateModelCustomizationJob: quota", "errorType": "QuotaExceeded"})
    run = {"error": {"Error": "QuotaExceeded", "Cause": cause}, "preflight": {"objects": []}, "job": {}}
    assert steps.publish_failure(make_spec(), run, aws.clients, aws.settings, EXEC)["message"] == (
        "job start: CreateModelCustomizationJob: quota"
    )
    run = {
        "error": {"Error": "JobStopped", "Cause": "job was stopped", "Phase": "training"},
        "job": {"status": "Stopped"},
    }
    steps.publish_failure(make_spec(), run, aws.clients, aws.settings, EXEC)
    assert aws.record()["phase"] == state.STOPPED


def test_a_superseded_runs_failure_does_not_overwrite_the_newer_state(aws):
    aws.put_record(phase=state.TRAINING, fingerprint=FP_B)
    run = {"error": {"Error": "RftRunStopped", "Cause": "deleted"}}
    assert steps.publish_failure(make_spec(FP_A), run, aws.clients, aws.settings, EXEC)["published"] is False
    assert aws.record()["fingerprint"] == FP_B and aws.events == []


def test_publish_errors_are_reported_after_trying_every_channel(aws):
    settings = dataclasses.replace(aws.settings, topic_arn="arn:aws:sns:us-east-1:123456789012:gone")
    _owned(aws)
    with pytest.raises(PublishFailed, match="SNS"):
        steps.publish_success(make_spec(), COMPLETED, {"arn": DEPLOYMENT_ARN}, aws.clients, settings, EXEC)
    assert aws.record()["phase"] == state.ACTIVE and aws.events  # SSM and EventBridge still went out


def test_state_records_always_fit_an_ssm_parameter():
    record = state.merge(
        None,
        PIPELINE,
        phase=state.FAILED,
        fingerprint=FP_A,
        failure={"phase": "training", "message": "x" * 9000},
    )
    text = state.serialize(record)
    assert len(text) <= 4096 and json.loads(text)["failure"]["message"].endswith("...")


# --- dispatch -----------------------------------------------------------------------------------


def test_run_action_dispatches_and_rejects_unknown_actions(aws, put_objects):
    put_objects("datasets/train.jsonl", "datasets/val.jsonl")
    event = {"action": "preflight", "spec": make_spec().to_dict(), "executionArn": EXEC}
    aws.grader_ok()
    assert len(steps.run_action(event, aws.clients, aws.settings)["objects"]) == 2
    with pytest.raises(InvalidRequest, match="unknown action"):
        steps.run_action({**event, "action": "train_harder"}, aws.clients, aws.settings)
    with pytest.raises(SpecError, match="jobRequest lacks"):
        steps.run_action({**event, "spec": {**event["spec"], "jobRequest": {"customizationConfig": {}}}},
                         aws.clients, aws.settings)  # fmt: skip


# --- deployment idempotency tokens (review finding 1) -------------------------------------------

EXEC_2 = "arn:aws:states:us-east-1:123456789012:execution:RftLifecycle:demo-aaaa-2"


def _capture_create_tokens(aws) -> list[str]:
    tokens: list[str] = []
    aws.clients.bedrock.meta.events.register(
        "provide-client-params.bedrock.CreateCustomModelDeployment",
        lambda params, **_: tokens.append(params["clientRequestToken"]),
    )
    return tokens


def _create_once(aws, dep, execution):
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active"))
    _not_found(aws.bedrock, "get_custom_model_deployment")
    aws.bedrock.add_response("create_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN})
    return steps.reconcile_deployment(make_spec(), COMPLETED, dep, aws.clients, aws.settings, execution)


def test_a_redeploy_after_destroy_creates_the_deployment_with_a_new_token(aws):
    """Same inputs, stack destroyed (deployment deleted) and deployed again: the new execution adopts
    the job and must create with a token Bedrock has not seen, or Bedrock ignores the create."""
    _owned(aws)
    tokens = _capture_create_tokens(aws)
    _create_once(aws, {}, EXEC)  # first stack
    _owned(aws)  # the re-created stack's launcher recorded the new run
    _create_once(aws, {}, EXEC_2)  # after cdk destroy + cdk deploy: no deployment, job adopted
    aws.verify()
    assert len(tokens) == 2 and tokens[0] != tokens[1]


def test_a_retried_step_sends_the_same_token(aws):
    _owned(aws)
    tokens = _capture_create_tokens(aws)
    _create_once(aws, {"attempt": 4}, EXEC)
    _create_once(aws, {"attempt": 4}, EXEC)  # Step Functions retried the step with the same input
    assert tokens[0] == tokens[1]


def test_a_deployment_deleted_while_waited_for_is_created_again_with_a_new_token(aws):
    """Created by this execution, then gone (deleted out of band, or a Failed one deleted): after a
    second look the same execution creates again, with a token of its own."""
    _owned(aws)
    tokens = _capture_create_tokens(aws)
    first = _create_once(aws, {}, EXEC)
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active"))
    _not_found(aws.bedrock, "get_custom_model_deployment")
    second = steps.reconcile_deployment(make_spec(), COMPLETED, first, aws.clients, aws.settings, EXEC)
    assert second["outcome"] == "Pending" and len(tokens) == 1  # not visible yet: look once more
    third = _create_once(aws, second, EXEC)
    aws.verify()
    assert third["creates"] == 2 and len(tokens) == 2 and tokens[0] != tokens[1]


def test_a_failed_deployment_of_an_earlier_execution_is_recreated_with_a_new_token(aws):
    """Execution 1 created the deployment and it Failed (the run failed); the deployment is then
    deleted and a later execution of the same inputs re-creates it: its token is new."""
    _owned(aws)
    tokens = _capture_create_tokens(aws)
    _create_once(aws, {}, EXEC)
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active"))
    aws.bedrock.add_response("get_custom_model_deployment", deployment_response("Failed", model_arn()))
    aws.bedrock.add_response("delete_custom_model_deployment", {})
    replacing = steps.reconcile_deployment(make_spec(), COMPLETED, {}, aws.clients, aws.settings, EXEC_2)
    assert replacing["replacing"] is True
    _create_once(aws, replacing, EXEC_2)
    aws.verify()
    assert len(tokens) == 2 and tokens[0] != tokens[1]


# --- adopted job whose model is gone (review finding 4) -----------------------------------------


def test_an_adopted_job_whose_model_was_deleted_says_to_change_retrain_nonce(aws):
    _owned(aws)
    _not_found(aws.bedrock, "get_custom_model")
    job = {**COMPLETED, "jobName": "rft-demo-aaaaaaaa0123", "adopted": True}
    result = steps.reconcile_deployment(make_spec(), job, {}, aws.clients, aws.settings, EXEC)
    message = result["failureMessage"]
    assert result["outcome"] == "Failed"
    assert "adopted job rft-demo-aaaaaaaa0123" in message and "retrain_nonce" in message
    assert "retain_models" in message


# --- pre-flight grader check (review finding 6) -------------------------------------------------

ROW = {
    "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+3?"}],
    "reference_answer": "5",
    "id": "row-1",
}


def _result(*tags: str, score: float = 0.0) -> list[dict]:
    metrics = [{"name": "exact_match", "value": score, "type": "Reward"}]
    metrics.append({"name": "error", "value": 1.0 if tags else 0.0, "type": "Metric"})
    metrics += [{"name": f"error/{tag}", "value": 1.0, "type": "Metric"} for tag in tags]
    return [{"id": preflight.PROBE_ID, "aggregate_reward_score": score, "metrics_list": metrics}]


def test_preflight_probes_the_reward_version_with_the_first_row_and_its_reference(aws, put_objects):
    rows = json.dumps(ROW).encode() + b"\n" + b'{"messages": [{"role": "user", "content": "x"}]}\n'
    put_objects("datasets/train.jsonl", body=rows)
    put_objects("datasets/val.jsonl")
    expected_payload = [
        {
            "id": preflight.PROBE_ID,
            "messages": [*ROW["messages"], {"role": "assistant", "content": "5"}],
            "metadata": {"reference_answer": "5", "id": "row-1"},
        }
    ]
    sent: list[dict] = []
    aws.clients.lambda_.meta.events.register(
        "provide-client-params.lambda.Invoke", lambda params, **_: sent.append(params)
    )
    aws.grader_ok()
    result = steps.preflight(make_spec(), aws.clients)
    aws.verify()
    assert sent[0]["FunctionName"].endswith("function:reward:3")  # the version, never $LATEST
    assert json.loads(sent[0]["Payload"]) == expected_payload
    assert result["grader"] == {
        "checked": True,
        "source": f"first row of s3://{BUCKET}/datasets/train.jsonl",
        "score": 1.0,
        "errors": [],
    }


@pytest.mark.parametrize(
    ("answer", "function_error", "expected"),
    [
        (_result("config-error"), None, r"cannot grade \(config-error\)"),
        (_result("judge-error"), None, r"cannot grade \(judge-error\)"),
        (
            {"errorType": "Runtime.ImportModuleError", "errorMessage": "No module named 'numpy'"},
            "Unhandled",
            r"failed \(Unhandled\): Runtime.ImportModuleError: No module named 'numpy'",
        ),
        ({"score": 1.0}, None, "did not answer with a list of results echoing the sample id"),
        ([{**_result()[0], "id": "other"}], None, "echoing the sample id"),
    ],
    ids=["config-error", "judge-error", "import-error", "not-a-list", "id-not-echoed"],
)
def test_a_grader_that_cannot_work_fails_preflight_before_any_job(
    aws, put_objects, answer, function_error, expected
):
    put_objects("datasets/train.jsonl", "datasets/val.jsonl")
    aws.grader_answers(answer, function_error=function_error)
    with pytest.raises(PreflightFailed, match=expected):
        steps.preflight(make_spec(), aws.clients)
    aws.verify()  # and no Bedrock call was made


def test_data_dependent_grader_errors_do_not_fail_preflight(aws, put_objects):
    put_objects("datasets/train.jsonl", "datasets/val.jsonl")
    aws.grader_answers(_result("bad-reference"))
    assert steps.preflight(make_spec(), aws.clients)["grader"]["errors"] == ["bad-reference"]


def test_a_grader_probe_that_cannot_be_sent_is_reported_unchecked(aws, put_objects):
    put_objects("datasets/train.jsonl", "datasets/val.jsonl")
    aws.lambda_.add_client_error("invoke", "TooManyRequestsException", "rate", 429)
    grader = steps.preflight(make_spec(), aws.clients)["grader"]
    assert grader["checked"] is False and "TooManyRequestsException" in grader["note"]


def test_the_probe_uses_a_built_in_row_when_the_training_data_is_elsewhere(aws, put_objects):
    put_objects("datasets/val.jsonl")
    spec = make_spec(
        jobRequest={**make_spec().job_request, "trainingDataConfig": {"s3Uri": "s3://elsewhere/t.jsonl"}},
        preflightUris=[f"s3://{BUCKET}/datasets/val.jsonl"],
    )
    aws.grader_ok()
    assert steps.preflight(spec, aws.clients)["grader"]["source"] == "built-in sample"
