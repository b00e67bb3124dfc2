"""Shell commands of the delivery pipeline's CodeBuild steps: the pinned toolchain and ``rft wait``.

Kept apart from the construct so tests read them as text, and so each rule lives in one place.
"""

from __future__ import annotations

import shlex

from bedrock_rft.delivery.config import WAIT_SETUP_MINUTES, StageConfig

#: Python and Node versions of the CodeBuild image's runtimes (the project's CI versions).
RUNTIME_VERSIONS = {"python": "3.11", "nodejs": "20"}
#: The app that ``cdk synth`` runs in the synth step: the delivery pipeline and its stages.
DELIVERY_APP = "delivery_app.py"
#: The pinned CLI, from ``node_modules`` only: never npm's ``latest``.
CDK = "npx --no-install cdk"
#: The exit code of ``rft wait`` when its ``--timeout-minutes`` passed first.
WAIT_TIMEOUT_EXIT = 3

_PIP = ".venv/bin/python -m pip install --quiet --disable-pip-version-check"


def install_commands() -> list[str]:
    """Install exactly the pinned toolchain: ``requirements.txt`` into ``.venv`` (where ``cdk.json``
    runs the app), this project without extra dependencies, and the CLI from ``package-lock.json``."""
    return [
        "python -m venv .venv",
        f"{_PIP} -r requirements.txt",
        f"{_PIP} --no-deps -e .",
        "npm ci --no-audit --no-fund --loglevel=error",
    ]


def synth_commands() -> list[str]:
    """Synthesize the delivery app into ``cdk.out`` with the pinned CLI (no lookups: none are needed)."""
    return [f'{CDK} synth --no-notices --app ".venv/bin/python {DELIVERY_APP}"']


def wait_commands(stage: StageConfig, environments_dir: str) -> list[str]:
    """Wait for the stage's run (``$FINGERPRINT``, from the stack output) with the wait role
    (``$WAIT_ROLE_ARN``); on a timeout, say that the build's limit was reached and how to resume."""
    minutes = stage.wait_timeout_minutes - WAIT_SETUP_MINUTES
    wait = shlex.join(
        [
            ".venv/bin/rft",
            "wait",
            "--env",
            stage.environment,
            "--environments-dir",
            environments_dir,
            "--timeout-minutes",
            str(minutes),
        ]
    )
    message = (
        f"training of run ${{FINGERPRINT:0:12}} is still running after {minutes} minutes, the time "
        f"limit of this build (wait_timeout_minutes = {stage.wait_timeout_minutes} for "
        f"{stage.environment}). Nothing is lost: release the change again (Release change, or Retry "
        "this stage) to keep waiting. The stack is unchanged, so the run keeps its fingerprint and "
        "its job name (pipeline name + fingerprint): the running job is adopted, not retrained."
    )
    return [
        "python -m venv .venv",
        f"{_PIP} -r requirements.txt",
        f"{_PIP} --no-deps .",
        'aws configure set profile.rft-wait.role_arn "$WAIT_ROLE_ARN"',
        "aws configure set profile.rft-wait.credential_source EcsContainer",
        f'status=0; AWS_PROFILE=rft-wait {wait} --fingerprint "$FINGERPRINT" || status=$?; '
        f'if [ "$status" -eq {WAIT_TIMEOUT_EXIT} ]; then echo "rft wait: {message}" >&2; fi; '
        'exit "$status"',
    ]
