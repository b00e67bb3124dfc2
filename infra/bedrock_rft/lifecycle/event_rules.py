"""EventBridge rules of the lifecycle: one pattern on one AWS event type -> one Lambda target."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


def lambda_rule(
    scope: Construct,
    construct_id: str,
    *,
    description: str,
    source: str,
    detail_type: str,
    detail: Mapping[str, Any],
    function: lambda_.IFunction,
    retry_attempts: int,
    max_event_age: cdk.Duration,
) -> events.Rule:
    """A rule matching ``source``/``detail_type`` events whose detail matches ``detail``, delivered
    to ``function`` with ``retry_attempts`` retries for at most ``max_event_age``."""
    return events.Rule(
        scope,
        construct_id,
        description=description,
        event_pattern=events.EventPattern(source=[source], detail_type=[detail_type], detail=dict(detail)),
        targets=[
            targets.LambdaFunction(function, retry_attempts=retry_attempts, max_event_age=max_event_age)
        ],
    )
