"""Grader pre-flight: a check that cannot be made fails the run; only a transient failure is unchecked."""

from __future__ import annotations

import shutil
from pathlib import Path

import botocore
import botocore.session
import pytest
from botocore.loaders import Loader
from lifecycle_fakes import make_spec

from rft_runtime.lifecycle import steps
from rft_runtime.lifecycle.clients import Clients
from rft_runtime.lifecycle.errors import PreflightFailed


def _clients_without_the_lambda_model(aws, tmp_path) -> Clients:
    """Clients whose ``lambda_`` comes from a botocore that has only its top-level data files, as the
    lifecycle asset had before ``lambda`` joined its services: creating it raises UnknownServiceError."""
    data = Path(botocore.__file__).parent / "data"
    for name in ("endpoints.json", "partitions.json", "_retry.json", "sdk-default-configuration.json"):
        shutil.copy(data / name, tmp_path / name)
    session = botocore.session.Session()
    session.register_component(
        "data_loader", Loader(extra_search_paths=[str(tmp_path)], include_default_search_paths=False)
    )
    given = {name: getattr(aws.clients, name) for name in ("bedrock", "s3", "ssm", "sns", "events", "sfn")}
    return Clients(lambda service: session.create_client(service, region_name="us-east-1"), **given)


def test_a_grader_check_without_a_lambda_client_fails_preflight_never_unchecked(aws, put_objects, tmp_path):
    put_objects("datasets/train.jsonl", "datasets/val.jsonl")
    clients = _clients_without_the_lambda_model(aws, tmp_path)
    with pytest.raises(PreflightFailed, match=r"cannot create the Lambda client .*UnknownServiceError"):
        steps.preflight(make_spec(), clients)
    aws.verify()  # and no Bedrock call was made


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("AccessDeniedException", 403),
        ("ResourceNotFoundException", 404),
        ("InvalidParameterValueException", 400),
    ],
)
def test_a_grader_invocation_refused_for_good_fails_preflight(aws, put_objects, code, status):
    put_objects("datasets/train.jsonl", "datasets/val.jsonl")
    aws.lambda_.add_client_error("invoke", code, "refused", status)
    with pytest.raises(PreflightFailed, match=rf"cannot invoke reward function .*{code}"):
        steps.preflight(make_spec(), aws.clients)
    aws.verify()


def test_a_grader_invocation_failing_on_a_5xx_is_reported_unchecked(aws, put_objects):
    put_objects("datasets/train.jsonl", "datasets/val.jsonl")
    aws.lambda_.add_client_error("invoke", "ServiceException", "down", 500)
    grader = steps.preflight(make_spec(), aws.clients)["grader"]
    assert grader["checked"] is False and "ServiceException" in grader["note"]
