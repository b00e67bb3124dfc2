"""bedrock_rft: AWS CDK constructs for Amazon Bedrock reinforcement fine-tuning (RFT).

Add a whole pipeline to any stack with :class:`RftPipeline` and :class:`RftPipelineProps`, or one
environment file as a stack of its own with :class:`RftStack`. Folders, one component each:

- ``pipeline``: ``RftPipeline``, its props, and ``PipelineReference`` (grants for consumers).
- ``config``: the typed values, the one set of rules (``config.rules``), the TOML loader and the
  JSON Schema of ``environments/<env>.toml``.
- ``security``: the customer-managed KMS key and the Bedrock customization service role.
- ``storage``: the dataset bucket (and its access-log bucket).
- ``network``: the isolated VPC the training job and Lambdas run in.
- ``data``: synth-time dataset validation and content-addressed upload (``DatasetInputs``: what a
  job trains on, as one value).
- ``reward``: the reward (grader) Lambda (``RewardInputs``: what decides the rewards, as one value).
- ``lifecycle``: launcher custom resource and the Step Functions workflow that trains and deploys.
- ``observability``: the pipeline's CloudWatch dashboard and failed-run alarm.
- ``compute``: the Lambda settings every function of the package shares.
- ``assets``: the Lambda code assets (allow-listed ``rft_runtime`` parts, a pinned boto3), bundled
  without Docker.
- ``compliance``: cdk-nag packs and the package's narrow acknowledgments.
- ``tools``: helpers the Makefile runs (the synth summary, the JSON Schema writer).
- ``stack``: ``RftStack``, one environment file as one stack.
- ``delivery``: ``RftDeliveryPipeline``, a CDK Pipelines release of environment files in order.
"""

from importlib import import_module

#: Public name -> module that defines it. Imported on first use (PEP 562), so that loading a config
#: or the ``rft`` command never starts the CDK's JavaScript runtime.
_EXPORTS = {
    "RftPipeline": "bedrock_rft.pipeline",
    "RftPipelineProps": "bedrock_rft.pipeline",
    "PipelinePropsError": "bedrock_rft.pipeline",
    "PipelineReference": "bedrock_rft.pipeline",
    "RftStack": "bedrock_rft.stack",
    "PipelineKey": "bedrock_rft.security",
    "CustomizationRole": "bedrock_rft.security",
    "DatasetBucket": "bedrock_rft.storage",
    "IsolatedVpc": "bedrock_rft.network",
    "TrainingData": "bedrock_rft.data",
    "DatasetInputs": "bedrock_rft.data",
    "RewardFunction": "bedrock_rft.reward",
    "RewardInputs": "bedrock_rft.reward",
    "RftLifecycle": "bedrock_rft.lifecycle",
    "GateSettings": "bedrock_rft.lifecycle",
    "PipelineDashboard": "bedrock_rft.observability",
    "RftDeliveryPipeline": "bedrock_rft.delivery",
    "attach_nag_packs": "bedrock_rft.compliance",
    "ConfigError": "bedrock_rft.config",
    "PipelineConfig": "bedrock_rft.config",
    "DatasetConfig": "bedrock_rft.config",
    "InvocationLogsSource": "bedrock_rft.config",
    "RewardConfig": "bedrock_rft.config",
    "Hyperparameters": "bedrock_rft.config",
    "DeploymentConfig": "bedrock_rft.config",
    "LimitsConfig": "bedrock_rft.config",
    "EvaluationConfig": "bedrock_rft.config",
    "NetworkConfig": "bedrock_rft.config",
    "EncryptionConfig": "bedrock_rft.config",
    "load_environment": "bedrock_rft.config",
    "load_environment_file": "bedrock_rft.config",
    "InputError": "bedrock_rft.errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'bedrock_rft' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
