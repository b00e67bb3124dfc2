"""Files ``rft init`` writes into a user's repository (shipped as package data beside this module)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Scaffold:
    """One file: ``source`` (name under ``rft_runtime/gitops/workflow``) written to ``target``
    (relative to the repository root)."""

    source: str
    target: str


#: ``rft init <kind>`` -> files it writes.
SCAFFOLDS: dict[str, tuple[Scaffold, ...]] = {
    "gitops": (Scaffold("rft-plan.yml", ".github/workflows/rft-plan.yml"),),
}


def scaffold_text(scaffold: Scaffold) -> str:
    """The shipped content of ``scaffold``."""
    return resources.files("rft_runtime.gitops").joinpath("workflow", scaffold.source).read_text("utf-8")


def existing_targets(kind: str, root: Path) -> list[Path]:
    """Files of ``kind`` that already exist under ``root``."""
    return [root / s.target for s in SCAFFOLDS[kind] if (root / s.target).exists()]


def write_scaffold(kind: str, root: Path) -> list[Path]:
    """Write every file of ``kind`` under ``root`` (overwriting); returns the paths written."""
    written = []
    for scaffold in SCAFFOLDS[kind]:
        target = root / scaffold.target
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(scaffold_text(scaffold), encoding="utf-8")
        written.append(target)
    return written
