"""Cost controls of the lifecycle: stop a job its workflow left behind, and prune old models.

- :func:`add_execution_end_rule`: an EventBridge rule on this state machine's executions ending
  ``FAILED``, ``TIMED_OUT`` or ``ABORTED`` -> the job-event function, which stops the job of that
  execution if it still trains (``rft_runtime.lifecycle.execution_end``). The function gets what
  that needs: read the job, stop it, publish the outcome (state record, event, SNS).
- :func:`grant_model_pruning`: what ``[deployment] keep_models`` needs on the lifecycle role.
  ``DeleteCustomModel`` is conditioned on the model's ``bedrock-rft:pipeline`` tag, so the role can
  never delete another pipeline's model, whatever the code does.

``max_training_hours`` needs no resource: the workflow's ``CheckJob`` step stops the job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from bedrock_rft.lifecycle import event_rules
from rft_runtime.lifecycle.execution_end import ENDED_STATUSES
from rft_runtime.lifecycle.model_pruning import PIPELINE_TAG_KEY

if TYPE_CHECKING:
    from bedrock_rft.lifecycle.construct import RftLifecycle

#: The rule's delivery: EventBridge's maximum retry window, so a lost delivery needs a day-long outage.
EXECUTION_END_RETRIES = 185
EXECUTION_END_MAX_AGE = cdk.Duration.hours(24)
#: ``List*`` actions of Bedrock that take no resource type (IAM accepts only ``*``).
PRUNING_LIST_ACTIONS = (
    "bedrock:ListCustomModels",
    "bedrock:ListCustomModelDeployments",
    "bedrock:ListProvisionedModelThroughputs",
)


def add_execution_end_rule(
    lifecycle: RftLifecycle, function: lambda_.IFunction, role: iam.IRole
) -> events.Rule:
    """The rule and the grants of ``function`` (the job-event function, role ``role``)."""
    rule = event_rules.lambda_rule(
        lifecycle,
        "ExecutionEnded",
        description=f"bedrock-rft {lifecycle.pipeline_name}: a run ended without finishing; stop its job",
        source="aws.states",
        detail_type="Step Functions Execution Status Change",
        detail={
            "stateMachineArn": [lifecycle.state_machine.state_machine_arn],
            "status": list(ENDED_STATUSES),
        },
        function=function,
        retry_attempts=EXECUTION_END_RETRIES,
        max_event_age=EXECUTION_END_MAX_AGE,
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="StopJobsOfEndedRuns",
            actions=["bedrock:GetModelCustomizationJob", "bedrock:StopModelCustomizationJob"],
            resources=[lifecycle._bedrock_arn("model-customization-job")],
        )
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="RemoveCandidatesOfEndedRuns",  # the promotion gate's candidate of an unfinished run
            actions=["bedrock:DeleteCustomModelDeployment"],
            resources=[lifecycle._bedrock_arn("custom-model-deployment")],
        )
    )
    return rule


def grant_model_pruning(lifecycle: RftLifecycle, role: iam.IRole) -> None:
    """Let ``role`` find this pipeline's unused models and delete only models tagged with it."""
    models = lifecycle._bedrock_arn("custom-model")
    for statement in (
        iam.PolicyStatement(sid="FindModelsToPrune", actions=list(PRUNING_LIST_ACTIONS), resources=["*"]),
        iam.PolicyStatement(
            sid="ReadModelTagsToPrune", actions=["bedrock:ListTagsForResource"], resources=[models]
        ),
        iam.PolicyStatement(
            sid="PruneOwnModels",
            actions=["bedrock:DeleteCustomModel"],
            resources=[models],
            conditions={"StringEquals": {f"aws:ResourceTag/{PIPELINE_TAG_KEY}": lifecycle.pipeline_name}},
        ),
    ):
        role.add_to_principal_policy(statement)
