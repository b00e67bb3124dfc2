"""The promotion gate in the synthesized state machine: its Map and IAM, and simulated runs.

The runs execute the *synthesized* ASL (``asl_simulator``): lifecycle steps call
``rft_runtime.lifecycle.steps.run_action``, gate steps ``rft_runtime.promotion.handlers.run_action``
(Stubber for Bedrock, moto for S3/SSM/SNS/EventBridge), and the Distributed Map is a Map Run fake
that reads the validation JSONL from (moto) S3 as the ItemReader would, batches it as the
ItemBatcher says, answers each batch with the real batch code (a fake Converse client, the real
``math_answer`` reward behind a fake Lambda) and writes ResultWriter files where the writer says.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asl_simulator
import pytest
from aws_cdk.assertions import Template
from lifecycle_stack import IDENTITY, build, fake_resolve, resources_of

from bedrock_rft.data import DatasetInputs
from bedrock_rft.lifecycle.promotion_gate import GateSettings
from rft_runtime.lifecycle import launcher, names, state, steps
from rft_runtime.lifecycle.spec import RunSpec
from rft_runtime.promotion import batch
from rft_runtime.promotion import handlers as gate_handlers

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "runtime" / "lifecycle"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "runtime" / "promotion"))
from lifecycle_fakes import (
    DEPLOYMENT_ARN,
    NOVA,
    PT_ARN,
    aws_env,
    custom_model_response,
    deployment_response,
    expect_candidate_delete,
    model_arn,
    provisioned_response,
)
from promotion_fakes import RewardLambda
from test_lifecycle_workflow import (
    test_every_state_is_reachable_and_every_path_ends_in_a_terminal_state as check_every_path_ends,
)

pytestmark = pytest.mark.synth

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:lifecycleworkflowstatemachine"
STARTED = "2026-05-01T08:00:00.250Z"
STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/LifecycleTest/1"
CANDIDATE_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/candidate1234"
OLD_MODEL = "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-2-lite-v1:0:256k/0ld0ld0ld0ld"
#: The validation set: question -> reference answer.
QUESTIONS = {"What is 2 + 2?": "4", "What is 5 * 2?": "10", "What is 9 - 3?": "6", "What is 8 / 2?": "4"}
MAX_PROMPTS = 3


def _synthesize(**overrides: Any) -> tuple[dict, dict, dict]:
    """``(template, state machine definition, run resource properties)`` of a gated lifecycle."""
    _app, stack, _lifecycle = build(
        evaluation=GateSettings(max_prompts=MAX_PROMPTS), region="us-east-1", **overrides
    )
    template = Template.from_stack(stack).to_json()
    (machine,) = resources_of(template, "AWS::StepFunctions::StateMachine").values()
    definition = json.loads(fake_resolve(template, machine["Properties"]["DefinitionString"]))
    (run,) = resources_of(template, "Custom::RftTrainingRun").values()
    return template, definition, fake_resolve(template, run["Properties"])


@pytest.fixture(scope="module")
def synthesized():
    return _synthesize()


@pytest.fixture(scope="module")
def synthesized_provisioned():
    return _synthesize(with_vpc=False, deployment_mode="provisioned", model_units=1)


# --- shape --------------------------------------------------------------------------------------


def _statements(template: dict, role_prefix: str) -> list[dict]:
    return [
        statement
        for logical_id, policy in resources_of(template, "AWS::IAM::Policy").items()
        if logical_id.startswith(role_prefix)
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else actions


def test_the_map_reads_the_validation_jsonl_in_batches_and_writes_its_results(synthesized):
    _template, definition, props = synthesized
    spec = RunSpec.from_json(props["Spec"])
    evaluate = definition["States"]["EvaluateCandidate"]
    assert evaluate["Type"] == "Map" and evaluate["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    reader = evaluate["ItemReader"]
    assert reader["Resource"] == "arn:aws:states:::s3:getObject"
    assert reader["ReaderConfig"] == {"InputType": "JSONL", "MaxItems": MAX_PROMPTS}
    assert reader["Parameters"] == {"Bucket": spec.dataset_bucket, "Key.$": "$.spec.evaluation.validationKey"}
    assert evaluate["ItemSelector"] == {"index.$": "$$.Map.Item.Index", "row.$": "$$.Map.Item.Value"}
    assert evaluate["ItemBatcher"] == {
        "MaxItemsPerBatch": 8,  # 16 Converse calls per batch at 1 sample per prompt and model
        "BatchInput": {
            "candidateModel.$": "$.candidate.arn",
            "incumbentModel.$": "$.incumbent.model",
            "rewardFunction.$": "$.spec.evaluation.rewardFunction",
            "maxTokens.$": "$.spec.evaluation.maxTokens",
            "reasoningEffort.$": "$.spec.evaluation.reasoningEffort",
            "samplesPerPrompt.$": "$.spec.evaluation.samplesPerPrompt",
        },
    }
    assert evaluate["ResultWriter"] == {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": spec.dataset_bucket, "Prefix.$": "$.spec.evaluation.resultPrefix"},
    }
    assert evaluate.get("ToleratedFailureCount", 0) == 0 and "ToleratedFailurePercentage" not in evaluate
    assert evaluate["MaxConcurrency"] == 4
    assert evaluate["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.evaluationError", "Next": "RecordEvaluationError"}
    ]
    # a batch still throttled after its in-function attempts raises TransientAwsError: retried here
    batch_retry = evaluate["ItemProcessor"]["States"]["EvaluateBatch"]["Retry"]
    assert any("TransientAwsError" in r["ErrorEquals"] for r in batch_retry)
    assert not any("EvaluationError" in r["ErrorEquals"] for r in batch_retry)  # a real failure is final
    # the spec carries what the paths read: the reward version the job trained with, its settings
    grader = spec.job_request["customizationConfig"]["rftConfig"]["graderConfig"]["lambdaGrader"]["lambdaArn"]
    assert spec.evaluation["rewardFunction"] == grader and grader.endswith(":1")
    assert spec.evaluation["resultPrefix"] == f"runs/{spec.fingerprint}/evaluation/map/"
    assert f"s3://{spec.dataset_bucket}/{spec.evaluation['validationKey']}" in spec.preflight_uris
    assert (spec.evaluation["maxTokens"], spec.evaluation["reasoningEffort"]) == (2048, "medium")


def test_with_the_gate_every_state_is_reachable_and_every_path_ends(synthesized):
    _template, definition, props = synthesized
    check_every_path_ends((definition, props))


def test_every_gate_task_retries_and_every_error_removes_the_candidate(synthesized):
    _template, definition, _props = synthesized
    states = definition["States"]
    anything = {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RemoveCandidateAfterError"}
    for name in ("ReconcileCandidate", "Summarise"):
        assert states[name]["Catch"] == [anything]
    # a serving model that cannot be measured now is the gate's evaluation error (REJECTED, failed)
    assert states["FindIncumbent"]["Catch"] == [
        {
            "ErrorEquals": ["EvaluationError"],
            "ResultPath": "$.incumbentError",
            "Next": "RecordIncumbentError",
        },
        anything,
    ]
    assert states["RecordIncumbentError"]["Next"] == "RemoveCandidate"
    for name in ("ReconcileCandidate", "FindIncumbent", "Summarise"):
        assert any("TransientAwsError" in r["ErrorEquals"] for r in states[name]["Retry"])
    assert states["RemoveCandidateAfterError"]["Next"] == "PublishFailure"
    assert states["RemoveCandidateAfterError"]["Parameters"]["action"] == "remove_candidate"
    assert states["RemoveCandidate"]["Next"] == "GateDecision"
    # every way into the decision passes RemoveCandidate
    for name in ("Summarise", "RecordEvaluationError", "RecordCandidateFailure"):
        assert states[name]["Next"] == "RemoveCandidate"
    assert states["JobStatus"]["Choices"][0]["Next"] == "StartGate"
    (promote,) = [c for c in states["GateDecision"]["Choices"] if c.get("StringEquals") == "promote"]
    assert promote["Next"] == "DeploymentMode" and states["GateDecision"]["Default"] == "PublishRejected"


def test_the_state_machine_reads_and_writes_exactly_the_evaluation_objects(synthesized):
    template, _definition, props = synthesized
    spec = RunSpec.from_json(props["Spec"])
    bucket = f"arn:aws:s3:::{spec.dataset_bucket}"
    s3 = [
        (sorted(_actions(s)), fake_resolve(template, s["Resource"]))
        for s in _statements(template, "LifecycleWorkflowStateMachine")
        if any(a.startswith("s3:") for a in _actions(s))
    ]
    assert sorted(s3) == [
        (["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
         f"{bucket}/runs/*/evaluation/map/*"),
        (["s3:GetObject"], f"{bucket}/{spec.evaluation['validationKey']}"),
    ]  # fmt: skip
    (machine_id,) = resources_of(template, "AWS::StepFunctions::StateMachine")
    children = {
        tuple(_actions(s)): s["Resource"]
        for s in _statements(template, "LifecycleWorkflowStateMachine")
        if any(a.startswith("states:") for a in _actions(s))
    }
    assert children[("states:StartExecution",)] == {"Ref": machine_id}  # its own child executions
    executions = json.dumps(children[("states:DescribeExecution", "states:StopExecution")])
    assert ":execution:" in executions and machine_id in executions and executions.endswith(':*"]]}')


def test_the_gate_functions_have_only_what_their_steps_call(synthesized):
    template, _definition, props = synthesized
    spec = RunSpec.from_json(props["Spec"])
    gate = {sid: s for s in _statements(template, "LifecyclePromotionGateRole") if (sid := s.get("Sid"))}
    assert fake_resolve(template, gate["EvaluationFiles"]["Resource"]).endswith("/runs/*/evaluation/*")
    assert _actions(gate["EvaluationFiles"]) == ["s3:GetObject", "s3:PutObject"]
    assert "bedrock:UpdateCustomModelDeployment" not in _actions(gate["CandidateDeployment"])  # never swaps
    # review 3: it may tag the candidate deployment it creates, never a model (the promoted mark)
    tagging = [s for s in gate.values() if "bedrock:TagResource" in _actions(s)]
    assert [":custom-model-deployment/" in json.dumps(s["Resource"]) for s in tagging] == [True]
    assert ":custom-model/" not in json.dumps(tagging[0]["Resource"])
    batch_role = {s.get("Sid"): s for s in _statements(template, "LifecyclePromotionGateBatchRole")}
    invoke = batch_role["GradeWithTheTrainingReward"]
    assert _actions(invoke) == ["lambda:InvokeFunction"]
    assert fake_resolve(template, invoke["Resource"]) == spec.evaluation["rewardFunction"]
    models = fake_resolve(template, batch_role["ConverseCandidateAndIncumbent"]["Resource"])
    assert models == "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/*"
    # the base model (the first run's incumbent) answers only through its geography's inference
    # profile: the profile, and the foundation model in any Region only through that profile
    profile = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-2-lite-v1:0"
    assert fake_resolve(template, batch_role["ConverseBaseModel"]) == {
        "Sid": "ConverseBaseModel",
        "Effect": "Allow",
        "Action": "bedrock:InvokeModel",
        "Resource": profile,
    }
    assert fake_resolve(template, batch_role["ConverseBaseModelThroughProfile"]) == {
        "Sid": "ConverseBaseModelThroughProfile",
        "Effect": "Allow",
        "Action": "bedrock:InvokeModel",
        "Resource": "arn:aws:bedrock:*::foundation-model/amazon.nova-2-lite-v1:0",
        "Condition": {"StringEquals": {"bedrock:InferenceProfileArn": profile}},
    }
    # nothing broader: no other statement of the role names a model or a profile
    named = [
        s["Sid"]
        for s in batch_role.values()
        if re.search(r"foundation-model|inference-profile", json.dumps(s))
    ]
    assert named == ["ConverseBaseModel", "ConverseBaseModelThroughProfile"]
    assert not [s for s in _statements(template, "LifecyclePromotionGateBatchRole") if "s3:" in str(s)]
    functions = resources_of(template, "AWS::Lambda::Function")
    gate_functions = [f for k, f in functions.items() if k.startswith("LifecyclePromotionGate")]
    assert len(gate_functions) == 2 and not [f for f in gate_functions if "VpcConfig" in f["Properties"]]


def test_the_gate_function_may_write_the_state_record_and_no_other_parameter(synthesized):
    """Phase EVALUATING and REJECTED are written by the gate function: it reads and writes exactly
    the pipeline's state record (never the job-wait parameter) and sends only its events."""
    template, _definition, _props = synthesized
    gate = _statements(template, "LifecyclePromotionGateRole")
    ssm = sorted((sorted(_actions(s)), fake_resolve(template, s["Resource"])) for s in gate
                 if any(a.startswith("ssm:") for a in _actions(s)))  # fmt: skip
    record = "arn:aws:ssm:us-east-1:123456789012:parameter/bedrock-rft/demo/state"
    assert ssm == [(["ssm:GetParameter"], record), (["ssm:PutParameter"], record)]
    (events,) = [s for s in gate if "events:PutEvents" in _actions(s)]
    assert events["Condition"] == {"StringEquals": {"events:source": "bedrock-rft"}}


