"""Lambda entry points of the lifecycle. Each parses nothing itself and delegates at once.

- ``lifecycle_handler``: the workflow's steps (``event["action"]`` names one of ``steps.ACTIONS``).
- ``launcher_handler``: ``on_event`` of the launcher custom resource (Provider framework).
- ``job_event_handler``: target of the EventBridge rules on Bedrock job state changes and on
  this state machine's executions ending unfinished (``source`` ``aws.states``).

Clients are made once per Lambda container with retries handled by ``retry.call`` (botocore's own
retries off). The asset bundles a pinned boto3/botocore that knows the RFT API, which the managed
runtime's copy may predate.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any

from rft_runtime.lifecycle import execution_end, job_events, launcher, steps
from rft_runtime.lifecycle.clients import Clients, boto3_factory
from rft_runtime.lifecycle.settings import Settings

logging.getLogger().setLevel(logging.INFO)


@functools.cache
def _clients() -> Clients:
    return Clients(boto3_factory())


def _settings() -> Settings:
    return Settings.from_environment(os.environ)


def lifecycle_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run one workflow step."""
    return steps.run_action(event, _clients(), _settings())


def launcher_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle one CloudFormation request for a run or pipeline resource."""
    return launcher.on_event(event, _clients())


def job_event_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Wake the workflow step waiting for the job this event is about; for an execution that
    ended unfinished, stop its job."""
    if event.get("source") == "aws.states":
        result = execution_end.on_execution_end(event, _clients(), _settings())
    else:
        result = job_events.on_job_event(event, _clients(), _settings())
    logging.getLogger(__name__).info("job event: %s", result)
    return result
