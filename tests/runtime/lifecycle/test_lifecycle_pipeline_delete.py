"""Pipeline Delete while a stopped run was still creating or swapping the deployment, and the
candidate deployments its gates left behind."""

from __future__ import annotations

import pytest
from lifecycle_fakes import FP_A, FP_B, PIPELINE, candidates_listed, expect_candidate_delete
from test_lifecycle_launcher import event

from rft_runtime.lifecycle import launcher, names
from rft_runtime.lifecycle.errors import InvalidRequest

PROPS = {"Kind": "pipeline", "Pipeline": PIPELINE, "RetainModels": "true"}


def _busy(aws, times: int) -> None:
    for _ in range(times):
        aws.bedrock.add_client_error(
            "delete_custom_model_deployment", "ConflictException", "deployment is updating", 409
        )


def test_a_busy_deployment_is_deleted_once_its_create_or_update_ends(aws):
    _busy(aws, 2)
    aws.bedrock.add_response("delete_custom_model_deployment", {})
    candidates_listed(aws)
    slept: list[float] = []
    launcher.on_event(event("Delete", PROPS, physical="rft-pipeline-demo"), aws.clients, sleep=slept.append)
    aws.verify()
    assert slept == [launcher.DELETE_POLL_SECONDS] * 2


def test_a_deployment_busy_for_too_long_fails_the_delete_with_what_to_do(aws):
    checks = launcher.DEPLOYMENT_BUSY_WAIT_SECONDS // launcher.DELETE_POLL_SECONDS + 1
    _busy(aws, checks)
    with pytest.raises(InvalidRequest, match=r"still being created or updated .* delete the stack again"):
        launcher.on_event(
            event("Delete", PROPS, physical="rft-pipeline-demo"), aws.clients, sleep=lambda _s: None
        )
    aws.verify()


def test_the_delete_removes_this_pipeline_s_candidates_and_only_its_own(aws):
    aws.bedrock.add_response("delete_custom_model_deployment", {})  # the serving deployment
    ours = [names.RunNames(PIPELINE, fp).candidate_deployment_name for fp in (FP_A, FP_B)]
    # nameContains matches anywhere: pipeline "demo-candidate" and "x-rft-demo-candidate-..." are not ours
    theirs = [f"x-{ours[0]}", f"rft-{PIPELINE}-candidate-candidate-{FP_A[:12]}", f"{ours[0]}-2"]
    candidates_listed(aws, ours[0], *theirs, ours[1])
    expect_candidate_delete(aws, ours[0], "ConflictException")  # still being created: wait for it
    expect_candidate_delete(aws, ours[0])
    expect_candidate_delete(aws, ours[1], "ResourceNotFoundException")
    slept: list[float] = []
    launcher.on_event(event("Delete", PROPS, physical="rft-pipeline-demo"), aws.clients, sleep=slept.append)
    aws.verify()
    assert slept == [launcher.DELETE_POLL_SECONDS]
