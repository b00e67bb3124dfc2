"""Bounded retries with full-jitter exponential backoff for AWS calls.

botocore's own retries are switched off in the lifecycle clients (see ``handlers.client_config``)
so the retry policy lives in one place and is testable with botocore's Stubber, which bypasses
botocore retries anyway. What is retried: throttling, 5xx/internal errors and connection errors.
Everything else propagates at once. After the last attempt a :class:`TransientAwsError` is raised,
which the workflow's Retry clause retries again on a minutes scale.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from rft_runtime.lifecycle.errors import TransientAwsError

T = TypeVar("T")

#: Error codes treated as transient in addition to any HTTP 5xx status. Besides the generic ones:
#: SSM ``TooManyUpdates`` (PutParameter on a parameter written too often), Step Functions
#: ``KmsThrottlingException`` (StartExecution, SendTaskSuccess, ... on a KMS-encrypted state
#: machine) and SNS ``KMSThrottling``/``KMSThrottlingException`` (Publish to a KMS-encrypted topic:
#: the wire code and the shape name of the same error).
TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "TooManyUpdates",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "RequestThrottled",
        "SlowDown",
        "KmsThrottlingException",
        "KMSThrottlingException",
        "KMSThrottling",
        "InternalServerException",
        "InternalServerError",
        "InternalFailure",
        "InternalError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry. Defaults: 5 attempts, 0.5 s base, 8 s cap per sleep.

    The worst case sleeps about 15 s in total, far inside every lifecycle Lambda's timeout.
    """

    attempts: int = 5
    base_seconds: float = 0.5
    cap_seconds: float = 8.0

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Sleep before retry number ``attempt`` (1-based): full jitter of min(cap, base*2^(n-1))."""
        # the exponent is bounded: callers that retry until a deadline pass any attempt number
        return rand() * min(self.cap_seconds, self.base_seconds * 2 ** min(attempt - 1, 32))


DEFAULT_POLICY = RetryPolicy()


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ``ClientError`` (empty string for anything else)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def is_transient(exc: BaseException) -> bool:
    """True for throttling, 5xx and connection errors."""
    if isinstance(exc, ConnectionError | HTTPClientError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return error_code(exc) in TRANSIENT_CODES or int(status) >= 500
    return False


def call(
    fn: Callable[..., T],
    /,
    *args: object,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], None] | None = None,
    rand: Callable[[], float] | None = None,
    **kwargs: object,
) -> T:
    """Call ``fn(*args, **kwargs)``, retrying transient failures per ``policy``.

    ``sleep`` and ``rand`` default to ``time.sleep`` and ``random.random`` (looked up per call).

    Raises the original exception when it is not transient, or :class:`TransientAwsError` (chained
    to the last failure) when every attempt failed transiently.
    """
    for attempt in range(1, policy.attempts + 1):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if not is_transient(exc):
                raise
            if attempt == policy.attempts:
                name = getattr(fn, "__name__", "call")
                raise TransientAwsError(
                    f"{name} still failing after {policy.attempts} attempts: {error_code(exc) or exc}"
                ) from exc
            (sleep or time.sleep)(policy.delay(attempt, rand or random.random))
    raise AssertionError("unreachable")  # pragma: no cover
