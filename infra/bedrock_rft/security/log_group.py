"""The one way this package creates log groups: KMS-encrypted, with retention and a removal policy."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct


def encrypted_log_group(
    scope: Construct,
    construct_id: str,
    *,
    encryption_key: kms.IKey,
    retention: logs.RetentionDays,
    removal_policy: cdk.RemovalPolicy,
) -> logs.LogGroup:
    """A log group under ``scope`` encrypted with ``encryption_key`` (which must allow CloudWatch Logs)."""
    return logs.LogGroup(
        scope, construct_id, encryption_key=encryption_key, retention=retention, removal_policy=removal_policy
    )
