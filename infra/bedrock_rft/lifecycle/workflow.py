"""The lifecycle state machine (Step Functions Standard): train, wait, deploy, publish.

Every step is the lifecycle Lambda with an ``action``. Expected outcomes are routed by Choice
states; unexpected errors are retried (``TransientAwsError``/``PublishFailed`` on a minutes
scale, Lambda service errors on seconds) and then caught into ``PublishFailure``, which records
the failure and ends in a Fail state, so every path ends visibly; a run overtaken by a newer
deploy (``Superseded``) ends in the Succeed state ``Superseded`` instead, since that is normal.
The two steps of the job wait (hours of polling) are retried patiently: about an hour of failing
checks on average (at most about 2 h 15 min) before the run gives up on the job.

Waiting for the job is ``CheckJob`` -> ``AwaitJobEvent``: the latter parks a task token (Lambda,
``waitForTaskToken``) with a timeout taken from ``$.job.nextPollSeconds`` (2 min growing to 15
min). The job-event function sends the token when Bedrock reports the job finished; otherwise the
timeout (caught) leads back to ``CheckJob``. Events are best effort, the poll is the truth.

A pipeline with ``promote_from`` (``$.spec.promoteFrom``) never reaches ``StartJob``: after pre-flight
it loops ``AdoptModel`` -> ``WaitForSourceModel`` (``$.job.nextPollSeconds``, 5 growing to 15 min)
until the source's promoted model is found (or its gate rejected it), then joins ``JobStatus`` with
the same ``$.job`` shape a finished job has (:mod:`rft_runtime.lifecycle.adoption`).
"""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from bedrock_rft.lifecycle.gate_states import GateWiring, gate_states
from bedrock_rft.lifecycle.polling import poll_until_settled
from bedrock_rft.security.log_group import encrypted_log_group, vended_log_group_name
from rft_runtime.lifecycle.adoption import WAITING as WAITING_FOR_SOURCE

#: Errors our steps raise that are worth retrying later (see rft_runtime.lifecycle.errors).
RETRIED_ERRORS = (
    "TransientAwsError",
    "PublishFailed",
    "Lambda.TooManyRequestsException",  # reserved concurrency reached
    "Sandbox.Timedout",  # the function hit its timeout
    "Lambda.Unknown",  # e.g. out of memory
)


#: Longest run the workflow allows, and its default. Each poll cycle writes about 13 history events,
#: at most 96 cycles a day (15-minute polls): Step Functions' 25,000-event history limit would be
#: reached after about 20 days, so a longer timeout could never fire.
MAX_TIMEOUT = cdk.Duration.days(14)