def test_without_a_gate_a_completed_job_deploys_at_once():
    _app, stack, lifecycle = build(with_vpc=False)
    template = Template.from_stack(stack).to_json()
    (machine,) = resources_of(template, "AWS::StepFunctions::StateMachine").values()
    definition = json.loads(fake_resolve(template, machine["Properties"]["DefinitionString"]))
    assert definition["States"]["JobStatus"]["Choices"][0]["Next"] == "DeploymentMode"
    assert not [n for n in definition["States"] if "Candidate" in n] and lifecycle.gate_functions is None
    (run,) = resources_of(template, "Custom::RftTrainingRun").values()
    assert json.loads(fake_resolve(template, run["Properties"])["Spec"])["evaluation"] == {"gate": False}


def _data_with_validation(*uris: str) -> DatasetInputs:
    return DatasetInputs(
        training_data_config={"s3Uri": "s3://elsewhere/train.jsonl"},
        validation_s3_uris=uris,
        identity=IDENTITY,
    )


@pytest.mark.parametrize(
    "overrides, problem",
    [
        ({"training_data": _data_with_validation()}, "must be an object of the dataset bucket"),
        (
            {"training_data": _data_with_validation("s3://elsewhere/val.jsonl")},
            "must be an object of the dataset bucket",
        ),
        (
            {"deployment_mode": "none"},
            r"needs a deployment_mode that serves \(on_demand or provisioned\), not 'none'",
        ),
    ],
)
def test_a_gate_that_cannot_run_is_refused_at_synth(overrides, problem):
    with pytest.raises(ValueError, match=problem):
        build(with_vpc=False, evaluation=GateSettings(), region="us-east-1", **overrides)


