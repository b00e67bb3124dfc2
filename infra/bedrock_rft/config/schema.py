"""Frozen dataclasses holding the whole desired state of one RFT pipeline.

They are plain data: the loader (:mod:`bedrock_rft.config.loader`) builds and checks them, the
constructs read them. Paths are absolute once loaded. Defaults are stated on each field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rft_runtime.lifecycle.spec import SERVING_MODES

#: Base model used when the config names none: the only model RFT supports through this API.
DEFAULT_BASE_MODEL = "amazon.nova-2-lite-v1:0:256k"

#: Regions where Bedrock offers reinforcement fine-tuning (Nova 2 Lite: us-east-1 only).
RFT_REGIONS = ("us-east-1",)


#: CloudFormation takes a template description of at most 1024 bytes; CDK's ``Stack`` refuses
#: more than 512 characters (JavaScript string length, i.e. UTF-16 code units).
MAX_STACK_DESCRIPTION_BYTES = 1024
CDK_MAX_DESCRIPTION_LENGTH = 512


@dataclass(frozen=True, kw_only=True)
class Hyperparameters:
    """The eight RFT hyperparameters, named as in the Bedrock API (``RFTHyperParameters``).

    Every field is always sent to the service, so a job never depends on an undocumented service
    default. Package defaults (used when a key is absent): epochCount 1, batchSize 128, learningRate
    1e-5, maxPromptLength 8192, trainingSamplePerPrompt 8, inferenceMaxTokens 2048, reasoningEffort
    "medium", evalInterval 10.
    """

    epochCount: int = 1
    batchSize: int = 128
    learningRate: float = 1e-5
    maxPromptLength: int = 8192
    trainingSamplePerPrompt: int = 8
    inferenceMaxTokens: int = 2048
    reasoningEffort: str = "medium"
    evalInterval: int = 10

    def to_api(self) -> dict[str, Any]:
        """The ``rftConfig.hyperParameters`` request member, with native JSON types."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True, kw_only=True)
class InvocationLogsSource:
    """Train on Bedrock model invocation logs that the service converts itself.

    ``s3_uri``: the ``s3://bucket/prefix`` the logs are delivered to. Required.
    ``request_metadata_filters`` is the API's ``RequestMetadataFilters`` union, already in API form
    (``{"equals": {...}}``, ``{"notEquals": {...}}``, ``{"andAll": [...]}`` or ``{"orAll": [...]}``).
    Default: no filter, ``use_prompt_response`` False.
    """

    s3_uri: str
    use_prompt_response: bool = False
    request_metadata_filters: dict[str, Any] | None = None

    @property
    def bucket_name(self) -> str:
        """The log bucket's name."""
        return self.s3_uri.removeprefix("s3://").split("/", 1)[0]

    @property
    def key_prefix(self) -> str:
        """The object-key prefix under the log bucket (may be empty)."""
        parts = self.s3_uri.removeprefix("s3://").split("/", 1)
        return parts[1] if len(parts) > 1 else ""

    def to_api(self) -> dict[str, Any]:
        """The ``trainingDataConfig.invocationLogsConfig`` request member."""
        api: dict[str, Any] = {
            "invocationLogSource": {"s3Uri": self.s3_uri},
            "usePromptResponse": self.use_prompt_response,
        }
        if self.request_metadata_filters:
            api["requestMetadataFilters"] = self.request_metadata_filters
        return api


@dataclass(frozen=True, kw_only=True)
class DatasetConfig:
    """Where the training (and optional validation) prompts come from. Exactly one source is set.

    - ``training_file``: a local JSONL file, validated at synth and uploaded content-addressed.
    - ``training_s3_uri``: an existing ``s3://`` object, checked by the workflow's pre-flight.
    - ``invocation_logs``: Bedrock invocation logs.

    ``validation_file`` / ``validation_s3_uri``: optional held-out prompts. Default: none.

    ``source_kms_key_arn``: the customer-managed KMS key (SSE-KMS) of the bucket holding
    ``training_s3_uri``, ``validation_s3_uri`` or the invocation logs; the job role may then
    decrypt with it through S3 (the key's own policy must also allow the role). Default: none.
    """

    training_file: Path | None = None
    training_s3_uri: str | None = None
    invocation_logs: InvocationLogsSource | None = None
    validation_file: Path | None = None
    validation_s3_uri: str | None = None
    source_kms_key_arn: str | None = None

    @property
    def source_kind(self) -> Literal["file", "s3", "invocation_logs"]:
        """Which of the three sources is configured."""
        if self.training_file is not None:
            return "file"
        if self.training_s3_uri is not None:
            return "s3"
        return "invocation_logs"


