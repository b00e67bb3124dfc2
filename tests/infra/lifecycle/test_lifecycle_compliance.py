"""cdk-nag 3 packs and cfn-lint: zero unacknowledged findings and zero errors for the lifecycle."""

from __future__ import annotations

import json

import aws_cdk as cdk
import cdk_nag
import pytest
from aws_cdk.assertions import Template
from cfnlint.api import ManualArgs, lint
from lifecycle_stack import build

from bedrock_rft.data import DatasetCopy

pytestmark = pytest.mark.synth

PACKS = (
    cdk_nag.AwsSolutionsChecks,
    cdk_nag.ServerlessChecks,
    cdk_nag.NIST80053R5Checks,
    cdk_nag.HIPAASecurityChecks,
)
VARIANTS = {
    "vpc-delete-models-emails": {
        "with_vpc": True,
        "retain_models": False,
        "keep_models": 3,
        "max_training_hours": 12,
        "notification_emails": ["ops@example.com"],
        "tags": {"team": "ml"},
        "copies": (DatasetCopy("cdk-assets", "a.jsonl", "datasets/a/t.jsonl"),),
    },
    "no-vpc-train-only": {"with_vpc": False, "deployment_mode": "none"},
}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(request):
    _app, stack, lifecycle = build(stack_name="Compliance", **VARIANTS[request.param])
    return stack, lifecycle


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.__name__)
def test_nag_pack_has_no_unacknowledged_finding_in_the_lifecycle(variant, pack):
    stack, lifecycle = variant
    report = pack().validate_scope(stack)
    prefix = lifecycle.node.path + "/"
    ours = [
        (violation.rule_name, resource.construct_path)
        for violation in report.violations
        for resource in violation.violating_resources
        if resource.construct_path.startswith(prefix)
    ]
    assert ours == []


def test_acknowledgments_are_per_finding_and_carry_reasons(variant):
    _stack, lifecycle = variant
    acknowledged = [
        (rule, reason)
        for construct in lifecycle.node.find_all()
        for entry in construct.node.metadata
        if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule, reason in dict(entry.data).items()
    ]
    assert acknowledged, "expected the documented acknowledgments"
    assert all(len(reason) > 60 for _rule, reason in acknowledged)
    # wildcard findings are acknowledged one by one, never with a bare rule id
    assert "AwsSolutions-IAM5" not in {rule for rule, _ in acknowledged}
    assert lifecycle.node.metadata == [] or all(
        e.type != cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY for e in lifecycle.node.metadata
    ), "no blanket acknowledgment on the construct itself"


def test_cfn_lint_reports_no_errors(variant):
    stack, _ = variant
    template = json.dumps(Template.from_stack(stack).to_json())
    matches = lint(template, regions=["us-east-1"], config=ManualArgs(regions=["us-east-1"]))
    errors = [
        f"{m.rule.id} {m.message} @ {'/'.join(map(str, m.path))}"
        for m in matches
        if m.rule.id.startswith("E")
    ]
    assert errors == []