@pytest.mark.parametrize(
    "region, problem",
    [
        (None, r"through the inference profile of the stack's Region .* needs a Region at synth"),
        ("ca-central-1", r"evaluation: Region 'ca-central-1' has no known inference-profile geography"),
    ],
)
def test_a_gate_whose_base_model_profile_is_unknown_at_synth_is_refused(region, problem):
    with pytest.raises(ValueError, match=problem):
        build(with_vpc=False, evaluation=GateSettings(), region=region)


# --- simulated runs -----------------------------------------------------------------------------


class FakeConverse:
    """``bedrock-runtime``: the candidate answers ``candidate_right`` correctly, the incumbent
    ``incumbent_right``; records the models called."""

    def __init__(self, candidate_right: bool, incumbent_right: bool) -> None:
        self.right = {CANDIDATE_ARN: candidate_right}
        self.incumbent_right = incumbent_right
        self.models: list[str] = []

    def converse(self, **kwargs: Any) -> dict[str, Any]:
        model, question = kwargs["modelId"], kwargs["messages"][-1]["content"][0]["text"]
        self.models.append(model)
        right = self.right.get(model, self.incumbent_right)
        answer = QUESTIONS[question] if right else "-1"
        message = {"role": "assistant", "content": [{"text": f"#### {answer}"}]}
        return {"output": {"message": message}, "usage": {"inputTokens": 12, "outputTokens": 3}}


