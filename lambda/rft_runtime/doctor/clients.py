"""The AWS clients ``rft doctor`` uses: made on first use, per service and Region."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class DoctorClients:
    """``clients.get(service, region)``: given clients first (tests pass Stubber-backed ones, keyed
    by service or by ``(service, region)``), else ``factory(service, region)`` once per pair."""

    def __init__(self, factory: Callable[[str, str], Any] | None = None, **given: Any) -> None:
        self._factory = factory
        self._made: dict[tuple[str, str | None], Any] = {
            (k.replace("_", "-"), None): v for k, v in given.items()
        }

    def add(self, service: str, region: str, client: Any) -> None:
        """Use ``client`` for ``service`` in ``region``."""
        self._made[(service, region)] = client

    def get(self, service: str, region: str) -> Any:
        """The ``service`` client for ``region`` (a given one for any Region when no pair matches)."""
        for key in ((service, region), (service, None)):
            if key in self._made:
                return self._made[key]
        if self._factory is None:
            raise LookupError(f"no {service} client for {region} was given")
        client = self._made[(service, region)] = self._factory(service, region)
        return client


def boto3_factory(service: str, region: str) -> Any:
    """A boto3 client with botocore's default retries (imported lazily)."""
    import boto3

    return boto3.client(service, region_name=region)
