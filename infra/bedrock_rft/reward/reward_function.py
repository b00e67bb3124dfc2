"""``RewardFunction``: the grader Lambda Bedrock invokes with batches of generated responses."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from bedrock_rft.assets.runtime_code import REWARD_PACKAGES, missing_native_packages, runtime_code
from bedrock_rft.compliance import acknowledge
from bedrock_rft.compliance.reasons import SYNCHRONOUS_NO_DLQ
from bedrock_rft.compute import RuntimeFunction
from bedrock_rft.config.judge_models import reward_judge_problems
from bedrock_rft.config.schema import MAX_REWARD_OPTIONS_BYTES
from bedrock_rft.reward.code_runner import CodeRunner, runs_model_code
from bedrock_rft.reward.inputs import RewardInputs
from bedrock_rft.security.model_access import allow_invoke_model, model_grant
from rft_runtime.rewards.catalogue import code_runner_concurrency, graders_in_use, native_packages

#: Where a user's own grader file lands inside the function's code.
USER_CODE_PATH = "rft_user_code/grader.py"


class RewardFunction(Construct):
    """The reward Lambda: a catalogue template (or the user's ``score`` module) behind Bedrock's contract.

    Creates a Python (latest runtime, arm64) function whose code is this package's ``rft_runtime``
    (plus the user's file for ``template = "custom"``), an explicit KMS-encrypted log group, X-Ray
    tracing, environment encryption with ``encryption_key`` (the role may only decrypt with it), and a
    published version: jobs call the version, so a running job keeps the grader it started with.
    Versions are retained when a newer one replaces them, since a job that is still training calls
    the version it started with.

    Reserved concurrency: Bedrock computes rewards for ``batchSize x trainingSamplePerPrompt``
    responses per step and fans the calls out in parallel; how many samples it puts in one call is
    not documented. Reserving capacity (default 100, the concurrency SageMaker documents for its
    Nova RFT graders) keeps other functions of the account from starving the grader mid-training,
    and caps what a runaway grader can cost. Raise it for slow graders (LLM judges, code tests).

    Graders that run model code (``code_tests``, also inside ``composite``) get a
    :class:`~bedrock_rft.reward.code_runner.CodeRunner` in ``vpc`` / ``vpc_subnets`` (required then),
    which alone runs that code; the grader itself is then placed outside the VPC (it reaches the
    runner, and any judge, through public service endpoints; no interface endpoint is needed) and
    may invoke that runner only (attribute ``code_runner``, else None). Every LLM judge (also
    inside ``composite``) gets ``bedrock:InvokeModel`` on its model only (see
    :func:`~bedrock_rft.security.model_access.model_grant` for ids and ARNs). A judge that could not
    reach its model raises ``ValueError``: an ARN in another Region than the one the judge calls, or,
    with ``add_interface_endpoint`` (an isolated VPC), a ``region`` option other than the stack's.

    Keyword arguments:
        pipeline_name: metric dimension and description.
        template / options: the reward template and its options (already validated by the config).
        encryption_key: for the log group and environment variables.
        timeout: Default 5 minutes (Lambda allows 15). memory_size: MB, default 1024.
        reserved_concurrency: Default 0 = unreserved (fits any account); N > 0 reserves N, which needs an
            account concurrency limit of at least N + 100 plus other reservations; with ``code_tests``
            its code runner reserves N x ``max_concurrency`` more (see
            :func:`~rft_runtime.rewards.catalogue.code_runner_concurrency`).
        vpc / vpc_subnets / security_groups: run in this VPC. Default: no VPC.
        add_interface_endpoint: called as ``(name, service)`` when the template needs a VPC endpoint
            (the LLM judge needs ``bedrock-runtime``). Default: none, the VPC must provide one.
        log_retention: Default one year. removal_policy: of the log group, default ``RETAIN``.

    Attributes: ``function``, ``version`` (what Bedrock invokes), ``fingerprint`` (content hash of
    template, options and grader code), ``inputs`` (:class:`~bedrock_rft.reward.inputs.RewardInputs`:
    version and behaviour as one value, what ``RftLifecycle`` takes), ``log_group``,
    ``runtime_function`` (with ``role``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline_name: str,
        template: str,
        options: Mapping[str, Any],
        encryption_key: kms.IKey,
        timeout: cdk.Duration | None = None,
        memory_size: int = 1024,
        reserved_concurrency: int = 0,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        add_interface_endpoint=None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        user_file = Path(options["path"]) if template == "custom" else None
        runtime_options = dict(options)
        if user_file is not None:
            runtime_options["path"] = USER_CODE_PATH
        encoded_options = json.dumps(runtime_options, sort_keys=True, separators=(",", ":"))
        size = len(encoded_options.encode())
        if size > MAX_REWARD_OPTIONS_BYTES:
            raise ValueError(
                f"RewardFunction: options of template {template!r} take {size} bytes as JSON; "
                f"Lambda environment variables allow about {MAX_REWARD_OPTIONS_BYTES}"
            )
        graders = list(graders_in_use(template, options))
        judges = [grader_options for name, grader_options in graders if name == "llm_judge"]
        packages = native_packages(template, options)
        for missing in missing_native_packages(packages):
            cdk.Annotations.of(self).add_warning_v2(
                "bedrock-rft:native-package-missing",
                f"{missing} is not bundled (run `make setup` to fetch the pinned arm64 wheel): the grader "
                "uses its pure-Python path instead, with identical scores but slower",
            )
        self.code_runner: CodeRunner | None = None
        environment = {}
        if runs_model_code(graders):
            if vpc is None:
                raise ValueError(
                    f"RewardFunction: template {template!r} runs model code, which runs in a code runner "
                    "inside a VPC without any route; pass vpc and vpc_subnets"
                )
            self.code_runner = CodeRunner(
                self,
                "CodeRunner",
                vpc=vpc,
                subnets=vpc_subnets,
                description=f"bedrock-rft code runner ({template}) of pipeline {pipeline_name}",
                timeout=timeout,
                memory_size=memory_size,
                reserved_concurrency=code_runner_concurrency(template, options, reserved_concurrency),
                encryption_key=encryption_key,
                log_retention=log_retention,
                removal_policy=removal_policy,
            )
            environment["RFT_CODE_RUNNER_FUNCTION"] = self.code_runner.function.function_name
            # The grader runs no model code now; outside the VPC it reaches the runner (and any judge)
            # through Lambda's and Bedrock's public endpoints, with no standing endpoint cost.
            vpc, vpc_subnets, security_groups = None, None, ()
        self._check_judges(template, options, vpc is not None and add_interface_endpoint is not None)
        self.runtime_function = RuntimeFunction(
            self,
            "Grader",
            handler="rft_runtime.rewards.handler.handler",
            description=f"bedrock-rft reward function ({template}) of pipeline {pipeline_name}",
            timeout=timeout or cdk.Duration.minutes(5),
            memory_size=memory_size,
            reserved_concurrency=reserved_concurrency,
            environment={
                "RFT_REWARD_TEMPLATE": template,
                "RFT_REWARD_OPTIONS": encoded_options,
                "RFT_PIPELINE": pipeline_name,
                "RFT_METRICS_NAMESPACE": "BedrockRFT",
                **environment,
            },
            encryption_key=encryption_key,
            log_retention=log_retention,
            removal_policy=removal_policy,
            code=runtime_code(
                vendor_boto3=False,
                extra_files={USER_CODE_PATH: user_file} if user_file else None,
                packages=REWARD_PACKAGES,
                native_packages=packages,
            ),
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            key_actions=("kms:Decrypt",),
            key_services=("lambda",),
            retain_versions=True,
        )
        self.function = self.runtime_function.function
        self.log_group = self.runtime_function.log_group
        self.version = self.function.current_version
        self.inputs = RewardInputs(version=self.version, template=template, options=options)
        self.fingerprint = self.inputs.fingerprint
        for index, judge_options in enumerate(judges):
            self._allow_judge(index, judge_options, vpc, add_interface_endpoint)
        if self.code_runner is not None:
            self.code_runner.grant_invoke(self.runtime_function.role)
            acknowledge(
                self.function,
                "This grader runs no model code: model code runs in its code runner, inside the VPC with "
                "no route and no egress. The grader stays outside the VPC to invoke the runner through "
                "Lambda's endpoint, instead of a Lambda interface endpoint that would cost per zone-hour.",
                "NIST.800.53.R5-LambdaInsideVPC",
                "HIPAA.Security-LambdaInsideVPC",
            )
        self._acknowledge()

    def _check_judges(self, template: str, options: Mapping[str, Any], in_isolated_vpc: bool) -> None:
        """Raise one ``ValueError`` listing every judge that cannot reach its model from here
        (:func:`~bedrock_rft.config.judge_models.reward_judge_problems`, naming option paths)."""
        region = cdk.Stack.of(self).region
        problems = reward_judge_problems(
            template,
            options,
            key="options",
            stack_region=None if cdk.Token.is_unresolved(region) else region,
            in_isolated_vpc=in_isolated_vpc,
        )
        if problems:
            listed = "; ".join(f"{path}: {message}" for path, message in problems)
            raise ValueError(f"RewardFunction: {listed}")

    def _allow_judge(self, index: int, options: Mapping[str, Any], vpc, add_interface_endpoint) -> None:
        """Allow judge ``index`` to invoke its model (or inference profile) only."""
        grant = model_grant(cdk.Stack.of(self), str(options["model_id"]), options.get("region"))
        allow_invoke_model(
            self.runtime_function.role,
            grant,
            sid=f"InvokeJudge{'Profile' if grant.profile else 'Model'}{index}",
            routed_sid=f"InvokeJudgeModelThroughProfile{index}",
            finding_scope=self,
            reason="An inference profile sends each call to its model in a Region Bedrock picks per call (an "
            "application profile to the model or profile it was made from, unknown at synth), so the "
            "Region (and for an application profile the model) is a wildcard; the statement holds only "
            "for calls through this judge's profile (condition bedrock:InferenceProfileArn).",
        )
        if vpc is not None and add_interface_endpoint is not None:
            add_interface_endpoint("bedrock-runtime", ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME)

    def _acknowledge(self) -> None:
        acknowledge(
            self.function,
            f"Bedrock calls the reward function and waits for the scores. {SYNCHRONOUS_NO_DLQ}",
            "Serverless-LambdaDLQ",
            "NIST.800.53.R5-LambdaDLQ",
            "HIPAA.Security-LambdaDLQ",
        )

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to invoke the function (any version)."""
        return self.function.grant_invoke(grantee)
