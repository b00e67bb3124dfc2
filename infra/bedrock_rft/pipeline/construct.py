"""``RftPipeline``: the whole RFT pipeline as one construct, for any stack."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from bedrock_rft.compliance import acknowledge
from bedrock_rft.config.errors import Problem
from bedrock_rft.config.rules import pipeline_problems
from bedrock_rft.data import DatasetRules, TrainingData
from bedrock_rft.lifecycle import RftLifecycle
from bedrock_rft.lifecycle.promotion_gate import GateSettings
from bedrock_rft.network import IsolatedVpc
from bedrock_rft.observability import PipelineDashboard
from bedrock_rft.pipeline.props import PipelinePropsError, RftPipelineProps
from bedrock_rft.pipeline.reference import PipelineReference
from bedrock_rft.reward import RewardFunction
from bedrock_rft.security import CustomizationRole, PipelineKey
from bedrock_rft.storage import DatasetBucket
from bedrock_rft.units import retention_days
from rft_runtime.lifecycle.model_pruning import PIPELINE_TAG_KEY
from rft_runtime.rewards.judge_budget import JUDGE_CALLS_METADATA, judge_budget, over_limit


class RftPipeline(Construct):
    """One RFT pipeline in any stack: key, bucket, VPC, Bedrock role, data, reward, lifecycle.

    ``RftPipeline(scope, id, props=RftPipelineProps(...))``. Every prop is checked first, with the
    rules environment files use, and all problems are raised at once as
    :class:`PipelinePropsError` naming prop paths, before any asset is bundled. The enclosing stack
    must be bound to a Region that offers RFT (``env=cdk.Environment(region="us-east-1")``).

    An existing ``encryption_key``, ``vpc`` or ``dataset_bucket`` in the props is used; absent ones
    are created. Deploying starts training (hours) in a Step Functions workflow; the stack deploy
    itself returns in minutes.

    Keyword arguments:
        props: everything the pipeline is built from (:class:`RftPipelineProps`, whose docstring
            states each default). Required.

    Attributes: ``props``, ``encryption`` (:class:`PipelineKey`; ``encryption.key``), ``storage``
    (:class:`DatasetBucket`; ``storage.bucket``), ``network`` (:class:`IsolatedVpc` or None),
    ``customization`` (:class:`CustomizationRole`), ``training_data`` (:class:`TrainingData`),
    ``reward`` (:class:`RewardFunction`), ``lifecycle`` (:class:`RftLifecycle`), ``observability``
    (:class:`PipelineDashboard`), ``reference`` (:class:`PipelineReference`: what consumers need).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: RftPipelineProps) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        problems = pipeline_problems(
            props,
            region=None if cdk.Token.is_unresolved(stack.region) else stack.region,
            account=None if cdk.Token.is_unresolved(stack.account) else stack.account,
            vpc_given=props.vpc is not None,
            key_given=props.encryption_key is not None,
        )
        if problems:
            raise PipelinePropsError(self.node.path, problems)
        self.props = props
        retain = props.encryption.retain_data
        removal = cdk.RemovalPolicy.RETAIN if retain else cdk.RemovalPolicy.DESTROY
        log_retention = retention_days(props.encryption.log_retention_days)

        existing_key = props.encryption_key
        if existing_key is None and props.encryption.kms_key_arn:
            existing_key = kms.Key.from_key_arn(self, "ImportedKey", props.encryption.kms_key_arn)
        # Trained models are encrypted with this key: retained models need it to stay usable.
        key_removal = cdk.RemovalPolicy.RETAIN if props.deployment.retain_models else removal
        self.encryption = PipelineKey(
            self, "Encryption", existing_key=existing_key, removal_policy=key_removal
        )
        key = self.encryption.key
        self.storage = DatasetBucket(
            self,
            "Storage",
            encryption_key=None if props.dataset_bucket else key,
            existing_bucket=props.dataset_bucket,
            removal_policy=removal,
        )
        self.network = self._network(props, key, removal)
        self.customization = CustomizationRole(
            self,
            "Customization",
            dataset_bucket=self.storage.bucket,
            encryption_key=key,
            subnets=self.network.selected_subnets if self.network else (),
            security_groups=[self.network.workload_security_group] if self.network else (),
        )
        self.encryption.grant_bedrock_customization(self.customization.role)
        placement = self._workload_placement()

        from rft_runtime.rewards import catalogue  # the reward runtime declares the fields it reads

        self.training_data = TrainingData(
            self,
            "TrainingData",
            dataset=props.dataset,
            rules=DatasetRules(
                required_fields=catalogue.required_dataset_fields(
                    props.reward.template, props.reward.options
                ),
                reference_check=catalogue.reference_check(props.reward.template, props.reward.options),
                max_prompt_tokens=props.hyperparameters.maxPromptLength,
            ),
            storage=self.storage,
            customization=self.customization,
        )
        self.judge_budget = judge_budget(
            props.reward.template,
            props.reward.options,
            rows=self.training_data.row_counts.get("training"),
            samples_per_prompt=props.hyperparameters.trainingSamplePerPrompt,
            epochs=props.hyperparameters.epochCount,
        )
        too_many = over_limit(self.judge_budget, props.reward.max_judge_calls)
        if too_many:
            raise PipelinePropsError(
                self.node.path, [Problem(key="reward.max_judge_calls", message=too_many)]
            )
        if self.judge_budget is not None:  # the synth summary prints it
            stack.add_metadata(JUDGE_CALLS_METADATA, self.judge_budget.describe())
        if props.dataset.source_kms_key_arn:
            self.customization.grant_decrypt_sources(props.dataset.source_kms_key_arn)
        self.reward = RewardFunction(
            self,
            "Reward",
            pipeline_name=props.name,
            template=props.reward.template,
            options=props.reward.options,
            encryption_key=key,
            timeout=cdk.Duration.seconds(props.reward.timeout_seconds),
            memory_size=props.reward.memory_mb,
            reserved_concurrency=props.reward.reserved_concurrency,
            add_interface_endpoint=self.network.add_interface_endpoint if self.network else None,
            log_retention=log_retention,
            removal_policy=removal,
            **placement,
        )
        self.customization.grant_invoke_reward(self.reward.function)
        self.lifecycle = RftLifecycle(
            self,
            "Lifecycle",
            pipeline_name=props.name,
            base_model_id=props.base_model,
            hyperparameters=props.hyperparameters.to_api(),
            training_data=self.training_data.inputs,
            output_s3_uri=self.storage.output_s3_uri,
            reward=self.reward.inputs,
            customization_role=self.customization.role,
            encryption_key=key,
            dataset_bucket=self.storage.bucket,
            deployment_mode=props.deployment.mode,
            model_units=props.deployment.model_units,
            commitment=props.deployment.commitment,
            retain_models=props.deployment.retain_models,
            keep_models=props.deployment.keep_models,
            max_training_hours=props.limits.max_training_hours,
            evaluation=_gate_settings(props),
            notification_emails=props.deployment.notification_emails,
            tags=props.tags,
            retrain_nonce=props.retrain_nonce,
            promote_from=props.promote_from,
            log_retention=log_retention,
            removal_policy=removal,
            **placement,
        )
        # the run starts only once the Bedrock role's grants and the network paths it uses exist
        # (and on delete, the run stops its job before they go)
        self.lifecycle.launcher.node.add_dependency(
            self.customization, self.reward, *([self.network] if self.network else [])
        )
        self.observability = PipelineDashboard(
            self,
            "Observability",
            pipeline_name=props.name,
            template=props.reward.template,
            state_machine=self.lifecycle.state_machine,
            topic=self.lifecycle.topic,
        )
        self.reference = PipelineReference(pipeline_name=props.name, stack=stack, encryption_key=key)
        for name, value in props.tags.items():
            # Safe for the workflow's SSM parameters: they are not CloudFormation resources (see
            # RftLifecycle), so tag changes (applied by rewriting a parameter) cannot reset them.
            cdk.Tags.of(self).add(name, value)
        cdk.Tags.of(self).add(PIPELINE_TAG_KEY, props.name)
        self._outputs(key)

    @staticmethod
    def from_pipeline_name(
        scope: Construct, construct_id: str, pipeline_name: str, *, encryption_key_arn: str | None = None
    ) -> PipelineReference:
        """A reference to a pipeline deployed elsewhere (another stack or app), to grant against.

        ``pipeline_name`` is the pipeline's ``name``; the reference is bound to ``scope``'s stack
        account and Region. ``encryption_key_arn``: the pipeline key (stack output
        ``EncryptionKeyArn``), needed for ``kms:Decrypt`` of the deployed model. Default None: the
        invoke grant then covers the state parameter and the deployment only.
        ``construct_id`` names the imported key, when one is given.
        """
        stack = cdk.Stack.of(scope)
        key = kms.Key.from_key_arn(scope, construct_id, encryption_key_arn) if encryption_key_arn else None
        return PipelineReference(pipeline_name=pipeline_name, stack=stack, encryption_key=key)

    def grant_invoke_model(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` find and call the deployed model (:meth:`PipelineReference.grant_invoke_model`)."""
        return self.reference.grant_invoke_model(grantee)

    def grant_read_state(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read the pipeline's state record (``rft status``, the deployment ARN)."""
        return self.reference.grant_read_state(grantee)

    def _network(
        self, props: RftPipelineProps, key: kms.IKey, removal: cdk.RemovalPolicy
    ) -> IsolatedVpc | None:
        if props.vpc is not None:
            return IsolatedVpc(self, "Network", existing_vpc=props.vpc, subnets=props.vpc_subnets)
        if props.network.vpc != "create":
            return None
        network = IsolatedVpc(
            self,
            "Network",
            encryption_key=key,
            max_azs=props.network.max_azs,
            availability_zones=props.network.availability_zones,
            log_retention=retention_days(props.network.flow_log_retention_days),
            removal_policy=removal,
        )
        if props.network.availability_zones:
            acknowledge(
                network.vpc,
                "The zones are set in the environment config on purpose, so that a stack bound to an "
                "account and Region synthesizes without credentials (no availability-zone lookup).",
                "CloudFormation-Validate::W3010",
            )
        return network

    def _workload_placement(self) -> dict:
        """Keyword arguments placing Lambdas in the pipeline's VPC (empty without one)."""
        if self.network is None:
            return {}
        return {
            "vpc": self.network.vpc,
            "vpc_subnets": self.network.subnets,
            "security_groups": [self.network.workload_security_group],
        }

    def _outputs(self, key: kms.IKey) -> None:
        lifecycle = self.lifecycle
        cdk.CfnOutput(self, "DatasetBucketName", value=self.storage.bucket.bucket_name)
        cdk.CfnOutput(self, "EncryptionKeyArn", value=key.key_arn)
        cdk.CfnOutput(self, "CustomizationRoleArn", value=self.customization.role.role_arn)
        cdk.CfnOutput(self, "RewardFunctionVersionArn", value=self.reward.version.function_arn)
        cdk.CfnOutput(self, "TrainingDataUri", value=self.training_data.source_uri)
        cdk.CfnOutput(
            self,
            "TrainingFingerprint",
            value=lifecycle.fingerprint,
            description="Hash of the training inputs of this deploy; pass it to rft wait --fingerprint",
        )
        cdk.CfnOutput(self, "JobName", value=lifecycle.names.job_name)
        cdk.CfnOutput(self, "DeploymentName", value=lifecycle.names.deployment_name)
        cdk.CfnOutput(self, "StateMachineArn", value=lifecycle.state_machine.state_machine_arn)
        cdk.CfnOutput(
            self,
            "StateParameterName",
            value=lifecycle.state_parameter.parameter_name,
            description="JSON state of the latest run: job, model and deployment ARNs, phase (rft status)",
        )
        cdk.CfnOutput(self, "NotificationTopicArn", value=lifecycle.topic.topic_arn)
        cdk.CfnOutput(self, "DashboardName", value=self.observability.dashboard.dashboard_name)
        cdk.CfnOutput(
            self,
            "InvokeModel",
            value="aws bedrock-runtime converse --model-id <deploymentArn from "
            f"{lifecycle.state_parameter.parameter_name}> --messages "
            '\'[{"role":"user","content":[{"text":"..."}]}]\'',
            description="How to call the deployed model (the deployment ARN is the model id)",
        )
        if self.props.deployment.mode == "provisioned":
            cdk.CfnOutput(
                self,
                "ProvisionedModelName",
                value=lifecycle.names.provisioned_model_name,
                description="The pipeline's Provisioned Throughput; its ARN (generated by Bedrock) is "
                "the state record's deploymentArn, the model id to invoke",
            )


def _gate_settings(props: RftPipelineProps) -> GateSettings | None:
    """The lifecycle's promotion gate settings (None: no gate)."""
    evaluation = props.evaluation
    if not evaluation.gate_on(props.dataset, props.deployment):
        return None
    return GateSettings(
        min_improvement=float(evaluation.min_improvement),
        samples_per_prompt=evaluation.samples_per_prompt,
        max_prompts=evaluation.max_prompts,
    )
