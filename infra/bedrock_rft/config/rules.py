"""The one set of rules for a pipeline's values, shared by the TOML loader and ``RftPipeline`` props.

:func:`pipeline_problems` checks typed values (names, ranges and enums from the botocore model,
Region, tags, reward options, dataset sources, Lambda limits) and returns every problem at once,
each keyed by its *prop path* (``hyperparameters.batchSize``, ``reward.memory_mb``,
``dataset.training_file``). The loader maps those paths to TOML keys and adds lines
(:data:`TOML_KEYS`); ``RftPipeline`` raises them as they are, before any asset is bundled. Nothing
here imports the CDK.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from bedrock_rft.config import service_model
from bedrock_rft.config.aws_ids import ACCOUNT_ID, REGION_NAME
from bedrock_rft.config.errors import Problem
from bedrock_rft.config.judge_models import reward_judge_problems
from bedrock_rft.config.schema import (
    CDK_MAX_DESCRIPTION_LENGTH,
    MAX_REWARD_OPTIONS_BYTES,
    MAX_STACK_DESCRIPTION_BYTES,
    RFT_REGIONS,
    DatasetConfig,
    DeploymentConfig,
    EncryptionConfig,
    EvaluationConfig,
    Hyperparameters,
    LimitsConfig,
    NetworkConfig,
    PipelineConfig,
    RewardConfig,
)
from bedrock_rft.units import LOG_RETENTION_DAYS
from rft_runtime.lifecycle import names, spec
from rft_runtime.lifecycle.bedrock_calls import PACKAGE_TAG_PREFIX
from rft_runtime.lifecycle.model_pruning import PIPELINE_TAG_KEY
from rft_runtime.lifecycle.spec import MAX_GATE_SAMPLES

KMS_KEY_ARN = re.compile(
    r"^arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):key/[a-zA-Z0-9-]{36}$"
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
AVAILABILITY_ZONE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$")
RETRAIN_NONCE = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: Tags a pipeline may set. AWS allows 50 per resource; the most tagged resources, the VPC's subnets,
#: also get CDK's ``Name``, ``aws-cdk:subnet-name`` and ``aws-cdk:subnet-type`` plus the stack's
#: ``bedrock-rft:pipeline`` (auto-delete buckets get ``aws-cdk:auto-delete-objects``, the flow-log
#: role ``Name``). tests/infra/test_config_limits.py synthesizes this many and counts.
MAX_CONFIG_TAGS = 46
#: Lambda limits for the reward function: timeout in seconds, memory in MB.
LAMBDA_TIMEOUT_SECONDS = (1, 900)
LAMBDA_MEMORY_MB = (128, 10240)
#: Deployment modes (the run spec's), Provisioned Throughput commitments and network choices.
DEPLOYMENT_MODES = spec.DEPLOYMENT_MODES
COMMITMENTS = spec.COMMITMENTS
VPC_CHOICES = ("create", "none")
#: ``[limits] max_training_hours``: from 1 hour to the workflow's 14-day limit (336 h); a longer
#: limit could never fire, since the workflow itself ends (and stops the job) at 14 days.
MAX_TRAINING_HOURS = (1, 336)
#: ``[evaluation]`` ranges: the delta threshold, responses per prompt and model (a Map batch of one
#: prompt makes 2 x samples Converse calls in one 15-minute Lambda; see rft_runtime.lifecycle.spec).
MIN_IMPROVEMENT = (-1.0, 1.0)
SAMPLES_PER_PROMPT = (1, MAX_GATE_SAMPLES)
#: ``[deployment] keep_models``: 0 (never prune) up to this many kept models.
KEEP_MODELS = (0, 100)
MAX_AZS = (2, 6)

#: Prop path -> TOML key, where they differ (every other path is its own TOML key).
TOML_KEYS = {"dataset.training_file": "dataset.training", "dataset.validation_file": "dataset.validation"}


class PipelineValues(Protocol):
    """What the rules read: :class:`PipelineConfig` and ``RftPipelineProps`` both have it."""

    name: str
    base_model: str
    dataset: DatasetConfig
    reward: RewardConfig
    hyperparameters: Hyperparameters
    deployment: DeploymentConfig
    limits: LimitsConfig
    evaluation: EvaluationConfig
    network: NetworkConfig
    encryption: EncryptionConfig
    tags: Mapping[str, str]
    retrain_nonce: str


def show(value: Any) -> str:
    """``repr`` of a bad value, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(Problem(key=key, message=message))

    def pattern(self, key: str, value: str, rule: service_model.FieldRule, what: str) -> None:
        if rule.maximum is not None and len(value) > rule.maximum:
            self.add(key, f"{what} {show(value)} is longer than {int(rule.maximum)} characters")
        if rule.minimum is not None and len(value) < rule.minimum:
            self.add(key, f"{what} {show(value)} is shorter than {int(rule.minimum)} characters")
        if rule.pattern and not re.fullmatch(rule.pattern, value):
            self.add(key, f"{what} {show(value)} does not match the API pattern {rule.pattern}")

    def bounded(self, key: str, value: Any, low: float, high: float | None, *, kind: str = "integer") -> None:
        """A number (``kind`` ``integer`` or ``float``) within ``low``..``high`` (None = unbounded)."""
        number_types = (int, float) if kind == "float" else (int,)
        if isinstance(value, bool) or not isinstance(value, number_types):
            self.add(key, f"must be {'a number' if kind == 'float' else 'an integer'}, got {show(value)}")
            return
        if value < low or (high is not None and value > high):
            allowed = f"from {low:g} to {high:g}" if high is not None else f"at least {low:g}"
            self.add(key, f"{value!r} is out of range; allowed: {allowed}")

    def choice(self, key: str, value: Any, choices: tuple[str, ...]) -> None:
        if value not in choices:
            self.add(key, f"{show(value)} is not allowed; choose one of: {', '.join(choices)}")

    def retention(self, key: str, days: Any) -> None:
        if days not in LOG_RETENTION_DAYS:
            allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
            self.add(key, f"{show(days)} is not a CloudWatch Logs retention; allowed: {allowed}")


