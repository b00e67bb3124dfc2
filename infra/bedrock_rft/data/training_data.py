"""``TrainingData``: where the job's prompts come from, as the API's ``trainingDataConfig``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from bedrock_rft.config import DatasetConfig
from bedrock_rft.data.validation import DatasetRules, check_local_datasets, file_sha256
from bedrock_rft.security import CustomizationRole
from bedrock_rft.storage import DatasetBucket


@dataclass(frozen=True)
class DatasetCopy:
    """One server-side copy the workflow makes before a job: asset object -> dataset bucket key."""

    source_bucket: str
    source_key: str
    target_key: str

    def to_api(self) -> dict[str, str]:
        """The workflow's input form: ``{"sourceBucket", "sourceKey", "targetKey"}``."""
        return {
            "sourceBucket": self.source_bucket,
            "sourceKey": self.source_key,
            "targetKey": self.target_key,
        }


class TrainingData(Construct):
    """Validates, uploads and grants access to the pipeline's training (and validation) prompts.

    - Local files (``dataset.training``): validated now, at synth (a bad row fails ``cdk synth``
      with its line), published by ``cdk deploy`` as file assets, and copied by the lifecycle
      workflow (server side, before the job starts) to ``datasets/<sha256>/<file name>`` in the
      dataset bucket (:attr:`staging`, :meth:`grant_staging`). Keys are content-addressed and
      nothing ever deletes them, so a job's inputs are immutable and a changed file is a new
      input. No upload function runs in the account, and nothing may delete datasets.
    - An existing object (``dataset.training_s3_uri``): the role may read exactly that object;
      the workflow's pre-flight checks it exists before a job starts.
    - Invocation logs (``[dataset.invocation_logs]``): the role may read the log prefix; Bedrock
      converts the logs itself, with the configured request-metadata filters.

    Keyword arguments:
        dataset: the config's dataset section.
        rules: what rows must satisfy (fields the reward needs, ``maxPromptLength``).
        storage: the dataset bucket; customization: the Bedrock service role to grant reads to.

    Attributes: ``training_data_config`` and ``validation_s3_uris`` (API request members, may hold
    tokens), ``source_uri`` (the training object, or the invocation-log prefix), ``fingerprint``
    (SHA-256 over the inputs' identity: file contents, S3 URIs or the log source and filters),
    ``row_counts`` (local files only), ``staging`` (:class:`DatasetCopy` per local file).
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
    ) -> None:
        super().__init__(scope, construct_id)
        self._storage = storage
        self._assets: list[s3_assets.Asset] = []
        self.staging: list[DatasetCopy] = []
        self.row_counts: dict[str, int] = {}
        self.validation_s3_uris: list[str] = []
        identity: dict[str, object] = {"kind": dataset.source_kind}
        files = [("training", dataset.training_file), ("validation", dataset.validation_file)]
        local = [(role, path) for role, path in files if path is not None]
        if dataset.training_file is not None:
            self.row_counts = check_local_datasets(dataset.training_file, dataset.validation_file, rules)
        uris: dict[str, str] = {}
        if local:
            uris = self._stage(local, storage)
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

    def _stage(self, files: list[tuple[str, Path]], storage: DatasetBucket) -> dict[str, str]:
        """Publish each file as a CDK file asset; the workflow copies it into the dataset bucket."""
        uris: dict[str, str] = {}
        for role, path in files:
            asset = s3_assets.Asset(self, f"{role.capitalize()}File", path=str(path))
            key = storage.dataset_key(file_sha256(path), path.name)
            self.staging.append(
                DatasetCopy(
                    source_bucket=asset.s3_bucket_name, source_key=asset.s3_object_key, target_key=key
                )
            )
            self._assets.append(asset)
            uris[role] = storage.bucket.s3_url_for_object(key)
        return uris

    def grant_staging(self, grantee: iam.IGrantable) -> None:
        """Let ``grantee`` copy the staged files: read each asset, write each target key (no delete)."""
        stack = cdk.Stack.of(self)
        sources = [f"arn:{stack.partition}:s3:::{c.source_bucket}/{c.source_key}" for c in self.staging]
        targets = [self._storage.bucket.arn_for_objects(c.target_key) for c in self.staging]
        if not self.staging:
            return
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(sid="ReadDatasetAssets", actions=["s3:GetObject"], resources=sources)
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="WriteContentAddressedDatasets",
                actions=["s3:GetObject", "s3:PutObject"],
                resources=targets,
            )
        )
        if self._storage.encryption_key is not None:
            self._storage.encryption_key.grant_encrypt_decrypt(grantee)