#: Reward options travel to the Lambda as one environment variable; Lambda caps all of a function's
#: variables at 4 KB together, which leaves about this much for the options' JSON.
MAX_REWARD_OPTIONS_BYTES = 3072


@dataclass(frozen=True, kw_only=True)
class RewardConfig:
    """The reward function: a catalogue template and its options, or the user's own module.

    ``template`` is a name from ``rft_runtime.rewards.catalogue.TEMPLATE_NAMES``; with
    ``template = "custom"``, ``options["path"]`` is the absolute path of a Python file defining
    ``score(sample)``. ``options`` default: ``{}``. ``timeout_seconds`` default 300 (Lambda maximum
    900); ``memory_mb`` default 1024; ``reserved_concurrency`` default 0 = unreserved, which fits any
    account; N > 0 reserves N concurrent graders, which needs an account concurrency limit of at least
    N + 100 (Lambda keeps 100 unreserved). ``max_judge_calls``: synth fails when one run's
    ``llm_judge`` calls (training rows x trainingSamplePerPrompt x epochCount x judges, see
    ``rft_runtime.rewards.judge_budget``) would exceed it; default None: no bound.
    """

    template: str
    options: dict[str, Any] = field(default_factory=dict)
    timeout_seconds: int = 300
    memory_mb: int = 1024
    reserved_concurrency: int = 0
    max_judge_calls: int | None = None


@dataclass(frozen=True, kw_only=True)
class DeploymentConfig:
    """What happens after training.

    ``mode``: ``"on_demand"`` (default) creates or updates one custom-model deployment per pipeline;
    ``"none"`` trains only. ``retain_models`` (default True) keeps trained custom models when the
    stack is deleted. ``notification_emails``: addresses subscribed to the pipeline's SNS topic
    (default none). ``keep_models``: after each successful run, keep this pipeline's N newest
    custom models and delete older ones that nothing serves, swaps to, or holds (default 0: never
    delete; the serving, the previously serving and any deployed or held model always stay).
    ``"provisioned"`` serves through one Provisioned Throughput per pipeline instead of an
    on-demand deployment: ``model_units`` (required there, at least 1; an error in other modes) and
    ``commitment`` (``"none"`` default, ``"OneMonth"`` or ``"SixMonths"``: a committed throughput
    cannot be deleted before its term ends and bills every hour until then).
    """

    mode: Literal["on_demand", "provisioned", "none"] = "on_demand"
    retain_models: bool = True
    notification_emails: tuple[str, ...] = ()
    keep_models: int = 0
    model_units: int | None = None
    commitment: str = "none"


@dataclass(frozen=True, kw_only=True)
class LimitsConfig:
    """Bounds on what one run may spend.

    ``max_training_hours``: the workflow stops a job that has trained longer (measured from the
    job's creation) and publishes STOPPED with the reason. Default None: no limit of its own; every
    run is still bounded by the workflow's 14-day limit, after which the job is stopped too.
    """

    max_training_hours: float | None = None


@dataclass(frozen=True, kw_only=True)
class EvaluationConfig:
    """The promotion gate: is the newly trained model better than the one serving?

    ``gate``: evaluate before serving. Default None: on when the pipeline has a validation file
    (``dataset.validation``) and serves a model (``deployment.mode`` ``"on_demand"`` or
    ``"provisioned"``), off otherwise (mode ``"none"`` serves nothing); ``true`` needs both.
    ``min_improvement``: the paired mean reward delta (new minus serving) the new model must reach,
    in [-1, 1]. Default 0.0: it must not be worse. ``samples_per_prompt``: responses per prompt and
    model, 1 to 8. Default 1. ``max_prompts``: evaluate at most this many validation rows. Default
    None: all of them.
    """

    gate: bool | None = None
    min_improvement: float = 0.0
    samples_per_prompt: int = 1
    max_prompts: int | None = None

    def gate_on(self, dataset: DatasetConfig, deployment: DeploymentConfig) -> bool:
        """Whether the gate runs (``gate``, or its default for this dataset and deployment)."""
        if self.gate is not None:
            return self.gate
        return dataset.validation_file is not None and deployment.mode in SERVING_MODES


