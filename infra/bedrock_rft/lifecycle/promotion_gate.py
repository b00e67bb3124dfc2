"""The promotion gate's settings and Lambda functions (the states are in ``gate_states``).

Two functions run the gate's runtime (``rft_runtime.promotion.handlers``): the *gate* function
(candidate deployment, incumbent, summary and report, rejection) and the *batch* function (one
Distributed Map batch: Converse for both models, grading by the reward function version the job
trained with). Both run **outside the VPC**: they call only AWS APIs (Bedrock control plane and
runtime, Lambda, S3, SSM, SNS, EventBridge) and run no generated code, and the pipeline's isolated
VPC has no ``bedrock-runtime`` endpoint unless an LLM judge asked for one. Idle cost: none (Lambda
and Step Functions bill per use; no endpoint, no NAT).
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from bedrock_rft.assets.runtime_code import PROMOTION_PACKAGES, runtime_code
from bedrock_rft.compute import RuntimeFunction
from bedrock_rft.security.model_access import ModelGrant, allow_invoke_model, model_grant
from rft_runtime.evaluation.base_model import invocation_model_id

HANDLERS = "rft_runtime.promotion.handlers"
#: Reading every batch's results and rendering the report for thousands of prompts takes seconds;
#: the candidate steps take one or two Bedrock calls.
GATE_TIMEOUT = cdk.Duration.minutes(5)
#: A batch makes up to 16 Converse calls (``gate_states.CALLS_PER_BATCH``), 4 at a time.
BATCH_TIMEOUT = cdk.Duration.minutes(15)


@dataclass(frozen=True, kw_only=True)
class GateSettings:
    """How the promotion gate decides (``[evaluation]`` in an environment file).

    ``min_improvement``: the paired mean reward delta (candidate minus incumbent) the candidate
    must reach, in [-1, 1]. Default 0.0: not worse. ``samples_per_prompt``: responses per prompt and
    model, 1..8. Default 1. ``max_prompts``: evaluate at most this many validation rows (the Map's
    ``MaxItems``). Default None: all of them.
    """

    min_improvement: float = 0.0
    samples_per_prompt: int = 1
    max_prompts: int | None = None


class PromotionGateFunctions(Construct):
    """The gate and batch functions with their permissions. Attributes: ``gate``, ``batch``
    (``RuntimeFunction``).

    Keyword arguments (all required): ``pipeline_name``, ``environment`` (the lifecycle functions'
    variables), ``encryption_key``, ``log_retention``, ``removal_policy``, ``dataset_bucket``,
    ``reward_function_version`` (the batch function invokes exactly it) and ``base_model_id`` (the
    id RFT trains from; the incumbent on a pipeline's first run, called through the inference
    profile of the stack's Region: :func:`base_model_grant`). Grants here: candidate deployments,
    evaluation files, Converse, the reward invoke; ``RftLifecycle`` adds the state record, event and
    topic grants and the model key (through Bedrock) to the gate function.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline_name: str,
        environment: dict[str, str],
        encryption_key: kms.IKey,
        log_retention: logs.RetentionDays,
        removal_policy: cdk.RemovalPolicy,
        dataset_bucket: s3.IBucket,
        reward_function_version: lambda_.IVersion,
        base_model_id: str,
    ) -> None:
        super().__init__(scope, construct_id)
        code = runtime_code(vendor_boto3=True, packages=PROMOTION_PACKAGES)
        common = {
            "encryption_key": encryption_key,
            "log_retention": log_retention,
            "removal_policy": removal_policy,
            "code": code,
            "reserved_concurrency": 0,
            "environment": environment,
        }
        self.gate = RuntimeFunction(
            self,
            "Gate",
            handler=f"{HANDLERS}.gate_handler",
            description=f"bedrock-rft {pipeline_name}: promotion gate (candidate, summary, rejection)",
            timeout=GATE_TIMEOUT,
            memory_size=1024,
            key_services=("lambda", "s3", "sns"),  # environment, evaluation files, topic
            **common,
        )
        self.batch = RuntimeFunction(
            self,
            "Batch",
            handler=f"{HANDLERS}.batch_handler",
            description=f"bedrock-rft {pipeline_name}: one evaluation batch (Converse, reward grading)",
            timeout=BATCH_TIMEOUT,
            key_actions=("kms:Decrypt",),
            key_services=("lambda", "bedrock"),
            **common,
        )
        stack = cdk.Stack.of(self)
        deployments = stack.format_arn(
            service="bedrock", resource="custom-model-deployment", resource_name="*"
        )
        custom_models = stack.format_arn(service="bedrock", resource="custom-model", resource_name="*")
        self.gate.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="CandidateDeployment",
                actions=["bedrock:CreateCustomModelDeployment"],
                resources=[deployments, custom_models],
            )
        )
        self.gate.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="CandidateDeploymentFollowAndRemove",
                actions=[
                    "bedrock:GetCustomModelDeployment",
                    "bedrock:DeleteCustomModelDeployment",
                    # the candidate is created with the pipeline's tags; never a model's tags (the
                    # promoted mark is written by the lifecycle function only)
                    "bedrock:TagResource",
                ],
                resources=[deployments],
            )
        )
        self.gate.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="EvaluationFiles",
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[dataset_bucket.arn_for_objects("runs/*/evaluation/*")],
            )
        )
        self.batch.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ConverseCandidateAndIncumbent", actions=["bedrock:InvokeModel"], resources=[deployments]
            )
        )
        allow_invoke_model(
            self.batch.role,
            base_model_grant(stack, base_model_id),
            sid="ConverseBaseModel",
            routed_sid="ConverseBaseModelThroughProfile",
            finding_scope=self,
            reason="The base model answers only through its geography's system inference profile, which "
            "sends each call to the model in a Region of that geography Bedrock picks per call, so the "
            "Region is a wildcard; the statement holds only for calls through that profile (condition "
            "bedrock:InferenceProfileArn).",
        )
        self.batch.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="GradeWithTheTrainingReward",
                actions=["lambda:InvokeFunction"],
                resources=[reward_function_version.function_arn],
            )
        )


