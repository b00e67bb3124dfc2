"""``RftDeliveryPipeline``: CDK Pipelines release of environment files, one stage per environment."""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import pipelines
from constructs import Construct

from bedrock_rft.delivery import commands
from bedrock_rft.delivery.acknowledgments import acknowledge_delivery_findings
from bedrock_rft.delivery.config import DeliveryConfig, StageConfig
from bedrock_rft.delivery.stage import RftEnvironmentStage, wait_role_name
from bedrock_rft.storage.logged_bucket import logged_kms_bucket


class RftDeliveryPipeline(Construct):
    """A CDK Pipelines ``CodePipeline`` (V2) that releases ``delivery``'s stages in order.

    Creates a customer-managed KMS key (rotated) and an artifact bucket encrypted with it (versioned,
    TLS only, access logs to a second bucket); a source action through the CodeConnections
    connection; a synth step installing exactly the pinned toolchain (``requirements.txt``, ``npm
    ci``, ``npx --no-install cdk``); self-mutation with ``cli_version``; then per stage: a manual
    approval and ``ConfirmPermissionsBroadening`` when the stage asks for them, the environment's
    ``RftStack``, and an ``rft wait`` step for that deploy's training fingerprint. The key is shared
    with the other accounts (``cross_account_keys``) when any stage's account differs from the
    pipeline's.

    Keyword arguments:
        delivery: the loaded delivery file. Required.
        cli_version: the exact ``aws-cdk`` version (``package.json``): self-mutation and the
            broadening check install it. Required.
        cdk_assets_version: the exact ``cdk-assets`` version (``package.json``) that publishes
            assets. Required.
        environments_dir: the environments folder relative to the repository root, as the wait
            step passes it to ``rft wait``. Default ``"environments"``.
        removal_policy: of the key and buckets. Default ``RETAIN``.

    Attributes: ``pipeline`` (``pipelines.CodePipeline``), ``encryption_key``, ``artifact_bucket``,
    ``access_logs_bucket``, ``stages`` (the :class:`RftEnvironmentStage` list, in order),
    ``wait_steps`` (environment name -> its ``CodeBuildStep``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        delivery: DeliveryConfig,
        cli_version: str,
        cdk_assets_version: str,
        environments_dir: str = "environments",
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        self.delivery = delivery
        self.encryption_key = kms.Key(
            self,
            "ArtifactKey",
            enable_key_rotation=True,
            description=f"Artifacts of the delivery pipeline {delivery.name}",
            removal_policy=removal_policy,
        )
        self.artifact_bucket, self.access_logs_bucket = logged_kms_bucket(
            self,
            "Artifacts",
            encryption_key=self.encryption_key,
            log_prefix="artifacts/",
            removal_policy=removal_policy,
            purpose="pipeline artifact bucket",
            no_replication_reason="Pipeline artifacts are rebuilt from the repository on every release; "
            "replicating them to a second Region would only add cost.",
        )
        self.source = pipelines.CodePipelineSource.connection(
            delivery.source.repository,
            delivery.source.branch,
            connection_arn=delivery.source.connection_arn,
        )
        cross_account = any(_stage_account(delivery, stage) != delivery.account for stage in delivery.stages)
        self.pipeline = pipelines.CodePipeline(
            self,
            "Pipeline",
            pipeline_name=delivery.name,
            pipeline_type=codepipeline.PipelineType.V2,
            artifact_bucket=self.artifact_bucket,
            cross_account_keys=cross_account,
            self_mutation=True,
            cli_version=cli_version,
            cdk_assets_cli_version=cdk_assets_version,
            publish_assets_in_parallel=False,  # one asset project, not one per asset: fewer builds
            code_build_defaults=pipelines.CodeBuildOptions(
                build_environment=codebuild.BuildEnvironment(
                    build_image=codebuild.LinuxBuildImage.STANDARD_7_0,
                    compute_type=codebuild.ComputeType.SMALL,
                ),
                partial_build_spec=codebuild.BuildSpec.from_object(
                    {
                        "env": {"shell": "bash"},
                        "phases": {"install": {"runtime-versions": commands.RUNTIME_VERSIONS}},
                    }
                ),
            ),
            synth=pipelines.CodeBuildStep(
                "Synth",
                input=self.source,
                install_commands=commands.install_commands(),
                commands=commands.synth_commands(),
                env={
                    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
                    "CDK_DISABLE_CLI_TELEMETRY": "true",
                },
            ),
        )
        self.stages: list[RftEnvironmentStage] = []
        self.wait_steps: dict[str, pipelines.CodeBuildStep] = {}
        for stage in delivery.stages:
            self._add_stage(stage, environments_dir)
        self.pipeline.build_pipeline()
        acknowledge_delivery_findings(self.pipeline)
        self._pin_broadening_check_cli(cli_version)
        # cfn-lint E3703 reads an action's RoleArn as a literal ARN or Fn::Sub; CDK Pipelines writes
        # the stage's bootstrap role ARN with a partition-aware Fn::Join, which is the same ARN.
        self.pipeline.pipeline.node.default_child.add_metadata(
            "cfn-lint", {"config": {"ignore_checks": ["E3703"]}}
        )

    def _pin_broadening_check_cli(self, cli_version: str) -> None:
        """CDK Pipelines' broadening check installs ``aws-cdk`` unpinned (npm's ``latest`` cannot
        read this package's assemblies): rewrite its buildspec to install ``cli_version``."""
        for construct in self.pipeline.node.find_all():
            if (
                isinstance(construct, codebuild.CfnProject)
                and construct.node.scope.node.id == "CDKSecurityCheck"
            ):
                # the buildspec is a string or an Fn::Join of strings: edit its JSON text
                spec = json.dumps(cdk.Stack.of(self).resolve(construct.source)["buildSpec"])
                unpinned = json.dumps('"npm install -g aws-cdk"')[1:-1]
                pinned = json.dumps(f'"npm install -g aws-cdk@{cli_version}"')[1:-1]
                if unpinned not in spec:
                    raise RuntimeError("the broadening check's buildspec changed: cannot pin its CDK CLI")
                construct.add_property_override(
                    "Source.BuildSpec", json.loads(spec.replace(unpinned, pinned))
                )

    def _add_stage(self, stage: StageConfig, environments_dir: str) -> None:
        account = _stage_account(self.delivery, stage)
        environment_stage = RftEnvironmentStage(
            self, stage.environment, config=stage.config, pipeline_account=self.delivery.account
        )
        pre: list[pipelines.Step] = []
        if stage.approval:
            pre.append(
                pipelines.ManualApprovalStep(
                    "Approve", comment=f"Release {stage.environment} ({stage.config.name}) to {account}?"
                )
            )
        if stage.confirm_broadening:
            pre.append(pipelines.ConfirmPermissionsBroadening("ConfirmBroadening", stage=environment_stage))
        role_arn = f"arn:{cdk.Aws.PARTITION}:iam::{account}:role/{wait_role_name(stage.config.name)}"
        wait = pipelines.CodeBuildStep(
            "Wait",
            input=self.source,
            commands=commands.wait_commands(stage, environments_dir),
            env={"WAIT_ROLE_ARN": role_arn},
            env_from_cfn_outputs={"FINGERPRINT": environment_stage.fingerprint_output},
            timeout=cdk.Duration.minutes(stage.wait_timeout_minutes),
            role_policy_statements=[iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[role_arn])],
        )
        self.pipeline.add_stage(environment_stage, pre=pre, post=[wait])
        self.stages.append(environment_stage)
        self.wait_steps[stage.environment] = wait


def _stage_account(delivery: DeliveryConfig, stage: StageConfig) -> str:
    """The account a stage deploys to: its environment file's, else the pipeline's."""
    return stage.config.account or delivery.account
