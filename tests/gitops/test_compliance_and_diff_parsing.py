"""New cdk-nag acknowledgments survive construct moves; ``cdk diff`` output is parsed per section."""

from __future__ import annotations

from pathlib import Path

from rft_runtime.gitops.assembly import Acknowledgment, Stack
from rft_runtime.gitops.compliance import compliance_change
from rft_runtime.gitops.infrastructure import _parse


def _stack(*acks: Acknowledgment, findings=()) -> Stack:
    return Stack("S", Path("."), Path("S.template.json"), {}, tuple(acks), tuple(findings))


REASON = "The framework function is written by CDK; its policy cannot be narrowed further here."


def test_moved_acknowledgment_is_not_new_but_a_second_one_is():
    base = _stack(Acknowledgment("AwsSolutions-IAM4", "/S/Old/Path", REASON))
    moved = _stack(Acknowledgment("AwsSolutions-IAM4", "/S/New/Path", REASON))
    assert compliance_change(base, moved).acknowledged == ()
    doubled = _stack(
        Acknowledgment("AwsSolutions-IAM4", "/S/New/Path", REASON),
        Acknowledgment("AwsSolutions-IAM4", "/S/Other", REASON),
    )
    change = compliance_change(base, doubled)
    assert [a.path for a in change.acknowledged] == ["/S/Other"] and change.added
    wider = _stack(Acknowledgment("AwsSolutions-IAM5[Resource::*]", "/S/New/Path", "wildcard needed"))
    change = compliance_change(base, wider)
    assert [a.rule for a in change.acknowledged] == ["AwsSolutions-IAM5[Resource::*]"]
    assert [a.rule for a in change.withdrawn] == ["AwsSolutions-IAM4"]


def test_new_findings_are_reported():
    change = compliance_change(_stack(findings=["A on X"]), _stack(findings=["A on X", "B on Y"]))
    assert change.findings == ("B on Y",) and change.added


DIFF = """Stack Rft-x
IAM Statement Changes
┌───┬──────────┐
│ + │ thing    │
└───┴──────────┘
(NOTE: There may be security-related changes not in this list. See https://github.com/aws/aws-cdk/issues/1299)

Resources
[-] AWS::Lambda::Version Old123 orphan
[-] AWS::SQS::Queue Q/Resource Q1
[+] AWS::EC2::VPCEndpoint Network/Endpoint E1
[~] AWS::Lambda::Function Reward/Fn F1
 └─ [~] Environment

Outputs
[+] Output X X: {"Value":"y"}
"""


def test_diff_sections_resources_and_security_table():
    resources, security, sections = _parse(DIFF)
    assert sections == ("IAM Statement Changes", "Resources", "Outputs")
    assert [(r.action, r.resource_type) for r in resources] == [
        ("-", "AWS::Lambda::Version"),
        ("-", "AWS::SQS::Queue"),
        ("+", "AWS::EC2::VPCEndpoint"),
        ("~", "AWS::Lambda::Function"),
    ]
    assert [r.deletes for r in resources] == [False, True, False, False]
    assert "│ + │ thing" in security and "Resources" not in security