@dataclass(frozen=True, kw_only=True)
class NetworkConfig:
    """The VPC the training job and the Lambdas use.

    ``vpc``: ``"create"`` (default) builds an isolated VPC (no NAT gateway); ``"none"`` runs without
    one. ``max_azs`` default 2. ``availability_zones``: explicit zone names, needed only for a stack
    bound to an account and region when you synthesize without credentials (default: none, the
    stack picks zones). ``flow_log_retention_days`` default 365.
    """

    vpc: Literal["create", "none"] = "create"
    max_azs: int = 2
    availability_zones: tuple[str, ...] = ()
    flow_log_retention_days: int = 365


@dataclass(frozen=True, kw_only=True)
class EncryptionConfig:
    """Keys and retention of stateful resources.

    ``kms_key_arn``: use this existing customer-managed key instead of creating one (default: create
    one, rotation on). ``log_retention_days`` default 365. ``retain_data`` default True: buckets,
    key and log groups survive ``cdk destroy``; set False only for throwaway environments.
    """

    kms_key_arn: str | None = None
    log_retention_days: int = 365
    retain_data: bool = True


@dataclass(frozen=True)
class PromotionSource:
    """The pipeline a ``promote_from`` environment adopts its model from: its ``pipeline`` name,
    ``account`` and ``region`` (None: the promoting stack's own, known only at deploy time)."""

    pipeline: str
    account: str | None = None
    region: str | None = None


@dataclass(frozen=True, kw_only=True)
class PipelineConfig:
    """One environment's RFT pipeline: everything ``RftStack`` needs.

    ``name``: lowercase letters, digits and single hyphens, at most 24 characters; it prefixes the
    stack, job, model and deployment names. Required. ``region``: where the stack is bound; it must
    offer RFT (``us-east-1``). Required by the rules (default None is reported as missing).
    ``account``: optional 12-digit id; default None (any account). ``base_model``: default
    ``amazon.nova-2-lite-v1:0:256k``. ``description``: default ``""``. ``dataset`` and ``reward``:
    required. ``hyperparameters``, ``deployment``, ``limits``, ``network``, ``encryption``: default their own
    defaults. ``evaluation``: the promotion gate, default :class:`EvaluationConfig` ``()`` (on when
    there is a validation file). ``tags``: default none. ``retrain_nonce``: change it to train
    identical inputs again (for example after a service-side failure); default ``""``.
    ``promote_from``: the environment
    whose approved model this one serves instead of training (its training inputs must be equal;
    see :mod:`bedrock_rft.config.promotion`); default ``""`` (train here). ``promotion_source``: that
    environment's pipeline, filled in by the loader once the promotion checks pass; default None.
    ``source_file``: the TOML file it was loaded from; default None.
    """

    name: str
    base_model: str = DEFAULT_BASE_MODEL
    description: str = ""
    account: str | None = None
    region: str | None = None
    dataset: DatasetConfig
    reward: RewardConfig
    hyperparameters: Hyperparameters = field(default_factory=Hyperparameters)
    deployment: DeploymentConfig = field(default_factory=DeploymentConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    encryption: EncryptionConfig = field(default_factory=EncryptionConfig)
    tags: dict[str, str] = field(default_factory=dict)
    retrain_nonce: str = ""
    promote_from: str = ""
    promotion_source: PromotionSource | None = None
    source_file: Path | None = None

    @property
    def stack_name(self) -> str:
        """CloudFormation stack name: ``Rft-<name>``."""
        return f"Rft-{self.name}"

    @property
    def stack_description(self) -> str:
        """CloudFormation stack description: ``bedrock-rft pipeline <name>: <description>``."""
        return f"bedrock-rft pipeline {self.name}: {self.description}".rstrip(": ")
