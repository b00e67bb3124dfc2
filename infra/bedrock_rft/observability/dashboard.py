"""``PipelineDashboard``: reward over training time, grader health and workflow outcomes in one place."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

#: Namespace the reward Lambda writes its EMF metrics to (``RFT_METRICS_NAMESPACE``).
REWARD_NAMESPACE = "BedrockRFT"


class PipelineDashboard(Construct):
    """A CloudWatch dashboard and an alarm for one pipeline.

    Widgets: mean/min/max reward and pass rate per minute (the reward Lambda's EMF metrics, so the
    curve follows training), samples graded and grading errors, grading latency (p50/p99), and the
    workflow's started/succeeded/failed executions. The alarm (``bedrock-rft-<pipeline>-failed-run``)
    fires when a workflow execution fails or times out (not when it is aborted on purpose or
    superseded by a newer deploy), and notifies ``topic``: the topic
    policy lets CloudWatch publish for this one alarm, and when the topic is encrypted with a key
    created in this app, the key policy lets CloudWatch use the key for it (an imported key's policy
    cannot be changed here: allow ``cloudwatch.amazonaws.com`` yourself).

    Keyword arguments:
        pipeline_name: the ``Pipeline`` metric dimension. template: the ``Template`` dimension.
        state_machine: the lifecycle workflow. topic: where the alarm notifies.

    Attributes: ``dashboard``, ``failed_run_alarm``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline_name: str,
        template: str,
        state_machine: sfn.IStateMachine,
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        minute = cdk.Duration.minutes(1)

        def reward(name: str, statistic: str, label: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=REWARD_NAMESPACE,
                metric_name=name,
                dimensions_map={"Pipeline": pipeline_name, "Template": template},
                statistic=statistic,
                period=minute,
                label=label,
            )

        # Aborted executions are deliberate (CloudFormation replacing or deleting a run, or an
        # operator) and superseded runs end as succeeded: neither is a failure to alarm on.
        failed = cloudwatch.MathExpression(
            expression="failed + timedOut",
            using_metrics={
                "failed": state_machine.metric_failed(period=cdk.Duration.minutes(5)),
                "timedOut": state_machine.metric_timed_out(period=cdk.Duration.minutes(5)),
            },
            label="failed or timed-out runs",
            period=cdk.Duration.minutes(5),
        )
        alarm_name = f"bedrock-rft-{pipeline_name}-failed-run"
        self.failed_run_alarm = cloudwatch.Alarm(
            self,
            "FailedRun",
            alarm_name=alarm_name,
            alarm_description=f"bedrock-rft {pipeline_name}: a training run failed (see rft status)",
            metric=failed,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.failed_run_alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
        _let_alarm_publish(topic, alarm_name)
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"bedrock-rft-{pipeline_name}",
            default_interval=cdk.Duration.hours(12),
            widgets=[
                [
                    cloudwatch.GraphWidget(
                        title="Reward during training",
                        left=[
                            reward("RewardMean", "Average", "mean"),
                            reward("RewardMin", "Minimum", "min"),
                            reward("RewardMax", "Maximum", "max"),
                        ],
                        right=[reward("PassRate", "Average", "pass rate")],
                        left_y_axis=cloudwatch.YAxisProps(min=0, max=1),
                        right_y_axis=cloudwatch.YAxisProps(min=0, max=1),
                        width=12,
                    ),
                    cloudwatch.GraphWidget(
                        title="Samples graded and grading errors",
                        left=[reward("SampleCount", "Sum", "samples")],
                        right=[reward("ErrorCount", "Sum", "errors")],
                        width=12,
                    ),
                ],
                [
                    cloudwatch.GraphWidget(
                        title="Grading latency per batch (ms)",
                        left=[reward("GradingLatency", "p50", "p50"), reward("GradingLatency", "p99", "p99")],
                        width=12,
                    ),
                    cloudwatch.GraphWidget(
                        title="Training runs (workflow executions)",
                        left=[
                            state_machine.metric_started(label="started"),
                            state_machine.metric_succeeded(label="succeeded"),
                            state_machine.metric_failed(label="failed"),
                        ],
                        width=12,
                    ),
                ],
                [cloudwatch.AlarmStatusWidget(title="Alarms", alarms=[self.failed_run_alarm], width=24)],
            ],
        )


def _let_alarm_publish(topic: sns.ITopic, alarm_name: str) -> None:
    """Allow CloudWatch to publish the alarm ``alarm_name`` to ``topic`` (its policy replaces SNS's
    default one) and to use the topic's key, each only for that alarm of this account."""
    stack = cdk.Stack.of(topic)
    alarm_arn = stack.format_arn(
        service="cloudwatch",
        resource="alarm",
        resource_name=alarm_name,
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
    cloudwatch_principal = iam.ServicePrincipal("cloudwatch.amazonaws.com")
    conditions = {
        "ArnEquals": {"aws:SourceArn": alarm_arn},
        "StringEquals": {"aws:SourceAccount": stack.account},
    }
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AlarmPublishes",
            principals=[cloudwatch_principal],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions=conditions,
        )
    )
    key = getattr(topic, "master_key", None)
    if key is not None:
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AlarmUsesTopicKey",
                principals=[cloudwatch_principal],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions=conditions,
            )
        )
