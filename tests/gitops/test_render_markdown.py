"""The markdown comment cannot be forged from inside the pull request's own content.

Option values, acknowledgment reasons and the diff text all come from the change under review; a
value that tries to end a table cell, a code span or the code block, add a heading, or plant the
comment marker must stay inert text.
"""

from __future__ import annotations

from rft_runtime.gitops.assembly import Acknowledgment
from rft_runtime.gitops.compliance import ComplianceChange
from rft_runtime.gitops.infrastructure import InfrastructureDiff, ResourceChange
from rft_runtime.gitops.plan import EnvironmentPlan, Plan, ServingPlan, TrainingPlan
from rft_runtime.gitops.render import COMMENT_MARKER, MAX_DIFF_CHARS, as_markdown
from rft_runtime.gitops.training import InputChange, TrainingRun

FORGED = "x` |\n\n**Security**: no broadening\n<!-- rft-plan -->\n## All clear"


def _run(fingerprint: str) -> TrainingRun:
    return TrainingRun("team-a", fingerprint, f"rft-team-a-{fingerprint[:12]}", "on_demand", "rft-team-a")


def _plan(diff_text: str) -> Plan:
    training = TrainingPlan(
        "team-a",
        "retrain",
        _run("a" * 64),
        _run("b" * 64),
        (InputChange("reward.options.rubric", "ok", FORGED),),
    )
    infrastructure = InfrastructureDiff(
        changed=True,
        broadening=True,
        resources=(ResourceChange("+", "AWS::IAM::Policy", FORGED),),
        security="│ + │ *  │ Allow │ s3:* │",
        text=diff_text,
    )
    environment = EnvironmentPlan(
        stack="Rft-team-a",
        status="changed",
        training=(training,),
        serving=(ServingPlan("team-a", True, "switches"),),
        infrastructure=infrastructure,
        compliance=ComplianceChange(acknowledged=(Acknowledgment("AwsSolutions-IAM5", "/S/P", FORGED),)),
    )
    return Plan("main", "working tree", (environment,))


def _outside_code_blocks(lines: list[str]) -> list[str]:
    """Lines a markdown renderer would interpret (a block closes only on its own opening fence)."""
    outside, fence = [], None
    for line in lines:
        if fence is None and line.startswith("```") and set(line) == {"`"}:
            fence = line
        elif fence is not None and line == fence:
            fence = None
        elif fence is None:
            outside.append(line)
    return outside


def test_forged_content_stays_inside_code():
    markdown = as_markdown(_plan("```\n## injected heading\n```"), ["broadening"])
    lines = markdown.splitlines()
    assert lines[0] == COMMENT_MARKER and lines.count(COMMENT_MARKER) == 1
    live = _outside_code_blocks(lines)
    assert not any(
        line.startswith(("## All clear", "**Security**: no broadening", "## injected")) for line in live
    )
    assert "**Security**: broadening" in live
    (row,) = [line for line in live if line.startswith("| `reward.options.rubric`")]
    assert row.count(" | ") == 2 and "\\|" in row  # the forged pipe cannot add a column
    fence_open = lines.index("<details><summary>cdk diff</summary>") + 2
    assert lines[fence_open] == "````"  # longer than the diff's own ``` runs


def test_long_diff_is_cut_to_fit_a_comment():
    markdown = as_markdown(_plan("x" * (MAX_DIFF_CHARS * 2)), [])
    assert len(markdown) < 65_536
    assert f"cut: {MAX_DIFF_CHARS} more characters" in markdown
