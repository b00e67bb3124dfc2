"""Lambda functions that run this package's ``rft_runtime`` code, configured one way for all."""

from bedrock_rft.compute.runtime_function import RUNTIME, RuntimeFunction

__all__ = ["RUNTIME", "RuntimeFunction"]
