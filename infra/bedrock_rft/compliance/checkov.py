"""checkov skips that mirror our cdk-nag acknowledgments: one reason, one place.

checkov (``make checkov``) runs rules that cdk-nag also has. Where a cdk-nag finding is
acknowledged with a reason, the same reason becomes a checkov skip (``Metadata.checkov.skip``) on
each CloudFormation resource of the rule's type under the acknowledged construct, so the two tools
cannot drift apart and no checkov skip exists without a reasoned cdk-nag acknowledgment.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

#: cdk-nag rule (without its pack prefix) -> (equivalent checkov check, resource type it checks).
NAG_TO_CHECKOV = {
    "LambdaDLQ": ("CKV_AWS_116", "AWS::Lambda::Function"),
    "LambdaInsideVPC": ("CKV_AWS_117", "AWS::Lambda::Function"),
    "LambdaConcurrency": ("CKV_AWS_115", "AWS::Lambda::Function"),
    "S1": ("CKV_AWS_18", "AWS::S3::Bucket"),
}


def _rule(finding_id: str) -> str:
    """``NIST.800.53.R5-LambdaDLQ`` -> ``LambdaDLQ``; ``AwsSolutions-IAM5[...]`` -> ``IAM5``."""
    return finding_id.split("[", 1)[0].rsplit("-", 1)[-1]


def mirror_in_checkov(scope: IConstruct, reason: str, *finding_ids: str) -> list[str]:
    """Add a checkov skip with ``reason`` for each finding of :data:`NAG_TO_CHECKOV` to the matching
    resources under ``scope``; returns the checkov ids added (each resource gets each id once)."""
    added: list[str] = []
    for check, resource_type in sorted(
        {NAG_TO_CHECKOV[r] for r in map(_rule, finding_ids) if r in NAG_TO_CHECKOV}
    ):
        for node in scope.node.find_all():
            if isinstance(node, cdk.CfnResource) and node.cfn_resource_type == resource_type:
                metadata = node.get_metadata("checkov") or {"skip": []}
                if all(skip["id"] != check for skip in metadata["skip"]):
                    metadata["skip"].append({"id": check, "comment": reason})
                    node.add_metadata("checkov", metadata)
                    added.append(check)
    return added
