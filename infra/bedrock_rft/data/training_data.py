"""``TrainingData``: where the job's prompts come from, as the API's ``trainingDataConfig``."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from bedrock_rft.config import DatasetConfig
from bedrock_rft.data.inputs import DatasetCopy, DatasetInputs
from bedrock_rft.data.validation import DatasetRules, check_local_datasets, file_sha256
from bedrock_rft.security import CustomizationRole
from bedrock_rft.storage import DatasetBucket


class TrainingData(Construct):
    """Validates, uploads and grants access to the pipeline's training (and validation) prompts.

    - Local files (``dataset.training``, ``dataset.validation``): validated now, at synth (a bad
      row fails ``cdk synth`` with its line), published by ``cdk deploy`` as file assets, and
      copied by the lifecycle workflow (server side, before the job starts) to
      ``datasets/<sha256>/<role>.jsonl`` in the dataset bucket (:attr:`staging`). Keys are
      content-addressed and nothing ever deletes them, so a job's inputs are immutable and a
      changed file is a new input. No upload function runs in the account, and nothing may delete
      datasets.
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
    ``row_counts`` (local files only), ``staging`` (:class:`DatasetCopy` per local file),
    ``inputs`` (:class:`DatasetInputs`: all of the above as one value, what ``RftLifecycle`` takes).
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
        self.staging: list[DatasetCopy] = []
        self.validation_s3_uris: list[str] = []
        self.row_counts = check_local_datasets(dataset.training_file, dataset.validation_file, rules)
        identity: dict[str, object] = {"kind": dataset.source_kind}
        uris: dict[str, str] = {}
        for role, path in (("training", dataset.training_file), ("validation", dataset.validation_file)):
            if path is not None:
                digest = file_sha256(path)
                uris[role] = self._stage(role, path, digest, storage)
                identity[role] = digest
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
        self.inputs = DatasetInputs(
            training_data_config=self.training_data_config,
            identity=identity,
            validation_s3_uris=tuple(self.validation_s3_uris),
            copies=tuple(self.staging),
        )
        self.fingerprint = self.inputs.fingerprint

    def _stage(self, role: str, path: Path, digest: str, storage: DatasetBucket) -> str:
        """Publish ``path`` as a CDK file asset that the workflow copies into the dataset bucket.

        The target key is ``datasets/<sha256>/<role>.jsonl``: content-addressed, and free of the
        characters the Bedrock API's ``S3Uri`` pattern refuses (whatever the local file is called).
        """
        asset = s3_assets.Asset(self, f"{role.capitalize()}File", path=str(path))
        key = storage.dataset_key(digest, f"{role}.jsonl")
        self.staging.append(
            DatasetCopy(source_bucket=asset.s3_bucket_name, source_key=asset.s3_object_key, target_key=key)
        )
        return storage.bucket.s3_url_for_object(key)
