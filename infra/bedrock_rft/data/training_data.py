"""``TrainingData``: where the job's prompts come from, as the API's ``trainingDataConfig``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from bedrock_rft.config import DatasetConfig
from bedrock_rft.data.validation import DatasetRules, check_local_datasets, file_sha256
from bedrock_rft.security import CustomizationRole
from bedrock_rft.storage import DatasetBucket


class TrainingData(Construct):
    """Validates, uploads and grants access to the pipeline's training (and validation) prompts.

    - Local files (``dataset.training``): validated now, at synth (a bad row fails ``cdk synth``
      with its line), then uploaded to ``datasets/<sha256>/<file name>`` in the dataset bucket.
      Keys are content-addressed and uploads are never pruned or deleted, so a job's inputs are
      immutable and a changed file is a new input.
    - An existing object (``dataset.training_s3_uri``): the role may read exactly that object;
      the workflow's pre-flight checks it exists before a job starts.
    - Invocation logs (``[dataset.invocation_logs]``): the role may read the log prefix; Bedrock
      converts the logs itself, with the configured request-metadata filters.

    Keyword arguments:
        dataset: the config's dataset section.
        rules: what rows must satisfy (fields the reward needs, ``maxPromptLength``).
        storage: the dataset bucket; customization: the Bedrock service role to grant reads to.
        vpc / vpc_subnets / security_groups: where the upload function runs. Default: no VPC.
        log_retention: of the upload function's log group. Default: one year.
        removal_policy: of that log group. Default: ``RETAIN``.

    Attributes: ``training_data_config`` and ``validation_s3_uris`` (API request members, may hold
    tokens), ``source_uri`` (the training object, or the invocation-log prefix), ``fingerprint``
    (SHA-256 over the inputs' identity: file contents, S3 URIs or the log source and filters),
    ``row_counts`` (local files only).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        dataset: DatasetConfig,
        rules: DatasetRules,
        storage: DatasetBucket,
        customization: CustomizationRole,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: list[ec2.ISecurityGroup] | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        self._removal_policy = removal_policy
        self.row_counts: dict[str, int] = {}
        self.validation_s3_uris: list[str] = []
        identity: dict[str, object] = {"kind": dataset.source_kind}
        files = [("training", dataset.training_file), ("validation", dataset.validation_file)]
        local = [(role, path) for role, path in files if path is not None]
        if dataset.training_file is not None:
            self.row_counts = check_local_datasets(dataset.training_file, dataset.validation_file, rules)
        uris: dict[str, str] = {}
        if local:
            uris = self._upload(local, storage, vpc, vpc_subnets, security_groups, log_retention)
            identity.update({role: file_sha256(path) for role, path in local})
        if dataset.training_file is not None:
            self.training_data_config: dict[str, object] = {"s3Uri": uris["training"]}
        elif dataset.training_s3_uri is not None:
            customization.grant_read_object(dataset.training_s3_uri, "ReadExternalTrainingData")
            self.training_data_config = {"s3Uri": dataset.training_s3_uri}
            identity["training_s3_uri"] = dataset.training_s3_uri
        else:
            logs_source = dataset.invocation_logs
            customization.grant_read_invocation_logs(logs_source.bucket_name, logs_source.key_prefix)
            self.training_data_config = {"invocationLogsConfig": logs_source.to_api()}
            identity["invocation_logs"] = logs_source.to_api()
        if "validation" in uris:
            self.validation_s3_uris.append(uris["validation"])
        elif dataset.validation_s3_uri is not None:
            customization.grant_read_object(dataset.validation_s3_uri, "ReadExternalValidationData")
            self.validation_s3_uris.append(dataset.validation_s3_uri)
            identity["validation_s3_uri"] = dataset.validation_s3_uri
        self.source_uri: str = self.training_data_config.get("s3Uri") or dataset.invocation_logs.s3_uri
        canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"))
        self.fingerprint = hashlib.sha256(canonical.encode()).hexdigest()

    def _upload(
        self,
        files: list[tuple[str, Path]],
        storage: DatasetBucket,
        vpc: ec2.IVpc | None,
        vpc_subnets: ec2.SubnetSelection | None,
        security_groups: list[ec2.ISecurityGroup] | None,
        log_retention: logs.RetentionDays,
    ) -> dict[str, str]:
        uris: dict[str, str] = {}
        sources = []
        for role, path in files:
            key = storage.dataset_key(file_sha256(path), path.name)
            prefix = key.rsplit("/", 1)[0] + "/"
            # One zip per file, holding only that file: the asset hash is its content.
            sources.append((prefix, s3deploy.Source.asset(str(path.parent), exclude=["*", f"!{path.name}"])))
            uris[role] = storage.bucket.s3_url_for_object(key)
        log_group = logs.LogGroup(
            self,
            "UploadLogs",
            retention=log_retention,
            encryption_key=storage.encryption_key,
            removal_policy=self._removal_policy,
        )
        for index, (prefix, source) in enumerate(sources):
            deployment = s3deploy.BucketDeployment(
                self,
                f"Upload{index}",
                sources=[source],
                destination_bucket=storage.bucket,
                destination_key_prefix=prefix,
                prune=False,
                retain_on_delete=True,
                extract=True,
                memory_limit=512,
                log_group=log_group,
                vpc=vpc,
                vpc_subnets=vpc_subnets,
                security_groups=security_groups,
                output_object_keys=False,
            )
            deployment.node.add_dependency(storage.bucket)
        return uris
