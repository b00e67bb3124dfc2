"""Encryption key and the Bedrock customization service role."""

from bedrock_rft.security.customization_role import CustomizationRole
from bedrock_rft.security.encryption_key import PipelineKey

__all__ = ["CustomizationRole", "PipelineKey"]
