"""The KMS-encrypted dataset bucket and its access-log bucket."""

from bedrock_rft.storage.dataset_bucket import DATASETS_PREFIX, OUTPUT_PREFIX, DatasetBucket

__all__ = ["DATASETS_PREFIX", "OUTPUT_PREFIX", "DatasetBucket"]
