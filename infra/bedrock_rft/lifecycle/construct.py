"""``RftLifecycle``: start the RFT job, wait for it however long it runs, deploy, publish."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from bedrock_rft.assets.runtime_code import LIFECYCLE_PACKAGES, runtime_code
from bedrock_rft.compute import RuntimeFunction
from bedrock_rft.config.schema import PromotionSource
from bedrock_rft.data.inputs import DatasetInputs
from bedrock_rft.lifecycle import acknowledgments, adoption, cost_controls, event_rules
from bedrock_rft.lifecycle.gate_states import GateWiring, grant_map_key_use
from bedrock_rft.lifecycle.inputs import check_props, training_fingerprint, training_inputs
from bedrock_rft.lifecycle.launcher import (
    HANDLER_TIMEOUT,
    PIPELINE_TYPE,
    RUN_TYPE,
    SERVICE_TIMEOUT,
    LauncherProvider,
)
from bedrock_rft.lifecycle.promotion_gate import GateSettings, PromotionGateFunctions
from bedrock_rft.lifecycle.provisioned_grants import grant_provisioned_throughput
from bedrock_rft.lifecycle.workflow import LifecycleWorkflow
from bedrock_rft.reward.inputs import RewardInputs
from rft_runtime.lifecycle import names
from rft_runtime.lifecycle.model_pruning import PIPELINE_TAG_KEY
from rft_runtime.lifecycle.settings import EVENT_SOURCE
from rft_runtime.lifecycle.spec import PROVISIONED, SERVING_MODES, SPEC_SCHEMA, provisioned_members

HANDLERS = "rft_runtime.lifecycle.handlers"
LIFECYCLE_TIMEOUT = cdk.Duration.minutes(2)
#: Terminal job statuses that wake the waiting workflow step.
WAKING_STATUSES = ("Completed", "Failed", "Stopped")


class RftLifecycle(Construct):
    """Train with Bedrock RFT and serve the result, driven by ``cdk deploy``.

    CloudFormation cannot wait hours, so a launcher custom resource (Provider, ``on_event`` only,
    outside any VPC, 15-minute service timeout) starts a Step Functions Standard execution and
    returns in seconds. The workflow checks the dataset (HeadObject) and the grader (one probe
    sample, the first training row answered with its reference, sent to ``reward_function_version``:
    a grader that errors, or cannot reach its judge, fails the run before any job), starts the job (names and
    idempotency token derived from :attr:`fingerprint`; an existing job is adopted, never
    duplicated), waits (poll 2 min growing to 15 min, cut short by the ``aws.bedrock`` job event),
    creates the pipeline's on-demand deployment or swaps the new model into it (one stable
    deployment ARN; the old model serves until the swap completes), waits until Active and
    publishes the outcome to the SSM parameter ``/bedrock-rft/<pipeline>/state``, an EventBridge
    event (source ``bedrock-rft``, detail-type "RFT Pipeline State Change") and the SNS topic.

    The construct computes the fingerprint itself, over the training inputs only: the data's
    identity (file contents, S3 URIs, log source: ``training_data``), the grader's template,
    options and code (``reward``), ``base_model_id``, ``hyperparameters``, the literal parts of
    the data's API members and ``retrain_nonce``. Tags, descriptions, networking and notification
    settings never start a new run; an unchanged redeploy is a no-op. The run resource also carries
    these inputs by name (property ``TrainingInputs``, attribute :attr:`training_inputs`), so that
    ``rft plan`` can say which one changed; the launcher ignores that property.

    Two custom resources: ``launcher`` (``Custom::RftTrainingRun``, one per fingerprint: a new
    fingerprint replaces it, and the replaced run's Delete stops its execution and job) and
    ``pipeline_resource`` (``Custom::RftPipeline``, constant id: only deleting the pipeline deletes
    the deployment, and with ``retain_models=False`` the pipeline's models). A run's Delete never
    touches the deployment, so the cleanup after a rolled-back update cannot take down the model
    that is still serving.

    Keyword arguments (all keyword-only):
        pipeline_name: lowercase letters, digits, single hyphens, at most 24 characters. Required.
        base_model_id: model id or ARN, e.g. ``amazon.nova-2-lite-v1:0:256k``. Required.
        hyperparameters: ``RFTHyperParameters`` in API form (checked against botocore). Required.
        training_data: :class:`~bedrock_rft.data.inputs.DatasetInputs` (``TrainingData.inputs``):
            the API's ``trainingDataConfig`` (values may be tokens), up to 10 validation
            ``s3://`` objects, the identity of the content, and the server-side copies from CDK file
            assets to content-addressed keys of ``dataset_bucket`` that pre-flight makes once
            before the job (the construct grants read on exactly those sources and write on exactly
            those keys). Required.
        output_s3_uri: where the job writes its artifacts. Required.
        reward: :class:`~bedrock_rft.reward.inputs.RewardInputs` (``RewardFunction.inputs``): the
            reward Lambda *version* the job invokes, its template and options. Required.
        customization_role: the Bedrock service role (passed to the job). Required.
        encryption_key: encrypts the model, logs, topic, queue, state machine, Lambda environments.
            Its policy must let CloudWatch Logs use it (``PipelineKey`` does). Required.
        dataset_bucket: pre-flight checks objects in this bucket. Required.
        vpc / vpc_subnets / security_groups: the *job's* ``vpcConfig``. Default: no VPC; subnets
            default to the VPC's private ones; without security groups one is created (no inbound,
            HTTPS out). The lifecycle Lambdas stay outside the VPC (control-plane calls only).
        deployment_mode: ``"on_demand"`` (default), ``"provisioned"`` (one Provisioned Throughput
            per pipeline, see ``model_units``) or ``"none"`` (train only). Applies to runs started
            after it changes (see :mod:`rft_runtime.lifecycle.provisioned` for mode changes).
        model_units: model units of the Provisioned Throughput; required in provisioned mode,
            None (default) otherwise.
        commitment: ``"none"`` (default, billed hourly, deletable), ``"OneMonth"`` or
            ``"SixMonths"`` (cannot be deleted before the term ends). Provisioned mode only.
        retain_models: keep trained models when the pipeline is deleted. Default True.
        notification_emails: subscribed to the topic. Default: none.
        tags: added to the job and the model (plus ``bedrock-rft:pipeline``/``:fingerprint``).
            Default: none.
        log_retention: of every log group. Default one year.
        removal_policy: of the log groups. Default ``RETAIN``.
        retrain_nonce: change it to train identical inputs again (e.g. after a transient service
            failure). Default ``""``.
        workflow_timeout: longest a run may take, training included. Default and maximum 14 days.
            A run that ends without finishing (time-out, abort, failure) has its job stopped by
            the ``execution_end_rule`` (see :mod:`bedrock_rft.lifecycle.cost_controls`).
        max_training_hours: the workflow stops a job that has trained longer and publishes why.
            Default None: no limit but ``workflow_timeout``.
        keep_models: after a success, keep the pipeline's N newest models and delete older ones
            nothing uses. Default 0: never prune.
        promote_from: the pipeline (``PromotionSource``) whose promoted model of the same
            fingerprint this one serves: the workflow never starts a job (the role may not) and
            waits for that model instead (:mod:`bedrock_rft.lifecycle.adoption`). Default None:
            train here.
        evaluation: run the promotion gate (:class:`GateSettings`) before the new model serves:
            a temporary on-demand candidate deployment is measured against what serves now (the
            deployment or Provisioned Throughput, else the base model) on the validation set, and
            the serving deployment or throughput swaps only when the candidate is good enough.
            Needs a validation set in ``dataset_bucket`` and ``deployment_mode`` on_demand or
            provisioned.
            Default None: no gate (a completed job is served at once).

    Attributes: ``fingerprint``, ``training_inputs`` (input name -> text, e.g.
    ``{"reward.options.tolerance": "1e-06", "reward.code": "sha256:...", ...}``),
    ``names`` (``RunNames``: job, model, deployment names),
    ``state_machine``, ``launcher`` (run ``CustomResource``), ``pipeline_resource``,
    ``state_parameter``, ``topic``, ``lifecycle_function``, ``job_event_function``,
    ``launcher_function``, ``job_event_rule``, ``execution_end_rule``, ``dead_letter_queue``,
    ``gate_functions`` (:class:`PromotionGateFunctions`, None without a gate), ``dataset_bucket``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline_name: str,
        base_model_id: str,
        hyperparameters: Mapping[str, Any],
        training_data: DatasetInputs,
        output_s3_uri: str,
        reward: RewardInputs,
        customization_role: iam.IRole,
        encryption_key: kms.IKey,
        dataset_bucket: s3.IBucket,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        deployment_mode: str = "on_demand",
        model_units: int | None = None,
        commitment: str = "none",
        retain_models: bool = True,
        notification_emails: Sequence[str] = (),
        tags: Mapping[str, str] | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        retrain_nonce: str = "",
        workflow_timeout: cdk.Duration | None = None,
        max_training_hours: float | None = None,
        keep_models: int = 0,
        promote_from: PromotionSource | None = None,
        evaluation: GateSettings | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        tags = dict(tags or {})
        training_data_config = dict(training_data.training_data_config)
        validation_s3_uris = list(training_data.validation_s3_uris)
        dataset_copies = [copy.to_api() for copy in training_data.copies]
        reward_function_version = reward.version
        check_props(
            pipeline_name=pipeline_name,
            base_model_id=base_model_id,
            hyperparameters=hyperparameters,
            training_data_config=training_data_config,
            validation_s3_uris=validation_s3_uris,
            output_s3_uri=output_s3_uri,
            dataset_identity=training_data.identity,
            reward_template=reward.template,
            deployment_mode=deployment_mode,
            model_units=model_units,
            commitment=commitment,
            notification_emails=notification_emails,
            tags=tags,
            dataset_copies=dataset_copies,
            has_vpc=vpc is not None,
            vpc_placement_given=vpc_subnets is not None or bool(security_groups),
            security_group_count=len(security_groups),
        )
        self.fingerprint = training_fingerprint(
            base_model_id=base_model_id,
            hyperparameters=hyperparameters,
            training_data_config=training_data_config,
            validation_s3_uris=validation_s3_uris,
            dataset_fingerprint=training_data.fingerprint,
            reward_fingerprint=reward.fingerprint,
            retrain_nonce=retrain_nonce,
        )
        self.training_inputs = training_inputs(
            base_model_id=base_model_id,
            hyperparameters=hyperparameters,
            training_data=training_data,
            reward=reward,
            retrain_nonce=retrain_nonce,
        )
        self.names = names.RunNames(pipeline_name, self.fingerprint)
        self.pipeline_name = pipeline_name
        self.retain_models = retain_models
        self.keep_models = keep_models
        self._preflight_object_arns = self._preflight_objects(
            dataset_bucket, training_data_config, validation_s3_uris
        )
        self._key = encryption_key
        if promote_from is not None:
            adoption.check_source(pipeline_name, promote_from)
        self.promote_from = promote_from
        self.dataset_bucket = dataset_bucket
        stack = cdk.Stack.of(self)

        # --- where the outcome goes -----------------------------------------------------------
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name=f"bedrock-rft {pipeline_name}",
            master_key=encryption_key,
            enforce_ssl=True,
        )
        self.topic.apply_removal_policy(removal_policy)
        for email in notification_emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        # Neither parameter is a CloudFormation resource: CloudFormation rewrites a parameter's
        # template value on any update of the resource (stack tags propagate to it), which would wipe
        # the live record or a parked task token. The pipeline resource creates the state record;
        # the workflow writes both; pipeline Delete removes both.
        self.state_parameter = ssm.StringParameter.from_string_parameter_name(
            self, "State", names.state_parameter_name(pipeline_name)
        )
        self.wait_parameter = ssm.StringParameter.from_string_parameter_name(
            self, "JobWait", names.wait_parameter_name(pipeline_name)
        )
        self.dead_letter_queue = sqs.Queue(
            self,
            "JobEventDeadLetters",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=encryption_key,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
            removal_policy=removal_policy,
        )

        # --- functions ------------------------------------------------------------------------
        environment = {
            "RFT_PIPELINE": pipeline_name,
            "RFT_STATE_PARAMETER": self.state_parameter.parameter_name,
            "RFT_WAIT_PARAMETER": self.wait_parameter.parameter_name,
            "RFT_TOPIC_ARN": self.topic.topic_arn,
        }
        common = {
            "encryption_key": encryption_key,
            "log_retention": log_retention,
            "removal_policy": removal_policy,
            "code": runtime_code(
                vendor_boto3=True, packages=LIFECYCLE_PACKAGES
            ),  # one asset, three functions
            "reserved_concurrency": 0,  # unreserved: fits accounts with a concurrency limit of 10 or 50
        }
        lifecycle = RuntimeFunction(
            self,
            "Lifecycle",
            handler=f"{HANDLERS}.lifecycle_handler",
            description=f"bedrock-rft {pipeline_name}: workflow steps (pre-flight, job, deployment, publish)",
            timeout=LIFECYCLE_TIMEOUT,
            environment=environment,
            **common,
        )
        job_events = RuntimeFunction(
            self,
            "JobEvents",
            handler=f"{HANDLERS}.job_event_handler",
            description=f"bedrock-rft {pipeline_name}: wakes the workflow on job state changes, stops "
            "the job of a run that ended without finishing",
            timeout=cdk.Duration.seconds(60),
            environment=environment,
            dead_letter_queue=self.dead_letter_queue,
            **common,
        )
        launcher = RuntimeFunction(
            self,
            "Launcher",
            handler=f"{HANDLERS}.launcher_handler",
            description=f"bedrock-rft {pipeline_name}: launcher custom resource (starts/stops runs)",
            timeout=HANDLER_TIMEOUT,
            environment={"RFT_PIPELINE": pipeline_name},
            **common,
        )
        self.lifecycle_function = lifecycle.function
        self.job_event_function = job_events.function
        self.launcher_function = launcher.function
        self._functions = (lifecycle, job_events, launcher)
        validation_key = _gate_validation_key(evaluation, dataset_bucket, validation_s3_uris, deployment_mode)
        self.gate_functions = None
        gate_wiring = None
        if evaluation is not None:
            self.gate_functions = PromotionGateFunctions(
                self,
                "PromotionGate",
                pipeline_name=pipeline_name,
                environment=environment,
                encryption_key=encryption_key,
                log_retention=log_retention,
                removal_policy=removal_policy,
                dataset_bucket=dataset_bucket,
                reward_function_version=reward_function_version,
                base_model_id=base_model_id,
            )
            gate_wiring = GateWiring(
                gate_function=self.gate_functions.gate.function,
                batch_function=self.gate_functions.batch.function,
                bucket=dataset_bucket,
                validation_key=validation_key,
                samples_per_prompt=evaluation.samples_per_prompt,
                max_prompts=evaluation.max_prompts,
            )

        # --- workflow -------------------------------------------------------------------------
        self.workflow = LifecycleWorkflow(
            self,
            "Workflow",
            lifecycle_function=lifecycle.function,
            encryption_key=encryption_key,
            log_retention=log_retention,
            removal_policy=removal_policy,
            state_machine_name=f"bedrock-rft-{pipeline_name}",
            timeout=workflow_timeout,
            gate=gate_wiring,
        )
        self.state_machine = self.workflow.state_machine
        self.execution_end_rule = cost_controls.add_execution_end_rule(
            self, job_events.function, job_events.role
        )
        self.job_event_rule = event_rules.lambda_rule(
            self,
            "JobStateChange",
            description=f"bedrock-rft {pipeline_name}: customization job finished",
            source="aws.bedrock",
            detail_type="Model Customization Job State Change",
            detail={
                "jobName": [{"prefix": self.names.model_name_prefix}],
                "jobStatus": list(WAKING_STATUSES),
            },
            function=job_events.function,
            retry_attempts=2,
            max_event_age=cdk.Duration.hours(1),
        )

        # --- permissions ----------------------------------------------------------------------
        self._grant_lifecycle(lifecycle.role, base_model_id, customization_role, dataset_bucket)
        self._grant_grader_check(lifecycle.role, reward_function_version)
        self._grant_staging(lifecycle.role, dataset_bucket, dataset_copies)
        self._grant_launcher(launcher.role, retain_models)
        _grant_get_parameter(job_events.role, self.wait_parameter)
        self._grant_publish(job_events.role, notify=True)  # the outcome of a run that ended unfinished
        if keep_models > 0:
            cost_controls.grant_model_pruning(self, lifecycle.role)
        if promote_from is not None:
            adoption.grant_adoption(self, lifecycle.role, promote_from)
        if deployment_mode == PROVISIONED:
            grant_provisioned_throughput(
                self, lifecycle.role, launcher.role, self._base_model_arns(base_model_id)
            )
        self.state_machine.grant(job_events.role, "states:SendTaskSuccess")  # the only callback it sends
        if self.gate_functions is not None:
            self._grant_publish(self.gate_functions.gate.role, notify=True)  # REJECTED
            self._grant_model_key(self.gate_functions.gate.role, sid="CandidateModelKeyViaBedrockOnly")
            if promote_from is not None:  # the candidate is the adopted model, under the source's key
                gate, batch = self.gate_functions.gate.role, self.gate_functions.batch.role
                adoption.grant_source_key(self, gate, promote_from, adoption.SOURCE_KEY_ACTIONS)
                adoption.grant_source_key(self, batch, promote_from, adoption.BATCH_SOURCE_KEY_ACTIONS)
            grant_map_key_use(self.state_machine.role, encryption_key.key_arn)

        # --- custom resources -----------------------------------------------------------------
        self.provider = LauncherProvider(
            self,
            "LauncherProvider",
            handler=launcher.function,
            encryption_key=encryption_key,
            log_retention=log_retention,
            removal_policy=removal_policy,
        )
        self.pipeline_resource = self._launcher_resource(
            "Pipeline",
            PIPELINE_TYPE,
            {
                "Kind": "pipeline",
                "Pipeline": pipeline_name,
                "RetainModels": "true" if retain_models else "false",
                "StateParameter": self.state_parameter.parameter_name,
                "WaitParameter": self.wait_parameter.parameter_name,
                # only in provisioned mode: the others' templates stay as they were
                **({"ProvisionedThroughput": "true"} if deployment_mode == PROVISIONED else {}),
            },
        )
        spec = {
            "schema": SPEC_SCHEMA,
            "pipeline": pipeline_name,
            "fingerprint": self.fingerprint,
            "jobRequest": self._job_request(
                base_model_id=base_model_id,
                hyperparameters=hyperparameters,
                training_data_config=training_data_config,
                validation_s3_uris=validation_s3_uris,
                output_s3_uri=output_s3_uri,
                reward_function_version=reward_function_version,
                customization_role=customization_role,
                vpc=vpc,
                vpc_subnets=vpc_subnets,
                security_groups=security_groups,
                tags=tags,
            ),
            "deploymentMode": deployment_mode,
            "deploymentTags": _tag_list({**tags, PIPELINE_TAG_KEY: pipeline_name}),
            "preflightUris": [
                u for u in [training_data_config.get("s3Uri"), *validation_s3_uris] if isinstance(u, str)
            ],
            "datasetBucket": dataset_bucket.bucket_name,
            "retainModels": retain_models,
            "stagingCopies": [dict(copy) for copy in dataset_copies],
            "maxTrainingHours": max_training_hours,
            "keepModels": keep_models,
            **provisioned_members(deployment_mode, model_units, commitment),
            "evaluation": _evaluation_spec(
                evaluation,
                validation_key=validation_key,
                fingerprint=self.fingerprint,
                reward_function_version=reward_function_version,
                hyperparameters=hyperparameters,
            ),
        }
        if promote_from is not None:
            spec["promoteFrom"] = adoption.spec_member(stack, promote_from)
        self.launcher = self._launcher_resource(
            "Run",
            RUN_TYPE,
            {
                "Kind": "run",
                "Pipeline": pipeline_name,
                "Fingerprint": self.fingerprint,
                "TrainingInputs": self.training_inputs,  # for rft plan; the launcher ignores it
                "Spec": stack.to_json_string(spec),
                "StateMachineArn": self.state_machine.state_machine_arn,
                "StateParameter": self.state_parameter.parameter_name,
                "GraceSeconds": str(int(LIFECYCLE_TIMEOUT.to_seconds()) + 30),
            },
        )
        # runs stop before the deployment goes; the run starts only once everything it uses exists
        self.launcher.node.add_dependency(self.pipeline_resource, self.job_event_rule)
        acknowledgments.apply(self)

    # --- helpers ----------------------------------------------------------------------------

    def _launcher_resource(
        self, construct_id: str, resource_type: str, properties: Mapping[str, Any]
    ) -> cdk.CustomResource:
        """A custom resource handled by the launcher (deleted with the stack: its Delete cleans up)."""
        return cdk.CustomResource(
            self,
            construct_id,
            service_token=self.provider.provider.service_token,
            resource_type=resource_type,
            properties=dict(properties),
            service_timeout=SERVICE_TIMEOUT,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )

    def _job_request(
        self,
        *,
        base_model_id: str,
        hyperparameters: Mapping[str, Any],
        training_data_config: Mapping[str, Any],
        validation_s3_uris: Sequence[str],
        output_s3_uri: str,
        reward_function_version: lambda_.IVersion,
        customization_role: iam.IRole,
        vpc: ec2.IVpc | None,
        vpc_subnets: ec2.SubnetSelection | None,
        security_groups: Sequence[ec2.ISecurityGroup],
        tags: Mapping[str, str],
    ) -> dict[str, Any]:
        own_tags = {PIPELINE_TAG_KEY: self.pipeline_name, "bedrock-rft:fingerprint": self.names.short}
        request: dict[str, Any] = {
            "roleArn": customization_role.role_arn,
            "baseModelIdentifier": base_model_id,
            "trainingDataConfig": dict(training_data_config),
            "outputDataConfig": {"s3Uri": output_s3_uri},
            "customizationConfig": {
                "rftConfig": {
                    "graderConfig": {"lambdaGrader": {"lambdaArn": reward_function_version.function_arn}},
                    "hyperParameters": dict(hyperparameters),
                }
            },
            "customModelKmsKeyId": self._key.key_arn,
            "jobTags": _tag_list({**tags, **own_tags}),
            "customModelTags": _tag_list({**tags, **own_tags}),
        }
        if validation_s3_uris:
            request["validationDataConfig"] = {"validators": [{"s3Uri": uri} for uri in validation_s3_uris]}
        if vpc is not None:
            groups = list(security_groups)
            if not groups:
                group = ec2.SecurityGroup(
                    self,
                    "JobSecurityGroup",
                    vpc=vpc,
                    description="bedrock-rft training job interfaces: no inbound, HTTPS out",
                    allow_all_outbound=False,
                )
                group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to VPC endpoints")
                groups = [group]
            subnets = vpc.select_subnets(**_selection_kwargs(vpc_subnets))
            request["vpcConfig"] = {
                "subnetIds": subnets.subnet_ids,
                "securityGroupIds": [g.security_group_id for g in groups],
            }
        return request

    def _bedrock_arn(self, resource: str) -> str:
        return cdk.Stack.of(self).format_arn(service="bedrock", resource=resource, resource_name="*")

    def _base_model_arns(self, base_model_id: str) -> list[str]:
        if base_model_id.startswith("arn:"):
            return [base_model_id]
        stack = cdk.Stack.of(self)
        ids = [base_model_id]
        if base_model_id.count(":") >= 2:  # context-window suffix (":256k"): allow the plain id too
            ids.append(base_model_id.rsplit(":", 1)[0])
        return [
            stack.format_arn(service="bedrock", account="", resource="foundation-model", resource_name=i)
            for i in ids
        ]

    def _grant_lifecycle(
        self, role: iam.IRole, base_model_id: str, customization_role: iam.IRole, bucket: s3.IBucket
    ) -> None:
        custom_models = self._bedrock_arn("custom-model")
        jobs = self._bedrock_arn("model-customization-job")
        deployments = self._bedrock_arn("custom-model-deployment")
        statements = [
            iam.PolicyStatement(
                sid="CustomizationJobs",
                actions=[
                    # a promoting pipeline adopts its model: it may not start a job at all
                    *([] if self.promote_from else ["bedrock:CreateModelCustomizationJob"]),
                    "bedrock:GetModelCustomizationJob",
                    "bedrock:StopModelCustomizationJob",
                    "bedrock:TagResource",
                ],
                resources=[*self._base_model_arns(base_model_id), custom_models, jobs],
            ),
            iam.PolicyStatement(
                sid="ReadCustomModels", actions=["bedrock:GetCustomModel"], resources=[custom_models]
            ),
            iam.PolicyStatement(
                sid="OnDemandDeployment",
                actions=[
                    "bedrock:CreateCustomModelDeployment",
                    "bedrock:GetCustomModelDeployment",
                    "bedrock:UpdateCustomModelDeployment",
                    "bedrock:DeleteCustomModelDeployment",
                    "bedrock:TagResource",  # the deployment is created with tags
                ],
                resources=[deployments, custom_models],
            ),
            iam.PolicyStatement(
                sid="PassRoleToBedrockOnly",
                actions=["iam:PassRole"],
                resources=[customization_role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}},
            ),
            # with ListBucket a missing key answers 404 (not 403), so pre-flight can say "missing"
            iam.PolicyStatement(
                sid="PreflightListBucket", actions=["s3:ListBucket"], resources=[bucket.bucket_arn]
            ),
        ]
        if self._preflight_object_arns:
            # HEAD of exactly the training/validation objects pre-flight checks (those in the dataset
            # bucket) and a ranged GET of the training object's first row for the grader check
            statements.append(
                iam.PolicyStatement(
                    sid="PreflightReadDatasets",
                    actions=["s3:GetObject"],
                    resources=self._preflight_object_arns,
                )
            )
        for statement in statements:
            role.add_to_principal_policy(statement)
        self._grant_model_key(role, sid="ModelKeyViaBedrockOnly")
        self._grant_publish(role, notify=True)
        self.wait_parameter.grant_write(role)

    def _grant_model_key(self, role: iam.IRole, *, sid: str) -> None:
        """The job and the deployments use the model key through Bedrock (customModelKmsKeyId)."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid=sid,
                actions=["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"],
                resources=[self._key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"bedrock.{cdk.Stack.of(self).region}.amazonaws.com"}
                },
            )
        )

    def _preflight_objects(
        self, bucket: s3.IBucket, training_data_config: Mapping[str, Any], validation_s3_uris: Sequence[str]
    ) -> list[str]:
        """Object ARNs of the training/validation URIs in ``bucket`` (the ones pre-flight reads).

        URIs elsewhere are reported unchecked by pre-flight and never read by the workflow.
        """
        prefix = f"s3://{bucket.bucket_name}/"
        uris = [training_data_config.get("s3Uri"), *validation_s3_uris]
        return list(
            dict.fromkeys(
                bucket.arn_for_objects(uri[len(prefix) :])
                for uri in uris
                if isinstance(uri, str) and uri.startswith(prefix) and len(uri) > len(prefix)
            )
        )

    def _grant_grader_check(self, role: iam.IRole, reward: lambda_.IVersion) -> None:
        """Invoke exactly the reward function version: one probe sample before the job starts."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="PreflightGraderCheck", actions=["lambda:InvokeFunction"], resources=[reward.function_arn]
            )
        )

    def _grant_staging(
        self, role: iam.IRole, bucket: s3.IBucket, copies: Sequence[Mapping[str, str]]
    ) -> None:
        """Read exactly the staged assets; HEAD and write exactly their content-addressed keys (a key
        that exists is not copied again); no delete."""
        if not copies:
            return
        partition = cdk.Stack.of(self).partition
        sources = [f"arn:{partition}:s3:::{c['sourceBucket']}/{c['sourceKey']}" for c in copies]
        role.add_to_principal_policy(
            iam.PolicyStatement(sid="ReadStagedDatasets", actions=["s3:GetObject"], resources=sources)
        )
        targets = [bucket.arn_for_objects(c["targetKey"]) for c in copies]
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="HeadContentAddressedDatasets", actions=["s3:GetObject"], resources=targets
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="WriteContentAddressedDatasets", actions=["s3:PutObject"], resources=targets
            )
        )

    def _grant_publish(self, role: iam.IRole, *, notify: bool) -> None:
        """Read/write the state record and send its event; with ``notify`` also SNS."""
        _grant_get_parameter(role, self.state_parameter)
        self.state_parameter.grant_write(role)
        if notify:
            # sns:Publish only; the key statement of every lifecycle role covers the topic's KMS key
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    sid="PublishNotifications", actions=["sns:Publish"], resources=[self.topic.topic_arn]
                )
            )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="PutPipelineEvents",
                actions=["events:PutEvents"],
                resources=[
                    cdk.Stack.of(self).format_arn(
                        service="events", resource="event-bus", resource_name="default"
                    )
                ],
                conditions={"StringEquals": {"events:source": EVENT_SOURCE}},
            )
        )

    def _grant_launcher(self, role: iam.IRole, retain_models: bool) -> None:
        statements = [
            iam.PolicyStatement(
                sid="StartAndListRuns",
                actions=["states:StartExecution", "states:ListExecutions"],
                resources=[self.state_machine.state_machine_arn],
            ),
            iam.PolicyStatement(
                sid="StopRuns", actions=["states:StopExecution"], resources=[self.executions_arn_pattern]
            ),
            iam.PolicyStatement(
                sid="StopJobsOnDelete",
                actions=["bedrock:GetModelCustomizationJob", "bedrock:StopModelCustomizationJob"],
                resources=[self._bedrock_arn("model-customization-job")],
            ),
            iam.PolicyStatement(
                sid="DeleteParametersOnDelete",
                actions=["ssm:DeleteParameter"],
                resources=[self.state_parameter.parameter_arn, self.wait_parameter.parameter_arn],
            ),
            iam.PolicyStatement(
                sid="DeleteDeploymentOnDelete",
                actions=["bedrock:GetCustomModelDeployment", "bedrock:DeleteCustomModelDeployment"],
                resources=[self._bedrock_arn("custom-model-deployment")],
            ),
            # the pipeline's candidate deployments left by unfinished runs are found by name prefix;
            # ListCustomModelDeployments has no resource type: IAM accepts only "*"
            iam.PolicyStatement(
                sid="FindCandidatesOnDelete", actions=["bedrock:ListCustomModelDeployments"], resources=["*"]
            ),
        ]
        if not retain_models:
            statements += [
                iam.PolicyStatement(
                    sid="DeleteModelsOnDelete",
                    actions=["bedrock:DeleteCustomModel"],
                    resources=[self._bedrock_arn("custom-model")],
                ),
                # ListCustomModels has no resource type: IAM accepts only "*"
                iam.PolicyStatement(
                    sid="FindModelsOnDelete", actions=["bedrock:ListCustomModels"], resources=["*"]
                ),
            ]
        for statement in statements:
            role.add_to_principal_policy(statement)
        self._grant_publish(role, notify=False)  # the launcher records STARTING, never notifies

    @property
    def functions(self) -> tuple[RuntimeFunction, ...]:
        """The three lifecycle functions (lifecycle, job events, launcher) with roles and log groups."""
        return self._functions

    @property
    def executions_arn_pattern(self) -> str:
        """ARN pattern of this state machine's executions (``...:execution:<name>:*``)."""
        return cdk.Stack.of(self).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{self.state_machine.state_machine_name}:*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )

    @property
    def execution_name_prefix(self) -> str:
        """Every execution of the current inputs is named with this prefix."""
        return self.names.execution_prefix


