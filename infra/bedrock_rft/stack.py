"""``RftStack``: one environment's RFT pipeline, composed from its config."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from bedrock_rft.config import PipelineConfig
from bedrock_rft.network import IsolatedVpc
from bedrock_rft.security import CustomizationRole, PipelineKey
from bedrock_rft.storage import DatasetBucket
from bedrock_rft.units import retention_days


class RftStack(cdk.Stack):
    """Key, dataset bucket, VPC and Bedrock service role for one pipeline, driven by ``config``.

    The stack is environment-agnostic unless the config names an account or Region. With
    ``config.network.availability_zones`` set, those zones are used instead of a lookup, so a stack
    bound to an account and Region still synthesizes without credentials.

    Attributes: ``config``, ``encryption`` (:class:`PipelineKey`), ``storage``
    (:class:`DatasetBucket`), ``network`` (:class:`IsolatedVpc` or None), ``customization``
    (:class:`CustomizationRole`).
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: PipelineConfig, **kwargs) -> None:
        env = None
        if config.account or config.region:
            env = cdk.Environment(account=config.account, region=config.region)
        super().__init__(
            scope,
            construct_id,
            env=env,
            description=f"bedrock-rft pipeline {config.name}: {config.description}".rstrip(": "),
            **kwargs,
        )
        self.config = config
        removal = cdk.RemovalPolicy.RETAIN if config.encryption.retain_data else cdk.RemovalPolicy.DESTROY
        log_retention = retention_days(config.encryption.log_retention_days)

        existing_key = (
            kms.Key.from_key_arn(self, "ImportedKey", config.encryption.kms_key_arn)
            if config.encryption.kms_key_arn
            else None
        )
        self.encryption = PipelineKey(self, "Encryption", existing_key=existing_key, removal_policy=removal)
        key = self.encryption.key
        self.storage = DatasetBucket(self, "Storage", encryption_key=key, removal_policy=removal)
        self.network = None
        if config.network.vpc == "create":
            self.network = IsolatedVpc(
                self,
                "Network",
                encryption_key=key,
                max_azs=config.network.max_azs,
                log_retention=retention_days(config.network.flow_log_retention_days),
                removal_policy=removal,
            )
        self.customization = CustomizationRole(
            self,
            "Customization",
            dataset_bucket=self.storage.bucket,
            encryption_key=key,
            subnets=self.network.selected_subnets if self.network else (),
            security_groups=[self.network.workload_security_group] if self.network else (),
        )
        self.encryption.grant_bedrock_customization(self.customization.role)
        self.log_retention = log_retention

        for name, value in config.tags.items():
            cdk.Tags.of(self).add(name, value)
        cdk.Tags.of(self).add("bedrock-rft:pipeline", config.name)

        cdk.CfnOutput(self, "DatasetBucketName", value=self.storage.bucket.bucket_name)
        cdk.CfnOutput(self, "EncryptionKeyArn", value=key.key_arn)
        cdk.CfnOutput(self, "CustomizationRoleArn", value=self.customization.role.role_arn)

    @property
    def availability_zones(self) -> list[str]:
        """The configured zones when given (no lookup needed), else CDK's default behaviour."""
        zones = self.config.network.availability_zones if hasattr(self, "config") else ()
        return list(zones) if zones else super().availability_zones