class World:
    def __init__(self, aws, definition, props):
        self.aws, self.definition = aws, definition
        self.props = {**props, "StateMachineArn": MACHINE}
        self.spec = RunSpec.from_json(props["Spec"])
        self.runtime = FakeConverse(candidate_right=True, incumbent_right=False)
        self.reward = RewardLambda()
        self.map_runs: list[dict] = []

    def set_evaluation(self, **changes: Any) -> None:
        data = json.loads(self.props["Spec"])
        data["evaluation"] = {**data["evaluation"], **changes}
        self.props["Spec"] = json.dumps(data)
        self.spec = RunSpec.from_dict(data)

    def launch(self) -> None:
        name = self.spec.names.execution_name("req-1")
        self.aws.sfn.add_response("start_execution", {"executionArn": names.execution_arn(MACHINE, name),
                                                      "startDate": STARTED})  # fmt: skip
        self.aws.sfn.add_response("list_executions", {"executions": []})
        event = {"RequestType": "Create", "RequestId": "req-1", "StackId": STACK_ID,
                 "LogicalResourceId": "LifecycleRun", "ResourceProperties": self.props}  # fmt: skip
        launcher.on_event(event, self.aws.clients)

    def run_map(self, run: dict) -> dict:
        """A Map Run: ItemReader (JSONL, MaxItems), ItemSelector, ItemBatcher, ResultWriter."""
        self.map_runs.append(run)
        reader, writer = run["reader"], run["writer"]
        assert reader["InputType"] == "JSONL"
        body = self.aws.clients.s3.get_object(Bucket=reader["Bucket"], Key=reader["Key"])["Body"].read()
        rows = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        items = [{"index": i, "row": row} for i, row in enumerate(rows[: reader.get("MaxItems")])]
        size = run["maxItemsPerBatch"]
        children = [
            {"ExecutionArn": f"{MACHINE}/child-{n}", "Status": "SUCCEEDED", "Output": json.dumps(
                batch.evaluate_batch({"Items": items[n:n + size], "BatchInput": run["batchInput"]},
                                     self.runtime, self.reward))}
            for n in range(0, len(items), size)
        ]  # fmt: skip
        prefix = writer["Prefix"] + "run-1/"
        put = self.aws.clients.s3.put_object
        put(Bucket=writer["Bucket"], Key=prefix + "SUCCEEDED_0.json", Body=json.dumps(children).encode())
        files = {"SUCCEEDED": [{"Key": prefix + "SUCCEEDED_0.json", "Size": 1}], "FAILED": [], "PENDING": []}
        put(
            Bucket=writer["Bucket"],
            Key=prefix + "manifest.json",
            Body=json.dumps({"ResultFiles": files}).encode(),
        )
        details = {"Bucket": writer["Bucket"], "Key": prefix + "manifest.json"}
        return {"MapRunArn": f"{MACHINE}:run-1", "ResultWriterDetails": details}

    def run(self, observe=lambda _name: None) -> asl_simulator.Outcome:
        started = self.aws.started[-1]

        def invoke(payload: dict) -> dict:
            if payload.get("action") in gate_handlers.ACTIONS:
                return gate_handlers.run_action(payload, self.aws.clients, self.aws.settings)
            if payload.get("action") == "preflight":
                self.aws.grader_ok()
            return steps.run_action(payload, self.aws.clients, self.aws.settings)

        return asl_simulator.run(
            self.definition,
            json.loads(started["input"]),
            execution_arn=names.execution_arn(MACHINE, started["name"]),
            execution_started=STARTED,
            invoke=invoke,
            on_token=lambda _token, _timeout: ("timeout", None),
            observe=observe,
            run_map=self.run_map,
        )

    # --- Bedrock answers, in call order ---

    def trained(self) -> None:
        from lifecycle_fakes import job_response

        for _ in range(2):  # StartJob finds the finished job by name, CheckJob reads it
            self.aws.bedrock.add_response("get_model_customization_job",
                                          job_response("Completed", fp=self.spec.fingerprint))  # fmt: skip

    def candidate(self, *statuses: str) -> None:
        name = self.spec.names.candidate_deployment_name
        self.aws.bedrock.add_client_error("get_custom_model_deployment", "ResourceNotFoundException", "", 404)
        self.aws.bedrock.add_response(
            "create_custom_model_deployment", {"customModelDeploymentArn": CANDIDATE_ARN}
        )
        for status in statuses:
            response = {**deployment_response(status, model_arn(self.spec.fingerprint)),
                        "customModelDeploymentArn": CANDIDATE_ARN, "modelDeploymentName": name}  # fmt: skip
            if status == "Failed":
                response["failureMessage"] = "insufficient capacity"
            self.aws.bedrock.add_response("get_custom_model_deployment", response,
                                          {"customModelDeploymentIdentifier": name})  # fmt: skip

    def incumbent(self, serving: str | None) -> None:
        if serving is None:
            self.aws.bedrock.add_client_error(
                "get_custom_model_deployment", "ResourceNotFoundException", "", 404
            )
        else:
            self.aws.bedrock.add_response(
                "get_custom_model_deployment", deployment_response("Active", serving)
            )

    def evaluated_against_the_serving_model(self) -> None:
        """A pipeline serving :data:`OLD_MODEL` trains, deploys its candidate and evaluates it."""
        _serving(self.aws)
        self.launch()
        self.trained()
        self.candidate("Active")
        self.incumbent(OLD_MODEL)
        self.candidate_removed()

    def candidate_removed(self) -> None:
        expected = {"customModelDeploymentIdentifier": self.spec.names.candidate_deployment_name}
        self.aws.bedrock.add_response("delete_custom_model_deployment", {}, expected)


