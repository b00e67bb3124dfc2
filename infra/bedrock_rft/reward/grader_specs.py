"""Every grader a reward configuration runs, composites unfolded, so the construct can grant each one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def grader_specs(template: str, options: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield ``(template, options)`` for the grader and, for ``composite``, each sub-grader (recursively)."""
    yield template, options
    if template == "composite":
        for entry in options.get("graders", ()):
            yield from grader_specs(str(entry["template"]), entry.get("options", {}))
