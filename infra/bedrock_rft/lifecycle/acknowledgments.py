"""The lifecycle's cdk-nag acknowledgments: each on the narrowest construct, per finding, with a reason.

Findings the construct can fix are fixed instead (customer-managed roles without managed policies,
encrypted log groups, memory on the framework function, no wildcard
actions). What remains is listed here, grouped by why it cannot be fixed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from bedrock_rft.compliance import acknowledge, resource_finding
from bedrock_rft.compliance.reasons import CDK_INLINE_POLICY, SYNCHRONOUS_NO_DLQ

if TYPE_CHECKING:
    from bedrock_rft.lifecycle.construct import RftLifecycle
    from bedrock_rft.lifecycle.promotion_gate import PromotionGateFunctions

PACKS = ("NIST.800.53.R5", "HIPAA.Security")

OUTSIDE_VPC = (
    "Lifecycle functions only call AWS APIs (Bedrock control plane, Step Functions, SSM, SNS, "
    "EventBridge, S3 HEAD/copy, one reward-function invoke) with IAM over TLS and handle at most the "
    "first training row (the pre-flight grader probe); running them in the "
    "isolated VPC would need six more interface endpoints (Bedrock, Step Functions, SSM, SNS, "
    "EventBridge, Lambda), and the launcher is kept outside on purpose so CloudFormation always "
    "gets its answer even if the VPC's endpoints are broken."
)


def _both(rule: str) -> tuple[str, ...]:
    return tuple(f"{pack}-{rule}" for pack in PACKS)


def apply(lifecycle: RftLifecycle) -> None:
    """Acknowledge the findings :class:`RftLifecycle` cannot fix, on its own constructs only."""
    stack = cdk.Stack.of(lifecycle)
    bedrock_wildcards = [
        resource_finding(stack, "AwsSolutions-IAM5", lifecycle._bedrock_arn(kind))
        for kind in ("custom-model", "model-customization-job", "custom-model-deployment")
    ]
    bedrock_reason = (
        "Bedrock names jobs, custom models and deployments with a service-generated 12-character id "
        "(model-customization-job/<base-model>/<id>), unknown until created; the actions are scoped to "
        "this account and Region, and jobs/models carry bedrock-rft tags."
    )
    lifecycle_fn, events_fn, launcher_fn = lifecycle.functions

    # lifecycle function: Bedrock job/model/deployment ARNs, X-Ray
    policy = lifecycle_fn.role.node.find_child("DefaultPolicy")
    acknowledge(policy, bedrock_reason, *bedrock_wildcards)
    if lifecycle.keep_models > 0:
        acknowledge(
            policy,
            "ListCustomModels, ListCustomModelDeployments and ListProvisionedModelThroughputs have no "
            "resource type, so IAM accepts only '*'; keep_models pruning needs them to find this "
            "pipeline's models and every model still in use (DeleteCustomModel itself is conditioned on "
            "the model's bedrock-rft:pipeline tag).",
            "AwsSolutions-IAM5[Resource::*]",
        )
    # job-event function: it also stops the job of a run that ended unfinished
    acknowledge(
        events_fn.role.node.find_child("DefaultPolicy"),
        bedrock_reason,
        resource_finding(stack, "AwsSolutions-IAM5", lifecycle._bedrock_arn("model-customization-job")),
        resource_finding(stack, "AwsSolutions-IAM5", lifecycle._bedrock_arn("custom-model-deployment")),
    )
    # pre-flight reads exactly the training/validation objects and the staging targets by their
    # full ARNs (no wildcard, so nothing to acknowledge), and invokes exactly the reward version
    # launcher: stop runs of this state machine (execution names carry a per-request suffix)
    policy = launcher_fn.role.node.find_child("DefaultPolicy")
    acknowledge(policy, bedrock_reason, *bedrock_wildcards)
    acknowledge(
        policy,
        "Execution names end with a per-request hash; the launcher may stop any execution of this "
        "one state machine (and only StopExecution is granted on them).",
        resource_finding(stack, "AwsSolutions-IAM5", lifecycle.executions_arn_pattern),
    )
    acknowledge(
        policy,
        "bedrock:ListCustomModelDeployments (and, with retain_models = False, ListCustomModels) have "
        "no resource type, so IAM accepts only '*'; they find this pipeline's candidate deployments "
        "(and models) by name prefix when the pipeline is deleted.",
        "AwsSolutions-IAM5[Resource::*]",
    )
    for function in (lifecycle_fn, events_fn, launcher_fn):
        acknowledge(function.function, OUTSIDE_VPC, *_both("LambdaInsideVPC"))
    for function in (lifecycle_fn, launcher_fn):
        acknowledge(function.function, SYNCHRONOUS_NO_DLQ, "Serverless-LambdaDLQ", *_both("LambdaDLQ"))

    # state machine role: invoke the lifecycle function (any version), vended log delivery, X-Ray
    machine_policy = lifecycle.state_machine.role.node.find_child("DefaultPolicy")
    acknowledge(
        machine_policy,
        "CDK grants lambda:InvokeFunction on the lifecycle function and its versions (<arn>:*); only "
        "that one function can be invoked.",
        resource_finding(stack, "AwsSolutions-IAM5", f"{lifecycle.lifecycle_function.function_arn}:*"),
    )
    acknowledge(
        machine_policy,
        "Step Functions log delivery (logs:CreateLogDelivery, PutResourcePolicy, ...) and X-Ray "
        "support no resource-level permissions; IAM accepts only '*' for them.",
        "AwsSolutions-IAM5[Resource::*]",
    )
    acknowledge(machine_policy, CDK_INLINE_POLICY, *_both("IAMNoInlinePolicy"))
    if lifecycle.gate_functions is not None:
        _apply_gate(lifecycle, lifecycle.gate_functions, bedrock_reason)

    # custom-resource framework (CDK-owned Node.js function and its role)
    provider = lifecycle.provider
    framework_policy = provider.framework_role.node.find_child("DefaultPolicy")
    acknowledge(
        framework_policy,
        "The custom-resource framework invokes the launcher handler and its versions (<arn>:*); only "
        "that one function can be invoked.",
        resource_finding(stack, "AwsSolutions-IAM5", f"{lifecycle.launcher_function.function_arn}:*"),
    )
    acknowledge(framework_policy, CDK_INLINE_POLICY, *_both("IAMNoInlinePolicy"))
    framework = provider.framework_function
    acknowledge(
        framework,
        "CDK's custom-resource framework function only relays CloudFormation's request to the launcher "
        "handler (Lambda API) and posts the answer to CloudFormation's pre-signed S3 URL; it is kept out "
        "of the VPC so that answer always arrives, with no dependency on interface endpoints.",
        *_both("LambdaInsideVPC"),
    )
    acknowledge(
        framework,
        "CloudFormation invokes the framework asynchronously and waits for its answer; an invocation "
        "that fails reaches CloudFormation as a FAILED resource (or its service timeout), which is "
        "where it must surface, not in a queue.",
        "Serverless-LambdaDLQ",
        *_both("LambdaDLQ"),
    )
    acknowledge(
        framework,
        "CDK-owned relay function; the launcher handler it calls is traced with X-Ray.",
        "Serverless-LambdaTracing",
    )

    # job-event path: best effort by design (the workflow polls)
    acknowledge(
        lifecycle.job_event_rule,
        "The job event only shortens a wait; a lost delivery costs at most one poll interval (<= 15 "
        "min). EventBridge retries delivery for an hour and the function has its own dead-letter queue.",
        "Serverless-EventBusDLQ",
    )
    acknowledge(
        lifecycle.execution_end_rule,
        "EventBridge retries this delivery for 24 hours (185 attempts) and the function's failed "
        "asynchronous invocations go to its own dead-letter queue; a queue on the rule could only hold "
        "an event that a day of retries did not deliver, by which time the job must be stopped by hand "
        "(the failed-run alarm and the state record already show the run ended).",
        "Serverless-EventBusDLQ",
    )
    acknowledge(
        lifecycle.dead_letter_queue,
        "This queue is the job-event function's dead-letter queue; a queue behind it would only move "
        "the same messages again.",
        "Serverless-SQSRedrivePolicy",
        "AwsSolutions-SQS3",
    )
    for subscription in lifecycle.topic.node.children:
        if isinstance(subscription, cdk.aws_sns.Subscription):
            acknowledge(
                subscription,
                "E-mail notifications are a convenience; every outcome is also in the SSM state "
                "parameter and an EventBridge event, which are the sources of truth.",
                "Serverless-SNSRedrivePolicy",
            )


GATE_OUTSIDE_VPC = (
    "The promotion gate's functions only call AWS APIs (Bedrock control plane and runtime Converse, "
    "the reward function's Lambda invoke, S3 on the evaluation prefix, SSM, SNS, EventBridge) with IAM "
    "over TLS and run no generated code; inside the isolated VPC they would need bedrock-runtime, "
    "Bedrock, Lambda, SSM, SNS and EventBridge interface endpoints (about USD 7 per endpoint and zone "
    "a month each), for no isolation gain. Outside, they cost nothing at idle."
)


def _apply_gate(lifecycle: RftLifecycle, gates: PromotionGateFunctions, bedrock_reason: str) -> None:
    """The promotion gate's functions, and the Distributed Map's grants on the state machine."""
    stack = cdk.Stack.of(lifecycle)
    gate_policy = gates.gate.role.node.find_child("DefaultPolicy")
    acknowledge(
        gate_policy,
        bedrock_reason,
        *(
            resource_finding(stack, "AwsSolutions-IAM5", lifecycle._bedrock_arn(k))
            for k in ("custom-model", "custom-model-deployment")
        ),
    )
    evaluation_files = lifecycle.dataset_bucket.arn_for_objects("runs/*/evaluation/*")
    acknowledge(
        gate_policy,
        "Read and write only under runs/<fingerprint>/evaluation/ of the dataset bucket: the Map's "
        "result files (named by Step Functions) and figures.json/report.html; the fingerprint is the "
        "run's, known only to the run, so the key pattern has a wildcard per run.",
        resource_finding(stack, "AwsSolutions-IAM5", evaluation_files),
    )
    acknowledge(
        gates.batch.role.node.find_child("DefaultPolicy"),
        "Converse on the run's candidate deployment and the pipeline's serving deployment: Bedrock "
        "names deployments with a service-generated id unknown until created (only InvokeModel, in "
        "this account and Region; the base model's profile is named exactly).",
        resource_finding(stack, "AwsSolutions-IAM5", lifecycle._bedrock_arn("custom-model-deployment")),
    )
    for function in (gates.gate, gates.batch):
        acknowledge(function.function, GATE_OUTSIDE_VPC, *_both("LambdaInsideVPC"))
        acknowledge(function.function, SYNCHRONOUS_NO_DLQ, "Serverless-LambdaDLQ", *_both("LambdaDLQ"))
    machine = lifecycle.state_machine
    acknowledge(
        machine.role.node.find_child("DefaultPolicy"),
        "CDK grants lambda:InvokeFunction on each gate function and its versions (<arn>:*); only "
        "those functions can be invoked. The Map writes its result files (names chosen by Step "
        "Functions) under runs/<fingerprint>/evaluation/map/ only.",
        *(
            resource_finding(stack, "AwsSolutions-IAM5", f"{f.function.function_arn}:*")
            for f in (gates.gate, gates.batch)
        ),
        resource_finding(
            stack, "AwsSolutions-IAM5", lifecycle.dataset_bucket.arn_for_objects("runs/*/evaluation/map/*")
        ),
    )
    map_policy = machine.node.find_child("DistributedMapPolicy")
    acknowledge(
        map_policy,
        "A Distributed Map starts child executions of this state machine, and describes, stops and "
        "redrives them; their names are chosen by Step Functions, so CDK grants them on this state "
        "machine's executions (<name>:* and <name>/*:*) only.",
        *_map_execution_findings(map_policy),
    )
    acknowledge(map_policy, CDK_INLINE_POLICY, *_both("IAMNoInlinePolicy"))


def _map_execution_findings(map_policy: iam.Policy) -> list[str]:
    """The wildcard findings of CDK's Distributed Map policy (its execution ARN patterns)."""
    stack = cdk.Stack.of(map_policy)
    statements = stack.resolve(map_policy.document.to_json())["Statement"]
    return [
        resource_finding(stack, "AwsSolutions-IAM5", resource)
        for statement in statements
        if "states:" in json.dumps(statement["Action"])
        for resource in [statement["Resource"]]
        if "*" in json.dumps(resource)
    ]
