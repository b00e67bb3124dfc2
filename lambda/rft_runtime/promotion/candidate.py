"""The run's temporary *candidate* deployment: the new model served on demand for the evaluation.

It is named ``rft-<pipeline>-candidate-<fingerprint[:12]>`` (:attr:`RunNames.candidate_deployment_name`),
never the pipeline's serving deployment, so nothing a consumer calls changes while the gate
measures. :func:`reconcile_candidate` is called until it answers ``Active`` or ``Failed`` (polling
like the serving deployment: 30 s growing to 5 min, at most 4 h); :func:`remove_candidate` deletes
it in every outcome of the gate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle.deployment import DEPLOY_TIMEOUT_SECONDS, deploy_poll_seconds
from rft_runtime.lifecycle.errors import InvalidRequest, TransientAwsError
from rft_runtime.lifecycle.spec import RunSpec


def _result(candidate: Mapping[str, Any], outcome: str, **updates: Any) -> dict[str, Any]:
    kept = {
        k: candidate[k] for k in ("attempt", "startedAt", "arn", "creates") if candidate.get(k) is not None
    }
    poll = deploy_poll_seconds(int(candidate["attempt"]))
    return {**kept, "outcome": outcome, "failureMessage": "", "nextPollSeconds": poll, **updates}


def reconcile_candidate(
    spec: RunSpec,
    job: Mapping[str, Any],
    candidate: Mapping[str, Any],
    bedrock: Any,
    execution_arn: str,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, Any]:
    """Move the candidate deployment one step towards serving the job's model: create it when
    absent, then ``Pending`` until Active. ``Failed`` (with ``failureMessage``) when it fails,
    serves another model or is not Active within 4 hours."""
    if not execution_arn:
        raise InvalidRequest("reconcile_candidate needs the execution ARN (it keys the create token)")
    model_arn = str(job.get("modelArn") or "")
    name = spec.names.candidate_deployment_name
    moment = now()
    state = {**candidate, "attempt": int(candidate.get("attempt", 0)) + 1}
    state.setdefault("startedAt", moment.replace(microsecond=0).isoformat())
    if (moment - datetime.fromisoformat(state["startedAt"])).total_seconds() > DEPLOY_TIMEOUT_SECONDS:
        return _result(
            state, "Failed", failureMessage="candidate deployment did not become Active within 4 hours"
        )
    found = bc.get_deployment(bedrock, name)
    if found is None:
        creates = int(state.get("creates") or 0) + 1
        arn = bc.create_deployment(
            bedrock,
            name=name,
            model_arn=model_arn,
            token=spec.names.deployment_request_token(f"{execution_arn}|candidate", creates),
            description=f"bedrock-rft pipeline {spec.pipeline}, candidate of run {spec.names.short}",
            tags=spec.deployment_tags,
        )
        return _result(state, "Pending", arn=arn, creates=creates)
    arn = str(found.get("customModelDeploymentArn") or "")
    if found.get("modelArn") != model_arn:
        return _result(
            state, "Failed", arn=arn, failureMessage=f"candidate deployment {name} serves another model"
        )
    if found.get("status") == "Failed":
        message = f"candidate deployment failed: {found.get('failureMessage') or 'no reason given'}"
        return _result(state, "Failed", arn=arn, failureMessage=message)
    return _result(state, "Active" if found.get("status") == "Active" else "Pending", arn=arn)


def remove_candidate(spec: RunSpec, bedrock: Any) -> dict[str, Any]:
    """Delete the candidate deployment: ``{"removed": "deleted" | "gone"}``. Raises
    :class:`TransientAwsError` while it is still being created (the workflow retries)."""
    outcome = bc.delete_deployment(bedrock, spec.names.candidate_deployment_name)
    if outcome == bc.BUSY:
        raise TransientAwsError(f"candidate deployment {spec.names.candidate_deployment_name} is busy; retry")
    return {"removed": outcome}