def pipeline_problems(
    values: PipelineValues,
    *,
    region: str | None,
    account: str | None,
    vpc_given: bool = False,
    key_given: bool = False,
) -> list[Problem]:
    """Every problem of ``values`` (empty when valid), keyed by prop path.

    ``region``/``account``: where the pipeline's stack is bound (None = not bound, e.g. a token).
    A pipeline trains, so it must be bound to a Region in :data:`RFT_REGIONS`. ``vpc_given`` /
    ``key_given``: the construct got an existing VPC / KMS key (then ``network.vpc = "none"`` and
    ``encryption.kms_key_arn`` conflict with it).
    """
    found = _Problems()
    for message in names.check_pipeline_name(values.name if isinstance(values.name, str) else ""):
        found.add("name", message)
    found.pattern(
        "base_model", values.base_model, service_model.create_job_rules()["baseModelIdentifier"], "model id"
    )
    region = _check_region(found, region)
    if account is not None and not ACCOUNT_ID.match(account):
        found.add("account", f"{show(account)} must be a 12-digit AWS account id")
        account = None
    _check_dataset(found, values.dataset)
    _check_reward(found, values.reward)
    _check_hyperparameters(found, values.hyperparameters)
    _check_deployment(found, values.deployment)
    _check_limits(found, values.limits)
    _check_evaluation(found, values)
    _check_network(found, values.network, region, vpc_given)
    _check_encryption(found, values.encryption, region, account, key_given)
    _check_tags(found, values.tags)
    if values.retrain_nonce and not RETRAIN_NONCE.fullmatch(str(values.retrain_nonce)):
        found.add(
            "retrain_nonce", f"{show(values.retrain_nonce)} must be 1-64 letters, digits, '.', '_' or '-'"
        )
    if not any(problem.key.startswith(("reward", "network")) for problem in found.items):
        _check_combinations(found, values, region, vpc_given)
    return found.items


