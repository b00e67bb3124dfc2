"""cdk-nag (and other validation) records a change adds: acknowledgments and open findings.

An assembly that synthesized with the nag packs attached has no unacknowledged finding (synth
fails on any), so what a reviewer must see is each *new acknowledgment*: a rule someone decided
to accept, with the reason given. Acknowledgments are matched by rule and reason, not by construct
path, so moving a construct (a refactor) does not show every acknowledgment as new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rft_runtime.gitops.assembly import Acknowledgment, Stack


@dataclass(frozen=True)
class ComplianceChange:
    """``acknowledged``: acknowledgments in head beyond those in base; ``withdrawn``: the reverse;
    ``findings``: unacknowledged findings of head's validation report not in base's."""

    acknowledged: tuple[Acknowledgment, ...] = ()
    withdrawn: tuple[Acknowledgment, ...] = ()
    findings: tuple[str, ...] = ()

    @property
    def added(self) -> bool:
        return bool(self.acknowledged or self.findings)


def _beyond(these: Sequence[Acknowledgment], those: Sequence[Acknowledgment]) -> tuple[Acknowledgment, ...]:
    budget = Counter((a.rule, a.reason) for a in those)
    extra = []
    for acknowledgment in these:
        key = (acknowledgment.rule, acknowledgment.reason)
        if budget[key]:
            budget[key] -= 1
        else:
            extra.append(acknowledgment)
    return tuple(extra)


def compliance_change(base: Stack | None, head: Stack | None) -> ComplianceChange:
    """What ``head`` acknowledges or fails beyond ``base`` (either may be absent)."""
    base_acks = base.acknowledgments if base else ()
    head_acks = head.acknowledgments if head else ()
    base_findings = set(base.findings if base else ())
    return ComplianceChange(
        acknowledged=_beyond(head_acks, base_acks),
        withdrawn=_beyond(base_acks, head_acks),
        findings=tuple(f for f in (head.findings if head else ()) if f not in base_findings),
    )
