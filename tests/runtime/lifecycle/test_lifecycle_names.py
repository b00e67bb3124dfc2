"""Deterministic names: valid for the real service model, stable, and driven by the fingerprint only."""

from __future__ import annotations

import re

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rft_runtime.lifecycle import names

MODEL = boto3.client("bedrock", region_name="us-east-1").meta.service_model
CREATE = MODEL.operation_model("CreateModelCustomizationJob").input_shape.members
DEPLOY = MODEL.operation_model("CreateCustomModelDeployment").input_shape.members

pipelines = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,5}){0,3}", fullmatch=True).filter(
    lambda p: len(p) <= 24
)
fingerprints = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


def test_patterns_are_the_installed_service_models():
    assert names.JOB_NAME.pattern == CREATE["jobName"].metadata["pattern"]
    assert names.MODEL_NAME.pattern == CREATE["customModelName"].metadata["pattern"]
    assert names.MODEL_NAME.pattern == DEPLOY["modelDeploymentName"].metadata["pattern"]
    assert names.REQUEST_TOKEN.pattern == CREATE["clientRequestToken"].metadata["pattern"]


@given(pipeline=pipelines, fp=fingerprints, request_id=st.uuids())
def test_every_name_is_valid_for_any_pipeline_and_fingerprint(pipeline, fp, request_id):
    n = names.RunNames(pipeline, fp)
    for value, member in (
        (n.job_name, CREATE["jobName"]),
        (n.custom_model_name, CREATE["customModelName"]),
        (n.job_request_token, CREATE["clientRequestToken"]),
        (n.deployment_name, DEPLOY["modelDeploymentName"]),
        (
            n.deployment_request_token(f"arn:aws:states:us-east-1:1:execution:M:{request_id}", 3),
            DEPLOY["clientRequestToken"],
        ),
    ):
        meta = member.metadata
        assert re.fullmatch(meta["pattern"], value), value
        assert meta["min"] <= len(value) <= meta["max"]
    execution = n.execution_name(str(request_id))
    assert names.EXECUTION_NAME.fullmatch(execution) and execution.startswith(n.execution_prefix)


def test_fingerprint_is_canonical_and_sensitive():
    a = names.fingerprint({"hyperParameters": {"epochCount": 2, "batchSize": 64}, "inputs": "x"})
    b = names.fingerprint({"inputs": "x", "hyperParameters": {"batchSize": 64, "epochCount": 2}})
    c = names.fingerprint({"inputs": "x", "hyperParameters": {"batchSize": 64, "epochCount": 3}})
    assert a == b != c
    assert re.fullmatch(r"[0-9a-f]{64}", a)


def test_same_inputs_same_names_changed_inputs_new_job():
    first, again = names.RunNames("demo", "a" * 64), names.RunNames("demo", "a" * 64)
    other = names.RunNames("demo", "b" * 64)
    assert (first.job_name, first.custom_model_name, first.job_request_token, first.run_physical_id) == (
        again.job_name,
        again.custom_model_name,
        again.job_request_token,
        again.run_physical_id,
    )
    assert first.job_name != other.job_name and first.run_physical_id != other.run_physical_id
    # the deployment is the pipeline's: every run shares it
    assert first.deployment_name == other.deployment_name == "rft-demo"


def test_execution_names_replay_to_the_same_execution_but_relaunches_differ():
    n = names.RunNames("demo", "a" * 64)
    assert n.execution_name("req-1") == n.execution_name("req-1") != n.execution_name("req-2")


@pytest.mark.parametrize("pipeline", ["Demo", "a--b", "-a", "a" * 25, ""])
def test_bad_pipeline_names_are_rejected(pipeline):
    with pytest.raises(ValueError, match="pipeline name"):
        names.RunNames(pipeline, "a" * 64)


def test_execution_arn_from_state_machine_arn():
    arn = names.execution_arn("arn:aws:states:us-east-1:123456789012:stateMachine:M", "x-1")
    assert arn == "arn:aws:states:us-east-1:123456789012:execution:M:x-1"
    with pytest.raises(ValueError):
        names.execution_arn("arn:aws:lambda:us-east-1:123456789012:function:f", "x")


def test_deployment_tokens_differ_per_execution_and_attempt_but_repeat_for_a_retry():
    n = names.RunNames("demo", "a" * 64)
    first = n.deployment_request_token("arn:aws:states:us-east-1:1:execution:M:demo-aaaa-1", 1)
    assert first == n.deployment_request_token("arn:aws:states:us-east-1:1:execution:M:demo-aaaa-1", 1)
    others = {
        n.deployment_request_token("arn:aws:states:us-east-1:1:execution:M:demo-aaaa-2", 1),  # redeploy
        n.deployment_request_token("arn:aws:states:us-east-1:1:execution:M:demo-aaaa-1", 2),  # re-create
        names.RunNames("demo", "b" * 64).deployment_request_token(
            "arn:aws:states:us-east-1:1:execution:M:demo-aaaa-1", 1
        ),
    }
    assert first not in others and len(others) == 3
    with pytest.raises(ValueError, match="execution"):
        n.deployment_request_token("", 1)
