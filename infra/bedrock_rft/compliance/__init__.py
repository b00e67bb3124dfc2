"""cdk-nag 3 packs the package is checked against, and its narrow, reasoned acknowledgments."""

from bedrock_rft.compliance.acknowledgments import acknowledge
from bedrock_rft.compliance.findings import action_finding, resource_finding
from bedrock_rft.compliance.packs import NAG_PACKS, attach_nag_packs

__all__ = ["NAG_PACKS", "acknowledge", "action_finding", "attach_nag_packs", "resource_finding"]
