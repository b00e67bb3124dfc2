"""The dataset bucket: training inputs under ``datasets/``, job artifacts under ``output/``."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from bedrock_rft.storage.logged_bucket import logged_kms_bucket

#: Key prefix of training and validation inputs (content-addressed, immutable).
DATASETS_PREFIX = "datasets/"
#: Key prefix the customization job writes its artifacts (metrics) under.
OUTPUT_PREFIX = "output/"


class DatasetBucket(Construct):
    """A secure bucket for RFT inputs and outputs, with server access logs in a separate bucket.

    The created bucket has SSE-KMS with an S3 Bucket Key, SSL enforced, all public access blocked,
    versioning on, and server access logs written to a second bucket (SSE-S3: S3 server access
    logging cannot write to SSE-KMS buckets), which is itself versioned, SSL-only and private.

    Keyword arguments:
        encryption_key: the key for the dataset bucket. Required unless ``existing_bucket`` is given.
        existing_bucket: use this bucket instead (nothing is created). Default: create one.
        removal_policy: for created buckets. Default: ``RETAIN``. With ``DESTROY`` objects are
            emptied on stack delete (``auto_delete_objects``), so a throwaway stack deletes cleanly.

    Attributes: ``bucket`` (``s3.IBucket``), ``encryption_key`` (``kms.IKey`` or None),
    ``access_log_bucket`` (``s3.Bucket`` or None),
    ``datasets_prefix``, ``output_prefix``, ``output_s3_uri``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: kms.IKey | None = None,
        existing_bucket: s3.IBucket | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        if existing_bucket is not None and encryption_key is not None:
            raise ValueError("DatasetBucket: pass either existing_bucket or encryption_key, not both")
        if existing_bucket is None and encryption_key is None:
            raise ValueError("DatasetBucket: encryption_key is required when no existing_bucket is given")
        self.datasets_prefix = DATASETS_PREFIX
        self.output_prefix = OUTPUT_PREFIX
        self.access_log_bucket: s3.Bucket | None = None
        self.encryption_key = encryption_key if existing_bucket is None else existing_bucket.encryption_key
        if existing_bucket is not None:
            self.bucket: s3.IBucket = existing_bucket
        else:
            self.bucket = self._create(encryption_key, removal_policy)
        self.output_s3_uri = self.bucket.s3_url_for_object(OUTPUT_PREFIX)

    def _create(self, encryption_key: kms.IKey, removal_policy: cdk.RemovalPolicy) -> s3.Bucket:
        bucket, self.access_log_bucket = logged_kms_bucket(
            self,
            "Bucket",
            encryption_key=encryption_key,
            log_prefix="dataset-bucket/",
            removal_policy=removal_policy,
            purpose="dataset bucket",
            no_replication_reason="Cross-Region replication is a disaster-recovery choice of the account "
            "owner; datasets are reproducible from git and RFT runs in a single Region.",
        )
        return bucket

    def dataset_key(self, content_sha256: str, file_name: str) -> str:
        """The content-addressed object key of a dataset file: ``datasets/<sha256>/<file_name>``."""
        return f"{DATASETS_PREFIX}{content_sha256}/{file_name}"

    def grant_read_datasets(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read objects under ``datasets/`` (and list the bucket), including KMS decrypt."""
        return self.bucket.grant_read(grantee, f"{DATASETS_PREFIX}*")

    def grant_write_output(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read and write objects under ``output/``, including KMS encrypt/decrypt."""
        return self.bucket.grant_read_write(grantee, f"{OUTPUT_PREFIX}*")
