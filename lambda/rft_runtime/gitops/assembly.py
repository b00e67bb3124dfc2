"""Read synthesized cloud assemblies: stacks, templates and what cdk-nag recorded.

A cloud assembly is the folder ``cdk synth`` writes (``manifest.json`` plus one
``<stack>.template.json`` per stack). Several folders may form one side of a plan (one synth per
environment file); their stacks are merged by stack name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STACK_ARTIFACT = "aws:cloudformation:stack"
ACKNOWLEDGED = "aws:cdk:acknowledged-rules"


class AssemblyError(ValueError):
    """A folder is not a readable cloud assembly (the message names the folder and file)."""


@dataclass(frozen=True)
class Acknowledgment:
    """One acknowledged finding: ``rule`` (e.g. ``AwsSolutions-IAM5[Resource::*]``) on construct
    ``path`` with the ``reason`` given."""

    rule: str
    path: str
    reason: str


@dataclass(frozen=True)
class Stack:
    """One stack of an assembly. ``assembly``: the folder it came from (``cdk diff --app``)."""

    name: str
    assembly: Path
    template_file: Path
    template: dict[str, Any]
    acknowledgments: tuple[Acknowledgment, ...] = ()
    findings: tuple[str, ...] = field(default=())

    @property
    def resources(self) -> dict[str, Any]:
        return self.template.get("Resources") or {}


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise AssemblyError(f"{path}: missing (is this a cloud assembly written by cdk synth?)") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise AssemblyError(f"{path}: not valid JSON: {error}") from error


def _acknowledgments(metadata: dict[str, Any]) -> tuple[Acknowledgment, ...]:
    found = []
    for path, entries in metadata.items():
        for entry in entries or []:
            if entry.get("type") == ACKNOWLEDGED:
                for rule, reason in (entry.get("data") or {}).items():
                    found.append(Acknowledgment(rule.removeprefix("Annotation::"), path, str(reason)))
    return tuple(sorted(found, key=lambda a: (a.rule, a.path)))


def _findings(folder: Path) -> dict[str, list[str]]:
    """Unacknowledged findings of the assembly's validation report, per stack template file name."""
    report_file = folder / "validation-report.json"
    if not report_file.is_file():
        return {}
    report = _load_json(report_file)
    found: dict[str, list[str]] = {}
    for plugin in report.get("pluginReports") or []:
        for violation in plugin.get("violations") or []:
            for resource in violation.get("violatingResources") or []:
                template = Path(str(resource.get("templatePath", ""))).name
                found.setdefault(template, []).append(
                    f"{violation.get('ruleName', '?')} on {resource.get('resourceLogicalId', '?')}"
                )
    return found


def read_assembly(folder: Path) -> dict[str, Stack]:
    """The stacks of the cloud assembly in ``folder``, by stack name."""
    manifest = _load_json(folder / "manifest.json")
    findings = _findings(folder)
    stacks: dict[str, Stack] = {}
    for artifact_id, artifact in (manifest.get("artifacts") or {}).items():
        if artifact.get("type") != STACK_ARTIFACT:
            continue
        properties = artifact.get("properties") or {}
        template_file = folder / properties.get("templateFile", f"{artifact_id}.template.json")
        metadata_file = folder / artifact.get("additionalMetadataFile", f"{artifact_id}.metadata.json")
        metadata = _load_json(metadata_file) if metadata_file.is_file() else artifact.get("metadata") or {}
        name = properties.get("stackName") or artifact.get("displayName") or artifact_id
        stacks[name] = Stack(
            name=name,
            assembly=folder,
            template_file=template_file,
            template=_load_json(template_file),
            acknowledgments=_acknowledgments(metadata),
            findings=tuple(findings.get(template_file.name, ())),
        )
    return stacks


def read_assemblies(folders: Iterable[Path]) -> dict[str, Stack]:
    """Stacks of every folder, by stack name; the same stack in two folders is an error."""
    stacks: dict[str, Stack] = {}
    for folder in folders:
        for name, stack in read_assembly(Path(folder)).items():
            if name in stacks:
                raise AssemblyError(
                    f"stack {name} is in both {stacks[name].assembly} and {stack.assembly}; "
                    "give each stack once per side"
                )
            stacks[name] = stack
    return stacks
