"""What a training job trains on, as a value: the API members plus the identity of the content.

:class:`TrainingData` builds a :class:`DatasetInputs` (attribute ``inputs``); ``RftLifecycle``
takes it and derives the run's fingerprint and its readable training inputs from it, so no caller
computes a hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Identity keys that stand for a local file's content (their value is its hex SHA-256).
_CONTENT_KEYS = {"training": "dataset.training", "validation": "dataset.validation"}
#: Identity keys that stand for data outside the stack (their value is shown as it is).
_SOURCE_KEYS = {
    "training_s3_uri": "dataset.training",
    "invocation_logs": "dataset.training",
    "validation_s3_uri": "dataset.validation",
}


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


@dataclass(frozen=True, kw_only=True)
class DatasetInputs:
    """The training (and validation) data of a job.

    Keyword arguments:
        training_data_config: the API's ``trainingDataConfig`` (``{"s3Uri": ...}`` or
            ``{"invocationLogsConfig": {...}}``); values may be CDK tokens. Required.
        identity: what identifies the data, literal values only (no tokens): ``kind`` (``"file"``,
            ``"s3"`` or ``"invocation_logs"``), and ``training`` / ``validation`` (hex SHA-256 of a
            local file's bytes), ``training_s3_uri`` / ``validation_s3_uri`` (an object outside the
            stack; add its version to the URI text to pin it) or ``invocation_logs`` (the API form
            of the log source). Required.
        validation_s3_uris: the validators' ``s3://`` URIs (up to 10). Default: none.
        copies: server-side copies from CDK file assets to content-addressed keys of the dataset
            bucket, made once before the job. Default: none.
    """

    training_data_config: Mapping[str, Any]
    identity: Mapping[str, Any]
    validation_s3_uris: Sequence[str] = ()
    copies: Sequence[DatasetCopy] = field(default=())

    @property
    def fingerprint(self) -> str:
        """Hex SHA-256 of :attr:`identity` (canonical JSON): the data's part of the run fingerprint."""
        canonical = json.dumps(dict(self.identity), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def described(self) -> dict[str, Any]:
        """The identity as training-input names: ``dataset.source``, ``dataset.training`` and
        ``dataset.validation`` (``sha256:<hex>`` for a local file, else the source as given)."""
        described: dict[str, Any] = {}
        for key, value in sorted(self.identity.items()):
            if key == "kind":
                described["dataset.source"] = value
            elif key in _CONTENT_KEYS:
                described[_CONTENT_KEYS[key]] = f"sha256:{value}"
            elif key in _SOURCE_KEYS:
                described[_SOURCE_KEYS[key]] = value
            else:
                described[f"dataset.{key}"] = value
        return described
