"""The workflow's "until it settles" loop: a step that reports ``outcome`` (``Active``, ``Failed``
or still pending) and ``nextPollSeconds`` in its result, re-run after a Wait until it settles. The
serving deployment (``ReconcileDeployment``) and the gate's candidate (``ReconcileCandidate``) use it.
"""

from __future__ import annotations

from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct


def poll_until_settled(
    scope: Construct,
    step: sfn.TaskStateBase,
    *,
    result: str,
    choice_id: str,
    wait_id: str,
    active: sfn.IChainable,
    failed: sfn.IChainable,
) -> None:
    """``step`` -> Choice ``choice_id`` on ``<result>.outcome``: ``Active`` -> ``active``, ``Failed``
    -> ``failed``, anything else -> Wait ``wait_id`` (``<result>.nextPollSeconds``) -> ``step``."""
    wait = sfn.Wait(scope, wait_id, time=sfn.WaitTime.seconds_path(f"{result}.nextPollSeconds")).next(step)
    step.next(
        sfn.Choice(scope, choice_id)
        .when(sfn.Condition.string_equals(f"{result}.outcome", "Active"), active)
        .when(sfn.Condition.string_equals(f"{result}.outcome", "Failed"), failed)
        .otherwise(wait)
    )