def _gate_validation_key(
    evaluation: GateSettings | None,
    bucket: s3.IBucket,
    validation_s3_uris: Sequence[str],
    deployment_mode: str,
) -> str:
    """The key of the validation object the gate reads (``""`` without a gate). Raises ValueError
    when the gate cannot run: no validation set, one outside ``bucket``, or nothing to serve."""
    if evaluation is None:
        return ""
    if deployment_mode not in SERVING_MODES:
        serving = " or ".join(SERVING_MODES)
        raise ValueError(
            f"evaluation: the promotion gate needs a deployment_mode that serves ({serving}), "
            f"not {deployment_mode!r}"
        )
    prefix = f"s3://{bucket.bucket_name}/"
    if not validation_s3_uris or not validation_s3_uris[0].startswith(prefix):
        raise ValueError(
            "evaluation: the promotion gate evaluates the validation set, which must be an object of "
            f"the dataset bucket ({prefix}...); got {list(validation_s3_uris)!r}"
        )
    return validation_s3_uris[0][len(prefix) :]


def _evaluation_spec(
    evaluation: GateSettings | None,
    *,
    validation_key: str,
    fingerprint: str,
    reward_function_version: lambda_.IVersion,
    hyperparameters: Mapping[str, Any],
) -> dict[str, Any]:
    """The run spec's ``evaluation`` member (``rft_runtime.lifecycle.spec``)."""
    if evaluation is None:
        return {"gate": False}
    return {
        "gate": True,
        "minImprovement": evaluation.min_improvement,
        "samplesPerPrompt": evaluation.samples_per_prompt,
        "maxPrompts": evaluation.max_prompts,
        "validationKey": validation_key,
        "resultPrefix": f"runs/{fingerprint}/evaluation/map/",
        "rewardFunction": reward_function_version.function_arn,
        "maxTokens": hyperparameters.get("inferenceMaxTokens"),
        "reasoningEffort": hyperparameters.get("reasoningEffort"),
    }


def _tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in sorted(tags.items())]


def _selection_kwargs(selection: ec2.SubnetSelection | None) -> dict[str, Any]:
    if selection is None:
        return {}
    return {
        key: getattr(selection, key)
        for key in (
            "availability_zones",
            "one_per_az",
            "subnet_filters",
            "subnet_group_name",
            "subnet_type",
            "subnets",
        )
        if getattr(selection, key, None) is not None
    }


def _grant_get_parameter(role: iam.IRole, parameter: ssm.IStringParameter) -> None:
    """``ssm:GetParameter`` on ``parameter`` only: what the code calls. (CDK's ``grant_read`` would
    also grant DescribeParameters, which takes only ``*``, GetParameters and GetParameterHistory.)"""
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["ssm:GetParameter"], resources=[parameter.parameter_arn])
    )
