"""``promote_from`` at run time: the adoption step finds the source's promoted model by name, waits
while it is absent or not promoted, fails when the source's gate rejected it, and never trains
(Stubber: any Bedrock call not queued, such as CreateModelCustomizationJob, fails the test)."""

from __future__ import annotations

import json

import pytest
from lifecycle_fakes import (
    ACCOUNT,
    FP_A,
    FP_B,
    PIPELINE,
    REGION,
    expect_candidate_delete,
    make_spec,
    model_arn,
)

from rft_runtime.lifecycle import adoption, execution_end, model_pruning, names, state, steps
from rft_runtime.lifecycle.errors import SpecError, Superseded

#: The source shares the promoting pipeline's name as a prefix on purpose ("demo" / "demo-dev"):
#: listing the promoting pipeline's models by prefix also finds the source's.
SOURCE = "demo-dev"
PROMOTE_FROM = {"pipeline": SOURCE, "account": ACCOUNT, "region": REGION}
EXEC = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:RftLifecycle:demo-aaaa"
STARTED = "2026-05-01T08:00:00.250Z"
SOURCE_MODEL = names.RunNames(SOURCE, FP_A).custom_model_name
SOURCE_ARN = model_arn(FP_A).replace("/aaaaaaaa", "/50urce")  # any ARN: the name is what is looked up


@pytest.fixture
def spec():
    return make_spec(promoteFrom=dict(PROMOTE_FROM))


def source_model(stub, status: str = "Active") -> None:
    stub.add_response(
        "get_custom_model",
        {"modelArn": SOURCE_ARN, "modelName": SOURCE_MODEL, "creationTime": "2026-05-01T09:00:00Z",
         "modelStatus": status},
        {"modelIdentifier": SOURCE_MODEL},
    )  # fmt: skip


def no_source_model(stub) -> None:
    stub.add_client_error("get_custom_model", "ResourceNotFoundException", "no such model", 404,
                          expected_params={"modelIdentifier": SOURCE_MODEL})  # fmt: skip


def source_tags(stub, **pairs: str) -> None:
    tags = [{"key": k, "value": v} for k, v in {"bedrock-rft:pipeline": SOURCE, **pairs}.items()]
    stub.add_response("list_tags_for_resource", {"tags": tags}, {"resourceARN": SOURCE_ARN})


def source_record(aws, **fields) -> None:
    aws.clients.ssm.put_parameter(
        Name=names.state_parameter_name(SOURCE),
        Value=json.dumps({"schema": 1, "pipeline": SOURCE, **fields}),
        Type="String",
        Overwrite=True,
    )


def adopt(aws, spec, job=None):
    return adoption.adopt_model(spec, job or {}, aws.clients, aws.settings, execution=(EXEC, STARTED))


def test_the_source_model_name_is_the_source_pipelines_name_for_the_same_fingerprint(spec):
    assert adoption.source_names(spec).custom_model_name == f"rft-{SOURCE}-{FP_A[:12]}"
    assert adoption.source_names(spec).fingerprint == spec.fingerprint


def test_an_absent_source_model_waits_and_says_what_for(aws, spec):
    no_source_model(aws.bedrock)
    first = adopt(aws, spec)
    no_source_model(aws.bedrock)
    second = adopt(aws, spec, first)
    aws.verify()
    assert first["status"] == second["status"] == adoption.WAITING
    assert (first["nextPollSeconds"], second["nextPollSeconds"]) == (300, 450)
    assert first["jobName"] == first["jobArn"] == first["modelArn"] == ""  # never the source's job
    record = aws.record()
    assert record["phase"] == state.ADOPTING and record["fingerprint"] == FP_A
    assert record["step"].startswith(f"waiting for {SOURCE}'s run {FP_A[:12]} to pass its promotion gate")
    assert f"{SOURCE_MODEL} does not exist yet" in record["step"]
    assert record["startedAt"] == "2026-05-01T08:00:00.250+00:00"
    assert len(aws.events) == 1  # the same wait is not published again


def test_the_wait_grows_to_fifteen_minutes():
    assert [adoption.adopt_poll_seconds(n) for n in (1, 2, 3, 4, 10)] == [300, 450, 675, 900, 900]


