"""``rft wait`` and ``rft status`` when AWS misbehaves: transient errors are ridden out until the
deadline, other AWS errors end with one line and exit 4 (never 1, which means the run failed)."""

from __future__ import annotations

import itertools

import pytest
from aws_faults import fail_calls
from botocore.exceptions import EndpointConnectionError, ParamValidationError
from lifecycle_fakes import DEPLOYMENT_ARN, aws_env, deployment_response, job_response
from test_lifecycle_cli import _execution, _record

from rft_runtime.cli import main, status
from rft_runtime.lifecycle import state

ENDPOINT_DOWN = EndpointConnectionError(endpoint_url="https://ssm.us-east-1.amazonaws.com/")


@pytest.fixture
def cli(monkeypatch):
    """AWS fakes wired into the CLI; sleeps are recorded and return at once."""
    with aws_env(monkeypatch) as env:
        monkeypatch.setattr(status, "make_clients", lambda region: env.clients)
        monkeypatch.setattr("rft_runtime.cli.status.time.sleep", env.sleeps.append)
        yield env


def _active(env) -> None:
    _record(env, state.ACTIVE, deploymentArn=DEPLOYMENT_ARN)
    _execution(env, "SUCCEEDED")
    env.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    env.bedrock.add_response("get_custom_model_deployment", deployment_response("Active"))


def _wait(*args: str) -> int:
    return main.main(["wait", "--pipeline", "demo", "--interval", "60", *args])


@pytest.mark.parametrize(
    ("failure", "status_code"),
    [("ThrottlingException", 400), ("InternalServerError", 500), (ENDPOINT_DOWN, 0)],
    ids=["throttled", "5xx", "endpoint-unreachable"],
)
def test_wait_rides_out_transient_errors_with_backoff(cli, capsys, failure, status_code):
    _active(cli)
    failed = fail_calls(cli.clients.ssm, "GetParameter", failure, status=status_code or 400, times=3)
    assert _wait() == 0
    captured = capsys.readouterr()
    assert len(failed) == 3 and len(cli.sleeps) == 3
    assert all(0 <= pause <= 60 for pause in cli.sleeps)
    assert captured.err.count("retrying in") == 3 and "Traceback" not in captured.err
    assert "ACTIVE  [success]" in captured.out


def test_wait_times_out_with_exit_three_when_aws_keeps_failing(cli, capsys, monkeypatch):
    clock = itertools.count(0.0, 30.0)
    monkeypatch.setattr("rft_runtime.cli.wait.time.monotonic", lambda: next(clock))
    failed = fail_calls(cli.clients.ssm, "GetParameter", "ThrottlingException", times=100)
    assert _wait("--timeout-minutes", "1") == 3
    err = capsys.readouterr().err
    assert len(failed) == 2 and "ThrottlingException" in err and "timed out after 1 minutes" in err


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        ("AccessDeniedException", "AWS refused the request: AccessDeniedException"),
        (ParamValidationError(report="bad name"), "AWS request failed: Parameter validation failed"),
    ],
    ids=["client-error", "botocore-error"],
)
def test_wait_ends_other_aws_errors_with_one_line_and_exit_four(cli, capsys, failure, expected):
    fail_calls(cli.clients.ssm, "GetParameter", failure)
    assert _wait() == status.EXIT_AWS == 4
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"rft: {expected}") and "\n" not in err and cli.sleeps == []


def test_status_reports_a_transient_error_once_without_watch(cli, capsys):
    fail_calls(cli.clients.ssm, "GetParameter", ENDPOINT_DOWN)
    assert main.main(["status", "--pipeline", "demo"]) == 4
    err = capsys.readouterr().err.strip()
    assert err.startswith("rft: AWS request failed: Could not connect") and "\n" not in err


def test_status_watch_rides_out_transient_errors(cli, capsys):
    _active(cli)
    fail_calls(cli.clients.ssm, "GetParameter", "ThrottlingException", times=2)
    assert main.main(["status", "--pipeline", "demo", "--watch"]) == 0
    assert capsys.readouterr().err.count("retrying in") == 2


def test_an_unreachable_step_functions_endpoint_is_a_note_not_a_crash(cli, capsys):
    _record(cli, state.ACTIVE, deploymentArn=DEPLOYMENT_ARN)
    _execution(cli)  # queued for the Stubber's order check; the injected failure answers first
    fail_calls(cli.clients.sfn, "DescribeExecution", ENDPOINT_DOWN)
    cli.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    cli.bedrock.add_response("get_custom_model_deployment", deployment_response("Active"))
    assert main.main(["status", "--pipeline", "demo"]) == 0
    assert "note         execution: Could not connect to the endpoint URL" in capsys.readouterr().out