@pytest.fixture
def world(monkeypatch, synthesized):
    yield from _world(monkeypatch, synthesized)


@pytest.fixture
def provisioned_world(monkeypatch, synthesized_provisioned):
    yield from _world(monkeypatch, synthesized_provisioned)


def _world(monkeypatch, synthesized) -> Iterator[World]:
    """A World for ``synthesized``: moto S3 holds the dataset and validation rows."""
    _template, definition, props = synthesized
    with aws_env(monkeypatch) as aws:
        spec = RunSpec.from_json(props["Spec"])
        aws.clients.s3.create_bucket(Bucket=spec.dataset_bucket)
        rows = [
            {"messages": [{"role": "user", "content": q}], "reference_answer": a}
            for q, a in QUESTIONS.items()
        ]
        for uri in spec.preflight_uris:
            bucket, key = uri[5:].split("/", 1)
            aws.clients.s3.put_object(
                Bucket=bucket, Key=key, Body="".join(json.dumps(r) + "\n" for r in rows)
            )
        aws.started = []
        aws.clients.sfn.meta.events.register(
            "provide-client-params.stepfunctions.StartExecution",
            lambda params, **_: aws.started.append(params),
        )
        yield World(aws, definition, props)


def _serving(aws) -> None:
    aws.put_record(phase=state.ACTIVE, fingerprint="f" * 64, deploymentName="rft-demo",
                   deploymentArn=DEPLOYMENT_ARN, servingModelArn=OLD_MODEL)  # fmt: skip


