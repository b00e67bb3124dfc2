"""Inject AWS failures into real (moto- or Stubber-backed) boto3 clients (imported as ``aws_faults``).

A ``before-call`` handler registered first (on the wildcard event, as the Stubber's is: botocore
calls wildcard handlers before specific ones) answers the call before moto or the Stubber does:
either with an error response (botocore raises the modelled ``ClientError``, as for a real service
answer) or by raising a botocore exception (e.g. ``EndpointConnectionError``). Only the first
``times`` calls fail; later calls go through untouched.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


def fail_calls(client: Any, operation: str, failure: str | Exception, *, status: int = 400, times: int = 1):
    """Make the next ``times`` calls of ``operation`` (e.g. ``"PutParameter"``) fail with the error
    code ``failure`` (HTTP ``status``) or raise the exception ``failure``. Returns the list of
    failed calls' parameters (its length is how many failed)."""
    failed: list[dict[str, Any]] = []

    def answer(model: Any, params: dict[str, Any], **_: Any):
        if model.name != operation or len(failed) >= times:
            return None
        failed.append(params)
        if isinstance(failure, Exception):
            raise failure
        parsed = {
            "Error": {"Code": failure, "Message": f"injected {failure}"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        return SimpleNamespace(status_code=status, headers={}, content=b""), parsed

    client.meta.events.register_first("before-call.*.*", answer)
    return failed
