"""Read-only view of one pipeline for ``rft status`` and ``rft wait``.

A :class:`Snapshot` combines the state record (SSM), the workflow execution it names, the
customization job and the deployment. ``outcome`` is what scripts act on: ``success`` when the
model is serving (or trained, with deployment mode ``none``), ``failure`` when the run failed or
the workflow ended without publishing, ``running`` otherwise, ``missing`` when the pipeline has no
state parameter (not deployed in this account and Region). With an expected fingerprint (the stack
output ``TrainingFingerprint``, or a prefix of at least 12 hex digits), a record of any other run is
``pending``: the run just deployed has not recorded its start yet, and the previous run's outcome
must not be taken for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from rft_runtime.lifecycle import bedrock_calls as bc
from rft_runtime.lifecycle import names, state
from rft_runtime.lifecycle.provisioned import PROVISIONED_ARN_MARK

ENDED_BADLY = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
#: Shortest fingerprint prefix accepted as an expected run (the run's short id is 12 hex digits).
MIN_FINGERPRINT_PREFIX = 12
_FINGERPRINT_PREFIX = re.compile(rf"[0-9a-f]{{{MIN_FINGERPRINT_PREFIX},64}}")


def check_fingerprint(value: str) -> str:
    """``value`` normalised (lower case, stripped); ``ValueError`` unless 12-64 hex digits."""
    text = (value or "").strip().lower()
    if not _FINGERPRINT_PREFIX.fullmatch(text):
        raise ValueError(
            f"fingerprint {value!r} must be {MIN_FINGERPRINT_PREFIX} to 64 hex digits "
            "(the stack output TrainingFingerprint, or its start)"
        )
    return text


@dataclass
class Snapshot:
    """Everything known about one pipeline at ``taken_at``."""

    pipeline: str
    parameter: str
    taken_at: datetime
    record: dict[str, Any] | None = None
    execution: dict[str, Any] | None = None
    job: dict[str, Any] | None = None
    deployment: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    #: the run the caller waits for (fingerprint or prefix); empty: whatever run the record shows
    expected_fingerprint: str = ""

    @property
    def phase(self) -> str:
        return str((self.record or {}).get("phase", "MISSING"))

    @property
    def is_expected_run(self) -> bool:
        """True when no run is expected, or the record is about the expected one."""
        if not self.expected_fingerprint:
            return True
        recorded = str((self.record or {}).get("fingerprint") or "").lower()
        return bool(recorded) and recorded.startswith(self.expected_fingerprint)

    @property
    def outcome(self) -> str:
        if self.record is None:
            return "missing"
        if not self.is_expected_run:
            return "pending"
        if self.phase in state.SUCCESS_PHASES:
            return "success"
        if self.phase in state.FAILURE_PHASES:
            return "failure"
        if (self.execution or {}).get("status") in ENDED_BADLY:
            return "failure"
        return "running"

    @property
    def terminal(self) -> bool:
        return self.outcome in ("success", "failure")

    @property
    def elapsed_seconds(self) -> float | None:
        record = self.record or {}
        started = state.instant(record.get("startedAt"))
        if started is None:
            return None
        ended = state.instant(record.get("endedAt")) if self.terminal else None
        return max(0.0, ((ended or self.taken_at) - started).total_seconds())

    @property
    def failure_text(self) -> str:
        if not self.is_expected_run:
            return ""
        failure = (self.record or {}).get("failure") or {}
        if failure:
            return f"{failure.get('phase', '?')}: {failure.get('message', '')}"
        execution = self.execution or {}
        if execution.get("status") in ENDED_BADLY:
            detail = execution.get("cause") or execution.get("error") or ""
            return f"workflow {execution['status']} without publishing a result {detail}".strip()
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "parameter": self.parameter,
            "takenAt": self.taken_at.isoformat(),
            "outcome": self.outcome,
            "phase": self.phase,
            "expectedFingerprint": self.expected_fingerprint or None,
            "elapsedSeconds": self.elapsed_seconds,
            "failure": self.failure_text or None,
            "record": self.record,
            "execution": self.execution,
            "job": self.job,
            "deployment": self.deployment,
            "problems": self.problems,
        }


def _jsonable(data: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        value = data.get(key)
        if isinstance(value, datetime):
            value = value.isoformat()
        if value not in (None, ""):
            out[key] = value
    return out


def take(clients: Any, pipeline: str, *, now: datetime | None = None, fingerprint: str = "") -> Snapshot:
    """Read the record, then the execution, job and deployment it names. A missing parameter gives
    ``outcome == "missing"``; errors reading the record propagate (the CLI turns them into one
    line, or retries transient ones); the execution, job and deployment are best effort (a failed
    read is noted in ``problems``).
    ``fingerprint`` (see :func:`check_fingerprint`): the run expected; others are ``pending``."""
    parameter = names.state_parameter_name(pipeline)
    snap = Snapshot(
        pipeline=pipeline,
        parameter=parameter,
        taken_at=now or datetime.now(UTC),
        expected_fingerprint=check_fingerprint(fingerprint) if fingerprint else "",
    )
    try:
        out = clients.ssm.get_parameter(Name=parameter)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ParameterNotFound":
            return snap
        raise
    snap.record = state.parse(out["Parameter"]["Value"]) or {"phase": "UNREADABLE"}
    record = snap.record
    if record.get("executionArn"):
        try:
            execution = clients.sfn.describe_execution(executionArn=record["executionArn"])
            snap.execution = _jsonable(
                execution, ("status", "startDate", "stopDate", "error", "cause", "name")
            )
        except (ClientError, BotoCoreError) as exc:
            snap.problems.append(f"execution: {exc}")
    job_id = record.get("jobArn") or record.get("jobName")
    if job_id:
        try:
            job = bc.get_job(clients.bedrock, job_id)
            if job is not None:
                snap.job = _jsonable(
                    job,
                    (
                        "status",
                        "statusDetails",
                        "failureMessage",
                        "creationTime",
                        "endTime",
                        "outputModelArn",
                    ),
                )
                details = snap.job.get("statusDetails") or {}
                snap.job["statusDetails"] = {
                    k: (v or {}).get("status", "") for k, v in details.items() if isinstance(v, dict)
                }
        except Exception as exc:
            snap.problems.append(f"job: {exc}")
    if record.get("deploymentArn"):
        try:
            arn = str(record["deploymentArn"])
            if PROVISIONED_ARN_MARK in arn:  # mode "provisioned": the pipeline's Provisioned Throughput
                dep = bc.get_provisioned(clients.bedrock, arn)
                fields: tuple[str, ...] = ("status", "modelArn", "desiredModelArn", "failureMessage")
            else:
                dep = bc.get_deployment(clients.bedrock, arn)
                fields = ("status", "modelArn", "updateDetails", "failureMessage")
            if dep is not None:
                snap.deployment = _jsonable(dep, fields)
        except Exception as exc:
            snap.problems.append(f"deployment: {exc}")
    return snap


def format_duration(seconds: float | None) -> str:
    """``3d 4h``, ``2h 13m``, ``5m 3s`` or ``-``."""
    if seconds is None:
        return "-"
    s = int(seconds)
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {s}s"


def render_text(snap: Snapshot) -> str:
    """Aligned, human-readable lines."""
    record = snap.record or {}
    rows: list[tuple[str, str]] = [("pipeline", f"{snap.pipeline}  ({snap.parameter})")]
    if snap.record is None:
        rows.append(("state", "no state parameter: is the pipeline deployed in this account and Region?"))
        return "\n".join(f"{k:<12} {v}" for k, v in rows)
    phase = snap.phase
    if record.get("step"):
        phase += f" - {record['step']}"
    rows.append(("phase", f"{phase}  [{snap.outcome}]"))
    if not snap.is_expected_run:
        shown = str(record.get("fingerprint") or "none")[:12]
        rows.append(
            (
                "waiting",
                f"for run {snap.expected_fingerprint[:12]} to start; the state shows run {shown} "
                "(the fields below are that run's)",
            )
        )
    started = record.get("startedAt")
    rows.append(
        ("elapsed", format_duration(snap.elapsed_seconds) + (f"  since {started}" if started else ""))
    )
    if record.get("fingerprint"):
        rows.append(("fingerprint", str(record["fingerprint"])[:12]))
    if record.get("executionArn"):
        status = (snap.execution or {}).get("status", "?")
        rows.append(("execution", f"{status}  {record['executionArn']}"))
    if record.get("jobName") or snap.job:
        job = snap.job or {}
        rows.append(
            ("job", f"{job.get('status', record.get('jobStatus', '?'))}  {record.get('jobName', '')}")
        )
        details = job.get("statusDetails") or {}
        if details:
            labels = {"validationDetails": "validation", "dataProcessingDetails": "data processing",
                      "trainingDetails": "training"}  # fmt: skip
            parts = [f"{labels.get(k, k)} {v}" for k, v in details.items()]
            rows.append(("", " | ".join(parts)))
    rows.append(("model", str(record.get("modelArn") or "-")))
    if record.get("deploymentArn"):
        dep = snap.deployment or {}
        extra = (
            f"  ({dep.get('status', '?')}, serving {dep.get('modelArn', record.get('servingModelArn', '?'))})"
        )
        rows.append(("deployment", f"{record['deploymentArn']}{extra}"))
    elif record.get("deploymentMode") == "none":
        rows.append(("deployment", "none (deployment mode none)"))
    if snap.failure_text:
        rows.append(("failure", snap.failure_text))
    rows += [("note", problem) for problem in snap.problems]
    return "\n".join(f"{k:<12} {v}" for k, v in rows)
