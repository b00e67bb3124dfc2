"""Per-finding ids for cdk-nag wildcard rules, computed from the values we put in policies.

cdk-nag names a wildcard finding after the policy value as written in the template, with
intrinsics rendered as ``<LogicalId.Attribute>``, ``<LogicalId>`` or ``<AWS::Region>``. Computing
that id from the same value we grant keeps acknowledgments exact across logical-id changes.
``Fn::Select``/``Fn::Split`` (CDK's execution ARNs of a state machine) appear as compact JSON.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from constructs import IConstruct


def _render(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Fn::GetAtt":
            return f"<{argument[0]}.{argument[1]}>"
        if function == "Ref":
            return f"<{argument}>"
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(_render(part) for part in parts)
        if function in ("Fn::Select", "Fn::Split"):  # cdk-nag writes other intrinsics as compact JSON
            return json.dumps(value, separators=(",", ":"))
    raise ValueError(f"cannot render {value!r} as a cdk-nag finding id")


def resource_finding(scope: IConstruct, rule: str, resource: str) -> str:
    """The finding id cdk-nag reports for ``resource`` (possibly a token) under ``rule``.

    Example: ``resource_finding(stack, "AwsSolutions-IAM5", bucket.arn_for_objects("a/*"))`` gives
    ``AwsSolutions-IAM5[Resource::<BucketLogicalId.Arn>/a/*]``.
    """
    rendered = _render(cdk.Stack.of(scope).resolve(resource))
    return f"{rule}[Resource::{rendered}]"


def action_finding(rule: str, action: str) -> str:
    """The finding id cdk-nag reports for a wildcard ``action`` under ``rule``."""
    return f"{rule}[Action::{action}]"
