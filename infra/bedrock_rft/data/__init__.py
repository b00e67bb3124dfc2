"""Training data into the stack: synth-time validation, content-addressed upload, other sources."""

from bedrock_rft.data.errors import DatasetError
from bedrock_rft.data.inputs import DatasetCopy, DatasetInputs
from bedrock_rft.data.training_data import TrainingData
from bedrock_rft.data.validation import DatasetRules, check_local_datasets, file_sha256

__all__ = [
    "DatasetCopy",
    "DatasetError",
    "DatasetInputs",
    "DatasetRules",
    "TrainingData",
    "check_local_datasets",
    "file_sha256",
]
