"""The workflow's actions. Each takes the step's input (a dict), the clients and the settings, and
returns the small dict the state machine stores (``$.preflight``, ``$.job``, ``$.deployment``,
``$.published``, ``$.failure``).

Order in the workflow: ``preflight`` (objects, grader probe) -> ``start_job`` -> (``check_job`` ->
``await_job_event``)* -> (``reconcile_deployment`` -> Wait)* -> ``publish_success``; any failure ->
``publish_failure``. With ``promote_from``, ``adopt_model`` (repeated) replaces the job's steps
(:mod:`rft_runtime.lifecycle.adoption`).
Expected outcomes (job Failed/Stopped, deployment Failed) are *returned*, the state machine routes
them; unexpected ones are *raised* with the class names of :mod:`rft_runtime.lifecycle.errors`.

This module dispatches; the steps live in :mod:`.preflight`, :mod:`.training_job`,
:mod:`.deployment` and :mod:`.publish`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rft_runtime.lifecycle import adoption
from rft_runtime.lifecycle.deployment import reconcile_deployment
from rft_runtime.lifecycle.errors import InvalidRequest
from rft_runtime.lifecycle.preflight import preflight
from rft_runtime.lifecycle.publish import publish_failure, publish_success
from rft_runtime.lifecycle.settings import Settings
from rft_runtime.lifecycle.spec import RunSpec
from rft_runtime.lifecycle.training_job import await_job_event, check_job, start_job

ACTIONS = (
    "preflight",
    "start_job",
    "adopt_model",
    "check_job",
    "await_job_event",
    "reconcile_deployment",
    "publish_success",
    "publish_failure",
)


def run_action(event: Mapping[str, Any], clients: Any, settings: Settings) -> dict[str, Any]:
    """Dispatch one workflow step: ``event["action"]`` names it; ``event["spec"]`` is the run spec."""
    action = event.get("action")
    if action not in ACTIONS:
        raise InvalidRequest(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
    spec = RunSpec.from_dict(event.get("spec") or {})
    execution_arn = str(event.get("executionArn", ""))
    execution_started = str(event.get("executionStartTime", ""))
    job = event.get("job") or {}
    if action == "preflight":
        return preflight(spec, clients)
    if action == "start_job":
        return start_job(spec, clients, settings, execution_arn, execution_started)
    if action == "adopt_model":
        started = (execution_arn, execution_started)
        return adoption.adopt_model(spec, job, clients, settings, execution=started)
    if action == "check_job":
        return check_job(spec, job, clients, settings, execution_arn)
    if action == "await_job_event":
        return await_job_event(job, str(event.get("taskToken", "")), clients, settings)
    if action == "reconcile_deployment":
        return reconcile_deployment(
            spec, job, event.get("deployment") or {}, clients, settings, execution_arn
        )
    if action == "publish_success":
        return publish_success(
            spec,
            job,
            event.get("deployment") or {},
            clients,
            settings,
            execution_arn,
            event.get("evaluation"),
        )
    return publish_failure(spec, event, clients, settings, execution_arn, execution_started)
