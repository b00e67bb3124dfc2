"""``rft status`` and ``rft wait`` on stubbed clients; the no-credentials message on real boto3."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from lifecycle_fakes import (
    DEPLOYMENT_ARN,
    FP_A,
    aws_env,
    deployment_response,
    details,
    job_arn,
    job_response,
    model_arn,
)

from rft_runtime.cli import main, status
from rft_runtime.lifecycle import names, state

EXEC = "arn:aws:states:us-east-1:123456789012:execution:RftLifecycle:demo-aaaa-1"


@pytest.fixture
def cli(monkeypatch):
    """AWS fakes wired into the CLI; ``sleep`` returns at once."""
    with aws_env(monkeypatch) as env:
        monkeypatch.setattr(status, "make_clients", lambda region: env.clients)
        monkeypatch.setattr("rft_runtime.cli.status.time.sleep", lambda _s: None)
        yield env


def _record(env, phase, **fields):
    env.put_record(
        phase=phase, fingerprint=FP_A, executionArn=EXEC, jobName="rft-demo-x", jobArn=job_arn(),
        startedAt="2026-05-01T08:00:00+00:00", **fields,
    )  # fmt: skip


def _execution(env, status_: str = "RUNNING"):
    env.sfn.add_response(
        "describe_execution",
        {"executionArn": EXEC, "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:M",
         "status": status_, "startDate": datetime(2026, 5, 1, 8, 0, tzinfo=UTC)},
    )  # fmt: skip


def test_status_shows_phase_elapsed_job_details_and_deployment(cli, capsys):
    _record(cli, state.TRAINING, step="training", deploymentArn=DEPLOYMENT_ARN, servingModelArn=model_arn())
    _execution(cli)
    cli.bedrock.add_response(
        "get_model_customization_job",
        job_response("InProgress", statusDetails=details("Completed", "Completed", "InProgress")),
    )
    cli.bedrock.add_response("get_custom_model_deployment", deployment_response("Active"))
    assert main.main(["status", "--pipeline", "demo"]) == 0
    out = capsys.readouterr().out
    assert "TRAINING - training  [running]" in out
    assert "validation Completed | data processing Completed | training InProgress" in out
    assert DEPLOYMENT_ARN in out and "(Active, serving" in out
    assert "elapsed" in out and "since 2026-05-01T08:00:00+00:00" in out


def test_status_json_resolves_the_pipeline_from_the_environment_file(cli, capsys, tmp_path):
    (tmp_path / "dev.toml").write_text('name = "demo"\nregion = "us-east-1"\n')
    _record(cli, state.ACTIVE, deploymentArn=DEPLOYMENT_ARN, endedAt="2026-05-01T12:30:00+00:00")
    _execution(cli, "SUCCEEDED")
    cli.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    cli.bedrock.add_response("get_custom_model_deployment", deployment_response("Active"))
    code = main.main(["status", "--env", "dev", "--environments-dir", str(tmp_path), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["outcome"] == "success" and doc["elapsedSeconds"] == 4.5 * 3600
    assert doc["record"]["deploymentArn"] == DEPLOYMENT_ARN and doc["parameter"] == "/bedrock-rft/demo/state"


def test_status_watch_refreshes_until_the_run_ends(cli, capsys, monkeypatch):
    _record(cli, state.TRAINING)
    _execution(cli)
    cli.bedrock.add_response("get_model_customization_job", job_response("InProgress"))

    def finish(_seconds):
        _record(cli, state.FAILED, failure={"phase": "training", "message": "reward Lambda timed out"})
        _execution(cli, "FAILED")
        cli.bedrock.add_response("get_model_customization_job", job_response("Failed"))

    monkeypatch.setattr("rft_runtime.cli.status.time.sleep", finish)
    assert main.main(["status", "--pipeline", "demo", "--watch", "--interval", "5"]) == 1
    out = capsys.readouterr().out
    assert out.count("--- ") == 2 and "failure      training: reward Lambda timed out" in out


def _wait(cli, *args) -> int:
    return main.main(["wait", "--pipeline", "demo", "--interval", "1", *args])


def test_wait_exits_zero_when_the_model_is_active(cli, capsys, monkeypatch):
    _record(cli, state.DEPLOYING)
    _execution(cli)
    cli.bedrock.add_response("get_model_customization_job", job_response("Completed"))

    def deployed(_seconds):
        _record(cli, state.ACTIVE, deploymentArn=DEPLOYMENT_ARN)
        _execution(cli, "SUCCEEDED")
        cli.bedrock.add_response("get_model_customization_job", job_response("Completed"))
        cli.bedrock.add_response("get_custom_model_deployment", deployment_response("Active"))

    monkeypatch.setattr("rft_runtime.cli.status.time.sleep", deployed)
    assert _wait(cli) == 0
    captured = capsys.readouterr()
    assert "DEPLOYING" in captured.err and "ACTIVE" in captured.err and "ACTIVE  [success]" in captured.out


EVALUATING_STEP = (
    f"evaluating up to 200 validation prompts x 1 sample against the serving deployment {DEPLOYMENT_ARN}"
)


def _evaluating(cli, step=EVALUATING_STEP):
    """A run in its promotion gate: the job completed, the old model still serves."""
    _record(cli, state.EVALUATING, step=step, jobStatus="Completed", modelArn=model_arn(),
            deploymentArn=DEPLOYMENT_ARN, servingModelArn=model_arn("f" * 64))  # fmt: skip
    _execution(cli)
    cli.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    cli.bedrock.add_response(
        "get_custom_model_deployment", deployment_response("Active", model_arn("f" * 64))
    )


def test_status_shows_a_run_in_its_promotion_gate_as_evaluating_in_text_and_json(cli, capsys):
    _evaluating(cli)
    assert main.main(["status", "--pipeline", "demo"]) == 0
    out = capsys.readouterr().out
    assert f"EVALUATING - {EVALUATING_STEP}  [running]" in out
    assert f"(Active, serving {model_arn('f' * 64)})" in out  # the old model serves meanwhile
    _evaluating(cli)
    assert main.main(["status", "--pipeline", "demo", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["outcome"], doc["phase"], doc["failure"]) == ("running", state.EVALUATING, None)
    assert doc["record"]["step"] == EVALUATING_STEP


@pytest.mark.parametrize(
    "ending, code", [(state.ACTIVE, 0), (state.REJECTED, 1)], ids=["promoted", "rejected"]
)
def test_wait_keeps_waiting_through_the_gate_until_its_outcome(cli, capsys, monkeypatch, ending, code):
    _evaluating(cli, "creating the candidate deployment rft-demo-candidate-aaaaaaaa0123")
    steps = iter([EVALUATING_STEP, "deciding"])

    def later(_seconds):
        step = next(steps, None)
        if step is not None:
            _evaluating(cli, step)
            return
        _record(cli, ending, deploymentArn=DEPLOYMENT_ARN)
        _execution(cli, "SUCCEEDED")
        cli.bedrock.add_response("get_model_customization_job", job_response("Completed"))
        cli.bedrock.add_response("get_custom_model_deployment", deployment_response("Active"))

    monkeypatch.setattr("rft_runtime.cli.status.time.sleep", later)
    assert _wait(cli) == code
    err = capsys.readouterr().err
    shown = [line.split(" demo ", 1)[1] for line in err.splitlines() if line.startswith("rft wait: demo ")]
    assert shown == [
        "EVALUATING - creating the candidate deployment rft-demo-candidate-aaaaaaaa0123 (running)",
        f"EVALUATING - {EVALUATING_STEP} (running)",
        "EVALUATING - deciding (running)",
        f"{ending} ({'success' if code == 0 else 'failure'})",
    ]


def test_wait_exits_zero_for_a_trained_model_with_deployment_mode_none(cli):
    _record(cli, state.TRAINED, deploymentMode="none", modelArn=model_arn())
    _execution(cli, "SUCCEEDED")
    cli.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    assert _wait(cli) == 0


def test_wait_exits_one_on_failure(cli, capsys):
    _record(cli, state.FAILED, failure={"phase": "data processing", "message": "row 7"})
    _execution(cli, "FAILED")
    cli.bedrock.add_response("get_model_customization_job", job_response("Failed"))
    assert _wait(cli) == 1
    assert "data processing: row 7" in capsys.readouterr().out


def test_wait_treats_a_workflow_that_ended_without_publishing_as_failed(cli, capsys):
    _record(cli, state.TRAINING)
    _execution(cli, "ABORTED")
    cli.bedrock.add_response("get_model_customization_job", job_response("Stopping"))
    assert _wait(cli) == 1
    assert "workflow ABORTED without publishing" in capsys.readouterr().out


def test_wait_times_out_with_exit_three(cli, monkeypatch):
    clock = iter([0.0, 30.0, 61.0, 200.0])
    monkeypatch.setattr("rft_runtime.cli.wait.time.monotonic", lambda: next(clock))
    monkeypatch.setattr("rft_runtime.cli.wait.time.sleep", lambda _s: None)
    for _ in range(2):
        _record(cli, state.TRAINING)
        _execution(cli)
        cli.bedrock.add_response("get_model_customization_job", job_response("InProgress"))
    assert _wait(cli, "--timeout-minutes", "1") == 3


def test_missing_pipeline_and_bad_environment_files_are_usage_errors(cli, capsys, tmp_path):
    cli.clients.ssm.delete_parameter(Name=names.state_parameter_name("demo"))
    assert main.main(["status", "--pipeline", "demo"]) == 2
    assert "no state parameter" in capsys.readouterr().out
    assert main.main(["wait", "--env", "nope", "--environments-dir", str(tmp_path)]) == 2
    assert "nope.toml: no such environment file" in capsys.readouterr().err
    (tmp_path / "x.toml").write_text('region = "us-east-1"\n')
    assert main.main(["status", "--env", "x", "--environments-dir", str(tmp_path)]) == 2
    assert "key `name`" in capsys.readouterr().err


def test_no_credentials_gives_one_line_and_exit_two(capsys):
    """Real boto3 with no credentials (the suite points AWS config at nothing)."""
    assert main.main(["status", "--pipeline", "demo", "--region", "us-east-1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rft: no AWS credentials found") and "\n" not in err


def test_an_unknown_profile_is_a_usage_problem_not_an_unknown_outcome(capsys, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    assert main.main(["status", "--pipeline", "demo", "--region", "us-east-1"]) == 2
    assert capsys.readouterr().err.startswith("rft: AWS credentials unusable")


# --- --fingerprint (review finding 3) -----------------------------------------------------------

FP_NEW = "f" * 12 + "0123456789abcdef" * 3 + "e" * 4


def test_wait_with_fingerprint_ignores_the_previous_runs_outcome(cli, capsys, monkeypatch):
    """``cdk deploy && rft wait``: the record still shows the previous run ACTIVE (the new run has
    not recorded its start); with --fingerprint that is not success."""
    _record(cli, state.ACTIVE, deploymentArn=DEPLOYMENT_ARN)
    _execution(cli, "SUCCEEDED")
    cli.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    cli.bedrock.add_response("get_custom_model_deployment", deployment_response("Active"))
    checks = []

    def new_run_done(_seconds):
        checks.append(1)
        cli.put_record(phase=state.FAILED, fingerprint=FP_NEW, failure={"phase": "preflight", "message": "x"})

    monkeypatch.setattr("rft_runtime.cli.status.time.sleep", new_run_done)
    assert _wait(cli, "--fingerprint", FP_NEW[:12].upper()) == 1  # the new run's failure, not old success
    captured = capsys.readouterr()
    assert checks == [1]
    assert f"waiting for run {FP_NEW[:12]} to start (the state shows run {FP_A[:12]}, ACTIVE)" in captured.err
    assert "preflight: x" in captured.out


def test_wait_with_the_full_fingerprint_of_the_recorded_run_judges_at_once(cli):
    _record(cli, state.ACTIVE, deploymentArn=DEPLOYMENT_ARN)
    _execution(cli, "SUCCEEDED")
    cli.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    cli.bedrock.add_response("get_custom_model_deployment", deployment_response("Active"))
    assert _wait(cli, "--fingerprint", FP_A) == 0


def test_status_with_fingerprint_of_a_run_not_started_is_pending(cli, capsys):
    _record(cli, state.FAILED, failure={"phase": "training", "message": "old failure"})
    _execution(cli, "FAILED")
    cli.bedrock.add_response("get_model_customization_job", job_response("Failed"))
    assert main.main(["status", "--pipeline", "demo", "--fingerprint", FP_NEW, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["outcome"] == "pending" and doc["failure"] is None and doc["expectedFingerprint"] == FP_NEW


@pytest.mark.parametrize("value", ["abc123", "g" * 12, "a" * 65])
def test_a_bad_fingerprint_is_a_usage_error(cli, capsys, value):
    assert main.main(["wait", "--pipeline", "demo", "--fingerprint", value]) == 2
    assert "12 to 64 hex digits" in capsys.readouterr().err
