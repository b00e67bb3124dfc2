"""The plan as text (terminal), markdown (one pull-request comment) or JSON (scripts).

Markdown starts with :data:`COMMENT_MARKER`, an HTML comment the workflow looks for to edit its
own previous comment instead of adding one per push, and stays under GitHub's comment limit (the
full ``cdk diff`` is cut first).
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from rft_runtime.gitops.plan import GATES, PLAN_SCHEMA, EnvironmentPlan, Plan, TrainingPlan
from rft_runtime.gitops.training import unseen_inputs

COMMENT_MARKER = "<!-- rft-plan -->"
#: GitHub refuses comments over 65,536 characters; keep room for the rest of the comment.
MAX_DIFF_CHARS = 40_000
_ACTIONS = {"+": "add", "-": "remove", "~": "modify"}


def _value(value: Any) -> str:
    if value is None:
        return "(absent)"
    if value == "":
        return '""'
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _code(text: str) -> str:
    """``text`` (possibly from the pull request itself) as one inline code span: no markdown, HTML
    or line break in it can act on the comment."""
    return "`" + " ".join(str(text).split()).replace("`", "'") + "`"


def _cell(value: Any) -> str:
    """``value`` as a markdown table cell (a code span with pipes escaped)."""
    return _code(_value(value)).replace("|", "\\|")


def _fenced(text: str) -> list[str]:
    """``text`` in a code block whose fence is longer than any backtick run inside it."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    return [fence, text, fence]


def _training_lines(training: TrainingPlan, *, with_changes: bool) -> list[str]:
    new, old = training.new, training.old
    if training.action == "unchanged":
        return [f"no new training run (fingerprint {new.fingerprint[:12]} unchanged)"]
    if training.action == "removed":
        return [f"pipeline removed (last fingerprint {old.fingerprint[:12]})"]
    head = (
        f"NEW RUN, NO TRAINING HERE: adopts {training.adopts}'s promoted model of this run"
        if training.adopts
        else f"NEW TRAINING RUN: job {new.job_name}"
    )
    if old is not None:
        head += f" (fingerprint {old.fingerprint[:12]} -> {new.fingerprint[:12]})"
    lines = [head]
    if old is not None and with_changes:
        lines += [f"{c.name}: {_value(c.old)} -> {_value(c.new)}" for c in training.changes]
    if training.unexplained:
        lines.append(f"no training input the template shows changed: {unseen_inputs(old, new)} did")
    return lines


def _summary(environment: EnvironmentPlan, *, with_changes: bool = True) -> list[tuple[str, list[str]]]:
    """(heading, lines) sections of one environment, shared by text and markdown (which shows the
    changed inputs as a table instead: ``with_changes=False``)."""
    sections = []
    for training, serving in zip(environment.training, environment.serving, strict=True):
        sections.append(
            (f"Training ({training.pipeline})", _training_lines(training, with_changes=with_changes))
        )
        sections.append((f"Serving ({serving.pipeline})", [serving.summary]))
    infra = environment.infrastructure
    if infra is None:
        sections.append(("Infrastructure", ["stack removed: every resource is deleted"]))
    else:
        lines = [f"{_ACTIONS[r.action]} {r.resource_type} {r.detail}" for r in infra.resources]
        sections.append(("Infrastructure", lines or (["changed"] if infra.changed else ["no changes"])))
        sections.append(
            (
                "Security",
                ["BROADENING (IAM / security groups):", infra.security]
                if infra.broadening
                else ["no broadening"],
            )
        )
    compliance = environment.compliance
    nag = [f"acknowledged {a.rule} on {a.path}: {a.reason}" for a in compliance.acknowledged]
    nag += [f"open finding {finding}" for finding in compliance.findings]
    nag += [f"no longer acknowledged {a.rule} on {a.path}" for a in compliance.withdrawn]
    sections.append(("cdk-nag", nag or ["no acknowledgments or findings added"]))
    return sections


def _gate_lines(plan: Plan, fail_on: list[str]) -> list[str]:
    tripped = plan.tripped(fail_on)
    return [f"--fail-on {gate}: {GATES[gate][1]} in {', '.join(stacks)}" for gate, stacks in tripped.items()]


def as_text(plan: Plan, fail_on: list[str]) -> str:
    """Plain text for a terminal."""
    lines = [f"rft plan: {plan.base} -> {plan.head}"]
    for environment in plan.environments:
        lines += ["", f"== {environment.stack} ({environment.status})"]
        for heading, body in _summary(environment):
            lines.append(f"{heading}:")
            lines += [f"  {line}" for text in body for line in text.splitlines()]
    lines += ["", *(_gate_lines(plan, fail_on) or ["no --fail-on gate holds"])]
    return "\n".join(lines) + "\n"


def _markdown_environment(environment: EnvironmentPlan) -> list[str]:
    trains = any(t.trains for t in environment.training)
    broadening = bool(environment.infrastructure and environment.infrastructure.broadening)
    badges = (
        [environment.status]
        + (["**retrains**"] if trains else [])
        + [f"adopts {_code(t.adopts)}" for t in environment.training if t.adopts]
        + (["**broadens security**"] if broadening else [])
    )
    out = [f"### {_code(environment.stack)}: {', '.join(badges)}", ""]
    for training in environment.training:
        if training.changes and training.old is not None:
            out += [
                f"Inputs of {_code(training.pipeline)} that change:",
                "",
                "| input | base | head |",
                "| --- | --- | --- |",
            ]
            out += [f"| {_cell(c.name)} | {_cell(c.old)} | {_cell(c.new)} |" for c in training.changes]
            out.append("")
    for heading, body in _summary(environment, with_changes=False):
        if heading == "Security" and environment.infrastructure and environment.infrastructure.broadening:
            out += [f"**{heading}**: broadening", "", *_fenced(environment.infrastructure.security), ""]
            continue
        if len(body) == 1:
            out += [f"**{heading}**: {_code(body[0])}", ""]
        else:
            out += [f"**{heading}**", "", *(f"- {_code(line)}" for line in body), ""]
    infra = environment.infrastructure
    if infra is not None and infra.changed:
        text = infra.text
        if len(text) > MAX_DIFF_CHARS:
            text = text[:MAX_DIFF_CHARS] + f"\n... cut: {len(infra.text) - MAX_DIFF_CHARS} more characters"
        out += ["<details><summary>cdk diff</summary>", "", *_fenced(text), "", "</details>", ""]
    return out


def as_markdown(plan: Plan, fail_on: list[str]) -> str:
    """Markdown for a pull-request comment (starts with :data:`COMMENT_MARKER`)."""
    out = [COMMENT_MARKER, "## rft plan", "", f"{_code(plan.base)} -> {_code(plan.head)}", ""]
    for environment in plan.environments:
        out += _markdown_environment(environment)
    gates = _gate_lines(plan, fail_on)
    out += ["**Gates**: " + ("; ".join(gates) if gates else "none holds"), ""]
    return "\n".join(out)


def as_json(plan: Plan, fail_on: list[str]) -> str:
    """One JSON document: the whole plan plus the gates that hold."""
    document = {"schema": PLAN_SCHEMA, **dataclasses.asdict(plan), "gates": plan.tripped(fail_on)}
    for environment in document["environments"]:
        for training in environment["training"]:
            adopts = (training["new"] or {}).get("adopts_from") or ""
            training["trains"] = training["action"] in ("start", "retrain") and not adopts
    return json.dumps(document, indent=2, default=str) + "\n"


RENDERERS = {"text": as_text, "markdown": as_markdown, "json": as_json}
