"""The isolated VPC the customization job and the Lambdas run in."""

from bedrock_rft.network.isolated_vpc import IsolatedVpc

__all__ = ["IsolatedVpc"]
