"""The AWS clients the lifecycle code uses, created on first use.

Tests pass Stubber- or moto-backed clients by keyword; Lambda handlers pass a factory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.config import Config

#: attribute name -> boto3 service name
SERVICES = {
    "bedrock": "bedrock",
    "s3": "s3",
    "ssm": "ssm",
    "sns": "sns",
    "events": "events",
    "sfn": "stepfunctions",
    "lambda_": "lambda",
}


def client_config() -> Config:
    """botocore retries off (``retry.call`` owns the policy), short connect and read timeouts."""
    return Config(
        retries={"mode": "standard", "total_max_attempts": 1},
        connect_timeout=5,
        read_timeout=30,
        user_agent_extra="bedrock-rft-cdk",
    )


class Clients:
    """``clients.bedrock``, ``.s3``, ``.ssm``, ``.sns``, ``.events``, ``.sfn``, ``.lambda_``: given
    ones first, else made by ``factory(service_name)`` on first access."""

    def __init__(self, factory: Callable[[str], Any] | None = None, **given: Any) -> None:
        unknown = sorted(set(given) - set(SERVICES))
        if unknown:
            raise TypeError(f"unknown clients {unknown}; known: {sorted(SERVICES)}")
        self._made: dict[str, Any] = dict(given)
        self._factory = factory

    def __getattr__(self, name: str) -> Any:
        if name not in SERVICES:
            raise AttributeError(name)
        made = self.__dict__["_made"]
        if name not in made:
            factory = self.__dict__["_factory"]
            if factory is None:
                raise AttributeError(f"no {name} client was given")
            made[name] = factory(SERVICES[name])
        return made[name]


def boto3_factory(region: str | None = None) -> Callable[[str], Any]:
    """Factory making boto3 clients with :func:`client_config` (imports boto3 lazily)."""

    def make(service: str) -> Any:
        import boto3

        return boto3.client(service, region_name=region, config=client_config())

    return make
