"""Delivery: a CDK Pipelines pipeline that releases environment files in order (``delivery.toml``)."""

from bedrock_rft.delivery.config import DeliveryConfig, SourceConfig, StageConfig, load_delivery_file
from bedrock_rft.delivery.pipeline import RftDeliveryPipeline
from bedrock_rft.delivery.stack import RftDeliveryStack
from bedrock_rft.delivery.stage import RftEnvironmentStage
from bedrock_rft.delivery.toolchain import cdk_assets_version, cdk_cli_version

__all__ = [
    "DeliveryConfig",
    "RftDeliveryPipeline",
    "RftDeliveryStack",
    "RftEnvironmentStage",
    "SourceConfig",
    "StageConfig",
    "cdk_assets_version",
    "cdk_cli_version",
    "load_delivery_file",
]
