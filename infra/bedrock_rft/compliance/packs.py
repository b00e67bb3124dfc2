"""Attach the cdk-nag 3 packs to an app: findings then fail ``cdk synth`` (and ``Template.from_stack``)."""

from __future__ import annotations

import aws_cdk as cdk
import cdk_nag
from constructs import IConstruct

#: The packs every synthesized stack of this package passes with zero unacknowledged findings.
NAG_PACKS = (
    cdk_nag.AwsSolutionsChecks,
    cdk_nag.ServerlessChecks,
    cdk_nag.NIST80053R5Checks,
    cdk_nag.HIPAASecurityChecks,
)

#: The rule-id prefixes of those packs, as they appear in findings and acknowledgments.
NAG_PACK_NAMES = ("AwsSolutions", "Serverless", "NIST.800.53.R5", "HIPAA.Security")


def attach_nag_packs(scope: IConstruct) -> None:
    """Register all :data:`NAG_PACKS` as policy-validation plugins on ``scope`` (normally the App)."""
    cdk.Validations.of(scope).add_plugins(*(pack(scope) for pack in NAG_PACKS))
