"""``mode = "provisioned"``: the pipeline's Provisioned Throughput against Stubber (Bedrock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lifecycle_fakes import (
    DEPLOYMENT_ARN,
    FP_A,
    FP_B,
    NOVA,
    PIPELINE,
    PT_ARN,
    REGION,
    candidates_listed,
    custom_model_response,
    model_arn,
)
from lifecycle_fakes import provisioned_response as _pt
from test_lifecycle_launcher import event

from rft_runtime.lifecycle import launcher, provisioned, state, steps
from rft_runtime.lifecycle.errors import SpecError
from rft_runtime.lifecycle.spec import RunSpec

EXEC = "arn:aws:states:us-east-1:123456789012:execution:RftLifecycle:demo-aaaa"
OTHER_BASE = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.nova-pro-v1:0:300k"
NAME = f"rft-{PIPELINE}"
FUTURE = datetime(2099, 1, 1, tzinfo=UTC)


def _spec(fp: str = FP_A, **overrides) -> RunSpec:
    from lifecycle_fakes import make_spec

    return make_spec(
        fp, **{"deploymentMode": "provisioned", "modelUnits": 2, "commitment": "none", **overrides}
    )


def _job(fp: str = FP_A) -> dict:
    return {"jobArn": "j", "jobName": "j", "status": "Completed", "modelArn": model_arn(fp)}


def _model(fp: str = FP_A, base: str = NOVA) -> dict:
    return {**custom_model_response("Active", fp), "baseModelArn": base}


def _not_found(stub, method, **params):
    stub.add_client_error(
        method, "ResourceNotFoundException", "not found", 404, expected_params=params or None
    )


def _step(aws, spec, progress, fp=FP_A, *, pt=None, base=NOVA):
    """One reconcile step: the model is Active; ``pt`` is the GetProvisionedModelThroughput answer."""
    aws.bedrock.add_response("get_custom_model", _model(fp, base), {"modelIdentifier": model_arn(fp)})
    if pt is None:
        _not_found(aws.bedrock, "get_provisioned_model_throughput", provisionedModelId=NAME)
    else:
        aws.bedrock.add_response("get_provisioned_model_throughput", pt, {"provisionedModelId": NAME})
    return steps.reconcile_deployment(spec, _job(fp), progress, aws.clients, aws.settings, EXEC)


def _expect_create(aws, spec, **members):
    """The model is Active, no throughput exists, and exactly this create is expected."""
    aws.bedrock.add_response("get_custom_model", _model(), {"modelIdentifier": model_arn()})
    _not_found(aws.bedrock, "get_provisioned_model_throughput", provisionedModelId=NAME)
    aws.bedrock.add_response(
        "create_provisioned_model_throughput",
        {"provisionedModelArn": PT_ARN},
        {
            "provisionedModelName": NAME,
            "modelId": model_arn(),
            "modelUnits": 2,
            "clientRequestToken": spec.names.provisioned_request_token(EXEC, 1),
            "tags": [{"key": "team", "value": "ml"}],
            **members,
        },
    )


def _owned(aws, fp=FP_A, **fields):
    aws.put_record(phase=state.TRAINING, fingerprint=fp, **fields)


# --- first run: create -------------------------------------------------------------------------


def test_first_run_creates_the_throughput_then_waits_until_it_serves_the_model(aws):
    spec = _spec(commitment="OneMonth")
    _owned(aws)
    _expect_create(aws, spec, commitmentDuration="OneMonth")
    first = steps.reconcile_deployment(spec, _job(), {}, aws.clients, aws.settings, EXEC)
    assert (first["outcome"], first["arn"], first["created"]) == ("Pending", PT_ARN, True)
    assert aws.record()["deploymentName"] == NAME
    second = _step(aws, spec, first, pt=_pt("Creating"))
    assert second["outcome"] == "Pending"
    third = _step(aws, spec, second, pt=_pt("InService"))
    assert (third["outcome"], third["arn"]) == ("Active", PT_ARN)
    published = steps.publish_success(spec, _job(), third, aws.clients, aws.settings, EXEC)
    aws.verify()
    # consumers invoke one ARN in every mode: the record's deploymentArn is the provisioned model's
    assert (published["deploymentArn"], published["deploymentName"], published["deploymentMode"]) == (
        PT_ARN,
        NAME,
        "provisioned",
    )


def test_no_commitment_leaves_commitment_duration_out_and_tokens_differ_per_create(aws):
    spec = _spec()
    _owned(aws)
    _expect_create(aws, spec)  # no commitmentDuration member at all
    steps.reconcile_deployment(spec, _job(), {}, aws.clients, aws.settings, EXEC)
    aws.verify()
    tokens = {spec.names.provisioned_request_token(EXEC, n) for n in (1, 2)}
    assert len(tokens | {spec.names.deployment_request_token(EXEC, 1)}) == 3


def test_a_throughput_created_by_this_run_and_not_visible_yet_is_not_created_twice(aws):
    spec = _spec()
    _owned(aws)
    progress = {"attempt": 1, "startedAt": datetime.now(UTC).isoformat(), "created": True, "creates": 1}
    result = _step(aws, spec, progress, pt=None)
    aws.verify()  # no second create was sent
    assert (result["outcome"], result["missingChecks"]) == ("Pending", 1)


# --- later runs: swap behind the same ARN ------------------------------------------------------


def test_a_new_model_is_swapped_in_behind_the_same_arn_old_one_serving_meanwhile(aws):
    spec = _spec(FP_B)
    _owned(aws, FP_B, deploymentArn=PT_ARN, servingModelArn=model_arn(FP_A))
    aws.bedrock.add_response("get_custom_model", _model(FP_B))
    aws.bedrock.add_response("get_provisioned_model_throughput", _pt("InService", model_arn(FP_A)))
    aws.bedrock.add_response(
        "update_provisioned_model_throughput",
        {},
        {"provisionedModelId": PT_ARN, "desiredModelId": model_arn(FP_B)},
    )
    first = steps.reconcile_deployment(spec, _job(FP_B), {}, aws.clients, aws.settings, EXEC)
    assert (first["outcome"], first["updateRequested"], first["arn"]) == ("Pending", True, PT_ARN)
    assert aws.record()["servingModelArn"] == model_arn(FP_A)
    updating = _pt("Updating", model_arn(FP_A), desired=model_arn(FP_B))
    second = _step(aws, spec, first, FP_B, pt=updating)
    assert (second["outcome"], second["swapSeen"]) == ("Pending", True)
    third = _step(aws, spec, second, FP_B, pt=_pt("InService", model_arn(FP_B)))
    assert (third["outcome"], third["arn"]) == ("Active", PT_ARN)
    aws.verify()


def test_a_swap_that_ends_failed_fails_the_run_with_the_service_message(aws):
    spec = _spec(FP_B)
    _owned(aws, FP_B)
    progress = {"attempt": 2, "startedAt": datetime.now(UTC).isoformat(), "updateRequested": True}
    failed = _pt("Failed", model_arn(FP_A), desired=model_arn(FP_B), failureMessage="capacity")
    result = _step(aws, spec, progress, FP_B, pt=failed)
    assert result["outcome"] == "Failed"
    assert "failed: capacity" in result["failureMessage"]


def test_a_swap_seen_updating_that_ends_on_the_old_model_is_a_failure(aws):
    spec = _spec(FP_B)
    _owned(aws, FP_B)
    progress = {
        "attempt": 3,
        "startedAt": datetime.now(UTC).isoformat(),
        "updateRequested": True,
        "swapSeen": True,
    }
    result = _step(aws, spec, progress, FP_B, pt=_pt("InService", model_arn(FP_A)))
    assert result["outcome"] == "Failed"
    assert "previous model keeps serving" in result["failureMessage"]


def test_a_swap_to_a_model_of_another_base_model_is_refused_with_why_and_what_to_do(aws):
    spec = _spec(FP_B)
    _owned(aws, FP_B)
    progress = {"attempt": 1, "startedAt": datetime.now(UTC).isoformat()}
    result = _step(aws, spec, progress, FP_B, pt=_pt("InService", model_arn(FP_A)), base=OTHER_BASE)
    aws.verify()  # no UpdateProvisionedModelThroughput was sent
    assert result["outcome"] == "Failed"
    message = result["failureMessage"]
    assert NOVA in message and OTHER_BASE in message and "same base model" in message
    assert "delete-provisioned-model-throughput --provisioned-model-id rft-demo" in message


def test_a_refused_swap_of_a_committed_throughput_says_it_cannot_be_deleted(aws):
    spec = _spec(FP_B)
    _owned(aws, FP_B)
    committed = _pt(
        "InService", model_arn(FP_A), commitmentDuration="SixMonths", commitmentExpirationTime=FUTURE
    )
    progress = {"attempt": 1, "startedAt": datetime.now(UTC).isoformat()}
    result = _step(aws, spec, progress, FP_B, pt=committed, base=OTHER_BASE)
    assert "cannot be deleted before" in result["failureMessage"]
    assert "delete-provisioned-model-throughput" not in result["failureMessage"]


def test_a_swap_the_service_rejects_fails_with_its_message(aws):
    spec = _spec(FP_B)
    _owned(aws, FP_B)
    aws.bedrock.add_response("get_custom_model", _model(FP_B))
    aws.bedrock.add_response("get_provisioned_model_throughput", _pt("InService", model_arn(FP_A)))
    aws.bedrock.add_client_error(
        "update_provisioned_model_throughput", "ValidationException", "model not compatible", 400
    )
    result = steps.reconcile_deployment(spec, _job(FP_B), {}, aws.clients, aws.settings, EXEC)
    aws.verify()
    assert result["outcome"] == "Failed" and "model not compatible" in result["failureMessage"]


def test_units_that_differ_from_the_config_are_noted_not_changed(aws):
    spec = _spec(modelUnits=4)
    _owned(aws)
    progress = {"attempt": 1, "startedAt": datetime.now(UTC).isoformat()}
    result = _step(aws, spec, progress, pt=_pt("InService"))
    assert result["outcome"] == "Active"
    assert "has 2 model units, the config asks for 4" in result["note"]


# --- a throughput left Failed ------------------------------------------------------------------


def test_a_failed_throughput_left_by_an_earlier_run_is_deleted_and_created_again(aws):
    spec = _spec()
    _owned(aws)
    aws.bedrock.add_response("get_custom_model", _model())
    aws.bedrock.add_response("get_provisioned_model_throughput", _pt("Failed", failureMessage="old"))
    aws.bedrock.add_response("delete_provisioned_model_throughput", {}, {"provisionedModelId": PT_ARN})
    first = steps.reconcile_deployment(spec, _job(), {}, aws.clients, aws.settings, EXEC)
    assert (first["outcome"], first["replacing"]) == ("Pending", True)
    aws.bedrock.add_response("get_custom_model", _model())
    _not_found(aws.bedrock, "get_provisioned_model_throughput")
    aws.bedrock.add_response("create_provisioned_model_throughput", {"provisionedModelArn": PT_ARN})
    second = steps.reconcile_deployment(spec, _job(), first, aws.clients, aws.settings, EXEC)
    assert (second["outcome"], second["created"]) == ("Pending", True)
    aws.verify()


def test_a_committed_failed_throughput_is_never_deleted(aws):
    spec = _spec()
    _owned(aws)
    failed = _pt(
        "Failed", failureMessage="old", commitmentDuration="OneMonth", commitmentExpirationTime=FUTURE
    )
    result = _step(aws, spec, {"attempt": 1, "startedAt": datetime.now(UTC).isoformat()}, pt=failed)
    aws.verify()  # no DeleteProvisionedModelThroughput
    assert result["outcome"] == "Failed" and "committed until" in result["failureMessage"]


def test_this_runs_own_failed_create_fails_the_run(aws):
    spec = _spec()
    _owned(aws)
    progress = {"attempt": 2, "startedAt": datetime.now(UTC).isoformat(), "created": True, "creates": 1}
    result = _step(aws, spec, progress, pt=_pt("Failed", failureMessage="no capacity"))
    assert result["outcome"] == "Failed" and "no capacity" in result["failureMessage"]


# --- mode changes ------------------------------------------------------------------------------


def test_on_demand_to_provisioned_deletes_the_on_demand_deployment_after_publishing(aws):
    spec = _spec(FP_B)
    _owned(
        aws, FP_B, deploymentArn=DEPLOYMENT_ARN, servingModelArn=model_arn(FP_A), deploymentMode="on_demand"
    )
    aws.bedrock.add_response("delete_custom_model_deployment", {}, {"customModelDeploymentIdentifier": NAME})
    published = steps.publish_success(spec, _job(FP_B), {"arn": PT_ARN}, aws.clients, aws.settings, EXEC)
    aws.verify()
    assert aws.record()["deploymentArn"] == PT_ARN
    assert published["modeChange"] == {"onDemandDeployment": "deleted"}


def test_provisioned_without_an_on_demand_deployment_reports_no_mode_change(aws):
    _owned(aws, deploymentArn=PT_ARN)
    _not_found(aws.bedrock, "delete_custom_model_deployment")
    candidates_listed(aws)
    published = steps.publish_success(_spec(), _job(), {"arn": PT_ARN}, aws.clients, aws.settings, EXEC)
    assert "modeChange" not in published


@pytest.mark.parametrize("mode", ["on_demand", "none"])
def test_leaving_provisioned_mode_keeps_the_throughput_and_says_it_still_bills(aws, mode):
    from lifecycle_fakes import make_spec

    _owned(aws, FP_B, deploymentArn=PT_ARN, servingModelArn=model_arn(FP_A))
    spec = make_spec(FP_B, deploymentMode=mode)
    deployment = {"arn": DEPLOYMENT_ARN} if mode == "on_demand" else {}
    published = steps.publish_success(spec, _job(FP_B), deployment, aws.clients, aws.settings, EXEC)
    aws.verify()  # no provisioned-throughput call: those modes hold no such permission
    note = published["modeChange"]["provisionedThroughput"]
    assert PT_ARN in note and "still bills" in note and "--provisioned-model-id rft-demo" in note


# --- serving_arn (the promotion gate's incumbent) ------------------------------------------------


def test_serving_arn_is_the_provisioned_model_arn_in_provisioned_mode(aws):
    aws.bedrock.add_response(
        "get_provisioned_model_throughput", _pt("Updating"), {"provisionedModelId": NAME}
    )
    assert provisioned.serving_arn(_spec(), aws.clients.bedrock) == PT_ARN
    aws.bedrock.add_response("get_provisioned_model_throughput", _pt("Creating"))
    assert provisioned.serving_arn(_spec(), aws.clients.bedrock) is None
    _not_found(aws.bedrock, "get_provisioned_model_throughput")
    assert provisioned.serving_arn(_spec(), aws.clients.bedrock) is None
    aws.verify()


def test_serving_arn_is_the_deployment_arn_on_demand_and_none_without_deployment(aws):
    from lifecycle_fakes import deployment_response, make_spec

    aws.bedrock.add_response(
        "get_custom_model_deployment",
        deployment_response("Active"),
        {"customModelDeploymentIdentifier": NAME},
    )
    assert provisioned.serving_arn(make_spec(), aws.clients.bedrock) == DEPLOYMENT_ARN
    assert provisioned.serving_arn(make_spec(deploymentMode="none"), aws.clients.bedrock) is None
    aws.verify()


# --- the promotion gate's incumbent (step find_incumbent) -----------------------------------------

BASE_MODEL = {
    "model": "us.amazon.nova-2-lite-v1:0",
    "kind": "base model",
    "baseModel": "amazon.nova-2-lite-v1:0:256k",
}
THROUGHPUT = {"model": PT_ARN, "kind": "provisioned throughput"}


def _find_incumbent(aws) -> dict:
    from rft_runtime.promotion import handlers

    event = {"action": "find_incumbent", "spec": _spec(FP_B).to_dict(), "executionArn": EXEC}
    return handlers.run_action(event, aws.clients, aws.settings)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("InService", THROUGHPUT),
        # a swap in progress: the old model serves until the new one takes over, through the same
        # ARN consumers invoke; measuring the base model instead would pass a worse candidate
        ("Updating", THROUGHPUT),
        ("Creating", BASE_MODEL),  # nothing serves through it yet
        ("Failed", BASE_MODEL),
        (None, BASE_MODEL),  # the pipeline's first run
    ],
)
def test_the_incumbent_in_provisioned_mode_is_the_throughput_that_serves_else_the_base_model(
    aws, status, expected
):
    if status is None:
        _not_found(aws.bedrock, "get_provisioned_model_throughput", provisionedModelId=NAME)
    else:
        aws.bedrock.add_response(
            "get_provisioned_model_throughput", _pt(status, model_arn(FP_A)), {"provisionedModelId": NAME}
        )
    if expected is BASE_MODEL:  # no on-demand deployment left over from an earlier mode either
        _not_found(aws.bedrock, "get_custom_model_deployment", customModelDeploymentIdentifier=NAME)
    assert _find_incumbent(aws) == expected
    aws.verify()


@pytest.mark.parametrize("status", ["Creating", "Failed"])
def test_an_idle_throughput_of_a_pipeline_that_serves_is_an_evaluation_error_not_the_base_model(aws, status):
    from rft_runtime.promotion.errors import EvaluationError

    aws.put_record(phase=state.ACTIVE, fingerprint=FP_A, servingModelArn=model_arn(FP_A))
    idle = _pt(status, model_arn(FP_A))
    aws.bedrock.add_response("get_provisioned_model_throughput", idle, {"provisionedModelId": NAME})
    # no on-demand deployment left over from an earlier mode
    _not_found(aws.bedrock, "get_custom_model_deployment", customModelDeploymentIdentifier=NAME)
    aws.bedrock.add_response("get_provisioned_model_throughput", idle, {"provisionedModelId": NAME})
    with pytest.raises(EvaluationError, match=f"provisioned throughput {NAME} is {status}"):
        _find_incumbent(aws)
    aws.verify()


def test_after_a_change_from_on_demand_the_incumbent_is_the_deployment_that_still_serves(aws):
    from lifecycle_fakes import deployment_response

    _not_found(aws.bedrock, "get_provisioned_model_throughput", provisionedModelId=NAME)
    aws.bedrock.add_response(
        "get_custom_model_deployment",
        deployment_response("Active", model_arn(FP_A)),
        {"customModelDeploymentIdentifier": NAME},
    )
    assert _find_incumbent(aws) == {"model": DEPLOYMENT_ARN, "kind": "serving deployment"}
    aws.verify()


# --- the run spec ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"modelUnits": None}, "modelUnits must be an integer >= 1 in provisioned mode"),
        ({"modelUnits": 0}, "modelUnits must be an integer >= 1"),
        ({"modelUnits": True}, "modelUnits must be an integer >= 1"),
        ({"commitment": "OneYear"}, "commitment must be one of"),
        ({"deploymentMode": "on_demand"}, "modelUnits is only for provisioned mode"),
    ],
)
def test_the_spec_rejects_bad_provisioned_members(overrides, message):
    with pytest.raises(SpecError, match=message):
        _spec(**overrides)


def test_the_spec_round_trips_and_other_modes_carry_no_provisioned_members():
    from lifecycle_fakes import make_spec

    spec = _spec(commitment="SixMonths")
    assert RunSpec.from_dict(spec.to_dict()) == spec
    assert (spec.to_dict()["modelUnits"], spec.to_dict()["commitment"]) == (2, "SixMonths")
    assert not {"modelUnits", "commitment"} & set(make_spec().to_dict())


def test_commitments_are_botocores_commitment_durations():
    import botocore.session

    from rft_runtime.lifecycle.spec import COMMITMENTS

    model = botocore.session.get_session().get_service_model("bedrock")
    shape = model.operation_model("CreateProvisionedModelThroughput").input_shape.members[
        "commitmentDuration"
    ]
    assert ("none", *shape.enum) == COMMITMENTS


# --- stack delete ------------------------------------------------------------------------------

PROPS = {"Kind": "pipeline", "Pipeline": PIPELINE, "RetainModels": "false", "ProvisionedThroughput": "true"}


def _models_listed(aws, *fps: str) -> None:
    summaries = [
        {
            "modelArn": model_arn(fp),
            "modelName": f"rft-{PIPELINE}-{fp[:12]}",
            "creationTime": datetime(2026, 5, 1, tzinfo=UTC),
            "baseModelArn": NOVA,
            "baseModelName": "nova",
        }
        for fp in fps
    ]
    aws.bedrock.add_response("list_custom_models", {"modelSummaries": summaries})


def test_stack_delete_deletes_an_uncommitted_throughput_before_the_models(aws):
    _not_found(aws.bedrock, "delete_custom_model_deployment")
    candidates_listed(aws)
    aws.bedrock.add_response("get_provisioned_model_throughput", _pt("InService"))
    aws.bedrock.add_response("delete_provisioned_model_throughput", {}, {"provisionedModelId": PT_ARN})
    _not_found(aws.bedrock, "get_provisioned_model_throughput")
    _models_listed(aws, FP_A)
    aws.bedrock.add_response("delete_custom_model", {}, {"modelIdentifier": model_arn(FP_A)})
    slept: list[float] = []
    launcher.on_event(event("Delete", PROPS, physical="rft-pipeline-demo"), aws.clients, sleep=slept.append)
    aws.verify()
    assert slept == [launcher.DELETE_POLL_SECONDS]


def test_stack_delete_never_deletes_a_committed_throughput_nor_the_model_it_serves(aws):
    _not_found(aws.bedrock, "delete_custom_model_deployment")
    candidates_listed(aws)
    committed = _pt("InService", commitmentDuration="OneMonth", commitmentExpirationTime=FUTURE)
    aws.bedrock.add_response("get_provisioned_model_throughput", committed)
    _models_listed(aws, FP_A, FP_B)
    aws.bedrock.add_response("delete_custom_model", {}, {"modelIdentifier": model_arn(FP_B)})
    launcher.on_event(
        event("Delete", PROPS, physical="rft-pipeline-demo"), aws.clients, sleep=lambda _s: None
    )
    aws.verify()  # FP_A's model (served by the throughput) was not deleted


def test_a_commitment_whose_term_ended_no_longer_protects_the_throughput():
    now = datetime(2026, 6, 1, tzinfo=UTC)
    ended = _pt(commitmentDuration="OneMonth", commitmentExpirationTime=now - timedelta(days=1))
    assert not provisioned.committed(ended, now)
    assert provisioned.committed({**ended, "commitmentExpirationTime": now + timedelta(days=1)}, now)
    assert provisioned.committed({"commitmentDuration": "OneMonth"}, now)  # no expiry known yet
    assert not provisioned.committed(_pt(), now)


def test_rft_status_reads_a_provisioned_serving_arn_as_a_throughput(aws, capsys, monkeypatch):
    from rft_runtime.cli import main, status

    monkeypatch.setattr(status, "make_clients", lambda region: aws.clients)
    aws.put_record(phase=state.ACTIVE, fingerprint=FP_A, deploymentArn=PT_ARN, servingModelArn=model_arn())
    aws.bedrock.add_response(
        "get_provisioned_model_throughput", _pt("InService"), {"provisionedModelId": PT_ARN}
    )
    assert main.main(["status", "--pipeline", PIPELINE]) == 0
    aws.verify()  # GetProvisionedModelThroughput, never GetCustomModelDeployment on this ARN
    assert f"{PT_ARN}  (InService, serving {model_arn()})" in capsys.readouterr().out


def test_rft_plan_counts_a_retrain_in_provisioned_mode_as_a_serving_change():
    from rft_runtime.gitops.plan import TrainingPlan, _serving
    from rft_runtime.gitops.training import TrainingRun

    def run(fp: str) -> TrainingRun:
        return TrainingRun(PIPELINE, fp, f"rft-{PIPELINE}-{fp[:12]}", "provisioned", NAME)

    serving = _serving(TrainingPlan(PIPELINE, "retrain", run(FP_A), run(FP_B)))
    assert serving.changes and serving.summary.startswith(f"provisioned throughput {NAME} switches")
    removed = _serving(TrainingPlan(PIPELINE, "removed", run(FP_A), None))
    assert removed.changes and "unless its commitment runs" in removed.summary
