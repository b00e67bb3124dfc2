"""The pipeline state record: one JSON document in the SSM parameter ``/bedrock-rft/<pipeline>/state``.

It answers "what is this pipeline doing and which model serves": the phase, the run's fingerprint,
execution, job and model, and the pipeline's deployment with the model it serves. Each write is also
sent as an EventBridge event (source ``bedrock-rft``, detail-type "RFT Pipeline State Change") and,
for outcomes (success or failure), as an SNS notification.

Ownership: the launcher writes the record when it starts a run, which makes that run the owner
(its fingerprint and its execution's start time are in the record). Steps of any other run skip
their writes, so a superseded run can never overwrite the state of the run that replaced it. The
newest execution wins: when the launcher's write was lost, the run takes the record over before it
starts its job, provided the owner recorded there started earlier (:func:`may_take_over`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from rft_runtime.lifecycle import retry
from rft_runtime.lifecycle.errors import PublishFailed
from rft_runtime.lifecycle.settings import Settings

STATE_SCHEMA = 1

NOT_STARTED = "NOT_STARTED"
STARTING = "STARTING"
TRAINING = "TRAINING"
#: The promotion gate measures the trained model (``step`` says what it does: creating the candidate
#: deployment, evaluating, deciding); DEPLOYING (promote), REJECTED or FAILED follow.
EVALUATING = "EVALUATING"
DEPLOYING = "DEPLOYING"
ACTIVE = "ACTIVE"
TRAINED = "TRAINED"
FAILED = "FAILED"
STOPPED = "STOPPED"
#: The promotion gate kept the serving model: the new model is trained but not served.
REJECTED = "REJECTED"
#: A ``promote_from`` run waits for the source pipeline's promoted model (``step`` says what for).
ADOPTING = "ADOPTING"

SUCCESS_PHASES = frozenset({ACTIVE, TRAINED})
FAILURE_PHASES = frozenset({FAILED, STOPPED, REJECTED})
TERMINAL_PHASES = SUCCESS_PHASES | FAILURE_PHASES

#: Fields that describe the pipeline's deployment; carried over from record to record.
PIPELINE_FIELDS = ("deploymentName", "deploymentArn", "servingModelArn")
#: Every field of a record, in display order.
FIELDS = (
    "schema",
    "pipeline",
    "phase",
    "step",
    "jobStatus",
    "fingerprint",
    "executionArn",
    "jobName",
    "jobArn",
    "modelArn",
    "adoptedFrom",
    "deploymentMode",
    *PIPELINE_FIELDS,
    "failure",
    "evaluation",
    "override",
    "startedAt",
    "updatedAt",
    "endedAt",
)
#: SSM standard parameters hold at most 4096 characters.
MAX_VALUE_CHARS = 4096


#: The promotion gate's decisions (the record's ``evaluation.decision``).
PROMOTE, REJECT, ERROR = "promote", "reject", "error"
#: Members of a promotion gate's decision kept in the record's ``evaluation`` field.
EVALUATION_KEYS = (
    "decision",
    "location",
    "incumbent",  # what the candidate was measured against (for the base model: through which profile)
    "prompts",
    "delta",
    "minImprovement",
    "winTieLoss",
    "message",
)


def evaluation_record(decision: Mapping[str, Any]) -> dict[str, Any]:
    """The compact ``evaluation`` field of the state record (the full figures are in S3)."""
    return {key: decision[key] for key in EVALUATION_KEYS if decision.get(key) is not None}


def now_iso() -> str:
    """Current UTC time, ISO 8601 with seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def instant(value: Any) -> datetime | None:
    """A timestamp (ISO 8601 text or datetime; naive means UTC) as an aware datetime, or None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def instant_text(value: Any) -> str | None:
    """:func:`instant` as ISO 8601 text in UTC with milliseconds (None when not a timestamp)."""
    moment = instant(value)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds") if moment else None


def initial_record(pipeline: str) -> dict[str, Any]:
    """The record the pipeline resource writes when it creates the parameter."""
    return {"schema": STATE_SCHEMA, "pipeline": pipeline, "phase": NOT_STARTED}


def serialize(record: Mapping[str, Any]) -> str:
    """Compact JSON of ``record`` that fits in an SSM standard parameter (the failure message is
    shortened when needed; nothing else is long)."""
    data = {k: record[k] for k in FIELDS if record.get(k) not in (None, "")}
    text = json.dumps(data, separators=(",", ":"), sort_keys=False)
    failure = dict(data.get("failure") or {})
    while len(text) > MAX_VALUE_CHARS and failure.get("message"):
        message = failure["message"]
        failure["message"] = message[: max(0, len(message) - (len(text) - MAX_VALUE_CHARS) - 20)] + "..."
        if len(failure["message"]) <= 3:
            failure["message"] = ""
        data["failure"] = failure
        text = json.dumps(data, separators=(",", ":"), sort_keys=False)
    if len(text) > MAX_VALUE_CHARS:
        raise PublishFailed(f"state record is {len(text)} characters, more than {MAX_VALUE_CHARS}")
    return text


def parse(value: str | None) -> dict[str, Any] | None:
    """Record from a parameter value; ``None`` for a missing or unreadable value."""
    if not value:
        return None
    try:
        data = json.loads(value)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def read(ssm: Any, parameter: str) -> dict[str, Any] | None:
    """Current record, or ``None`` when the parameter is missing (deleted out of band) or unreadable."""
    try:
        out = retry.call(ssm.get_parameter, Name=parameter)
    except ClientError as exc:
        if retry.error_code(exc) == "ParameterNotFound":
            return None
        raise PublishFailed(f"cannot read {parameter}: {exc}") from exc
    return parse(out["Parameter"]["Value"])


def owned_by(record: Mapping[str, Any] | None, fingerprint: str) -> bool:
    """True when the run ``fingerprint`` may write the record (it owns it, or nobody does yet)."""
    if record is None or record.get("phase") == NOT_STARTED or not record.get("fingerprint"):
        return True
    return record.get("fingerprint") == fingerprint


def may_take_over(record: Mapping[str, Any] | None, fingerprint: str, started_at: Any) -> bool:
    """True when the run ``fingerprint``, whose execution started at ``started_at``, may write the
    record: it owns it already (:func:`owned_by`), or the recorded owner started before it (the
    launcher's write for this newer run was lost). False when the owner is newer or cannot be
    ordered (no start time on either side)."""
    if owned_by(record, fingerprint):
        return True
    owner_started, started = instant((record or {}).get("startedAt")), instant(started_at)
    return owner_started is not None and started is not None and owner_started < started


def start_of_run(record: Mapping[str, Any] | None, execution_arn: str, started_at: Any) -> str | None:
    """The ``startedAt`` the execution ``execution_arn`` (started at ``started_at``) must write with
    its next record: None when ``record`` already holds that execution's start (the launcher wrote
    it), else :func:`instant_text` of ``started_at`` (None when that is no timestamp). Later runs
    order themselves against it (:func:`may_take_over`)."""
    record = record or {}
    if record.get("startedAt") and record.get("executionArn") == execution_arn:
        return None
    return instant_text(started_at)


def merge(previous: Mapping[str, Any] | None, pipeline: str, **updates: Any) -> dict[str, Any]:
    """New record: pipeline fields carried over from ``previous``; run fields carried over only when
    ``previous`` describes the same run (same fingerprint); then ``updates``."""
    previous = previous or {}
    record: dict[str, Any] = {"schema": STATE_SCHEMA, "pipeline": pipeline}
    record.update({k: previous[k] for k in PIPELINE_FIELDS if previous.get(k)})
    if previous.get("fingerprint") and previous.get("fingerprint") == updates.get("fingerprint"):
        keep = set(FIELDS) - {"schema", "pipeline", "failure", "endedAt", "step"}
        record.update({k: previous[k] for k in keep if previous.get(k) not in (None, "")})
    record.update({k: v for k, v in updates.items() if v is not None})
    record["updatedAt"] = now_iso()
    if record.get("phase") in TERMINAL_PHASES and not record.get("endedAt"):
        record["endedAt"] = record["updatedAt"]
    return record


def _put_events(events: Any, entry: dict[str, Any]) -> None:
    out = events.put_events(Entries=[entry])
    if out.get("FailedEntryCount"):
        failed = out["Entries"][0]
        # shaped like a ClientError so the retry policy treats throttling/internal errors alike
        raise ClientError(
            {
                "Error": {
                    "Code": failed.get("ErrorCode", "InternalFailure"),
                    "Message": failed.get("ErrorMessage", ""),
                }
            },
            "PutEvents",
        )


def _subject(record: Mapping[str, Any]) -> str:
    return f"[bedrock-rft] {record.get('pipeline')}: {record.get('phase')}"[:100]


def _message(record: Mapping[str, Any]) -> str:
    lines = [f"Pipeline {record.get('pipeline')} is {record.get('phase')}."]
    failure = record.get("failure") or {}
    if failure:
        lines.append(f"Failed during {failure.get('phase', '?')}: {failure.get('message', '')}")
        if record.get("servingModelArn"):
            lines.append(f"The previous model keeps serving: {record['servingModelArn']}")
    if record.get("phase") == "ACTIVE":
        lines.append(f"Invoke it with modelId = {record.get('deploymentArn')}")
    evaluation = record.get("evaluation") or {}
    if evaluation.get("location"):
        lines.append(
            f"Promotion gate: {evaluation.get('decision')}; figures and report: {evaluation['location']}"
        )
    lines += ["", json.dumps(dict(record), indent=2, sort_keys=True)]
    return "\n".join(lines)


def publish(
    clients: Any,
    settings: Settings,
    record: dict[str, Any],
    *,
    notify: bool,
    force: bool = False,
    started_at: Any = None,
) -> bool:
    """Write ``record``, send the event and, when ``notify``, the SNS notification. Returns False
    when skipped as superseded: unless ``force`` (the launcher: a new run always owns the record),
    the record is read again just before the write and written only if the run may write it,
    :func:`may_take_over` with ``started_at`` (this execution's start; default None: only a record
    the run already owns).

    All three are attempted; any that still fails after retries raises :class:`PublishFailed`
    naming each failure (the workflow then retries the step, and finally fails visibly).
    """
    if not force:
        current = read(clients.ssm, settings.state_parameter)
        if not may_take_over(current, str(record.get("fingerprint", "")), started_at):
            return False
    value = serialize(record)
    failures: list[str] = []
    try:
        retry.call(
            clients.ssm.put_parameter,
            Name=settings.state_parameter,
            Value=value,
            Type="String",
            Overwrite=True,
        )
    except Exception as exc:
        failures.append(f"SSM {settings.state_parameter}: {exc}")
    resources = [str(record[k]) for k in ("executionArn", "jobArn", "deploymentArn") if record.get(k)]
    entry = {
        "Source": settings.event_source,
        "DetailType": settings.event_detail_type,
        "Detail": value,
        "Resources": resources,
    }
    try:
        retry.call(_put_events, clients.events, entry)
    except Exception as exc:
        failures.append(f"EventBridge: {exc}")
    if notify and settings.topic_arn:
        try:
            retry.call(
                clients.sns.publish,
                TopicArn=settings.topic_arn,
                Subject=_subject(record),
                Message=_message(record),
            )
        except Exception as exc:
            failures.append(f"SNS: {exc}")
    if failures:
        raise PublishFailed("; ".join(failures))
    return True
