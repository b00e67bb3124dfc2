"""Run the checks of ``rft doctor``, render them, and choose the exit code."""

from __future__ import annotations

import json

from rft_runtime.doctor.checks import FAIL, PASS, UNKNOWN, CheckResult, all_checks
from rft_runtime.doctor.clients import DoctorClients
from rft_runtime.doctor.needs import DeployNeeds

#: Exit codes: every check passed; a check failed; none failed but one could not be made.
EXIT_READY, EXIT_NOT_READY, EXIT_UNKNOWN = 0, 1, 3
_LABELS = {PASS: "PASS", FAIL: "FAIL", UNKNOWN: "????"}


def run_checks(needs: DeployNeeds, clients: DoctorClients) -> list[CheckResult]:
    """Every check's result, in order."""
    return list(all_checks(needs, clients))


def exit_code(results: list[CheckResult]) -> int:
    """:data:`EXIT_NOT_READY` on any failure, else :data:`EXIT_UNKNOWN` on any unknown, else 0."""
    statuses = {r.status for r in results}
    if FAIL in statuses:
        return EXIT_NOT_READY
    return EXIT_UNKNOWN if UNKNOWN in statuses else EXIT_READY


def render_text(needs: DeployNeeds, results: list[CheckResult]) -> str:
    """One line per check (``PASS``/``FAIL``/``????``), each failure or unknown with its fix."""
    lines = [f"rft doctor: pipeline {needs.pipeline} in {needs.region}"]
    width = max(len(r.name) for r in results)
    for result in results:
        lines.append(f"  {_LABELS[result.status]}  {result.name:<{width}}  {result.detail}")
        if result.status != PASS and result.fix:
            lines.append(f"        {'':<{width}}  fix: {result.fix}")
    verdict = {
        EXIT_READY: "ready to deploy",
        EXIT_NOT_READY: "not ready",
        EXIT_UNKNOWN: "not everything checked",
    }
    lines.append(f"{verdict[exit_code(results)]}")
    return "\n".join(lines)


def render_json(needs: DeployNeeds, results: list[CheckResult]) -> str:
    """One JSON object: pipeline, Region, the checks and the exit code."""
    return json.dumps(
        {
            "pipeline": needs.pipeline,
            "region": needs.region,
            "checks": [r.as_dict() for r in results],
            "exitCode": exit_code(results),
        },
        indent=2,
    )
