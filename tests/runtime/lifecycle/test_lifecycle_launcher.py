"""The launcher custom resource: start, no-op, adopt, stop; unknown ids gone; errors raised."""

from __future__ import annotations

import json

import pytest
from lifecycle_fakes import (
    DEPLOYMENT_ARN,
    FP_A,
    FP_B,
    MACHINE,
    PIPELINE,
    candidates_listed,
    job_response,
    make_spec,
)

from rft_runtime.lifecycle import launcher, names, state
from rft_runtime.lifecycle.errors import InvalidRequest, SpecError

STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/Rft-demo/0d6e5a40-0000-11f0-8000-0a1b2c3d4e5f"


def run_props(fp: str = FP_A, **spec_overrides) -> dict:
    spec = make_spec(fp, **spec_overrides)
    return {
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:framework",
        "Kind": "run",
        "Pipeline": PIPELINE,
        "Fingerprint": fp,
        "Spec": json.dumps(spec.to_dict()),
        "StateMachineArn": MACHINE,
        "StateParameter": names.state_parameter_name(PIPELINE),
        "GraceSeconds": "150",
    }


def event(
    request: str, props: dict, *, physical: str | None = None, old: dict | None = None, rid="r-1"
) -> dict:
    body = {
        "RequestType": request,
        "RequestId": rid,
        "StackId": STACK,
        "LogicalResourceId": "LifecycleRun",
        "ResourceType": "Custom::RftTrainingRun",
        "ResourceProperties": props,
    }
    if physical is not None:
        body["PhysicalResourceId"] = physical
    if old is not None:
        body["OldResourceProperties"] = old
    return body


def summary(name: str) -> dict:
    """A ListExecutions entry for a running execution of the test state machine."""
    return {
        "executionArn": names.execution_arn(MACHINE, name),
        "stateMachineArn": MACHINE,
        "name": name,
        "status": "RUNNING",
        "startDate": "2026-05-01T08:00:00Z",
    }


MODEL = "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-2-lite-v1:0:256k/abcdefabcdef"
FOUNDATION = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-2-lite-v1:0:256k"


def _expect_start(aws, fp: str, rid: str, *, exists: bool = False):
    spec = make_spec(fp)
    name = spec.names.execution_name(rid)
    params = {
        "stateMachineArn": MACHINE,
        "name": name,
        "input": names.canonical_json({"spec": spec.to_dict()}),
    }
    if exists:
        aws.sfn.add_client_error(
            "start_execution", "ExecutionAlreadyExists", "exists", 400, expected_params=params
        )
        return name
    arn = names.execution_arn(MACHINE, name)
    aws.sfn.add_response(
        "start_execution", {"executionArn": arn, "startDate": "2026-05-01T08:00:00Z"}, params
    )
    aws.sfn.add_response(
        "list_executions",
        {"executions": []},
        {"stateMachineArn": MACHINE, "statusFilter": "RUNNING", "maxResults": 100},
    )
    return name


def test_create_starts_one_execution_and_answers_with_small_data(aws):
    name = _expect_start(aws, FP_A, "r-1")
    response = launcher.on_event(event("Create", run_props()), aws.clients)
    aws.verify()
    assert response["PhysicalResourceId"] == make_spec().names.run_physical_id
    assert len(json.dumps(response)) < 1024  # far under CloudFormation's 4 KB
    record = aws.record()
    assert record["phase"] == state.STARTING and record["executionArn"].endswith(name)
    assert record["fingerprint"] == FP_A and record["jobName"] == make_spec().names.job_name
    # the execution's own start time, as its steps read it from $$.Execution.StartTime
    assert record["startedAt"] == "2026-05-01T08:00:00.000+00:00"


def test_update_with_unchanged_inputs_is_a_no_op(aws):
    physical = make_spec().names.run_physical_id
    old = run_props()
    new = run_props(deploymentTags=[{"key": "team", "value": "renamed"}])  # tag-only change
    response = launcher.on_event(event("Update", new, physical=physical, old=old), aws.clients)
    aws.verify()  # no Step Functions call at all
    assert response["PhysicalResourceId"] == physical
    assert aws.record()["phase"] == state.NOT_STARTED


@pytest.mark.parametrize(
    "old_inputs",
    [None, {"reward.code": "sha256:" + "1" * 64}],
    ids=["property-added-by-an-upgrade", "described-differently"],
)
def test_update_of_training_inputs_alone_is_a_no_op(aws, old_inputs):
    """``TrainingInputs`` only explains the fingerprint (for ``rft plan``): a change of it alone,
    such as the package upgrade that adds the property, starts nothing."""
    physical = make_spec().names.run_physical_id
    old = run_props()
    if old_inputs is not None:
        old["TrainingInputs"] = old_inputs
    new = {**run_props(), "TrainingInputs": {"reward.code": "sha256:" + "2" * 64, "retrain_nonce": ""}}
    response = launcher.on_event(event("Update", new, physical=physical, old=old), aws.clients)
    aws.verify()  # no Step Functions call at all
    assert response["PhysicalResourceId"] == physical
    assert aws.record()["phase"] == state.NOT_STARTED