def test_a_model_still_being_created_waits(aws, spec):
    source_model(aws.bedrock, "Creating")
    result = adopt(aws, spec)
    aws.verify()
    assert result["status"] == adoption.WAITING and "is Creating" in result["step"]


def test_a_present_but_unpromoted_model_waits_even_when_the_source_record_is_unreadable(aws, spec):
    source_model(aws.bedrock)
    source_tags(aws.bedrock)  # no promoted mark
    result = adopt(aws, spec)  # no source record at all
    source_model(aws.bedrock)
    source_tags(aws.bedrock)
    source_record(aws, phase="DEPLOYING", fingerprint=FP_A)
    again = adopt(aws, spec, result)
    aws.verify()
    assert result["status"] == again["status"] == adoption.WAITING
    assert f"{SOURCE_MODEL} is not promoted yet" in again["step"]


def test_a_promoted_model_is_adopted_in_the_job_shape_the_later_steps_read(aws, spec):
    source_model(aws.bedrock)
    source_tags(aws.bedrock, **{"bedrock-rft:promoted": "gate"})
    result = adopt(aws, spec)
    aws.verify()
    assert (result["status"], result["modelArn"]) == ("Completed", SOURCE_ARN)
    assert result["adoptedFrom"] == {**PROMOTE_FROM, "modelArn": SOURCE_ARN, "modelName": SOURCE_MODEL,
                                     "promotedBy": "gate"}  # fmt: skip
    assert result["jobArn"] == "" and "adopted" not in result  # "adopted" means this pipeline's own job


def test_a_model_the_sources_gate_rejected_ends_the_run_naming_the_source_and_rft_promote(aws, spec):
    source_model(aws.bedrock)  # the record is read first: its tags are not even looked at
    source_record(aws, phase=state.REJECTED, fingerprint=FP_A, modelArn=SOURCE_ARN)
    result = adopt(aws, spec)
    aws.verify()
    assert (result["status"], result["failedStep"]) == ("Failed", "adoption")
    message = result["failureMessage"]
    assert f"pipeline {SOURCE}'s promotion gate rejected its model {SOURCE_ARN}" in message
    assert f"rft promote --pipeline {SOURCE} --fingerprint {FP_A}" in message


@pytest.mark.parametrize(
    ("value", "status"),
    [("gate", "Completed"), ("rft-promote", "Completed")]
    + [(untrusted, adoption.WAITING) for untrusted in ("yes", "true", "Gate", "")],
)
def test_only_the_promoted_marks_the_package_writes_are_trusted(aws, spec, value, status):
    # an untrusted value, e.g. a config `tags` entry the model was born with, keeps the run waiting
    source_model(aws.bedrock)
    source_tags(aws.bedrock, **{"bedrock-rft:promoted": value})
    source_record(aws, phase=state.ACTIVE, fingerprint=FP_A)
    result = adopt(aws, spec)
    aws.verify()
    assert result["status"] == status
    if status == adoption.WAITING:
        assert f"{SOURCE_MODEL} is not promoted yet" in result["step"]
    else:
        assert result["adoptedFrom"]["promotedBy"] == value


def test_a_rejection_of_another_run_of_the_source_does_not_end_this_one(aws, spec):
    source_model(aws.bedrock)
    source_tags(aws.bedrock)
    source_record(aws, phase=state.REJECTED, fingerprint=FP_B)
    assert adopt(aws, spec)["status"] == adoption.WAITING
    aws.verify()


def test_a_run_overtaken_by_a_newer_one_stops_waiting(aws, spec):
    aws.put_record(phase=state.STARTING, fingerprint=FP_B, startedAt="2026-05-02T08:00:00+00:00")
    with pytest.raises(Superseded):
        adopt(aws, spec)
    aws.verify()  # nothing was looked up


def test_the_spec_carries_promote_from_only_when_set_and_checks_it():
    assert "promoteFrom" not in make_spec().to_dict()
    promoting = make_spec(promoteFrom=dict(PROMOTE_FROM))
    assert promoting.to_dict()["promoteFrom"] == PROMOTE_FROM
    assert type(promoting).from_dict(promoting.to_dict()) == promoting
    with pytest.raises(SpecError, match=r"promoteFrom\.pipeline: a pipeline cannot promote from itself"):
        make_spec(promoteFrom={**PROMOTE_FROM, "pipeline": PIPELINE})
    with pytest.raises(SpecError, match="promoteFrom must be an object with non-empty pipeline, account"):
        make_spec(promoteFrom={"pipeline": SOURCE})
    with pytest.raises(SpecError, match=r"promoteFrom\.pipeline: pipeline name 'Dev_1'"):
        make_spec(promoteFrom={**PROMOTE_FROM, "pipeline": "Dev_1"})


