"""The promotion gate's states: between ``JobStatus == Completed`` and the serving deployment.

``StartGate`` -> ``ReconcileCandidate`` (wait loop: ``WaitForCandidate``) -> ``FindIncumbent`` ->
``EvaluateCandidate`` (Distributed Map over the validation JSONL in the dataset bucket, batches
answered and graded by the batch function, results written to ``runs/<fingerprint>/evaluation/map/``)
-> ``Summarise`` -> ``RemoveCandidate`` -> ``GateDecision``: ``promote`` goes on to the deployment
(the caller's ``deploy`` state); ``reject`` and ``error`` go to ``PublishRejected`` (the old model keeps
serving), then ``Rejected`` (Succeed) or ``EvaluationFailed`` (Fail).

A candidate that fails to deploy and a Map that fails (any batch failed: tolerated failures 0) are
decision ``error`` (never a promotion) and still pass ``RemoveCandidate``. Any other error of a gate
step is caught into ``RemoveCandidateAfterError`` and then the workflow's failure path, so the
candidate deployment is removed on every path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from bedrock_rft.lifecycle.polling import poll_until_settled

#: Batches of the evaluation Map that run at once: each makes one Converse call at a time, so this
#: many calls reach the models together (the deployment's tokens-per-minute quota is the limit).
MAP_CONCURRENCY = 4
#: Converse calls one batch makes (2 models x samples x prompts), so it ends well inside 15 minutes.
CALLS_PER_BATCH = 16


def items_per_batch(samples_per_prompt: int) -> int:
    """Prompts per Map batch: :data:`CALLS_PER_BATCH` calls, at least one prompt."""
    return max(1, CALLS_PER_BATCH // (2 * samples_per_prompt))


@dataclass(frozen=True)
class GateWiring:
    """What the gate states use. ``max_prompts``: ItemReader ``MaxItems`` (None: every row)."""

    gate_function: lambda_.IFunction
    batch_function: lambda_.IFunction
    bucket: s3.IBucket
    validation_key: str
    samples_per_prompt: int
    max_prompts: int | None = None


class _ValidationReader(sfn.S3JsonLItemReader):
    """The JSONL reader; its policy is GetObject on exactly the validation object (CDK's own would
    grant the whole bucket)."""

    def __init__(self, *, object_arn: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._object_arn = object_arn

    def provide_policy_statements(self) -> list[iam.PolicyStatement]:
        return [iam.PolicyStatement(actions=["s3:GetObject"], resources=[self._object_arn])]


class _EvaluationWriter(sfn.ResultWriterV2):
    """The ResultWriter; its policy covers only ``runs/*/evaluation/map/*`` keys."""

    def __init__(self, *, objects_arn: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._objects_arn = objects_arn

    def provide_policy_statements(self) -> list[iam.PolicyStatement]:
        return [
            iam.PolicyStatement(
                actions=[
                    "s3:PutObject",
                    "s3:GetObject",
                    "s3:ListMultipartUploadParts",
                    "s3:AbortMultipartUpload",
                ],
                resources=[self._objects_arn],
            )
        ]


#: Keys under which the Map writes (the state machine role's only S3 writes).
MAP_RESULTS_PATTERN = "runs/*/evaluation/map/*"


def gate_states(
    scope: Construct,
    wiring: GateWiring,
    *,
    retry: Callable[[sfn.TaskStateBase], None],
    deploy: sfn.IChainable,
    publish_failure: sfn.IChainable,
) -> sfn.IChainable:
    """Build the gate's states in ``scope`` (the workflow); returns the first one. ``retry`` adds
    the workflow's retry policy to a task; ``deploy`` follows a promotion; ``publish_failure`` is
    the workflow's failure path."""

    def step(state_id: str, action: str, result_path: str, **fields: object) -> tasks.LambdaInvoke:
        payload = {
            "action": action,
            "spec": sfn.JsonPath.object_at("$.spec"),
            "executionArn": sfn.JsonPath.execution_id,
            **fields,
        }
        task = tasks.LambdaInvoke(
            scope,
            state_id,
            lambda_function=wiring.gate_function,
            payload=sfn.TaskInput.from_object(payload),
            payload_response_only=True,
            result_path=result_path,
            comment=f"promotion gate action {action}",
        )
        retry(task)
        return task

    job = sfn.JsonPath.object_at("$.job")
    reconcile = step("ReconcileCandidate", "reconcile_candidate", "$.candidate", job=job,
                     candidate=sfn.JsonPath.object_at("$.candidate"))  # fmt: skip
    find_incumbent = step("FindIncumbent", "find_incumbent", "$.incumbent")
    summarise = step(
        "Summarise",
        "summarise",
        "$.evaluation",
        evaluation={
            "bucket": wiring.bucket.bucket_name,
            "fingerprint": sfn.JsonPath.string_at("$.spec.fingerprint"),
            "candidateModel": sfn.JsonPath.string_at("$.candidate.arn"),
            "incumbent": sfn.JsonPath.object_at("$.incumbent"),
            "minImprovement": sfn.JsonPath.number_at("$.spec.evaluation.minImprovement"),
            "samplesPerPrompt": sfn.JsonPath.number_at("$.spec.evaluation.samplesPerPrompt"),
            "map": sfn.JsonPath.object_at("$.evaluationMap"),
        },
    )
    remove = step("RemoveCandidate", "remove_candidate", "$.candidateRemoval")
    clean_up = step("RemoveCandidateAfterError", "remove_candidate", "$.candidateRemoval")
    publish_rejected = step("PublishRejected", "publish_rejected", "$.rejected", job=job,
                            decision=sfn.JsonPath.object_at("$.evaluation"))  # fmt: skip
    evaluate = _evaluation_map(scope, wiring, retry)

    def record_error(state_id: str, message_path: str) -> sfn.Pass:
        return sfn.Pass(
            scope,
            state_id,
            comment="an evaluation that cannot finish never promotes",
            parameters={"decision": "error", "message": sfn.JsonPath.string_at(message_path)},
            result_path="$.evaluation",
        ).next(remove)

    # every path out of the gate passes a RemoveCandidate state
    clean_up.add_catch(publish_failure, errors=["States.ALL"], result_path="$.cleanupError")
    clean_up.next(publish_failure)
    for task in (reconcile, find_incumbent, summarise):
        if task is find_incumbent:  # the serving model cannot be measured now: an evaluation error
            task.add_catch(
                record_error("RecordIncumbentError", "$.incumbentError.Cause"),
                errors=["EvaluationError"],
                result_path="$.incumbentError",
            )
        task.add_catch(clean_up, errors=["States.ALL"], result_path="$.error")
    for task in (remove, publish_rejected):
        task.add_catch(publish_failure, errors=["States.ALL"], result_path="$.error")

    evaluate.add_catch(
        record_error("RecordEvaluationError", "$.evaluationError.Cause"),
        errors=["States.ALL"],
        result_path="$.evaluationError",
    )
    evaluate.next(summarise)
    summarise.next(remove)
    decision = sfn.JsonPath.string_at("$.evaluation.decision")
    publish_rejected.next(
        sfn.Choice(scope, "RejectionKind")
        .when(
            sfn.Condition.string_equals(decision, "reject"),
            sfn.Succeed(scope, "Rejected", comment="the serving model stays", output_path="$.rejected"),
        )
        .otherwise(
            sfn.Fail(scope, "EvaluationFailed", error="EvaluationFailed", cause_path="$.evaluation.message")
        )
    )
    remove.next(
        sfn.Choice(scope, "GateDecision")
        .when(sfn.Condition.string_equals(decision, "promote"), deploy)
        .otherwise(publish_rejected)
    )
    find_incumbent.next(evaluate)
    poll_until_settled(
        scope,
        reconcile,
        result="$.candidate",
        choice_id="CandidateOutcome",
        wait_id="WaitForCandidate",
        active=find_incumbent,
        failed=record_error("RecordCandidateFailure", "$.candidate.failureMessage"),
    )
    start = sfn.Pass(
        scope,
        "StartGate",
        comment="serve the new model from a temporary candidate deployment and measure it",
        result=sfn.Result.from_object({}),
        result_path="$.candidate",
    )
    return start.next(reconcile)


def _evaluation_map(
    scope: Construct, wiring: GateWiring, retry: Callable[[sfn.TaskStateBase], None]
) -> sfn.DistributedMap:
    evaluation = "$.spec.evaluation"
    batch = tasks.LambdaInvoke(
        scope,
        "EvaluateBatch",
        lambda_function=wiring.batch_function,
        payload_response_only=True,
        comment="both models answer the batch's prompts; the training reward grades them",
    )
    retry(batch)
    evaluate = sfn.DistributedMap(
        scope,
        "EvaluateCandidate",
        comment="candidate vs incumbent on the validation prompts",
        item_reader=_ValidationReader(
            object_arn=wiring.bucket.arn_for_objects(wiring.validation_key),
            bucket=wiring.bucket,
            key=sfn.JsonPath.string_at(f"{evaluation}.validationKey"),
            max_items=wiring.max_prompts,
        ),
        item_selector={
            "index": sfn.JsonPath.number_at("$$.Map.Item.Index"),
            "row": sfn.JsonPath.object_at("$$.Map.Item.Value"),
        },
        item_batcher=sfn.ItemBatcher(
            max_items_per_batch=items_per_batch(wiring.samples_per_prompt),
            # CDK passes BatchInput through as written: paths need the ".$" key suffix
            batch_input={
                "candidateModel.$": "$.candidate.arn",
                "incumbentModel.$": "$.incumbent.model",
                "rewardFunction.$": f"{evaluation}.rewardFunction",
                "maxTokens.$": f"{evaluation}.maxTokens",
                "reasoningEffort.$": f"{evaluation}.reasoningEffort",
                "samplesPerPrompt.$": f"{evaluation}.samplesPerPrompt",
            },
        ),
        result_writer_v2=_EvaluationWriter(
            objects_arn=wiring.bucket.arn_for_objects(MAP_RESULTS_PATTERN),
            bucket=wiring.bucket,
            prefix=sfn.JsonPath.string_at(f"{evaluation}.resultPrefix"),
        ),
        result_selector={"ResultWriterDetails": sfn.JsonPath.object_at("$.ResultWriterDetails")},
        result_path="$.evaluationMap",
        max_concurrency=MAP_CONCURRENCY,
        tolerated_failure_count=0,
        map_execution_type=sfn.StateMachineType.STANDARD,
    )
    evaluate.item_processor(batch)
    return evaluate


def grant_map_key_use(role: iam.IRole, key_arn: str) -> None:
    """The Map reads the validation object and writes its results through S3 with the bucket's key."""
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="EvaluationObjectsKey",
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=[key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"s3.{cdk.Aws.REGION}.amazonaws.com"}},
        )
    )
