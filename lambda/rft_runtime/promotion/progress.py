"""The ``EVALUATING`` phase: what the state record says while the promotion gate runs.

Three gate steps publish it (record and EventBridge event, no notification: like ``TRAINING``,
``ADOPTING`` and ``DEPLOYING`` it is no outcome), each with a ``step`` saying what happens:

- ``reconcile_candidate``, on its first check: :func:`creating_step` ("creating the candidate
  deployment rft-<pipeline>-candidate-<fp12>");
- ``find_incumbent``, once the incumbent is known: :func:`evaluating_step` ("evaluating up to 200
  validation prompts x 1 sample against the serving deployment <ARN>");
- ``summarise``: :data:`DECIDING`.

``DEPLOYING`` (promote), ``REJECTED`` or ``FAILED`` follow. Every write goes through
:func:`rft_runtime.lifecycle.state.publish`, so only the run that owns the record writes it; a run
that finds a newer run's record raises :class:`Superseded` (the gate removes its candidate and
fails the run without publishing), so a superseded run never evaluates for an hour for nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rft_runtime.lifecycle import state
from rft_runtime.lifecycle.errors import Superseded
from rft_runtime.lifecycle.settings import Settings
from rft_runtime.lifecycle.spec import RunSpec
from rft_runtime.promotion.incumbent import BASE

DECIDING = "deciding: summarising the evaluation, then removing the candidate deployment"


def creating_step(spec: RunSpec) -> str:
    """The step while the candidate deployment is created and polled to Active."""
    return f"creating the candidate deployment {spec.names.candidate_deployment_name}"


def evaluating_step(spec: RunSpec, incumbent: Mapping[str, Any]) -> str:
    """The step while the Map evaluates: how many prompts (``maxPrompts``, the Map's ``MaxItems``;
    without it every row of the validation set), samples per prompt, and the incumbent
    (``find_incumbent``'s result)."""
    limit = spec.evaluation.get("maxPrompts")
    prompts = f"up to {limit} validation prompts" if limit else "every validation prompt"
    samples = int(spec.evaluation.get("samplesPerPrompt") or 1)
    against = f"the {incumbent.get('kind')} {incumbent.get('model')}"
    if incumbent.get("kind") == BASE and incumbent.get("baseModel"):
        against = f"the {BASE} {incumbent['baseModel']} (through {incumbent.get('model')})"
    return f"evaluating {prompts} x {samples} sample{'s' if samples > 1 else ''} against {against}"


def publish_evaluating(
    spec: RunSpec,
    step: str,
    clients: Any,
    settings: Settings,
    execution_arn: str,
    job: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Publish phase ``EVALUATING`` with ``step`` for the run ``spec`` (``job``: the workflow's
    ``$.job``, whose fields the record takes; default None: the record's own fields of this run
    are kept). Returns the record written. Raises :class:`Superseded` when another run owns the
    record (nothing is written)."""
    job = job or {}
    record = state.merge(
        state.read(clients.ssm, settings.state_parameter),
        spec.pipeline,
        phase=state.EVALUATING,
        step=step,
        fingerprint=spec.fingerprint,
        executionArn=execution_arn,
        jobStatus=job.get("status") or None,
        jobName=job.get("jobName") or None,
        jobArn=job.get("jobArn") or None,
        modelArn=job.get("modelArn") or None,
        adoptedFrom=job.get("adoptedFrom") or None,
    )
    if not state.publish(clients, settings, record, notify=False):
        raise Superseded(f"run {spec.names.short} was superseded by a newer run; the gate stops here")
    return record