def config_problems(config: PipelineConfig) -> list[Problem]:
    """Every problem of an environment's config: the pipeline rules plus the stack description."""
    found = pipeline_problems(config, region=config.region, account=config.account)
    text = config.stack_description
    size, length = len(text.encode("utf-8")), len(text.encode("utf-16-le")) // 2
    if size > MAX_STACK_DESCRIPTION_BYTES or length > CDK_MAX_DESCRIPTION_LENGTH:
        prefix = len(f"bedrock-rft pipeline {config.name}: ")
        found.append(
            Problem(
                key="description",
                message="too long: the stack description "
                f"'bedrock-rft pipeline {config.name}: <description>' takes {size} bytes (UTF-8) and "
                f"{length} characters (UTF-16 units); allowed: at most "
                f"{MAX_STACK_DESCRIPTION_BYTES} bytes (CloudFormation) and {CDK_MAX_DESCRIPTION_LENGTH} "
                f"characters (CDK), i.e. a description of at most {CDK_MAX_DESCRIPTION_LENGTH - prefix} "
                "ASCII characters with this name",
            )
        )
    return found


def _check_region(found: _Problems, region: str | None) -> str | None:
    """The Region rule (issue: a pipeline deployed where RFT does not exist fails only at job time)."""
    allowed = ", ".join(RFT_REGIONS)
    if region is None:
        found.add(
            "region",
            "missing: a pipeline trains, so its stack must be bound to a Region that offers reinforcement "
            f"fine-tuning; allowed: {allowed} (set region in the environment file, or "
            "env=cdk.Environment(region=...) on the stack holding RftPipeline)",
        )
        return None
    if not REGION_NAME.match(region):
        found.add("region", f"{show(region)} is not an AWS Region name like us-east-1")
        return None
    if region not in RFT_REGIONS:
        found.add("region", f"{region} does not offer reinforcement fine-tuning; allowed: {allowed}")
    return region


def _s3_uri_ok(uri: Any) -> bool:
    rule = service_model.s3_uri_rule()
    return (
        isinstance(uri, str) and bool(re.fullmatch(rule.pattern, uri)) and len(uri) <= (rule.maximum or 1024)
    )


def _check_file(found: _Problems, key: str, path: Path | None, suffix: str) -> None:
    if path is None:
        return
    if not Path(path).is_file():
        found.add(key, f"file {str(path)!r} not found")
    elif Path(path).suffix != suffix:
        found.add(key, f"{str(path)!r} must be a {suffix} file")


def _check_dataset(found: _Problems, dataset: DatasetConfig) -> None:
    sources = [
        name
        for name, value in (
            ("training_file", dataset.training_file),
            ("training_s3_uri", dataset.training_s3_uri),
            ("invocation_logs", dataset.invocation_logs),
        )
        if value is not None
    ]
    if len(sources) != 1:
        found.add(
            "dataset",
            "set exactly one training source: training_file (TOML key training: a local JSONL file), "
            f"training_s3_uri, or invocation_logs; found {len(sources)}"
            + (f" ({', '.join(sources)})" if sources else ""),
        )
    _check_file(found, "dataset.training_file", dataset.training_file, ".jsonl")
    _check_file(found, "dataset.validation_file", dataset.validation_file, ".jsonl")
    for name in ("training_s3_uri", "validation_s3_uri"):
        uri = getattr(dataset, name)
        if uri is not None and (not _s3_uri_ok(uri) or uri.endswith("/")):
            found.add(
                f"dataset.{name}",
                f"{show(uri)} must be an s3://bucket/key URI of one object, matching the API pattern "
                f"{service_model.s3_uri_rule().pattern}",
            )
    if dataset.validation_file is not None and dataset.validation_s3_uri is not None:
        found.add("dataset", "set at most one of validation and validation_s3_uri")
    logs = dataset.invocation_logs
    if logs is not None:
        if not _s3_uri_ok(logs.s3_uri):
            found.add(
                "dataset.invocation_logs.s3_uri", f"{show(logs.s3_uri)} must be an s3://bucket/prefix URI"
            )
        _check_filters(
            found, "dataset.invocation_logs.request_metadata_filters", logs.request_metadata_filters
        )
    source_key = dataset.source_kms_key_arn
    if source_key is not None:
        if not KMS_KEY_ARN.match(source_key):
            found.add(
                "dataset.source_kms_key_arn",
                f"{show(source_key)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)",
            )
        elif dataset.training_s3_uri is None and dataset.validation_s3_uri is None and logs is None:
            found.add(
                "dataset.source_kms_key_arn",
                "is the key of an existing S3 source, but none is configured; allowed with "
                "training_s3_uri, validation_s3_uri or [dataset.invocation_logs] (local files go to the "
                "pipeline's own bucket)",
            )


