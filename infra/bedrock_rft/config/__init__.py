"""Typed configuration of one RFT pipeline (one environment), loaded from a TOML file."""

from bedrock_rft.config.errors import ConfigError, Problem
from bedrock_rft.config.loader import load_environment, load_environment_file
from bedrock_rft.config.schema import (
    DatasetConfig,
    DeploymentConfig,
    EncryptionConfig,
    EvaluationConfig,
    Hyperparameters,
    InvocationLogsSource,
    LimitsConfig,
    NetworkConfig,
    PipelineConfig,
    PromotionSource,
    RewardConfig,
)

__all__ = [
    "ConfigError",
    "DatasetConfig",
    "DeploymentConfig",
    "EncryptionConfig",
    "EvaluationConfig",
    "Hyperparameters",
    "InvocationLogsSource",
    "LimitsConfig",
    "NetworkConfig",
    "PipelineConfig",
    "Problem",
    "PromotionSource",
    "RewardConfig",
    "load_environment",
    "load_environment_file",
]
