"""bedrock_rft: AWS CDK constructs for Amazon Bedrock reinforcement fine-tuning (RFT).

Add a whole pipeline to any stack with :class:`RftPipeline` and :class:`RftPipelineProps`, or one
environment file as a stack of its own with :class:`RftStack`. Folders, one component each:

- ``pipeline``: ``RftPipeline``, its props, and ``PipelineReference`` (grants for consumers).
- ``config``: the typed values, the one set of rules (``config.rules``), the TOML loader and the
  JSON Schema of ``environments/<env>.toml``.
- ``security``: the customer-managed KMS key and the Bedrock customization service role.
- ``storage``: the dataset bucket (and its access-log bucket).
- ``network``: the isolated VPC the training job and Lambdas run in.
- ``data``: synth-time dataset validation and content-addressed upload.
- ``reward``: the reward (grader) Lambda.
- ``lifecycle``: launcher custom resource and the Step Functions workflow that trains and deploys.
- ``observability``: the pipeline's CloudWatch dashboard and failed-run alarm.
- ``compute``: the Lambda settings every function of the package shares.
- ``assets``: the Lambda code assets (allow-listed ``rft_runtime`` parts, a pinned boto3), bundled
  without Docker.
- ``compliance``: cdk-nag packs and the package's narrow acknowledgments.
- ``tools``: helpers the Makefile runs (the synth summary, the JSON Schema writer).
- ``stack``: ``RftStack``, one environment file as one stack.
"""

from bedrock_rft.compliance import attach_nag_packs
from bedrock_rft.config import (
    ConfigError,
    DatasetConfig,
    DeploymentConfig,
    EncryptionConfig,
    Hyperparameters,
    InvocationLogsSource,
    NetworkConfig,
    PipelineConfig,
    RewardConfig,
    load_environment,
    load_environment_file,
)
from bedrock_rft.data import TrainingData
from bedrock_rft.errors import InputError
from bedrock_rft.lifecycle import RftLifecycle
from bedrock_rft.network import IsolatedVpc
from bedrock_rft.observability import PipelineDashboard
from bedrock_rft.pipeline import PipelinePropsError, PipelineReference, RftPipeline, RftPipelineProps
from bedrock_rft.reward import RewardFunction
from bedrock_rft.security import CustomizationRole, PipelineKey
from bedrock_rft.stack import RftStack
from bedrock_rft.storage import DatasetBucket

__all__ = [
    "ConfigError",
    "CustomizationRole",
    "DatasetBucket",
    "DatasetConfig",
    "DeploymentConfig",
    "EncryptionConfig",
    "Hyperparameters",
    "InputError",
    "InvocationLogsSource",
    "IsolatedVpc",
    "NetworkConfig",
    "PipelineConfig",
    "PipelineDashboard",
    "PipelineKey",
    "PipelinePropsError",
    "PipelineReference",
    "RewardConfig",
    "RewardFunction",
    "RftLifecycle",
    "RftPipeline",
    "RftPipelineProps",
    "RftStack",
    "TrainingData",
    "attach_nag_packs",
    "load_environment",
    "load_environment_file",
]
