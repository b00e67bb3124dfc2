"""Lambda entry points of the promotion gate. Each delegates at once.

- ``gate_handler``: the workflow's gate steps, ``event["action"]`` one of :data:`ACTIONS`
  (``reconcile_candidate``, ``find_incumbent``, ``summarise``, ``publish_rejected``,
  ``remove_candidate``). The first three publish phase ``EVALUATING`` with what they do
  (:mod:`rft_runtime.promotion.progress`).
- ``batch_handler``: one batch of the evaluation Distributed Map
  (:func:`rft_runtime.promotion.batch.evaluate_batch`).

Clients are made once per container (``rft_runtime.lifecycle.clients``, botocore retries off,
``retry.call`` owns them); Converse gets its own ``bedrock-runtime`` client with a long read timeout.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

from rft_runtime.evaluation import converse
from rft_runtime.lifecycle import state
from rft_runtime.lifecycle.clients import Clients, boto3_factory
from rft_runtime.lifecycle.errors import InvalidRequest
from rft_runtime.lifecycle.settings import Settings
from rft_runtime.lifecycle.spec import RunSpec
from rft_runtime.promotion import batch, candidate, gate, incumbent, outcome, progress

ACTIONS = ("reconcile_candidate", "find_incumbent", "summarise", "publish_rejected", "remove_candidate")
#: Converse calls one batch makes at a time: a full batch (16 calls) runs in 4 waves, so each call
#: may take about 3.5 minutes inside the 15-minute function (one after another it was 55 s, too
#: little for long reasoning answers). With the Map's 4 concurrent batches, at most 16 calls are in
#: flight per evaluation. A throttled call is retried in the function (``retry.call``), then as a
#: ``TransientAwsError`` by the workflow's Retry clause on the whole batch.
BATCH_CONNECTIONS = 4


@functools.cache
def _clients() -> Clients:
    return Clients(boto3_factory())


@functools.cache
def _runtime() -> Any:
    return converse.make_client(None, BATCH_CONNECTIONS)


def run_action(event: Mapping[str, Any], clients: Any, settings: Settings) -> dict[str, Any]:
    """Dispatch one gate step: ``event["action"]`` names it; ``event["spec"]`` is the run spec."""
    action = event.get("action")
    if action not in ACTIONS:
        raise InvalidRequest(f"unknown gate action {action!r}; known: {', '.join(ACTIONS)}")
    spec = RunSpec.from_dict(event.get("spec") or {})
    job = event.get("job") or {}
    execution_arn = str(event.get("executionArn", ""))
    if action == "summarise":
        progress.publish_evaluating(spec, progress.DECIDING, clients, settings, execution_arn)
        return gate.summarise(event.get("evaluation") or {}, clients.s3)
    if action == "reconcile_candidate":
        polled = event.get("candidate") or {}
        if not polled.get("attempt"):  # the gate's first step: the run is EVALUATING from here on
            step = progress.creating_step(spec)
            progress.publish_evaluating(spec, step, clients, settings, execution_arn, job)
        return candidate.reconcile_candidate(spec, job, polled, clients.bedrock, execution_arn)
    if action == "find_incumbent":
        record = state.read(clients.ssm, settings.state_parameter)
        found = incumbent.incumbent_model(spec, clients.bedrock, record)
        step = progress.evaluating_step(spec, found)
        progress.publish_evaluating(spec, step, clients, settings, execution_arn)
        return found
    if action == "remove_candidate":
        return candidate.remove_candidate(spec, clients.bedrock)
    return outcome.publish_rejected(spec, job, event.get("decision") or {}, clients, settings, execution_arn)


def gate_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run one gate step."""
    return run_action(event, _clients(), Settings.from_environment(os.environ))


def batch_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer and grade one evaluation batch."""
    return batch.evaluate_batch(event, _runtime(), _clients().lambda_, concurrency=BATCH_CONNECTIONS)
