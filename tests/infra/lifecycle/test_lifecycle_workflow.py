"""The synthesized state machine: its shape, and simulated runs of it against the real step code.

The simulated runs execute the *synthesized* ASL (``asl_simulator``) with every Task calling
``rft_runtime.lifecycle.steps.run_action`` on Stubber (Bedrock, Step Functions) and moto (S3, SSM,
SNS, EventBridge) clients, starting from the launcher's ``on_event`` with the template's own
``Spec`` property. So they prove the wiring: payload paths, result paths, choices, catches.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import asl_simulator
import pytest
from aws_cdk.assertions import Template
from lifecycle_stack import build, fake_resolve, resources_of

from bedrock_rft.config import PromotionSource
from rft_runtime.lifecycle import adoption, job_events, launcher, names, state, steps
from rft_runtime.lifecycle.spec import RunSpec

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "runtime" / "lifecycle"))
from lifecycle_fakes import (
    DEPLOYMENT_ARN,
    aws_env,
    custom_model_response,
    deployment_response,
    details,
    job_arn,
    job_response,
    model_arn,
)

pytestmark = pytest.mark.synth

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:lifecycleworkflowstatemachine"
STARTED = "2026-05-01T08:00:00.250Z"  # $$.Execution.StartTime of the launched execution
STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/LifecycleTest/1"


@pytest.fixture(scope="module")
def synthesized():
    return _synthesize()


def _synthesize(**overrides):
    _app, stack, _lifecycle = build(**overrides)
    template = Template.from_stack(stack).to_json()
    (machine,) = resources_of(template, "AWS::StepFunctions::StateMachine").values()
    definition = json.loads(fake_resolve(template, machine["Properties"]["DefinitionString"]))
    (run,) = resources_of(template, "Custom::RftTrainingRun").values()
    props = fake_resolve(template, run["Properties"])
    return definition, props


# --- shape --------------------------------------------------------------------------------------


def _targets(state_def: dict) -> list[str]:
    found = [state_def["Next"]] if "Next" in state_def else []
    found += [c["Next"] for c in state_def.get("Choices", [])]
    found += [state_def["Default"]] if "Default" in state_def else []
    found += [c["Next"] for c in state_def.get("Catch", [])]
    return found


def test_every_state_is_reachable_and_every_path_ends_in_a_terminal_state(synthesized):
    definition, _ = synthesized
    states = definition["States"]
    for name, state_def in states.items():
        assert all(t in states for t in _targets(state_def)), name
        terminal = state_def["Type"] in ("Succeed", "Fail") or state_def.get("End")
        assert terminal or _targets(state_def), f"{name} has nowhere to go"
        if state_def["Type"] == "Choice":
            assert "Default" in state_def, f"{name} needs a Default"
    reachable, todo = set(), [definition["StartAt"]]
    while todo:
        name = todo.pop()
        if name not in reachable:
            reachable.add(name)
            todo += _targets(states[name])
    assert reachable == set(states)
    ends = {n for n, s in states.items() if s["Type"] in ("Succeed", "Fail")}
    for name in states:  # from every state some terminal state can be reached
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo += _targets(states[current])
        assert seen & ends, f"{name} cannot reach a terminal state"


def test_every_task_has_retry_and_a_catch_all(synthesized):
    definition, _ = synthesized
    tasks = {n: s for n, s in definition["States"].items() if s["Type"] == "Task"}
    assert set(tasks) == {
        "Preflight",
        "StartJob",
        "AdoptModel",
        "CheckJob",
        "AwaitJobEvent",
        "ReconcileDeployment",
        "PublishSuccess",
        "PublishFailure",
    }
    for name, task in tasks.items():
        assert task["Retry"], name
        assert any("States.ALL" in c["ErrorEquals"] for c in task["Catch"]), name
        retried = {e for r in task["Retry"] for e in r["ErrorEquals"]}
        assert "QuotaExceeded" not in retried and "States.ALL" not in retried, name
        assert "TransientAwsError" in retried, name


def test_the_job_wait_survives_an_hour_of_failing_checks(synthesized):
    """A throttling or 5xx burst during hours of polling must not fail the run (and leave the job
    unwatched): CheckJob and AwaitJobEvent retry for about an hour on average, other steps briefly."""
    definition, _ = synthesized

    def retry_of(name: str) -> dict:
        (retry,) = [r for r in definition["States"][name]["Retry"] if "TransientAwsError" in r["ErrorEquals"]]
        return retry

    def longest_wait(retry: dict) -> float:
        delays = [
            min(retry["IntervalSeconds"] * retry["BackoffRate"] ** n, retry["MaxDelaySeconds"])
            for n in range(retry["MaxAttempts"])
        ]
        return sum(delays)

    for name in ("CheckJob", "AwaitJobEvent", "AdoptModel"):
        retry = retry_of(name)
        assert retry["JitterStrategy"] == "FULL"
        assert longest_wait(retry) / 2 >= 3600, name  # full jitter: the mean is half the longest
        assert "PublishFailed" in retry["ErrorEquals"]
    assert longest_wait(retry_of("StartJob")) < 1800


def test_the_job_wait_is_an_event_or_a_growing_timeout(synthesized):
    definition, _ = synthesized
    wait = definition["States"]["AwaitJobEvent"]
    assert wait["Resource"] == asl_simulator.WAIT_FOR_TOKEN
    assert wait["TimeoutSecondsPath"] == "$.job.nextPollSeconds"
    assert wait["Catch"][0] == {"ErrorEquals": ["States.Timeout"], "ResultPath": None, "Next": "CheckJob"}


# --- simulated runs -----------------------------------------------------------------------------


@pytest.fixture
def world(monkeypatch, synthesized):
    yield from _world(monkeypatch, synthesized)


def _world(monkeypatch, synthesized):
    definition, props = synthesized
    with aws_env(monkeypatch) as aws:
        spec = RunSpec.from_json(props["Spec"])
        aws.clients.s3.create_bucket(Bucket=spec.dataset_bucket)
        for uri in spec.preflight_uris:
            bucket, key = uri[5:].split("/", 1)
            aws.clients.s3.put_object(Bucket=bucket, Key=key, Body=b'{"messages": []}\n')
        started: list[dict] = []
        aws.clients.sfn.meta.events.register(
            "provide-client-params.stepfunctions.StartExecution", lambda params, **_: started.append(params)
        )
        yield World(aws, definition, {**props, "StateMachineArn": MACHINE}, spec, started)


class World:
    def __init__(self, aws, definition, props, spec, started):
        self.aws, self.definition, self.props, self.spec, self.started = aws, definition, props, spec, started

    def launch(self, request: str = "Create", request_id: str = "req-1", **extra) -> dict:
        name = self.spec.names.execution_name(request_id)
        arn = names.execution_arn(MACHINE, name)
        self.aws.sfn.add_response("start_execution", {"executionArn": arn, "startDate": STARTED})
        self.aws.sfn.add_response("list_executions", {"executions": []})
        event = {"RequestType": request, "RequestId": request_id, "StackId": STACK_ID,
                 "LogicalResourceId": "LifecycleRun", "ResourceProperties": self.props, **extra}  # fmt: skip
        return launcher.on_event(event, self.aws.clients)

    def run(self, on_token=None, observe=lambda _n: None) -> asl_simulator.Outcome:
        execution_input = json.loads(self.started[-1]["input"])
        arn = names.execution_arn(MACHINE, self.started[-1]["name"])

        def invoke(payload: dict) -> dict:
            if payload.get("action") == "preflight":
                self.aws.grader_ok()  # the reward function answers the pre-flight probe healthily
            return steps.run_action(payload, self.aws.clients, self.aws.settings)

        return asl_simulator.run(
            self.definition,
            execution_input,
            execution_arn=arn,
            execution_started=STARTED,
            invoke=invoke,
            on_token=on_token or (lambda _token, _timeout: ("timeout", None)),
            observe=observe,
        )

    def job(self, status: str, **extra):
        self.aws.bedrock.add_response(
            "get_model_customization_job", job_response(status, fp=self.spec.fingerprint, **extra)
        )

    def deployment_checks(self, *statuses: str, serving: str | None = None):
        fp = self.spec.fingerprint
        for status in statuses:
            self.aws.bedrock.add_response("get_custom_model", custom_model_response("Active", fp))
            if status == "missing":
                self.aws.bedrock.add_client_error(
                    "get_custom_model_deployment", "ResourceNotFoundException", "", 404
                )
            else:
                self.aws.bedrock.add_response(
                    "get_custom_model_deployment", deployment_response(status, serving or model_arn(fp))
                )

    def phases(self) -> list[str]:
        return [json.loads(e["Detail"])["phase"] for e in self.aws.events]


def test_deploy_trains_deploys_and_publishes(world):
    aws, spec = world.aws, world.spec
    fp = spec.fingerprint
    response = world.launch()
    assert response["PhysicalResourceId"] == spec.names.run_physical_id
    aws.bedrock.add_client_error("get_model_customization_job", "ResourceNotFoundException", "", 404)
    aws.bedrock.add_response(
        "create_model_customization_job", {"jobArn": job_arn(fp)}, expected_params=spec.create_job_request()
    )
    world.job("InProgress", statusDetails=details("InProgress", "NotStarted", "NotStarted"))
    world.job("InProgress", statusDetails=details("Completed", "Completed", "InProgress"))
    world.job("Completed", statusDetails=details("Completed", "Completed", "Completed"))
    world.deployment_checks("missing")
    aws.bedrock.add_response("create_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN})
    world.deployment_checks("Creating", "Active")
    woken: list[str] = []

    def on_token(token: str, timeout: int):
        if timeout == 120:  # first wait: no event arrives, the poll takes over
            return "timeout", None
        # second wait: Bedrock reports the job finished -> the event function sends the token
        aws.sfn.add_response("send_task_success", {}, {"taskToken": token, "output": json.dumps(
            {"wokenBy": "event", "jobStatus": "Completed"})})  # fmt: skip
        event = {
            "source": "aws.bedrock",
            "detail": {"jobName": spec.names.job_name, "jobStatus": "Completed"},
        }
        assert job_events.on_job_event(event, aws.clients, aws.settings)["signalled"]
        woken.append(token)
        return "success", {"wokenBy": "event"}

    outcome = world.run(on_token)
    aws.verify()
    assert outcome.status == "SUCCEEDED", (outcome.error, outcome.cause, outcome.trace)
    assert outcome.timeouts == [120, 180] and woken and outcome.waits == [30, 60]
    record = aws.record()
    assert record == outcome.output
    assert (record["phase"], record["deploymentArn"], record["servingModelArn"]) == (
        state.ACTIVE,
        DEPLOYMENT_ARN,
        model_arn(fp),
    )
    assert world.phases() == ["STARTING", "TRAINING", "TRAINING", "TRAINING", "DEPLOYING", "ACTIVE"]
    assert [n["Subject"] for n in aws.notifications] == ["[bedrock-rft] demo: ACTIVE"]


def test_new_hyperparameters_train_anew_while_the_old_model_keeps_serving(world):
    """The pipeline served model A; the update trains B and swaps it in only once B is ready."""
    aws, spec = world.aws, world.spec
    old_model = (
        "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-2-lite-v1:0:256k/0ld0ld0ld0ld"
    )
    aws.put_record(phase=state.ACTIVE, fingerprint="f" * 64, deploymentName="rft-demo",
                   deploymentArn=DEPLOYMENT_ARN, servingModelArn=old_model)  # fmt: skip
    world.launch("Update", "req-2", PhysicalResourceId="rft-run-demo-ffffffffffffffff",
                 OldResourceProperties={**world.props, "Fingerprint": "f" * 64})  # fmt: skip
    aws.bedrock.add_client_error("get_model_customization_job", "ResourceNotFoundException", "", 404)
    aws.bedrock.add_response("create_model_customization_job", {"jobArn": job_arn(spec.fingerprint)})
    world.job("InProgress")
    world.job("Completed")
    world.deployment_checks("Active", serving=old_model)
    aws.bedrock.add_response("update_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN})
    updating = {"modelArn": model_arn(spec.fingerprint), "updateStatus": "Updating"}
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active", spec.fingerprint))
    aws.bedrock.add_response(
        "get_custom_model_deployment", deployment_response("Active", old_model, updateDetails=updating)
    )
    world.deployment_checks("Active")
    serving: list[tuple[str, str]] = []
    outcome = world.run(observe=lambda name: serving.append((name, aws.record().get("servingModelArn"))))
    aws.verify()
    assert outcome.status == "SUCCEEDED", (outcome.error, outcome.cause)
    before_publish = [model for name, model in serving if name != "PublishSuccess" and name != "Succeeded"]
    assert set(before_publish) == {old_model}  # the old model served throughout training and the swap
    assert aws.record()["servingModelArn"] == model_arn(spec.fingerprint)


def test_a_run_whose_starting_record_was_lost_takes_over_and_deploys(world, monkeypatch):
    """The launcher started the execution but could not write STARTING (SSM down): the record still
    names the older run. The new run takes it over before starting its job, then deploys."""
    aws, spec = world.aws, world.spec
    old_model = "arn:aws:bedrock:us-east-1:123456789012:custom-model/old"
    aws.put_record(
        phase=state.ACTIVE,
        fingerprint="f" * 64,
        startedAt="2026-04-30T08:00:00+00:00",
        deploymentName="rft-demo",
        deploymentArn=DEPLOYMENT_ARN,
        servingModelArn=old_model,
    )

    def lost_publish(*args, **kwargs):
        raise state.PublishFailed("SSM: InternalServerError")

    with monkeypatch.context() as lost:
        lost.setattr(launcher.state, "publish", lost_publish)
        world.launch("Update", "req-2", PhysicalResourceId="rft-run-demo-ffffffffffffffff",
                     OldResourceProperties={**world.props, "Fingerprint": "f" * 64})  # fmt: skip
    assert aws.record()["fingerprint"] == "f" * 64  # the lost write
    aws.bedrock.add_client_error("get_model_customization_job", "ResourceNotFoundException", "", 404)
    aws.bedrock.add_response("create_model_customization_job", {"jobArn": job_arn(spec.fingerprint)})
    world.job("Completed")
    world.deployment_checks("Active", serving=old_model)
    aws.bedrock.add_response("update_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN})
    world.deployment_checks("Active")
    outcome = world.run()
    aws.verify()
    assert outcome.status == "SUCCEEDED", (outcome.error, outcome.cause, outcome.trace)
    record = aws.record()
    assert (record["fingerprint"], record["phase"], record["servingModelArn"]) == (
        spec.fingerprint,
        state.ACTIVE,
        model_arn(spec.fingerprint),
    )
    assert record["startedAt"] == "2026-05-01T08:00:00.250+00:00"  # this execution's start time
    assert world.phases()[0] == "TRAINING"  # the take-over is the run's first write


def test_a_run_overtaken_before_its_job_starts_creates_no_job(world):
    """A newer run (started after this execution) owns the record: no job, no deployment change."""
    aws = world.aws
    world.launch()
    newer = {"phase": state.STARTING, "fingerprint": "e" * 64, "startedAt": "2026-05-01T09:00:00+00:00"}
    outcome = world.run(observe=lambda name: name == "Preflight" and aws.put_record(**newer))
    aws.verify()  # no Bedrock call was queued, and none was made
    # a normal outcome: the execution succeeds (no failed-run alarm), its output says why
    assert (outcome.status, outcome.output["error"], outcome.trace[-1]) == (
        "SUCCEEDED",
        "Superseded",
        "Superseded",
    )
    assert "before it started its job" in outcome.output["message"]
    assert aws.record()["fingerprint"] == "e" * 64  # the newer run's record is untouched


def test_relaunching_known_inputs_adopts_the_finished_job_without_retraining(world):
    """Rollback / git revert / re-created stack: a fresh execution, the job is found by name."""
    aws, _spec = world.aws, world.spec
    world.launch("Update", "req-rollback", PhysicalResourceId="rft-run-demo-ffffffffffffffff",
                 OldResourceProperties={**world.props, "Fingerprint": "f" * 64})  # fmt: skip
    world.job("Completed")  # StartJob's get-by-name finds it: no create call is queued or made
    world.job("Completed")
    world.deployment_checks("Active")  # and the deployment already serves it
    outcome = world.run()
    aws.verify()
    assert outcome.status == "SUCCEEDED" and outcome.output["phase"] == state.ACTIVE
    assert "AwaitJobEvent" not in outcome.trace


def test_a_failed_job_is_published_with_its_phase_and_fails_the_execution(world):
    aws, spec = world.aws, world.spec
    aws.put_record(
        phase=state.ACTIVE, fingerprint="f" * 64, deploymentArn=DEPLOYMENT_ARN, servingModelArn="m-old"
    )
    world.launch()
    aws.bedrock.add_client_error("get_model_customization_job", "ResourceNotFoundException", "", 404)
    aws.bedrock.add_response("create_model_customization_job", {"jobArn": job_arn(spec.fingerprint)})
    world.job("Failed", statusDetails=details("Completed", "Failed", "NotStarted"),
              failureMessage="line 7: messages[1].role must be user")  # fmt: skip
    outcome = world.run()
    aws.verify()
    assert (outcome.status, outcome.error) == ("FAILED", "JobFailed")
    assert outcome.cause == "data processing: line 7: messages[1].role must be user"
    record = aws.record()
    assert record["phase"] == state.FAILED and record["failure"]["phase"] == "data processing"
    assert record["servingModelArn"] == "m-old"  # the previous model keeps serving
    assert "ReconcileDeployment" not in outcome.trace


def test_a_job_stopped_out_of_band_ends_stopped(world):
    aws, spec = world.aws, world.spec
    world.launch()
    aws.bedrock.add_response("get_model_customization_job", job_response("InProgress", fp=spec.fingerprint))
    world.job("Stopped", statusDetails=details("Completed", "Completed", "Stopped"))
    outcome = world.run()
    assert (outcome.status, outcome.error) == ("FAILED", "JobStopped")
    assert aws.record()["phase"] == state.STOPPED


def test_quota_exceeded_fails_clearly_without_retry(world):
    aws = world.aws
    world.launch()
    aws.bedrock.add_client_error("get_model_customization_job", "ResourceNotFoundException", "", 404)
    aws.bedrock.add_client_error(
        "create_model_customization_job",
        "ServiceQuotaExceededException",
        "2 customization jobs already running",
        400,
    )
    outcome = world.run()
    aws.verify()  # exactly one create: neither the Lambda nor the state machine retried it
    assert (outcome.status, outcome.error) == ("FAILED", "QuotaExceeded")
    assert "job start" in outcome.cause and "2 customization jobs already running" in outcome.cause
    assert not [t for t in outcome.trace if ":retry:" in t]


def test_throttling_beyond_the_lambda_retries_is_retried_by_the_state_machine(world):
    aws, spec = world.aws, world.spec
    world.launch()
    for _ in range(5):  # the in-Lambda budget is 5 attempts
        aws.bedrock.add_client_error("get_model_customization_job", "ThrottlingException", "slow down", 400)
    aws.bedrock.add_response("get_model_customization_job", job_response("Completed", fp=spec.fingerprint))
    world.job("Completed")
    world.deployment_checks("Active")
    outcome = world.run()
    aws.verify()
    assert outcome.status == "SUCCEEDED"
    assert "StartJob:retry:TransientAwsError" in outcome.trace


def test_a_failed_deployment_fails_the_run_and_keeps_the_previous_model(world):
    aws, spec = world.aws, world.spec
    aws.put_record(
        phase=state.ACTIVE, fingerprint="f" * 64, deploymentArn=DEPLOYMENT_ARN, servingModelArn="m-old"
    )
    world.launch()
    world.job("Completed")
    world.job("Completed")
    world.deployment_checks("missing")
    aws.bedrock.add_response("create_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN})
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active", spec.fingerprint))
    aws.bedrock.add_response("get_custom_model_deployment", deployment_response(
        "Failed", model_arn(spec.fingerprint), failureMessage="insufficient capacity"))  # fmt: skip
    outcome = world.run()
    aws.verify()
    assert (outcome.status, outcome.error) == ("FAILED", "DeploymentFailed")
    assert outcome.cause == "deployment: deployment failed: insufficient capacity"
    assert aws.record()["servingModelArn"] == "m-old"


def test_train_only_mode_publishes_trained_without_a_deployment(world, monkeypatch):
    aws, spec = world.aws, world.spec
    world.props = {**world.props, "Spec": json.dumps({**spec.to_dict(), "deploymentMode": "none"})}
    world.spec = RunSpec.from_json(world.props["Spec"])
    world.launch()
    world.job("Completed")
    world.job("Completed")
    outcome = world.run()
    aws.verify()
    assert outcome.status == "SUCCEEDED" and outcome.output["phase"] == state.TRAINED
    assert "ReconcileDeployment" not in outcome.trace


def test_a_job_past_max_training_hours_is_stopped_and_the_run_ends_stopped_with_the_reason(world):
    aws = world.aws
    spec_data = {**json.loads(world.props["Spec"]), "maxTrainingHours": 4}
    world.props["Spec"] = json.dumps(spec_data)
    world.spec = spec = RunSpec.from_dict(spec_data)
    world.launch()
    aws.bedrock.add_client_error("get_model_customization_job", "ResourceNotFoundException", "", 404)
    aws.bedrock.add_response("create_model_customization_job", {"jobArn": job_arn(spec.fingerprint)})
    # created 2026-05-01 08:00 (job_response), so far more than 4 hours ago by now
    world.job("InProgress", statusDetails=details("Completed", "Completed", "InProgress"))
    aws.bedrock.add_response("stop_model_customization_job", {}, {"jobIdentifier": job_arn(spec.fingerprint)})
    outcome = world.run()
    aws.verify()  # the stop request went out, once
    assert (outcome.status, outcome.error) == ("FAILED", "JobStopped")
    assert "max_training_hours = 4" in outcome.cause
    record = aws.record()
    assert record["phase"] == state.STOPPED and "max_training_hours = 4" in record["failure"]["message"]
    assert [n["Subject"] for n in aws.notifications] == ["[bedrock-rft] demo: STOPPED"]
    assert "ReconcileDeployment" not in outcome.trace


# --- promote_from: the adoption loop instead of a job ------------------------------------------

SOURCE = "demo-dev"
SOURCE_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-2-lite-v1:0:256k/50urce50urce"


@pytest.fixture(scope="module")
def promoting_synthesized():
    return _synthesize(with_vpc=False, promote_from=PromotionSource(SOURCE))


@pytest.fixture
def promoting(monkeypatch, promoting_synthesized):
    yield from _world(monkeypatch, promoting_synthesized)


def _source_checks(world, *steps_seen: str) -> None:
    """Queue what AdoptModel reads per check: ``absent``, ``unpromoted``, ``rejected`` or ``promoted``."""
    stub, name = world.aws.bedrock, names.RunNames(SOURCE, world.spec.fingerprint).custom_model_name
    for seen in steps_seen:
        if seen == "absent":
            stub.add_client_error("get_custom_model", "ResourceNotFoundException", "", 404,
                                  expected_params={"modelIdentifier": name})  # fmt: skip
            continue
        stub.add_response("get_custom_model", {"modelArn": SOURCE_ARN, "modelName": name,
                          "creationTime": "2026-05-01T09:00:00Z", "modelStatus": "Active"},
                          {"modelIdentifier": name})  # fmt: skip
        if seen == "rejected":  # the source's record is read first: its tags are never looked at
            world.aws.clients.ssm.put_parameter(
                Name=names.state_parameter_name(SOURCE), Type="String", Overwrite=True,
                Value=json.dumps({"phase": state.REJECTED, "fingerprint": world.spec.fingerprint}),
            )  # fmt: skip
            continue
        mark = [{"key": "bedrock-rft:promoted", "value": "gate"}] if seen == "promoted" else []
        stub.add_response("list_tags_for_resource", {"tags": mark}, {"resourceARN": SOURCE_ARN})


def _bedrock_calls(world) -> list[str]:
    called: list[str] = []
    world.aws.clients.bedrock.meta.events.register(
        "provide-client-params.bedrock", lambda model, **_: called.append(model.name)
    )
    return called


def test_a_promoting_pipeline_has_the_same_spec_plus_promote_from(promoting_synthesized, synthesized):
    spec = json.loads(promoting_synthesized[1]["Spec"])
    assert spec["promoteFrom"] == {"pipeline": SOURCE, "account": "123456789012", "region": "us-east-1"}
    assert "promoteFrom" not in json.loads(synthesized[1]["Spec"])  # a training pipeline: no member
    choice = promoting_synthesized[0]["States"]["TrainOrAdopt"]
    assert choice["Choices"] == [{"Variable": "$.spec.promoteFrom", "IsPresent": True, "Next": "AdoptModel"}]
    assert choice["Default"] == "StartJob"


def test_a_promoting_run_waits_for_the_promoted_model_then_deploys_it_without_training(promoting):
    aws, spec = promoting.aws, promoting.spec
    promoting.launch()
    _source_checks(promoting, "absent", "unpromoted", "promoted")
    aws.bedrock.add_response("get_custom_model", {"modelArn": SOURCE_ARN, "modelName": "m",
                             "creationTime": "2026-05-01T09:00:00Z", "modelStatus": "Active"})  # fmt: skip
    aws.bedrock.add_client_error("get_custom_model_deployment", "ResourceNotFoundException", "", 404)
    aws.bedrock.add_response("create_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN})
    aws.bedrock.add_response("get_custom_model", {"modelArn": SOURCE_ARN, "modelName": "m",
                             "creationTime": "2026-05-01T09:00:00Z", "modelStatus": "Active"})  # fmt: skip
    aws.bedrock.add_response("get_custom_model_deployment", deployment_response("Active", SOURCE_ARN))
    called = _bedrock_calls(promoting)
    outcome = promoting.run()
    aws.verify()
    assert outcome.status == "SUCCEEDED", (outcome.error, outcome.cause, outcome.trace)
    assert not {"StartJob", "CheckJob", "AwaitJobEvent"} & set(outcome.trace)
    assert "CreateCustomModelDeployment" in called  # the hook sees every call...
    assert "CreateModelCustomizationJob" not in called and "GetModelCustomizationJob" not in called
    assert outcome.trace.count("AdoptModel") == 3 and outcome.waits[:2] == [300, 450]
    assert "JobStatus" in outcome.trace  # the adopted model takes the path a trained one takes
    record = aws.record()
    assert (record["phase"], record["servingModelArn"]) == (state.ACTIVE, SOURCE_ARN)
    assert record["adoptedFrom"]["pipeline"] == SOURCE and record["adoptedFrom"]["promotedBy"] == "gate"
    assert promoting.phases() == ["STARTING", "ADOPTING", "ADOPTING", "DEPLOYING", "ACTIVE"]
    assert spec.fingerprint == record["fingerprint"]


def test_a_model_the_sources_gate_rejected_fails_the_promoting_run_and_stops_nothing(promoting):
    aws, spec = promoting.aws, promoting.spec
    promoting.launch()
    _source_checks(promoting, "rejected")
    called = _bedrock_calls(promoting)
    outcome = promoting.run()
    aws.verify()  # no StopModelCustomizationJob: the source's job is not this run's
    assert (outcome.status, outcome.error) == ("FAILED", "JobFailed"), outcome.trace
    assert "ReconcileDeployment" not in outcome.trace and "RecordJobFailure" in outcome.trace
    failure = aws.record()["failure"]
    assert failure["phase"] == "adoption"
    assert f"rft promote --pipeline {SOURCE} --fingerprint {spec.fingerprint}" in failure["message"]
    assert called == ["GetCustomModel"]
    assert aws.record()["phase"] == state.FAILED and adoption.WAITING not in json.dumps(aws.record())