def base_model_grant(stack: cdk.Stack, base_model_id: str) -> ModelGrant:
    """What the batch function may call for the base model: the id Converse takes for it in the
    stack's Region (:func:`~rft_runtime.evaluation.base_model.invocation_model_id`, the rule the
    gate's runtime applies), granted by :func:`~bedrock_rft.security.model_access.model_grant`: for
    ``amazon.nova-2-lite-v1:0:256k`` in us-east-1 the profile
    ``arn:aws:bedrock:us-east-1:<account>:inference-profile/us.amazon.nova-2-lite-v1:0`` and the
    model ``arn:aws:bedrock:*::foundation-model/amazon.nova-2-lite-v1:0`` only through it. Any other
    ARN (a custom model) is granted as it is.

    Raises ``ValueError`` when the profile depends on a Region the stack does not know at synth (an
    environment-agnostic stack) or on one without a known geography.
    """
    if cdk.Token.is_unresolved(stack.region):
        # the rule leaves profiles and non-foundation ARNs alone whatever the Region
        if invocation_model_id(base_model_id, "us-east-1") != base_model_id:
            raise ValueError(
                f"evaluation: the promotion gate calls the base model {base_model_id} through the "
                "inference profile of the stack's Region (us., eu. or apac.), so the stack needs a "
                "Region at synth: give it env=cdk.Environment(region=...)"
            )
        invoked = base_model_id
    else:
        try:
            invoked = invocation_model_id(base_model_id, stack.region)
        except ValueError as error:
            raise ValueError(f"evaluation: {error}") from None
    try:
        return model_grant(stack, invoked)
    except ValueError:
        if invoked.startswith("arn:"):  # a custom model (Converse refuses it: the gate ends in error)
            return ModelGrant(direct=(invoked,))
        raise
