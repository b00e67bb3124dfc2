"""``RftStack``: one environment's RFT pipeline, composed from its config."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from bedrock_rft.compliance import acknowledge
from bedrock_rft.config import PipelineConfig
from bedrock_rft.data import DatasetRules, TrainingData
from bedrock_rft.lifecycle import RftLifecycle
from bedrock_rft.network import IsolatedVpc
from bedrock_rft.observability import PipelineDashboard
from bedrock_rft.reward import RewardFunction
from bedrock_rft.security import CustomizationRole, PipelineKey
from bedrock_rft.storage import DatasetBucket
from bedrock_rft.units import retention_days


class RftStack(cdk.Stack):
    """One pipeline, driven by ``config``: key, buckets, VPC, Bedrock role, data, reward, lifecycle.

    The stack is environment-agnostic unless the config names an account or Region. With
    ``config.network.availability_zones`` set, those zones are used instead of a lookup, so a stack
    bound to an account and Region still synthesizes without credentials.

    Attributes: ``config``, ``encryption`` (:class:`PipelineKey`), ``storage``
    (:class:`DatasetBucket`), ``network`` (:class:`IsolatedVpc` or None), ``customization``
    (:class:`CustomizationRole`), ``training_data`` (:class:`TrainingData`), ``reward``
    (:class:`RewardFunction`), ``lifecycle`` (:class:`RftLifecycle`), ``observability``
    (:class:`PipelineDashboard`).
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: PipelineConfig, **kwargs) -> None:
        env = None
        if config.account or config.region:
            env = cdk.Environment(account=config.account, region=config.region)
        super().__init__(
            scope,
            construct_id,
            env=env,
            description=config.stack_description,
            **kwargs,
        )
        self.config = config
        removal = cdk.RemovalPolicy.RETAIN if config.encryption.retain_data else cdk.RemovalPolicy.DESTROY
        log_retention = retention_days(config.encryption.log_retention_days)

        existing_key = (
            kms.Key.from_key_arn(self, "ImportedKey", config.encryption.kms_key_arn)
            if config.encryption.kms_key_arn
            else None
        )
        # Trained models are encrypted with this key: retained models need it to stay usable.
        key_removal = cdk.RemovalPolicy.RETAIN if config.deployment.retain_models else removal
        self.encryption = PipelineKey(
            self, "Encryption", existing_key=existing_key, removal_policy=key_removal
        )
        key = self.encryption.key
        self.storage = DatasetBucket(self, "Storage", encryption_key=key, removal_policy=removal)
        self.network = None
        if config.network.vpc == "create":
            self.network = IsolatedVpc(
                self,
                "Network",
                encryption_key=key,
                max_azs=config.network.max_azs,
                log_retention=retention_days(config.network.flow_log_retention_days),
                removal_policy=removal,
            )
        if self.network is not None and config.network.availability_zones:
            acknowledge(
                self.network.vpc,
                "The zones are set in the environment config on purpose, so that a stack bound to an "
                "account and Region synthesizes without credentials (no availability-zone lookup).",
                "CloudFormation-Validate::W3010",
            )
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
            dataset=config.dataset,
            rules=DatasetRules(
                required_fields=catalogue.required_dataset_fields(
                    config.reward.template, config.reward.options
                ),
                reference_check=catalogue.reference_check(config.reward.template, config.reward.options),
                max_prompt_tokens=config.hyperparameters.maxPromptLength,
            ),
            storage=self.storage,
            customization=self.customization,
        )
        if config.dataset.source_kms_key_arn:
            self.customization.grant_decrypt_sources(config.dataset.source_kms_key_arn)
        self.reward = RewardFunction(
            self,
            "Reward",
            pipeline_name=config.name,
            template=config.reward.template,
            options=config.reward.options,
            encryption_key=key,
            timeout=cdk.Duration.seconds(config.reward.timeout_seconds),
            memory_size=config.reward.memory_mb,
            reserved_concurrency=config.reward.reserved_concurrency,
            add_interface_endpoint=self.network.add_interface_endpoint if self.network else None,
            log_retention=log_retention,
            removal_policy=removal,
            **placement,
        )
        self.customization.grant_invoke_reward(self.reward.function)
        self.lifecycle = RftLifecycle(
            self,
            "Lifecycle",
            pipeline_name=config.name,
            base_model_id=config.base_model,
            hyperparameters=config.hyperparameters.to_api(),
            training_data_config=self.training_data.training_data_config,
            validation_s3_uris=self.training_data.validation_s3_uris,
            output_s3_uri=self.storage.output_s3_uri,
            inputs_fingerprint=self.training_data.fingerprint,
            reward_function_version=self.reward.version,
            reward_fingerprint=self.reward.fingerprint,
            customization_role=self.customization.role,
            encryption_key=key,
            dataset_bucket=self.storage.bucket,
            dataset_copies=[copy.to_api() for copy in self.training_data.staging],
            deployment_mode=config.deployment.mode,
            retain_models=config.deployment.retain_models,
            notification_emails=config.deployment.notification_emails,
            tags=config.tags,
            retrain_nonce=config.retrain_nonce,
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
            pipeline_name=config.name,
            template=config.reward.template,
            state_machine=self.lifecycle.state_machine,
            topic=self.lifecycle.topic,
        )

        for name, value in config.tags.items():
            # Safe for the workflow's SSM parameters: they are not CloudFormation resources (see
            # RftLifecycle), so tag changes (applied by rewriting a parameter) cannot reset them.
            cdk.Tags.of(self).add(name, value)
        cdk.Tags.of(self).add("bedrock-rft:pipeline", config.name)

        cdk.CfnOutput(self, "DatasetBucketName", value=self.storage.bucket.bucket_name)
        cdk.CfnOutput(self, "EncryptionKeyArn", value=key.key_arn)
        cdk.CfnOutput(self, "CustomizationRoleArn", value=self.customization.role.role_arn)
        cdk.CfnOutput(self, "RewardFunctionVersionArn", value=self.reward.version.function_arn)
        cdk.CfnOutput(self, "TrainingDataUri", value=self.training_data.source_uri)
        lifecycle = self.lifecycle
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

    def grant_invoke_model(self, grantee: iam.IGrantable) -> None:
        """Let ``grantee`` find and call the pipeline's deployed model.

        Grants reading the state parameter (it holds ``deploymentArn``), ``bedrock:InvokeModel`` on
        this account's custom-model deployments in this Region (the deployment's id is generated by
        Bedrock after training, so it cannot be named here), and ``kms:Decrypt`` on the pipeline
        key through Bedrock only (the model is encrypted with it).
        """
        self.lifecycle.state_parameter.grant_read(grantee)
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="InvokePipelineDeployments",
                actions=["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                resources=[
                    self.format_arn(service="bedrock", resource="custom-model-deployment", resource_name="*")
                ],
            )
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="DecryptPipelineModel",
                actions=["kms:Decrypt"],
                resources=[self.encryption.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"bedrock.{self.region}.amazonaws.com"}},
            )
        )

    def _workload_placement(self) -> dict:
        """Keyword arguments placing Lambdas in the pipeline's VPC (empty without one)."""
        if self.network is None:
            return {}
        return {
            "vpc": self.network.vpc,
            "vpc_subnets": self.network.subnets,
            "security_groups": [self.network.workload_security_group],
        }

    @property
    def availability_zones(self) -> list[str]:
        """The configured zones when given (no lookup needed), else CDK's default behaviour."""
        zones = self.config.network.availability_zones if hasattr(self, "config") else ()
        return list(zones) if zones else super().availability_zones
