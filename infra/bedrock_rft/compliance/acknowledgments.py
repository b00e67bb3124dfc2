"""One helper for cdk-nag 3 acknowledgments, so every one of them is narrow and carries a reason."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

from bedrock_rft.compliance.checkov import mirror_in_checkov


def acknowledge(scope: IConstruct, reason: str, *finding_ids: str) -> None:
    """Acknowledge ``finding_ids`` on ``scope`` and its children only, with the same ``reason``.

    Use the narrowest scope that holds the finding and per-finding ids for wildcard findings
    (``AwsSolutions-IAM5[Resource::*]``); a bare rule id never covers those. Findings that checkov
    checks too get the same reason as a checkov skip (:func:`mirror_in_checkov`).
    """
    if not reason.strip():
        raise ValueError("an acknowledgment needs a reason")
    if not finding_ids:
        raise ValueError("name at least one finding id to acknowledge")
    cdk.Validations.of(scope).acknowledge(*(cdk.Acknowledgment(id=f, reason=reason) for f in finding_ids))
    mirror_in_checkov(scope, reason, *finding_ids)