def test_the_adopt_action_is_dispatched_and_never_starts_a_job(aws, spec):
    no_source_model(aws.bedrock)
    event = {"action": "adopt_model", "spec": spec.to_dict(), "executionArn": EXEC,
             "executionStartTime": STARTED, "job": {}}  # fmt: skip
    assert steps.run_action(event, aws.clients, aws.settings)["status"] == adoption.WAITING
    aws.verify()


def test_the_published_success_says_where_the_model_came_from(aws, spec):
    aws.put_record(phase=state.DEPLOYING, fingerprint=FP_A, executionArn=EXEC)
    adopted_from = {**PROMOTE_FROM, "modelArn": SOURCE_ARN, "modelName": SOURCE_MODEL, "promotedBy": "gate"}
    job = {
        "status": "Completed",
        "modelArn": SOURCE_ARN,
        "jobName": "",
        "jobArn": "",
        "adoptedFrom": adopted_from,
    }
    out = steps.publish_success(spec, job, {"arn": "arn:dep"}, aws.clients, aws.settings, EXEC)
    assert out["adoptedFrom"] == adopted_from and out["servingModelArn"] == SOURCE_ARN
    assert json.loads(aws.events[-1]["Detail"])["adoptedFrom"]["pipeline"] == SOURCE
    assert aws.record()["adoptedFrom"] == adopted_from


def test_pruning_in_the_promoting_pipeline_never_touches_the_sources_models(aws, spec):
    """keep_models in the promoting pipeline: the listing by its prefix also returns the source's
    models (``rft-demo-dev-...``); none of them is even considered, let alone deleted."""
    base = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.nova-2-lite-v1:0:256k"
    listed = [
        {"modelArn": SOURCE_ARN, "modelName": SOURCE_MODEL, "baseModelArn": base, "baseModelName": "n",
         "creationTime": "2026-04-01T09:00:00Z", "modelStatus": "Active"},
        {"modelArn": f"{SOURCE_ARN}0", "modelName": f"rft-{SOURCE}-{FP_B[:12]}", "baseModelArn": base,
         "baseModelName": "n", "creationTime": "2026-03-01T09:00:00Z", "modelStatus": "Active"},
    ]  # fmt: skip
    aws.bedrock.add_response("list_custom_models", {"modelSummaries": listed},
                             {"nameContains": f"rft-{PIPELINE}-", "maxResults": 100})  # fmt: skip
    aws.bedrock.add_response("list_custom_model_deployments", {"modelDeploymentSummaries": []})
    aws.bedrock.add_response("list_provisioned_model_throughputs", {"provisionedModelSummaries": []})
    result = model_pruning.prune(aws.clients.bedrock, PIPELINE, 1, [])
    aws.verify()  # no ListTagsForResource, no DeleteCustomModel was made
    assert result == {"deleted": [], "kept": {}}


def test_a_promoting_run_that_times_out_waiting_is_published_failed_with_what_it_waited_for(aws, spec):
    no_source_model(aws.bedrock)
    waiting = adopt(aws, spec)["step"]
    own_job = spec.names.job_name  # looked up by name: the run has none, and the source's is not touched
    aws.bedrock.add_client_error("get_model_customization_job", "ResourceNotFoundException", "", 404,
                                 expected_params={"jobIdentifier": own_job})  # fmt: skip
    expect_candidate_delete(aws, spec.names.candidate_deployment_name, "ResourceNotFoundException")
    event = {"source": "aws.states", "detail": {"executionArn": EXEC, "status": "TIMED_OUT"}}
    result = execution_end.on_execution_end(event, aws.clients, aws.settings)
    aws.verify()
    record = aws.record()
    assert (result["stopped"], record["phase"]) == (False, state.FAILED)
    assert record["failure"]["message"] == f"the workflow execution ended TIMED_OUT {waiting}"
    assert aws.notifications[-1]["Subject"] == "[bedrock-rft] demo: FAILED"
