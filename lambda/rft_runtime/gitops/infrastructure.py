"""Infrastructure changes of one stack: ``cdk diff --template`` between two cloud assemblies.

Runs the project's pinned CDK CLI (default ``npx --no-install cdk``) with ``--app <head assembly>
--template <base template>``, which compares templates locally and needs no AWS credentials. With
``--fail-on broadening`` the CLI's exit code says whether the change broadens security (new or
wider IAM statements, security-group rules): the same rule ``cdk deploy --require-approval
broadening`` applies, kept in one place: the CLI.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: The CLI used when none is given: the project's pinned aws-cdk from package.json / node_modules.
DEFAULT_CDK_COMMAND = "npx --no-install cdk"
_SECURITY_TABLES = ("IAM Statement Changes", "IAM Policy Changes", "Security Group Changes")
_RESOURCE_LINE = re.compile(r"^\[([+\-~])\] (\S+) (.*)$")
_SECTION = re.compile(r"^[A-Z][A-Za-z ]+$")


class DiffError(RuntimeError):
    """``cdk diff`` could not compare the stack (the message holds its output)."""


@dataclass(frozen=True)
class ResourceChange:
    """One resource line of the diff: ``action`` ``+`` add, ``-`` remove, ``~`` modify."""

    action: str
    resource_type: str
    detail: str

    @property
    def deletes(self) -> bool:
        """Removed from the stack and deleted (not kept as an orphan by its retain policy)."""
        return self.action == "-" and not self.detail.endswith(" orphan")


@dataclass(frozen=True)
class InfrastructureDiff:
    """What ``cdk diff`` reported for one stack. ``broadening``: security is broadened;
    ``security``: the IAM and security-group tables; ``text``: the whole diff."""

    changed: bool
    broadening: bool
    resources: tuple[ResourceChange, ...] = ()
    security: str = ""
    text: str = ""
    sections: tuple[str, ...] = field(default=())


def _parse(text: str) -> tuple[tuple[ResourceChange, ...], str, tuple[str, ...]]:
    resources: list[ResourceChange] = []
    security: list[str] = []
    sections: list[str] = []
    section = ""
    for line in text.splitlines():
        if _SECTION.fullmatch(line.strip()) and not line.startswith(" "):
            section = line.strip()
            sections.append(section)
            continue
        if section in _SECURITY_TABLES or line.startswith("(NOTE: There may be security"):
            security.append(line)
        elif section == "Resources":
            match = _RESOURCE_LINE.match(line)
            if match:
                resources.append(ResourceChange(*match.groups()))
    return tuple(resources), "\n".join(security).strip(), tuple(sections)


def diff_stack(
    stack_name: str,
    head_assembly: Path,
    base_template: Path | None,
    *,
    cdk_command: str = DEFAULT_CDK_COMMAND,
    cwd: Path | None = None,
) -> InfrastructureDiff:
    """Diff ``stack_name`` of ``head_assembly`` against ``base_template`` (None: a new stack,
    compared with an empty template). ``cwd``: where the CLI is found (the project root)."""
    with tempfile.TemporaryDirectory(prefix="rft-plan-") as scratch:
        if base_template is None:
            base_template = Path(scratch) / "empty.template.json"
            base_template.write_text(json.dumps({"Resources": {}}), encoding="utf-8")
        command = [
            *shlex.split(cdk_command),
            "diff",
            "--no-notices",
            "--no-color",
            "--app",
            str(Path(head_assembly).resolve()),
            "--template",
            str(Path(base_template).resolve()),
            "--fail-on",
            "broadening",
            "--exclusively",
            stack_name,
        ]
        # COLUMNS would make the CLI cut table cells to the terminal width: keep them whole
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env.update(CDK_DISABLE_CLI_TELEMETRY="true", CI="true")
        try:
            done = subprocess.run(
                command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise DiffError(f"{' '.join(command[:3])} diff {stack_name}: {error}") from error
    text = "\n".join(part for part in (done.stdout, done.stderr) if part.strip())
    resources, security, sections = _parse(text)
    broadening = done.returncode == 1 and bool(security)
    if done.returncode not in (0, 1) or (done.returncode == 1 and not broadening):
        raise DiffError(f"cdk diff {stack_name} exited {done.returncode}:\n{text.strip()[-4000:]}")
    changed = bool(sections) and "There were no differences" not in text
    return InfrastructureDiff(
        changed=changed,
        broadening=broadening,
        resources=resources,
        security=security,
        text=text.strip(),
        sections=sections,
    )