def test_update_with_new_hyperparameters_starts_a_new_run_under_a_new_id(aws):
    old_physical = make_spec(FP_A).names.run_physical_id
    aws.put_record(phase=state.ACTIVE, fingerprint=FP_A, deploymentArn=DEPLOYMENT_ARN, servingModelArn="m-A")
    _expect_start(aws, FP_B, "r-2")
    response = launcher.on_event(
        event("Update", run_props(FP_B), physical=old_physical, old=run_props(FP_A), rid="r-2"), aws.clients
    )
    aws.verify()
    assert response["PhysicalResourceId"] == make_spec(FP_B).names.run_physical_id != old_physical
    record = aws.record()
    # the new run owns the state; the old model is still the serving one
    assert (record["fingerprint"], record["phase"], record["servingModelArn"]) == (
        FP_B,
        state.STARTING,
        "m-A",
    )
    assert "jobArn" not in record


def test_a_replayed_request_adopts_its_execution(aws):
    _expect_start(aws, FP_A, "r-1", exists=True)
    response = launcher.on_event(event("Create", run_props()), aws.clients)
    aws.verify()
    assert response["PhysicalResourceId"] == make_spec().names.run_physical_id
    assert aws.record()["phase"] == state.NOT_STARTED  # the running execution writes its own state


def test_rollback_to_old_inputs_relaunches_without_retraining_and_stops_duplicates(aws):
    """Update back to A: a fresh execution (it adopts job A by name, see the simulated run) and any
    still-running execution of A is stopped so one run owns the pipeline."""
    spec_a = make_spec(FP_A)
    stale, fresh = spec_a.names.execution_name("r-1"), spec_a.names.execution_name("r-3")
    fresh_arn = names.execution_arn(MACHINE, fresh)
    aws.sfn.add_response("start_execution", {"executionArn": fresh_arn, "startDate": "2026-05-01T08:00:00Z"})
    aws.sfn.add_response("list_executions", {"executions": [summary(stale), summary(fresh)]})
    aws.sfn.add_response(
        "stop_execution",
        {"stopDate": "2026-05-01T09:00:01Z"},
        {
            "executionArn": names.execution_arn(MACHINE, stale),
            "error": "RftRunStopped",
            "cause": f"relaunched as {fresh}",
        },
    )
    physical_b = make_spec(FP_B).names.run_physical_id
    response = launcher.on_event(
        event("Update", run_props(FP_A), physical=physical_b, old=run_props(FP_B), rid="r-3"), aws.clients
    )
    aws.verify()
    assert response["PhysicalResourceId"] == spec_a.names.run_physical_id


def test_delete_mid_training_stops_the_execution_and_the_job(aws):
    spec = make_spec()
    running = spec.names.execution_name("r-1")
    other = make_spec(FP_B).names.execution_name("r-9")
    aws.sfn.add_response("list_executions", {"executions": [summary(running), summary(other)]})
    aws.sfn.add_response(
        "stop_execution",
        {"stopDate": "2026-05-01T09:00:00Z"},
        {
            "executionArn": names.execution_arn(MACHINE, running),
            "error": "RftRunStopped",
            "cause": f"{spec.names.run_physical_id} deleted by CloudFormation",
        },
    )
    aws.bedrock.add_response(
        "get_model_customization_job", job_response("InProgress"), {"jobIdentifier": spec.names.job_name}
    )
    aws.bedrock.add_response("stop_model_customization_job", {}, {"jobIdentifier": job_response()["jobArn"]})
    response = launcher.on_event(
        event("Delete", run_props(), physical=spec.names.run_physical_id), aws.clients
    )
    aws.verify()  # the other fingerprint's execution was left alone
    assert response == {"PhysicalResourceId": spec.names.run_physical_id}


def test_delete_looks_again_for_a_job_the_stopped_execution_may_have_been_creating(aws):
    spec = make_spec()
    aws.sfn.add_response("list_executions", {"executions": [summary(spec.names.execution_name("r-1"))]})
    aws.sfn.add_response("stop_execution", {"stopDate": "2026-05-01T09:00:00Z"})
    aws.bedrock.add_client_error("get_model_customization_job", "ResourceNotFoundException", "none", 404)
    aws.bedrock.add_response("get_model_customization_job", job_response("InProgress"))
    aws.bedrock.add_response("stop_model_customization_job", {})
    waited: list[float] = []
    physical = spec.names.run_physical_id
    launcher.on_event(event("Delete", run_props(), physical=physical), aws.clients, sleep=waited.append)
    aws.verify()
    assert waited == [150.0]


def test_delete_of_a_finished_run_stops_nothing(aws):
    spec = make_spec()
    aws.sfn.add_response("list_executions", {"executions": []})
    aws.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    launcher.on_event(event("Delete", run_props(), physical=spec.names.run_physical_id), aws.clients)
    aws.verify()


@pytest.mark.parametrize("physical", ["Rft-demo-LifecycleRun-1A2B3C4D5E6F", "rft-run-demo-ffffffffffffffff"])
def test_unknown_physical_ids_on_delete_are_gone(aws, physical):
    assert launcher.on_event(event("Delete", run_props(), physical=physical), aws.clients) == {
        "PhysicalResourceId": physical
    }
    aws.verify()


