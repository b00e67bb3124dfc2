"""``promote_from`` at run time: serve the model the source pipeline trained and promoted.

A promoting pipeline never trains. After pre-flight its workflow calls :func:`adopt_model` in a
loop (``AdoptModel`` -> ``WaitForSourceModel`` -> ``AdoptModel``) until the source pipeline's run
with the *same fingerprint* has a model that passed its promotion gate:

- the model is found by its deterministic name, ``RunNames(<source pipeline>, <fingerprint>)
  .custom_model_name``, in this account and Region (``GetCustomModel`` by name);
- it is Active, the source's state record does not show this fingerprint ``REJECTED`` (read
  first: a tag never outranks the source gate's decision), and it carries the tag
  :data:`PROMOTED_TAG_KEY` with a value the package writes (:data:`bedrock_calls.PROMOTED_BY`:
  ``gate`` by the source's promotion gate, ``rft-promote`` by ``rft promote``; never here). Any
  other value (e.g. a config ``tags`` entry the model was born with) is not trusted: the run waits.

Until then the run waits (:func:`adopt_poll_seconds`: 5 minutes growing to 15; the workflow's
timeout bounds the wait) and the state record shows phase ``ADOPTING`` with what it waits for in
``step``. When the source's state record shows this fingerprint ``REJECTED`` (its gate kept the
model it served), the run ends failed, naming the source and ``rft promote``. Otherwise the step
returns the job shape every later step reads (``status`` ``Completed``, ``modelArn``) plus
``adoptedFrom`` (source pipeline, account, Region, model, who promoted it).

The returned job never names the source's job (no ``jobName``/``jobArn``): a failing run stops
its own unwatched job, and a promoting run must never stop the source's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle import state
from rft_runtime.lifecycle.errors import PublishFailed, Superseded
from rft_runtime.lifecycle.names import RunNames, state_parameter_name
from rft_runtime.lifecycle.settings import Settings
from rft_runtime.lifecycle.spec import RunSpec

LOG = logging.getLogger(__name__)

#: The promoted mark (contract with the promotion gate); also a key of ``model_pruning.HOLD_TAG_KEYS``.
PROMOTED_TAG_KEY = bc.PROMOTED_TAG
#: Polling the source: first wait 5 min, x1.5 per check, at most 15 min.
ADOPT_POLL_FIRST_SECONDS = 300
ADOPT_POLL_GROWTH = 1.5
ADOPT_POLL_MAX_SECONDS = 900
#: ``status`` of a run still waiting for the source (neither Completed nor Failed: the loop goes on).
WAITING = "WaitingForSource"


def adopt_poll_seconds(checks: int) -> int:
    """Wait after check number ``checks`` (1-based): 300, 450, 675, 900, 900, ..."""
    return int(
        min(ADOPT_POLL_MAX_SECONDS, round(ADOPT_POLL_FIRST_SECONDS * ADOPT_POLL_GROWTH ** max(0, checks - 1)))
    )


def source_names(spec: RunSpec) -> RunNames:
    """Names of the source pipeline's run with this run's fingerprint."""
    if not spec.promote_from:
        raise ValueError(f"pipeline {spec.pipeline} does not promote from another pipeline")
    return RunNames(spec.promote_from["pipeline"], spec.fingerprint)


def _source_record(ssm: Any, pipeline: str) -> dict[str, Any] | None:
    """The source's state record; None when it is missing or cannot be read (only a hint)."""
    try:
        return state.read(ssm, state_parameter_name(pipeline))
    except PublishFailed:
        LOG.warning("cannot read the state record of %s", pipeline, exc_info=True)
        return None


def _job(status: str, checks: int, **fields: Any) -> dict[str, Any]:
    return {
        "jobName": "",
        "jobArn": "",
        "status": status,
        "step": "",
        "modelArn": "",
        "failureMessage": "",
        "failedStep": "",
        "checks": checks,
        "nextPollSeconds": adopt_poll_seconds(max(1, checks)),
        **fields,
    }


def rejected_message(spec: RunSpec, model_arn: str) -> str:
    """Why the run ends when the source's gate rejected the model, and what to do about it."""
    source = source_names(spec)
    return (
        f"pipeline {source.pipeline}'s promotion gate rejected its model {model_arn} (run {source.short}), "
        f"so {spec.pipeline} has nothing to serve. To serve it anyway, run `rft promote --pipeline "
        f"{source.pipeline} --fingerprint {spec.fingerprint}` (it marks the model promoted), then start "
        f"this pipeline's run again (aws stepfunctions start-execution with this execution's input)"
    )


def adopt_model(
    spec: RunSpec, job: Mapping[str, Any], clients: Any, settings: Settings, *, execution: tuple[str, str]
) -> dict[str, Any]:
    """One check of the source (see the module docstring). Returns ``$.job``: ``status``
    ``Completed`` (with ``modelArn`` and ``adoptedFrom``), ``Failed`` (the source's gate rejected
    it: ``failureMessage``, ``failedStep`` ``adoption``) or :data:`WAITING` (``step`` says what for;
    wait ``nextPollSeconds``). ``execution``: this execution's ARN and start time (which may take
    the record over, as in ``steps.start_job``). Raises :class:`Superseded` when a newer run owns
    the record."""
    execution_arn, execution_started = execution
    source = source_names(spec)
    checks = int(job.get("checks", 0)) + 1
    current = state.read(clients.ssm, settings.state_parameter)
    if not state.may_take_over(current, spec.fingerprint, execution_started):
        raise Superseded(
            f"run {source.short} was superseded by {(current or {}).get('fingerprint', '?')[:12]} "
            f"while it waited for {source.pipeline}"
        )
    model = bc.get_custom_model(clients.bedrock, source.custom_model_name)
    waiting_for = f"waiting for {source.pipeline}'s run {source.short} to pass its promotion gate"
    if model is None:
        detail = f"its model {source.custom_model_name} does not exist yet"
    elif model.get("modelStatus") not in (None, "Active"):
        detail = f"its model {source.custom_model_name} is {model.get('modelStatus')}"
    else:
        model_arn = str(model.get("modelArn") or "")
        record = _source_record(clients.ssm, source.pipeline) or {}
        if record.get("fingerprint") == spec.fingerprint and record.get("phase") == state.REJECTED:
            return _job(
                "Failed", checks, failureMessage=rejected_message(spec, model_arn), failedStep="adoption"
            )
        promoted_by = bc.resource_tags(clients.bedrock, model_arn).get(PROMOTED_TAG_KEY)
        if promoted_by in bc.PROMOTED_BY:
            adopted_from = {
                **dict(spec.promote_from or {}),
                "modelArn": model_arn,
                "modelName": source.custom_model_name,
                "promotedBy": promoted_by,
            }
            return _job("Completed", checks, modelArn=model_arn, adoptedFrom=adopted_from)
        written = ", ".join(bc.PROMOTED_BY)
        detail = f"its model {source.custom_model_name} is not promoted yet" + (
            f" ({PROMOTED_TAG_KEY}={promoted_by!r} is not a value the package writes: {written})"
            if promoted_by
            else ""
        )
    result = _job(WAITING, checks, step=f"{waiting_for} ({detail})")
    if result["step"] != job.get("step"):
        record = state.merge(
            current,
            spec.pipeline,
            phase=state.ADOPTING,
            step=result["step"],
            fingerprint=spec.fingerprint,
            executionArn=execution_arn,
            deploymentMode=spec.deployment_mode,
            startedAt=state.start_of_run(current, execution_arn, execution_started),
        )
        state.publish(clients, settings, record, notify=False, started_at=execution_started)
    return result