def _phases(world: World) -> list[tuple[str, str]]:
    """(phase, step) of every state change the run published (its EventBridge events), repeats of
    the same pair dropped."""
    published = [json.loads(e["Detail"]) for e in world.aws.events]
    pairs = [(d["phase"], d.get("step", "")) for d in published]
    return [p for n, p in enumerate(pairs) if n == 0 or p != pairs[n - 1]]


def _files(world: World) -> set[str]:
    listed = world.aws.clients.s3.list_objects_v2(Bucket=world.spec.dataset_bucket, Prefix="runs/")
    return {o["Key"].split("/evaluation/", 1)[1] for o in listed.get("Contents", [])}


def test_a_better_model_is_promoted_swapped_in_and_marked(world):
    aws, spec = world.aws, world.spec
    world.launch()
    world.trained()
    world.candidate("Creating", "Active")
    world.incumbent(None)  # the pipeline's first run: the base model is the incumbent
    world.candidate_removed()
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active", spec.fingerprint))
    aws.bedrock.add_client_error("get_custom_model_deployment", "ResourceNotFoundException", "", 404)
    aws.bedrock.add_response("create_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN})
    aws.bedrock.add_response("get_custom_model", custom_model_response("Active", spec.fingerprint))
    aws.bedrock.add_response(
        "get_custom_model_deployment", deployment_response("Active", model_arn(spec.fingerprint))
    )
    promoted = {
        "resourceARN": model_arn(spec.fingerprint),
        "tags": [{"key": "bedrock-rft:promoted", "value": "gate"}],
    }
    aws.bedrock.add_response("tag_resource", {}, promoted)
    outcome = world.run()
    aws.verify()
    assert outcome.status == "SUCCEEDED", (outcome.error, outcome.cause, outcome.trace)
    trace = [t for t in outcome.trace if ":" not in t]
    assert trace.index("RemoveCandidate") < trace.index("ReconcileDeployment") < trace.index("PublishSuccess")
    # while the gate runs the run is EVALUATING (what it does in ``step``), not TRAINING
    assert [phase for phase, _step in _phases(world)] == [
        "STARTING", "TRAINING", "EVALUATING", "EVALUATING", "EVALUATING", "DEPLOYING", "ACTIVE"]  # fmt: skip
    assert [step for phase, step in _phases(world) if phase == "EVALUATING"] == [
        f"creating the candidate deployment {spec.names.candidate_deployment_name}",
        f"evaluating up to {MAX_PROMPTS} validation prompts x 1 sample against the base model "
        "amazon.nova-2-lite-v1:0:256k (through us.amazon.nova-2-lite-v1:0)",
        "deciding: summarising the evaluation, then removing the candidate deployment",
    ]
    assert [n["Subject"] for n in aws.notifications] == ["[bedrock-rft] demo: ACTIVE"]  # outcomes only
    record = aws.record()
    assert (record["phase"], record["servingModelArn"]) == (state.ACTIVE, model_arn(spec.fingerprint))
    location = f"s3://{spec.dataset_bucket}/runs/{spec.fingerprint}/evaluation/"
    assert record["evaluation"]["decision"] == "promote" and record["evaluation"]["location"] == location
    assert record["evaluation"]["prompts"] == MAX_PROMPTS and record["evaluation"]["delta"]["value"] == 1.0
    assert record["evaluation"]["incumbent"] == {
        "model": "us.amazon.nova-2-lite-v1:0",
        "kind": "base model",
        "baseModel": "amazon.nova-2-lite-v1:0:256k",
    }
    assert json.loads(aws.events[-1]["Detail"])["evaluation"]["location"] == location
    assert location in aws.notifications[-1]["Message"]
    # the Map got the base model as incumbent, the trained reward version, and the spec's settings
    (run,) = world.map_runs
    assert run["batchInput"] == {
        "candidateModel": CANDIDATE_ARN,
        "incumbentModel": "us.amazon.nova-2-lite-v1:0",  # Converse refuses the training id
        "rewardFunction": spec.evaluation["rewardFunction"],
        "maxTokens": 2048,
        "reasoningEffort": "medium",
        "samplesPerPrompt": 1,
    }
    assert {c["FunctionName"] for c in world.reward.calls} == {spec.evaluation["rewardFunction"]}
    assert _files(world) == {
        "figures.json",
        "report.html",
        "map/run-1/SUCCEEDED_0.json",
        "map/run-1/manifest.json",
    }


@pytest.mark.parametrize(
    "candidate_right, incumbent_right, min_improvement",
    [(False, True, 0.0), (True, True, 0.05)],
    ids=["worse", "tie-below-threshold"],
)
def test_a_model_that_is_not_better_enough_is_rejected_and_the_old_model_keeps_serving(
    world, candidate_right, incumbent_right, min_improvement
):
    aws = world.aws
    world.set_evaluation(minImprovement=min_improvement)
    world.runtime = FakeConverse(candidate_right, incumbent_right)
    world.evaluated_against_the_serving_model()
    serving: list[str] = []
    outcome = world.run(observe=lambda _name: serving.append(aws.record().get("servingModelArn")))
    aws.verify()  # no UpdateCustomModelDeployment, no TagResource: the stubs would have refused them
    assert (outcome.status, outcome.trace[-1]) == ("SUCCEEDED", "Rejected"), (outcome.error, outcome.trace)
    assert set(serving) == {OLD_MODEL}
    record = aws.record()
    assert (record["phase"], record["servingModelArn"], record["deploymentArn"]) == (
        state.REJECTED, OLD_MODEL, DEPLOYMENT_ARN)  # fmt: skip
    assert (
        record["evaluation"]["decision"] == "reject" and "below the required" in record["failure"]["message"]
    )
    assert set(world.runtime.models) == {CANDIDATE_ARN, DEPLOYMENT_ARN}  # vs what serves now
    assert "ReconcileDeployment" not in outcome.trace
    assert [phase for phase, _step in _phases(world)] == [
        "STARTING", "TRAINING", "EVALUATING", "EVALUATING", "EVALUATING", "REJECTED"]  # fmt: skip
    assert _phases(world)[3][1] == (
        f"evaluating up to {MAX_PROMPTS} validation prompts x 1 sample against the serving deployment "
        f"{DEPLOYMENT_ARN}"
    )


def test_an_evaluation_error_never_promotes_and_removes_the_candidate(world):
    aws = world.aws
    world.reward = RewardLambda(function_error="Unhandled")
    world.evaluated_against_the_serving_model()
    outcome = world.run()
    aws.verify()
    assert (outcome.status, outcome.error) == ("FAILED", "EvaluationFailed"), outcome.trace
    assert "EvaluateCandidate:catch:EvaluationError" in outcome.trace and "RemoveCandidate" in outcome.trace
    record = aws.record()
    assert (record["phase"], record["servingModelArn"]) == (state.REJECTED, OLD_MODEL)
    assert record["evaluation"]["decision"] == "error" and "reward function" in outcome.cause


def test_a_candidate_that_fails_to_deploy_is_removed_and_nothing_is_promoted(world):
    aws = world.aws
    _serving(aws)
    world.launch()
    world.trained()
    world.candidate("Creating", "Failed")
    world.candidate_removed()
    outcome = world.run()
    aws.verify()
    assert (outcome.status, outcome.error) == ("FAILED", "EvaluationFailed")
    assert "EvaluateCandidate" not in outcome.trace and "RemoveCandidate" in outcome.trace
    assert not world.map_runs and "insufficient capacity" in outcome.cause
    assert (aws.record()["phase"], aws.record()["servingModelArn"]) == (state.REJECTED, OLD_MODEL)


def test_a_serving_model_that_cannot_be_measured_is_an_evaluation_error_never_the_base_model(world):
    # review 3: a Failed serving deployment of a pipeline that serves a model used to fall back to
    # the base model, so a candidate could be promoted over a model it was never compared with
    aws = world.aws
    _serving(aws)
    world.launch()
    world.trained()
    world.candidate("Active")
    for _ in range(2):  # is it serving? then: what is it doing?
        aws.bedrock.add_response("get_custom_model_deployment", deployment_response("Failed", OLD_MODEL))
    world.candidate_removed()
    outcome = world.run()
    aws.verify()
    assert "FindIncumbent:catch:EvaluationError" in outcome.trace and not world.map_runs
    assert (outcome.status, outcome.error) == ("FAILED", "EvaluationFailed"), outcome.trace
    record = aws.record()
    assert (record["phase"], record["servingModelArn"]) == (state.REJECTED, OLD_MODEL)
    assert record["evaluation"]["decision"] == "error"


def test_an_unexpected_gate_error_removes_the_candidate_then_fails_the_run(world):
    aws = world.aws
    _serving(aws)
    world.launch()
    world.trained()
    world.candidate("Active")
    aws.bedrock.add_client_error(
        "get_custom_model_deployment", "AccessDeniedException", "no GetCustomModelDeployment"
    )
    world.candidate_removed()
    outcome = world.run()
    aws.verify()
    assert "FindIncumbent:catch:InvalidRequest" in outcome.trace
    assert outcome.trace.index("RemoveCandidateAfterError") < outcome.trace.index("PublishFailure")
    assert (outcome.status, outcome.error) == ("FAILED", "InvalidRequest")
    assert (aws.record()["phase"], aws.record()["servingModelArn"]) == (state.FAILED, OLD_MODEL)
    assert aws.record()["failure"]["phase"] == "evaluation"  # not "training": the job had completed
    assert "step" not in aws.record()  # EVALUATING's step ends with the phase


def test_a_run_superseded_before_its_gate_writes_no_evaluating_and_creates_no_candidate(world):
    aws = world.aws
    _serving(aws)
    world.launch()
    world.trained()
    expect_candidate_delete(aws, world.spec.names.candidate_deployment_name, "ResourceNotFoundException")
    newer = {"phase": state.TRAINING, "fingerprint": "e" * 64, "executionArn": f"{MACHINE}:newer",
             "deploymentArn": DEPLOYMENT_ARN, "servingModelArn": OLD_MODEL}  # fmt: skip

    def newer_deploy(name: str) -> None:
        if name == "StartGate":  # a newer deploy's launcher takes the record while the job ends
            aws.put_record(**newer)

    outcome = world.run(observe=newer_deploy)
    aws.verify()  # no CreateCustomModelDeployment, no Converse: the stubs would have refused them
    assert "ReconcileCandidate:catch:Superseded" in outcome.trace and not world.map_runs
    # being overtaken is a normal end (the workflow's Superseded state), not a failure
    assert (outcome.status, outcome.trace[-1]) == ("SUCCEEDED", "Superseded"), outcome.trace
    assert outcome.trace.index("RemoveCandidateAfterError") < outcome.trace.index("PublishFailure")
    assert {k: aws.record()[k] for k in newer} == newer  # the newer run's record is untouched
    assert "EVALUATING" not in [phase for phase, _step in _phases(world)]


def test_in_provisioned_mode_a_better_model_is_measured_against_the_throughput_and_swapped_in(
    provisioned_world,
):
    """The candidate is a temporary on-demand deployment, the incumbent the throughput that serves;
    on promote ReconcileDeployment swaps the model behind the same provisioned model ARN."""
    world = provisioned_world
    aws, spec = world.aws, world.spec
    new_model = model_arn(spec.fingerprint)
    aws.put_record(phase=state.ACTIVE, fingerprint="f" * 64, deploymentName="rft-demo",
                   deploymentArn=PT_ARN, servingModelArn=OLD_MODEL)  # fmt: skip
    world.launch()
    world.trained()
    world.candidate("Active")
    throughput = {"provisionedModelId": "rft-demo"}
    aws.bedrock.add_response(
        "get_provisioned_model_throughput", provisioned_response(model=OLD_MODEL), throughput
    )
    world.candidate_removed()
    model = {**custom_model_response("Active", spec.fingerprint), "baseModelArn": NOVA}
    for answer in (
        provisioned_response(model=OLD_MODEL),  # the swap is requested
        provisioned_response("Updating", model=OLD_MODEL, desired=new_model),
        provisioned_response(model=new_model),  # the swap is done
    ):
        aws.bedrock.add_response("get_custom_model", model, {"modelIdentifier": new_model})
        aws.bedrock.add_response("get_provisioned_model_throughput", answer, throughput)
        if answer["status"] == "InService" and answer["modelArn"] == OLD_MODEL:
            aws.bedrock.add_response(
                "update_provisioned_model_throughput",
                {},
                {"provisionedModelId": PT_ARN, "desiredModelId": new_model},
            )
    promoted = {"resourceARN": new_model, "tags": [{"key": "bedrock-rft:promoted", "value": "gate"}]}
    aws.bedrock.add_response("tag_resource", {}, promoted)
    # after the success: no on-demand deployment of this pipeline is left to delete
    aws.bedrock.add_client_error("delete_custom_model_deployment", "ResourceNotFoundException", "", 404)
    outcome = world.run()
    aws.verify()  # every call above made, in order, and no other (no CreateProvisionedModelThroughput)
    assert outcome.status == "SUCCEEDED", (outcome.error, outcome.cause, outcome.trace)
    trace = [t for t in outcome.trace if ":" not in t]
    assert (
        trace.index("FindIncumbent") < trace.index("EvaluateCandidate") < trace.index("ReconcileDeployment")
    )
    (run,) = world.map_runs
    assert (run["batchInput"]["candidateModel"], run["batchInput"]["incumbentModel"]) == (
        CANDIDATE_ARN,
        PT_ARN,
    )
    assert set(world.runtime.models) == {CANDIDATE_ARN, PT_ARN}
    record = aws.record()
    assert (record["phase"], record["deploymentArn"], record["servingModelArn"]) == (
        state.ACTIVE, PT_ARN, new_model)  # fmt: skip
    assert record["evaluation"]["decision"] == "promote"