def test_delete_with_unreadable_properties_is_gone(aws):
    props = {**run_props(), "Spec": "{not json"}
    assert launcher.on_event(event("Delete", props, physical="x"), aws.clients) == {"PhysicalResourceId": "x"}


def test_errors_are_raised_never_returned(aws):
    aws.sfn.add_client_error("start_execution", "AccessDeniedException", "no states:StartExecution", 400)
    with pytest.raises(InvalidRequest, match="no states:StartExecution"):
        launcher.on_event(event("Create", run_props()), aws.clients)
    with pytest.raises(SpecError):
        launcher.on_event(event("Create", {**run_props(), "Fingerprint": FP_B}), aws.clients)
    with pytest.raises(SpecError, match="unknown resource Kind"):
        launcher.on_event(event("Create", {"Kind": "other"}), aws.clients)


# --- pipeline resource ----------------------------------------------------------------------------


def pipeline_props(retain: bool = True) -> dict:
    return {"Kind": "pipeline", "Pipeline": PIPELINE, "RetainModels": "true" if retain else "false"}


def test_pipeline_id_is_stable_and_create_update_touch_nothing(aws):
    for request in ("Create", "Update"):
        response = launcher.on_event(
            event(request, pipeline_props(), physical="rft-pipeline-demo"), aws.clients
        )
        assert response["PhysicalResourceId"] == "rft-pipeline-demo"
    aws.verify()


def test_deleting_the_pipeline_removes_the_deployment_and_keeps_models(aws):
    aws.bedrock.add_response(
        "delete_custom_model_deployment", {}, {"customModelDeploymentIdentifier": "rft-demo"}
    )
    candidates_listed(aws)
    launcher.on_event(event("Delete", pipeline_props(), physical="rft-pipeline-demo"), aws.clients)
    aws.verify()


def test_deleting_the_pipeline_with_retain_models_false_deletes_its_models_once_the_deployment_is_gone(aws):
    aws.bedrock.add_response("delete_custom_model_deployment", {})
    candidates_listed(aws)
    aws.bedrock.add_response(
        "get_custom_model_deployment",
        {
            "customModelDeploymentArn": DEPLOYMENT_ARN,
            "modelDeploymentName": "rft-demo",
            "modelArn": MODEL,
            "createdAt": "2026-05-01T08:00:00Z",
            "status": "Active",
        },
    )
    aws.bedrock.add_client_error("get_custom_model_deployment", "ResourceNotFoundException", "gone", 404)
    ours = {"modelArn": MODEL, "modelName": f"rft-demo-{FP_A[:12]}", "creationTime": "2026-05-01T08:00:00Z",
            "baseModelArn": FOUNDATION, "baseModelName": "nova"}  # fmt: skip
    # nameContains matches anywhere, and pipeline "demo-x" shares the prefix: only exact names count
    theirs = [{**ours, "modelName": "x-rft-demo-model"}, {**ours, "modelName": f"rft-demo-x-{FP_A[:12]}"}]
    aws.bedrock.add_response(
        "list_custom_models",
        {"modelSummaries": [ours, *theirs]},
        {"nameContains": "rft-demo-", "maxResults": 100},
    )
    aws.bedrock.add_response("delete_custom_model", {}, {"modelIdentifier": MODEL})
    waited: list[float] = []
    props = pipeline_props(retain=False)
    launcher.on_event(event("Delete", props, physical="rft-pipeline-demo"), aws.clients, sleep=waited.append)
    aws.verify()
    assert waited == [15]


def test_deleting_a_pipeline_whose_deployment_was_deleted_out_of_band_succeeds(aws):
    aws.bedrock.add_client_error("delete_custom_model_deployment", "ResourceNotFoundException", "gone", 404)
    candidates_listed(aws)
    launcher.on_event(event("Delete", pipeline_props(), physical="rft-pipeline-demo"), aws.clients)
    aws.verify()


def test_an_unknown_pipeline_id_on_delete_is_gone(aws):
    launcher.on_event(event("Delete", pipeline_props(), physical="Rft-demo-Pipeline-XYZ"), aws.clients)
    aws.verify()


def test_rollback_of_an_update_that_failed_before_replacing_the_id_is_a_no_op(aws):
    """Update A -> B failed before the id changed, so CloudFormation rolls back with the *old* run's
    id, ResourceProperties A and OldResourceProperties B: run A still owns the pipeline, and a fresh
    execution would only repeat its ACTIVE notification."""
    aws.put_record(phase=state.ACTIVE, fingerprint=FP_A, deploymentArn=DEPLOYMENT_ARN, servingModelArn="m-A")
    physical_a = make_spec(FP_A).names.run_physical_id
    response = launcher.on_event(
        event("Update", run_props(FP_A), physical=physical_a, old=run_props(FP_B), rid="r-4"), aws.clients
    )
    aws.verify()  # no StartExecution, no ListExecutions
    assert response["PhysicalResourceId"] == physical_a
    assert aws.record()["phase"] == state.ACTIVE and aws.events == [] and aws.notifications == []
