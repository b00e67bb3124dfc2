"""Turn an ``aws.bedrock`` "Model Customization Job State Change" event into a task-token signal.

The waiting workflow step parks its task token (with the job name) in the pipeline's wait
parameter. When a terminal event for that job arrives, this sends ``SendTaskSuccess`` so the
workflow polls the job at once instead of at the end of its backoff wait. Events are best effort
and the poll remains the source of truth, so every "cannot signal" case is a normal outcome.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from rft_runtime.lifecycle import retry
from rft_runtime.lifecycle.settings import Settings

#: SendTaskSuccess errors that only mean "the wait already ended".
STALE_TOKEN_CODES = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})


def on_job_event(event: Mapping[str, Any], clients: Any, settings: Settings) -> dict[str, Any]:
    """Signal the parked workflow step waiting for this job; returns what happened (for logs)."""
    detail = event.get("detail") or {}
    job_name, job_arn = str(detail.get("jobName", "")), str(detail.get("jobArn", ""))
    try:
        value = retry.call(clients.ssm.get_parameter, Name=settings.wait_parameter)["Parameter"]["Value"]
        parked = json.loads(value)
    except ClientError as exc:
        return {"signalled": False, "reason": retry.error_code(exc) or "cannot read wait parameter"}
    except (json.JSONDecodeError, TypeError):
        return {"signalled": False, "reason": "nothing parked"}
    if not isinstance(parked, dict) or not parked.get("taskToken"):
        return {"signalled": False, "reason": "nothing parked"}
    if job_name != parked.get("jobName") and (not job_arn or job_arn != parked.get("jobArn")):
        return {
            "signalled": False,
            "reason": f"waiting step is for {parked.get('jobName')!r}, not {job_name!r}",
        }
    output = json.dumps({"wokenBy": "event", "jobStatus": detail.get("jobStatus", "")})
    try:
        retry.call(clients.sfn.send_task_success, taskToken=parked["taskToken"], output=output)
    except ClientError as exc:
        code = retry.error_code(exc)
        if code in STALE_TOKEN_CODES:
            return {"signalled": False, "reason": code}
        raise
    return {"signalled": True, "jobName": job_name, "jobStatus": detail.get("jobStatus", "")}
