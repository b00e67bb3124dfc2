"""Lambda code assets built from this package's ``rft_runtime`` (no Docker, deterministic hashes)."""

from bedrock_rft.assets.runtime_code import BOTOCORE_SERVICES, VENDORED_MODULES, runtime_code, runtime_files

__all__ = ["BOTOCORE_SERVICES", "VENDORED_MODULES", "runtime_code", "runtime_files"]
