"""The grader's side of the runner function: one synchronous invoke per job, never an exception."""

from __future__ import annotations

import io
import json

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.sandbox import Limits, Run, call, run_code
from rft_runtime.rewards.templates.code_tests import code_runner
from rft_runtime.runner.client import MAX_RESPONSE_BYTES, RemoteRunner
from rft_runtime.runner.handler import handler


def _client():
    return boto3.client("lambda", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def _payload(raw: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(raw), len(raw))


def _invoke(answer: dict, *, code="def f():\n    return 1", calls=None, limits=None):
    client = _client()
    stubber = Stubber(client)
    event = {"code": code, "calls": calls or [call("f")], "limits": (limits or Limits())._asdict()}
    stubber.add_response(
        "invoke",
        answer,
        {"FunctionName": "runner", "Payload": json.dumps(event).encode()},
    )
    with stubber:
        run = RemoteRunner("runner", client)(code, calls=calls or [call("f")], limits=limits)
    stubber.assert_no_pending_responses()
    return run


def test_a_report_comes_back_as_a_checked_run():
    report = {"error": None, "load": "O", "results": [{"v": 1}]}
    run = _invoke({"StatusCode": 200, "Payload": _payload(json.dumps(report).encode())})
    assert run == Run(None, "O", [{"v": 1}])


@pytest.mark.parametrize(
    ("answer", "tag"),
    [
        ({"StatusCode": 200, "FunctionError": "Unhandled", "Payload": _payload(b"{}")}, "runner-error"),
        ({"StatusCode": 200, "Payload": _payload(b"not json")}, "runner-error"),
        ({"StatusCode": 200, "Payload": _payload(b" " * (MAX_RESPONSE_BYTES + 1))}, "runner-error"),
        (
            {"StatusCode": 200, "Payload": _payload(b'{"error": "timeout", "load": "", "results": []}')},
            "timeout",
        ),
        ({"StatusCode": 200, "Payload": _payload(b'{"load": "O", "results": [1]}')}, "crash"),
    ],
)
def test_failures_become_tags(answer, tag):
    assert _invoke(answer).error == tag


def test_an_invoke_that_raises_is_a_tag():
    client = _client()
    with Stubber(client) as stubber:
        stubber.add_client_error("invoke", "TooManyRequestsException")
        assert RemoteRunner("runner", client)("x = 1").error == "runner-error"


def test_the_stack_setting_selects_the_runner_function():
    assert code_runner({}) is run_code
    remote = code_runner({"RFT_CODE_RUNNER_FUNCTION": "rft-runner"})
    assert isinstance(remote, RemoteRunner) and remote.function_name == "rft-runner"
    grader = catalogue.template_module("code_tests").Grader(
        catalogue.parse("code_tests", {}), environ={"RFT_CODE_RUNNER_FUNCTION": "rft-runner"}
    )
    assert isinstance(grader._run, RemoteRunner)


def test_the_handler_refuses_a_malformed_event(tmp_path, monkeypatch):
    monkeypatch.setenv("RFT_RUNNER_SCRATCH", str(tmp_path))
    assert handler({}) == {"error": "bad-request", "load": "", "results": []}
    assert handler({"code": "x = 1", "limits": {"wall_seconds": "soon"}})["error"] == "bad-request"
