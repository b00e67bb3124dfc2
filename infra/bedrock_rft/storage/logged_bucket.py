"""A KMS-encrypted bucket with server access logs in a second bucket: the one recipe both the
dataset bucket and the delivery pipeline's artifact bucket use."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from bedrock_rft.compliance import acknowledge


def logged_kms_bucket(
    scope: Construct,
    bucket_id: str,
    *,
    encryption_key: kms.IKey,
    log_prefix: str,
    removal_policy: cdk.RemovalPolicy,
    purpose: str,
    no_replication_reason: str,
) -> tuple[s3.Bucket, s3.Bucket]:
    """Create ``bucket_id`` and its access-log bucket ``AccessLogs`` in ``scope``; return both.

    The bucket: SSE-KMS with ``encryption_key`` and an S3 Bucket Key, SSL only, all public access
    blocked, ACLs off, versioned, access logs under ``log_prefix``. The log bucket: SSE-S3 (S3 server
    access logging cannot write to SSE-KMS buckets), SSL only, private, versioned. With
    ``removal_policy`` DESTROY both are emptied on stack delete. ``purpose`` (what the bucket holds)
    and ``no_replication_reason`` go into the acknowledgments.
    """
    empty_on_delete = removal_policy == cdk.RemovalPolicy.DESTROY
    # With this (recommended) flag CDK grants log delivery by bucket policy, so ACLs can be off;
    # without it CDK needs the LogDeliveryWrite ACL.
    policy_delivery = cdk.FeatureFlags.of(scope).is_enabled("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy")
    access_logs = s3.Bucket(
        scope,
        "AccessLogs",
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED
        if policy_delivery
        else s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
        versioned=True,
        removal_policy=removal_policy,
        auto_delete_objects=empty_on_delete,
    )
    bucket = s3.Bucket(
        scope,
        bucket_id,
        encryption=s3.BucketEncryption.KMS,
        encryption_key=encryption_key,
        bucket_key_enabled=True,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned=True,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=log_prefix,
        removal_policy=removal_policy,
        auto_delete_objects=empty_on_delete,
    )
    acknowledge(
        access_logs,
        f"This bucket receives the {purpose}'s server access logs; logging it into itself would "
        "loop, and S3 server access logging only writes to SSE-S3 buckets, not SSE-KMS.",
        "AwsSolutions-S1",
        "NIST.800.53.R5-S3BucketLoggingEnabled",
        "HIPAA.Security-S3BucketLoggingEnabled",
        "NIST.800.53.R5-S3DefaultEncryptionKMS",
        "HIPAA.Security-S3DefaultEncryptionKMS",
    )
    for target in (bucket, access_logs):
        acknowledge(
            target,
            no_replication_reason,
            "NIST.800.53.R5-S3BucketReplicationEnabled",
            "HIPAA.Security-S3BucketReplicationEnabled",
        )
    return bucket, access_logs
