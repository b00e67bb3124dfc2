"""The pipeline resource owns the state record's life; CloudFormation never holds its value."""

from __future__ import annotations

import pytest
from lifecycle_fakes import PIPELINE, candidates_listed
from test_lifecycle_launcher import event

from rft_runtime.lifecycle import launcher, names, state

PARAMETER = names.state_parameter_name(PIPELINE)


WAIT = names.wait_parameter_name(PIPELINE)


def pipeline_props() -> dict:
    return {
        "Kind": "pipeline",
        "Pipeline": PIPELINE,
        "RetainModels": "true",
        "StateParameter": PARAMETER,
        "WaitParameter": WAIT,
    }


def test_pipeline_create_writes_the_initial_record(aws):
    aws.clients.ssm.delete_parameter(Name=PARAMETER)  # the fixture's stand-in for a deployed stack
    assert aws.record() is None
    launcher.on_event(event("Create", pipeline_props()), aws.clients)
    assert aws.record() == state.initial_record(PIPELINE)


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_pipeline_create_and_update_never_overwrite_a_live_record(aws, request_type):
    """A re-created pipeline resource or a property change (RetainModels) keeps what the workflow wrote."""
    aws.put_record(phase=state.ACTIVE, fingerprint="f" * 64, deploymentArn="arn:deployment")
    launcher.on_event(event(request_type, pipeline_props(), physical="rft-pipeline-demo"), aws.clients)
    record = aws.record()
    assert (record["phase"], record["deploymentArn"]) == (state.ACTIVE, "arn:deployment")


def test_pipeline_delete_removes_the_record_after_the_deployment(aws):
    aws.put_record(phase=state.ACTIVE, fingerprint="f" * 64)
    aws.bedrock.add_response(
        "delete_custom_model_deployment", {}, {"customModelDeploymentIdentifier": "rft-demo"}
    )
    candidates_listed(aws)
    launcher.on_event(event("Delete", pipeline_props(), physical="rft-pipeline-demo"), aws.clients)
    aws.verify()
    assert aws.record() is None
    assert aws.clients.ssm.get_parameters(Names=[WAIT])["InvalidParameters"] == [WAIT]


def test_pipeline_delete_succeeds_when_the_record_is_already_gone(aws):
    aws.clients.ssm.delete_parameters(Names=[PARAMETER, WAIT])
    aws.bedrock.add_response("delete_custom_model_deployment", {})
    candidates_listed(aws)
    launcher.on_event(event("Delete", pipeline_props(), physical="rft-pipeline-demo"), aws.clients)
    aws.verify()
    assert aws.record() is None
