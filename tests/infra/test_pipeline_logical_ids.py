"""Moving the stack's body into ``RftPipeline`` kept every stateful resource's logical ID.

A changed logical ID makes CloudFormation replace the resource: a new key, an empty bucket, a lost
log group. The recorded IDs are those ``RftStack`` produced before the refactor.
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from bedrock_rft.application import build_app

pytestmark = pytest.mark.synth

RECORDED = Path(__file__).resolve().parent / "data" / "stateful_logical_ids.json"


def test_stateful_resources_keep_their_logical_ids(repo_root, cdk_context):
    app = cdk.App(context={**cdk_context, "env": "prod"})
    build_app(repo_root / "environments", app=app, nag=False)
    (stack,) = app.node.children
    resources = Template.from_stack(stack).to_json()["Resources"]
    recorded = json.loads(RECORDED.read_text())["Rft-arith-prod"]
    now = {logical_id: resources[logical_id]["Type"] for logical_id in recorded if logical_id in resources}
    assert now == recorded  # same IDs, same types: nothing is replaced on upgrade
    assert len(recorded) >= 15  # keys, buckets, log groups, topic, queue, VPC, subnets, state machine