def _check_filters(found: _Problems, key: str, raw: Any) -> None:
    """A ``RequestMetadataFilters`` union: exactly one of equals / notEquals / andAll / orAll."""
    if raw is None:
        return
    max_filters, key_rule, value_rule = service_model.request_metadata_filter_rules()
    base_members = ("equals", "notEquals")
    union_members = (*base_members, "andAll", "orAll")

    def check_pair_map(where: str, mapping: Any) -> None:
        if not isinstance(mapping, dict) or len(mapping) != 1:
            found.add(where, f"must be a table with exactly one key = value, got {show(mapping)}")
            return
        ((name, value),) = mapping.items()
        if not isinstance(value, str):
            found.add(where, f"value of {name!r} must be a string, got {show(value)}")
            return
        found.pattern(where, name, key_rule, "metadata key")
        found.pattern(where, value, value_rule, "metadata value")

    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in union_members:
        found.add(
            key,
            f"must set exactly one of {', '.join(union_members)} (AND and OR cannot be combined), "
            f"got {show(raw)}",
        )
        return
    ((member, body),) = raw.items()
    where = f"{key}.{member}"
    if member in base_members:
        check_pair_map(where, body)
    elif not isinstance(body, list) or not 1 <= len(body) <= max_filters:
        found.add(where, f"must be a list of 1 to {max_filters} filters, got {show(body)}")
    else:
        for index, item in enumerate(body):
            item_key = f"{where}[{index}]"
            if not isinstance(item, dict) or len(item) != 1 or next(iter(item)) not in base_members:
                found.add(
                    item_key, f"each filter must be {{equals = ...}} or {{notEquals = ...}}, got {show(item)}"
                )
                continue
            check_pair_map(item_key, next(iter(item.values())))


def _check_reward(found: _Problems, reward: RewardConfig) -> None:
    from rft_runtime.rewards import catalogue  # the runtime validates its own options

    template_known = reward.template in catalogue.TEMPLATE_NAMES
    for message in catalogue.validate_options(reward.template, reward.options):
        found.add("reward.options" if template_known else "reward.template", message)
    encoded = json.dumps(reward.options, sort_keys=True, separators=(",", ":"), default=str).encode()
    if len(encoded) > MAX_REWARD_OPTIONS_BYTES:
        found.add(
            "reward.options",
            f"take {len(encoded)} bytes as JSON; the reward Lambda's environment allows about "
            f"{MAX_REWARD_OPTIONS_BYTES} (move a long rubric into a custom grader file)",
        )
    found.bounded("reward.timeout_seconds", reward.timeout_seconds, *LAMBDA_TIMEOUT_SECONDS)
    found.bounded("reward.memory_mb", reward.memory_mb, *LAMBDA_MEMORY_MB)
    concurrency = reward.reserved_concurrency
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 0:
        found.add(
            "reward.reserved_concurrency",
            f"{show(concurrency)} is out of range; allowed: 0 (unreserved) or more",
        )
    if reward.max_judge_calls is not None:
        found.bounded("reward.max_judge_calls", reward.max_judge_calls, 1, None)


def _check_hyperparameters(found: _Problems, hyperparameters: Hyperparameters) -> None:
    found.items.extend(hyperparameter_problems(hyperparameters.to_api()))


