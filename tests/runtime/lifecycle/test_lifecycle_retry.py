"""The bounded retry wrapper: throttling and 5xx are retried with backoff, everything else is not."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from rft_runtime.lifecycle import retry
from rft_runtime.lifecycle.errors import TransientAwsError


def _error(code: str, status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op"
    )


def _flaky(*failures: Exception):
    calls = []

    def fn(**kwargs):
        calls.append(kwargs)
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return {"ok": True}

    return fn, calls


@pytest.mark.parametrize(
    "failure",
    [
        _error("ThrottlingException"),
        _error("TooManyRequestsException", 429),
        _error("InternalServerException", 500),
        _error("SomethingNew", 503),
        EndpointConnectionError(endpoint_url="https://bedrock.us-east-1.amazonaws.com"),
    ],
    ids=["throttling", "429", "internal", "any-5xx", "connection"],
)
def test_transient_failures_are_retried_with_growing_capped_backoff(failure):
    fn, calls = _flaky(failure, failure, failure, failure)
    sleeps: list[float] = []
    assert retry.call(fn, x=1, sleep=sleeps.append, rand=lambda: 1.0) == {"ok": True}
    assert len(calls) == 5 and calls[0] == {"x": 1}
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


def test_gives_up_after_the_last_attempt_with_a_named_error():
    failure = _error("ThrottlingException")
    fn, calls = _flaky(*[failure] * 5)
    with pytest.raises(TransientAwsError, match="5 attempts: ThrottlingException") as info:
        retry.call(fn, sleep=lambda _s: None)
    assert len(calls) == 5 and info.value.__cause__ is failure


@pytest.mark.parametrize(
    "code", ["ValidationException", "AccessDeniedException", "ServiceQuotaExceededException"]
)
def test_client_errors_are_not_retried(code):
    fn, calls = _flaky(_error(code))
    with pytest.raises(ClientError):
        retry.call(fn, sleep=lambda _s: pytest.fail("must not sleep"))
    assert len(calls) == 1


def test_full_jitter_stays_within_the_cap():
    policy = retry.RetryPolicy(attempts=10, base_seconds=0.5, cap_seconds=8)
    assert all(0 <= policy.delay(n, rand=lambda: 0.999) < 8 for n in range(1, 11))
    assert policy.delay(1, rand=lambda: 0.0) == 0


@pytest.mark.parametrize(
    "code",
    [
        "TooManyUpdates",  # SSM PutParameter on a parameter written too often
        "KmsThrottlingException",  # Step Functions StartExecution/SendTaskSuccess, KMS-encrypted machine
        "KMSThrottlingException",  # SNS Publish (shape name of the same error)
        "KMSThrottling",  # SNS Publish (wire code of KMSThrottlingException)
    ],
)
def test_service_specific_throttling_codes_are_transient(code):
    assert retry.is_transient(_error(code))
    fn, calls = _flaky(_error(code))
    assert retry.call(fn, sleep=lambda _s: None) == {"ok": True} and len(calls) == 2


def test_the_throttling_codes_are_the_ones_the_service_models_declare():
    """Guards against a typo: each code is an error shape of the operation that raises it."""
    session = botocore.session.get_session()

    def codes(service: str, operation: str) -> set[str]:
        model = session.get_service_model(service).operation_model(operation)
        return {shape.metadata.get("error", {}).get("code") or shape.name for shape in model.error_shapes}

    assert "TooManyUpdates" in codes("ssm", "PutParameter") & retry.TRANSIENT_CODES
    for operation in ("StartExecution", "SendTaskSuccess", "StopExecution"):
        assert "KmsThrottlingException" in codes("stepfunctions", operation) & retry.TRANSIENT_CODES
    assert "KMSThrottling" in codes("sns", "Publish") & retry.TRANSIENT_CODES


def test_delay_stays_capped_for_any_attempt_number():
    """``rft wait`` retries until its deadline: hours of failures must not overflow the backoff."""
    policy = retry.RetryPolicy(base_seconds=5, cap_seconds=60)
    assert policy.delay(5000, rand=lambda: 1.0) == 60
