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
    log_group_name: str | None = None,
) -> logs.LogGroup:
    """A log group under ``scope`` encrypted with ``encryption_key`` (which must allow CloudWatch Logs).

    ``log_group_name``: default None (CloudFormation generates one).
    """
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=log_group_name,
        encryption_key=encryption_key,
        retention=retention,
        removal_policy=removal_policy,
    )


def vended_log_group_name(scope: Construct, service: str, name: str) -> str:
    """``/aws/vendedlogs/<service>/<name>-<stack id>``: the prefix AWS asks for log groups that a
    service delivers to (its resource policy stays within CloudWatch Logs' 5,120-character limit);
    the stack's unique id keeps a retained group of a deleted stack from blocking a new one."""
    stack_uuid = cdk.Fn.select(2, cdk.Fn.split("/", cdk.Stack.of(scope).stack_id))
    return f"/aws/vendedlogs/{service}/{name}-{stack_uuid}"
