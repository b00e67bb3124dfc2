"""``RftPipelineProps``: what an ``RftPipeline`` is built from, and the error for bad props."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from bedrock_rft.config.errors import Problem
from bedrock_rft.config.schema import (
    DEFAULT_BASE_MODEL,
    DatasetConfig,
    DeploymentConfig,
    EncryptionConfig,
    EvaluationConfig,
    Hyperparameters,
    LimitsConfig,
    NetworkConfig,
    PipelineConfig,
    PromotionSource,
    RewardConfig,
)
from bedrock_rft.errors import InputError


@dataclass(frozen=True, kw_only=True)
class RftPipelineProps:
    """Everything an :class:`~bedrock_rft.RftPipeline` needs; frozen, keyword-only.

    The value fields reuse the environment file's dataclasses (same names, same defaults), and the
    same rules check them (:mod:`bedrock_rft.config.rules`), naming prop paths such as
    ``hyperparameters.batchSize``.

    Attributes:
        name: pipeline name: lowercase letters, digits and single hyphens, at most 24 characters.
            Required.
        dataset: where the prompts come from (:class:`DatasetConfig`). Required.
        reward: the grader (:class:`RewardConfig`). Required.
        base_model: model id or ARN. Default ``amazon.nova-2-lite-v1:0:256k``.
        hyperparameters: the eight RFT hyperparameters. Default :class:`Hyperparameters` ``()``.
        deployment: what happens after training. Default :class:`DeploymentConfig` ``()``
            (on-demand deployment, models retained, none pruned).
        limits: bounds on a run. Default :class:`LimitsConfig` ``()`` (no training-time limit but
            the workflow's 14 days).
        evaluation: the promotion gate. Default :class:`EvaluationConfig` ``()``: on when
            ``dataset.validation_file`` is set and the deployment is on demand.
        network: the VPC to create when ``vpc`` is not given. Default :class:`NetworkConfig` ``()``
            (an isolated VPC in 2 zones); ``network.vpc = "none"`` runs without a VPC.
        encryption: log retention, data retention, and an existing key by ARN. Default
            :class:`EncryptionConfig` ``()`` (a new key, logs kept 365 days, data retained).
        tags: added to every resource of the pipeline and to the job and model. Default none.
        retrain_nonce: change it to train identical inputs again. Default ``""``.
        promote_from: the pipeline (:class:`PromotionSource`) whose promoted model of the same
            training inputs this pipeline serves instead of training. Default None: train here.
        encryption_key: an existing KMS key (``kms.IKey``) to use; its policy must let CloudWatch
            Logs and Bedrock use it. Default None: a key is created (or imported from
            ``encryption.kms_key_arn``).
        vpc: an existing VPC (``ec2.IVpc``) to run the job and the grader in; it must reach S3 and,
            for ``llm_judge``, ``bedrock-runtime`` through endpoints. Default None: one is created
            per ``network``.
        vpc_subnets: which subnets of ``vpc`` to use. Default None: its isolated subnets, else its
            private subnets with egress.
        dataset_bucket: an existing bucket (``s3.IBucket``) for datasets and job output. Default
            None: a KMS-encrypted, versioned, access-logged bucket is created.
    """

    name: str
    dataset: DatasetConfig
    reward: RewardConfig
    base_model: str = DEFAULT_BASE_MODEL
    hyperparameters: Hyperparameters = field(default_factory=Hyperparameters)
    deployment: DeploymentConfig = field(default_factory=DeploymentConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    encryption: EncryptionConfig = field(default_factory=EncryptionConfig)
    tags: Mapping[str, str] = field(default_factory=dict)
    retrain_nonce: str = ""
    promote_from: PromotionSource | None = None
    encryption_key: kms.IKey | None = None
    vpc: ec2.IVpc | None = None
    vpc_subnets: ec2.SubnetSelection | None = None
    dataset_bucket: s3.IBucket | None = None

    @classmethod
    def from_config(cls, config: PipelineConfig) -> RftPipelineProps:
        """The props of an environment file's pipeline (its stack-level keys stay with the stack)."""
        return cls(
            name=config.name,
            dataset=config.dataset,
            reward=config.reward,
            base_model=config.base_model,
            hyperparameters=config.hyperparameters,
            deployment=config.deployment,
            limits=config.limits,
            evaluation=config.evaluation,
            network=config.network,
            encryption=config.encryption,
            tags=dict(config.tags),
            retrain_nonce=config.retrain_nonce,
            promote_from=config.promotion_source,
        )


class PipelinePropsError(InputError):
    """``RftPipeline`` props with one or more problems; ``str()`` lists them all, one per line.

    ``problems`` holds each :class:`Problem` with its prop path as ``key``.
    """

    def __init__(self, construct_path: str, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        header = f"RftPipeline {construct_path}: {count} problem{'s' if count != 1 else ''} in props"
        super().__init__("\n".join([header, *(f"  {p.key}: {p.message}" for p in self.problems)]))