def hyperparameter_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Every problem of the RFT hyperparameters in ``values`` (API names), keyed
    ``hyperparameters.<name>``: type, range or enum from the botocore model. Names absent from
    ``values`` are not checked: environment files and props always hold all eight, ``RftLifecycle``
    checks those it is given (and refuses unknown names and tokens itself)."""
    found = _Problems()
    for name, rule in service_model.rft_hyperparameter_rules().items():
        if name not in values:
            continue
        key, value = f"hyperparameters.{name}", values[name]
        if rule.enum:
            found.choice(key, value, rule.enum)
            continue
        low = rule.minimum if rule.minimum is not None else 1
        found.bounded(key, value, low, rule.maximum, kind=rule.type_name)
    return found.items


def _check_deployment(found: _Problems, deployment: DeploymentConfig) -> None:
    found.choice("deployment.mode", deployment.mode, DEPLOYMENT_MODES)
    for index, email in enumerate(deployment.notification_emails):
        if not isinstance(email, str) or not EMAIL.match(email):
            found.add(f"deployment.notification_emails[{index}]", f"{show(email)} is not an email address")
    found.bounded("deployment.keep_models", deployment.keep_models, *KEEP_MODELS)
    _check_provisioned(found, deployment)


def _check_provisioned(found: _Problems, deployment: DeploymentConfig) -> None:
    """``model_units`` and ``commitment``: required / allowed only with ``mode = "provisioned"``."""
    provisioned = deployment.mode == spec.PROVISIONED
    if provisioned and deployment.model_units is None:
        found.add("deployment.model_units", 'is required with mode "provisioned"; allowed: an integer >= 1')
    elif provisioned:
        found.bounded("deployment.model_units", deployment.model_units, 1, None)
    elif deployment.model_units is not None:
        found.add(
            "deployment.model_units",
            f'is set, but mode is {show(deployment.mode)}; only mode "provisioned" uses it',
        )
    found.choice("deployment.commitment", deployment.commitment, COMMITMENTS)
    if deployment.commitment != "none" and deployment.commitment in COMMITMENTS and not provisioned:
        found.add(
            "deployment.commitment",
            f"is {show(deployment.commitment)}, but mode is {show(deployment.mode)}; "
            'only mode "provisioned" uses it',
        )


def _check_limits(found: _Problems, limits: LimitsConfig) -> None:
    if limits.max_training_hours is not None:
        found.bounded(
            "limits.max_training_hours", limits.max_training_hours, *MAX_TRAINING_HOURS, kind="float"
        )


def _check_evaluation(found: _Problems, values: PipelineValues) -> None:
    evaluation = values.evaluation
    if evaluation.gate is not None and not isinstance(evaluation.gate, bool):
        found.add("evaluation.gate", f"must be true or false, got {show(evaluation.gate)}")
    elif evaluation.gate:
        if values.dataset.validation_file is None:
            found.add(
                "evaluation.gate",
                "the promotion gate evaluates the validation set: set dataset.validation (a local "
                "JSONL file, uploaded to the dataset bucket), or gate = false",
            )
        if values.deployment.mode not in spec.SERVING_MODES:
            found.add(
                "evaluation.gate",
                f'the promotion gate decides what serves; deployment.mode = "{values.deployment.mode}" '
                'serves nothing: use mode = "on_demand" or "provisioned", or gate = false',
            )
    found.bounded("evaluation.min_improvement", evaluation.min_improvement, *MIN_IMPROVEMENT, kind="float")
    found.bounded("evaluation.samples_per_prompt", evaluation.samples_per_prompt, *SAMPLES_PER_PROMPT)
    if evaluation.max_prompts is not None:
        found.bounded("evaluation.max_prompts", evaluation.max_prompts, 1, None)


def _check_network(found: _Problems, network: NetworkConfig, region: str | None, vpc_given: bool) -> None:
    found.choice("network.vpc", network.vpc, VPC_CHOICES)
    if vpc_given and network.vpc == "none":
        found.add("network.vpc", "is 'none', but an existing vpc was given; allowed: 'create' (the default)")
    for index, zone in enumerate(network.availability_zones):
        key = f"network.availability_zones[{index}]"
        if not isinstance(zone, str) or not AVAILABILITY_ZONE.match(zone):
            found.add(key, f"{show(zone)} is not a zone name like us-east-1a")
        elif region and not re.fullmatch(re.escape(region) + "[a-z]", zone):
            found.add(
                key,
                f"{show(zone)} is not a zone of the configured region {region}; "
                f"allowed: {region}a, {region}b, ...",
            )
    found.bounded("network.max_azs", network.max_azs, *MAX_AZS)
    zones = len(network.availability_zones)
    if zones and isinstance(network.max_azs, int) and zones < network.max_azs:
        found.add("network.availability_zones", f"lists {zones} zones; max_azs is {network.max_azs}")
    found.retention("network.flow_log_retention_days", network.flow_log_retention_days)


def _check_encryption(
    found: _Problems, encryption: EncryptionConfig, region: str | None, account: str | None, key_given: bool
) -> None:
    arn = encryption.kms_key_arn
    match = KMS_KEY_ARN.match(arn) if isinstance(arn, str) else None
    if arn is not None and key_given:
        found.add("encryption.kms_key_arn", "set, but an encryption_key was given too; allowed: one of them")
    if arn is not None and match is None:
        found.add(
            "encryption.kms_key_arn",
            f"{show(arn)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)",
        )
    if match is not None and region and match["region"] != region:
        found.add(
            "encryption.kms_key_arn",
            f"the key is in region {match['region']}, but the stack's region is {region}; allowed: a key in "
            f"{region} (the buckets, logs and trained model are encrypted with it there)",
        )
    if match is not None and account and match["account"] != account:
        found.add(
            "encryption.kms_key_arn",
            f"the key is in account {match['account']}, but the stack's account is {account}; allowed: a key "
            f"of account {account}",
        )
    found.retention("encryption.log_retention_days", encryption.log_retention_days)


def _check_tags(found: _Problems, tags: Mapping[str, Any]) -> None:
    found.items.extend(
        tag_problems(
            tags,
            limit=MAX_CONFIG_TAGS,
            limit_reason=(
                f"AWS takes 50 tags per resource; CDK adds up to 3 of its own, on the VPC's subnets, and "
                f"the stack adds {PIPELINE_TAG_KEY}"
            ),
        )
    )


def tag_problems(tags: Mapping[str, Any], *, limit: int, limit_reason: str) -> list[Problem]:
    """Every problem of ``tags`` (keyed ``tags`` / ``tags.<name>``): at most ``limit`` of them
    (``limit_reason`` says why), key and value patterns from the botocore model, no ``aws:`` keys
    and none of the package's own ``bedrock-rft:`` keys. The environment files and props use
    :data:`MAX_CONFIG_TAGS` (every resource of the stack is tagged); ``RftLifecycle`` used alone,
    which tags only the Bedrock job and model, uses its own limit."""
    found = _Problems()
    _, key_rule, value_rule = service_model.tag_rules()
    if len(tags) > limit:
        found.add("tags", f"{len(tags)} tags; at most {limit} allowed ({limit_reason})")
    for name, value in tags.items():
        key = f"tags.{name}"
        if not isinstance(value, str):
            found.add(key, f"must be a string, got {show(value)}")
            continue
        found.pattern(key, name, key_rule, "tag key")
        found.pattern(key, value, value_rule, "tag value")
        if name.lower().startswith("aws:"):
            found.add(key, "tag keys starting with 'aws:' are reserved")
        if name.lower().startswith(PACKAGE_TAG_PREFIX):
            found.add(
                key,
                f"tag keys starting with {PACKAGE_TAG_PREFIX!r} are the package's own (the stack sets "
                f"{PIPELINE_TAG_KEY}; the lifecycle reads the promoted, keep and fingerprint tags); "
                "use another key",
            )
    return found.items


def _check_combinations(
    found: _Problems, values: PipelineValues, region: str | None, vpc_given: bool
) -> None:
    """Rules that span sections (run only when the reward and network values are valid on their own)."""
    from rft_runtime.rewards import catalogue

    template, options = values.reward.template, values.reward.options
    in_vpc = vpc_given or values.network.vpc == "create"
    used = {name for name, _ in catalogue.graders_in_use(template, options)}
    if "code_tests" in used and not in_vpc:
        found.add(
            "network.vpc",
            "the reward runs generated code (code_tests), which must have no network path: "
            'use vpc = "create" (the grader then gets a security group with no egress)',
        )
    for path, message in reward_judge_problems(
        template, options, key="reward.options", stack_region=region, in_isolated_vpc=in_vpc
    ):
        found.add(path, message)
