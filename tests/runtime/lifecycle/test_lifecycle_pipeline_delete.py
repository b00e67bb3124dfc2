"""Pipeline Delete while a stopped run was still creating or swapping the deployment."""

from __future__ import annotations

import pytest
from lifecycle_fakes import PIPELINE
from test_lifecycle_launcher import event

from rft_runtime.lifecycle import launcher
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
