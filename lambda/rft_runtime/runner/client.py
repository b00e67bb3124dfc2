"""How the grader reaches the runner function: one synchronous Lambda invoke per job."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from rft_runtime.rewards.sandbox import Limits, Run, checked_run

#: Lambda's limit on a synchronous response (6 MB).
MAX_RESPONSE_BYTES = 6 * 1024 * 1024


class RemoteRunner:
    """Runs jobs on the runner function ``function_name`` (same call shape as
    :func:`~rft_runtime.rewards.sandbox.run_code`). ``client``: a boto3 Lambda client, created on
    first use when not given. Any failure to invoke is the ``runner-error`` tag, never an exception."""

    def __init__(self, function_name: str, client: Any = None) -> None:
        self.function_name = function_name
        self._client = client

    def _lambda(self, wall_seconds: float) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(read_timeout=int(wall_seconds) + 60, retries={"mode": "standard"})
            self._client = boto3.client("lambda", config=config)
        return self._client

    def __call__(
        self,
        code: str,
        *,
        calls: Sequence[Mapping[str, Any]] = (),
        inputs: Sequence[str] | None = None,
        limits: Limits | None = None,
    ) -> Run:
        limits = limits or Limits()
        event = {"code": code, "calls": list(calls), "limits": limits._asdict()}
        if inputs is not None:
            event["inputs"] = list(inputs)
        try:
            answer = self._lambda(limits.wall_seconds).invoke(
                FunctionName=self.function_name, Payload=json.dumps(event).encode()
            )
            if answer.get("FunctionError"):
                return Run("runner-error", "", [])
            raw = answer["Payload"].read(MAX_RESPONSE_BYTES + 1)
            report = json.loads(raw) if len(raw) <= MAX_RESPONSE_BYTES else None
        except Exception:
            return Run("runner-error", "", [])
        if not isinstance(report, dict) or report.get("error") is not None:
            error = report.get("error") if isinstance(report, dict) else None
            return Run(error if isinstance(error, str) and len(error) < 40 else "runner-error", "", [])
        return checked_run(report)