class LifecycleWorkflow(Construct):
    """State machine + its KMS-encrypted log group (level ALL, execution data), X-Ray on. The log
    group is ``/aws/vendedlogs/states/<state machine name>-<stack id>``.

    Keyword arguments:
        lifecycle_function: the Lambda that runs every step.
        encryption_key: encrypts the state machine and its log group.
        log_retention / removal_policy: of the log group (the state machine is always destroyed
            with the stack; executions are history, the SSM state keeps the outcome).
        timeout: whole-execution limit. Default and maximum :data:`MAX_TIMEOUT` (14 days).
        state_machine_name: the state machine's name (it must be known at synth: the KMS grant of
            the execution role is conditioned on the state machine ARN). Required.
        gate: the promotion gate's functions and validation object
            (:mod:`bedrock_rft.lifecycle.gate_states`). Default None: a completed job deploys at once.

    Attributes: ``state_machine``, ``log_group``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        lifecycle_function: lambda_.IFunction,
        encryption_key: kms.IKey,
        log_retention: logs.RetentionDays,
        removal_policy: cdk.RemovalPolicy,
        state_machine_name: str,
        timeout: cdk.Duration | None = None,
        gate: GateWiring | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._gate = gate
        if gate is not None:  # the gate's Map writes its results with ResultWriterV2
            self.node.set_context("@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2", True)
        timeout = timeout or MAX_TIMEOUT
        if timeout.to_seconds() > MAX_TIMEOUT.to_seconds():
            raise ValueError(
                f"workflow timeout {timeout.to_seconds() / 86400:g} days is longer than "
                f"{MAX_TIMEOUT.to_days()} days "
                "(the execution history would fill up first)"
            )
        self._function = lifecycle_function
        self.log_group = encrypted_log_group(
            self,
            "Logs",
            encryption_key=encryption_key,
            retention=log_retention,
            removal_policy=removal_policy,
            log_group_name=vended_log_group_name(self, "states", state_machine_name),
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            comment="bedrock-rft: pre-flight, RFT job, on-demand deployment, publish",
            state_machine_name=state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_chainable(self._definition()),
            timeout=timeout,
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=True
            ),
            encryption_configuration=sfn.CustomerManagedEncryptionConfiguration(
                encryption_key, cdk.Duration.minutes(5)
            ),
        )

    # --- states -----------------------------------------------------------------------------

    def _payload(self, action: str, *extra: str, token: bool = False) -> sfn.TaskInput:
        fields = {
            "action": action,
            "spec": sfn.JsonPath.object_at("$.spec"),
            "executionArn": sfn.JsonPath.execution_id,
            "executionStartTime": sfn.JsonPath.execution_start_time,
        }
        for key in extra:
            fields[key] = sfn.JsonPath.object_at(f"$.{key}")
        if token:
            fields["taskToken"] = sfn.JsonPath.task_token
        return sfn.TaskInput.from_object(fields)

    def _step(
        self, state_id: str, action: str, result_path: str, *extra: str, patient: bool = False
    ) -> tasks.LambdaInvoke:
        task = tasks.LambdaInvoke(
            self,
            state_id,
            lambda_function=self._function,
            payload=self._payload(action, *extra),
            payload_response_only=True,
            result_path=result_path,
            comment=f"lifecycle action {action}",
        )
        self._retry(task, patient=patient)
        return task

    @staticmethod
    def _retry(task: sfn.TaskStateBase, *, patient: bool = False) -> None:
        """Retry our retriable errors: 4 times from 30 s up to 5 min, or (``patient``, for the job
        wait) 12 times from 60 s up to 15 min; full jitter either way."""
        task.add_retry(
            errors=list(RETRIED_ERRORS),
            interval=cdk.Duration.seconds(60 if patient else 30),
            max_attempts=12 if patient else 4,
            backoff_rate=2,
            max_delay=cdk.Duration.minutes(15 if patient else 5),
            jitter_strategy=sfn.JitterType.FULL,
        )

    def _definition(self) -> sfn.IChainable:
        run_failed = sfn.Fail(self, "RunFailed", error_path="$.failure.error", cause_path="$.failure.message")
        publish_failure = self._step(
            "PublishFailure", "publish_failure", "$.failure", "job", "deployment", "preflight", "error"
        )
        publish_failure.add_catch(
            sfn.Fail(
                self,
                "FailureNotPublished",
                error="PublishFailed",
                cause="the run failed and the failure could not be published; see the execution history",
            ),
            errors=["States.ALL"],
            result_path="$.publishError",
        )
        # A newer deploy took the pipeline over: a normal outcome, not a failure (the failed-run
        # alarm must not fire on every deploy that replaces a run in progress).
        superseded = sfn.Succeed(
            self, "Superseded", comment="a newer run owns the pipeline", output_path="$.failure"
        )
        publish_failure.next(
            sfn.Choice(self, "FailureKind")
            .when(sfn.Condition.string_equals("$.failure.error", "Superseded"), superseded)
            .otherwise(run_failed)
        )

        def catch_into_failure(task: sfn.TaskStateBase) -> None:
            task.add_catch(publish_failure, errors=["States.ALL"], result_path="$.error")

        init = sfn.Pass(
            self,
            "Init",
            comment="every field later steps read exists from the start",
            parameters={
                "spec": sfn.JsonPath.object_at("$.spec"),
                "preflight": {},
                "job": {},
                "deployment": {},
                "evaluation": {},
                "error": {},
            },
        )
        preflight = self._step("Preflight", "preflight", "$.preflight")
        start_job = self._step("StartJob", "start_job", "$.job")
        check_job = self._step("CheckJob", "check_job", "$.job", "job", patient=True)
        await_event = tasks.LambdaInvoke(
            self,
            "AwaitJobEvent",
            lambda_function=self._function,
            integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
            payload=self._payload("await_job_event", "job", token=True),
            task_timeout=sfn.Timeout.at("$.job.nextPollSeconds"),
            result_path=sfn.JsonPath.DISCARD,
            comment="wait for the job's state-change event, at most nextPollSeconds",
        )
        self._retry(await_event, patient=True)
        await_event.add_catch(check_job, errors=["States.Timeout"], result_path=sfn.JsonPath.DISCARD)
        reconcile = self._step(
            "ReconcileDeployment", "reconcile_deployment", "$.deployment", "job", "deployment"
        )
        publish_success = self._step(
            "PublishSuccess", "publish_success", "$.published", "job", "deployment", "evaluation"
        )
        for task in (preflight, start_job, check_job, await_event, reconcile, publish_success):
            catch_into_failure(task)

        record_job_failure = sfn.Pass(
            self,
            "RecordJobFailure",
            parameters={
                "Error": sfn.JsonPath.format("Job{}", sfn.JsonPath.string_at("$.job.status")),
                "Cause": sfn.JsonPath.string_at("$.job.failureMessage"),
                "Phase": sfn.JsonPath.string_at("$.job.failedStep"),
            },
            result_path="$.error",
        ).next(publish_failure)
        record_deployment_failure = sfn.Pass(
            self,
            "RecordDeploymentFailure",
            parameters={
                "Error": "DeploymentFailed",
                "Cause": sfn.JsonPath.string_at("$.deployment.failureMessage"),
                "Phase": "deployment",
            },
            result_path="$.error",
        ).next(publish_failure)

        succeeded = sfn.Succeed(self, "Succeeded", output_path="$.published")
        publish_success.next(succeeded)
        poll_until_settled(
            self,
            reconcile,
            result="$.deployment",
            choice_id="DeploymentOutcome",
            wait_id="WaitForDeployment",
            active=publish_success,
            failed=record_deployment_failure,
        )
        deploy_or_not = (
            sfn.Choice(self, "DeploymentMode")
            .when(sfn.Condition.string_equals("$.spec.deploymentMode", "none"), publish_success)
            .otherwise(reconcile)
        )
        after_training = deploy_or_not
        if self._gate is not None:
            after_training = gate_states(
                self, self._gate, retry=self._retry, deploy=deploy_or_not, publish_failure=publish_failure
            )
        check_job.next(
            sfn.Choice(self, "JobStatus")
            .when(sfn.Condition.string_equals("$.job.status", "Completed"), after_training)
            .when(
                sfn.Condition.or_(
                    sfn.Condition.string_equals("$.job.status", "Failed"),
                    sfn.Condition.string_equals("$.job.status", "Stopped"),
                ),
                record_job_failure,
            )
            .otherwise(await_event)
        )
        await_event.next(check_job)
        start_job.next(check_job)
        return init.next(preflight).next(self._train_or_adopt(start_job, catch_into_failure))

    def _train_or_adopt(
        self, start_job: sfn.IChainable, catch_into_failure: Callable[[sfn.TaskStateBase], None]
    ) -> sfn.Choice:
        """After pre-flight: ``StartJob``, or (``$.spec.promoteFrom`` set) the adoption loop, which
        hands its Completed or Failed ``$.job`` to ``JobStatus`` like a finished job."""
        adopt = self._step("AdoptModel", "adopt_model", "$.job", "job", patient=True)
        catch_into_failure(adopt)
        job_status = self.node.find_child("JobStatus")
        wait_source = sfn.Wait(
            self,
            "WaitForSourceModel",
            comment="the source pipeline's run has no promoted model yet",
            time=sfn.WaitTime.seconds_path("$.job.nextPollSeconds"),
        ).next(adopt)
        adopt.next(
            sfn.Choice(self, "AdoptionStatus")
            .when(sfn.Condition.string_equals("$.job.status", WAITING_FOR_SOURCE), wait_source)
            .otherwise(job_status)
        )
        return (
            sfn.Choice(self, "TrainOrAdopt")
            .when(sfn.Condition.is_present("$.spec.promoteFrom"), adopt)
            .otherwise(start_job)
        )
