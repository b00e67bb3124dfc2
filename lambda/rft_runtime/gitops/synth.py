"""Synthesize a git ref (or the working tree) into cloud assemblies, one per environment file.

A ref is checked out with ``git worktree add --detach`` into a temporary folder and synthesized
there with the project's pinned CDK CLI (``npx --no-install cdk synth``), reusing the project's
``node_modules`` and ``.venv`` (linked into the checkout when the ref has none). That ref's own code
is the one imported: ``PYTHONPATH`` starts with the checkout's ``infra``, ``lambda`` and root
folders, ahead of any installed copy. Third-party packages are the installed ones (the head's
pins): a change of pinned versions is not replayed on the base side.

Environments: every ``environments/<env>.toml`` of that ref (not ``delivery.toml``, the delivery
pipeline's file), each synthesized with ``-c env=<env>`` (or the names given); a project without
that folder is synthesized once, as is.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rft_runtime.gitops.infrastructure import DEFAULT_CDK_COMMAND

#: Folders linked from the project into a ref's checkout when that checkout lacks them.
SHARED_FOLDERS = (".venv", "node_modules")
#: Folders put first on PYTHONPATH when the checkout has them (this package's layout, then root).
CODE_FOLDERS = ("infra", "lambda", ".")
SYNTH_TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class SynthSettings:
    """How to synthesize. ``env_names``: environment files to synthesize (default: all);
    ``cdk_command``: the CDK CLI (default: the project's pinned one through npx)."""

    env_names: tuple[str, ...] = ()
    cdk_command: str = DEFAULT_CDK_COMMAND


class SynthError(RuntimeError):
    """A ref or environment did not synthesize (the message names them and holds the output tail)."""


def _git(project: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SynthError(f"git {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()


def project_root(start: Path) -> Path:
    """The top folder of the git work tree holding ``start``."""
    return Path(_git(start, "rev-parse", "--show-toplevel"))


def environments(source: Path, names: Sequence[str] | None) -> list[str | None]:
    """The environment files of ``source`` (those of ``names`` that exist there, when given), else
    ``[None]`` (one synth without ``-c env``) for a project without an ``environments`` folder.
    The delivery pipeline's file (``delivery.toml``) is not an environment and is never listed."""
    from bedrock_rft.config.loader import DELIVERY_FILE  # the constructs' own rule (imports aws_cdk)

    folder = source / "environments"
    if not folder.is_dir():
        return list(names or [None])
    found = sorted(path.stem for path in folder.glob("*.toml") if path.name != DELIVERY_FILE)
    return [name for name in found if not names or name in names]


def synth_source(source: Path, out_dir: Path, *, label: str, settings: SynthSettings) -> list[Path]:
    """Synthesize ``source`` (a project folder) into ``out_dir/<env>``; returns the assemblies."""
    python_path = [str(source / folder) for folder in CODE_FOLDERS if (source / folder).is_dir()]
    if os.environ.get("PYTHONPATH"):
        python_path.append(os.environ["PYTHONPATH"])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(python_path),
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": os.environ.get(
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20"
        ),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    assemblies = []
    for env_name in environments(source, settings.env_names):
        target = out_dir / (env_name or "app")
        command = [*shlex.split(settings.cdk_command), "synth", "--no-notices", "--quiet", "-o", str(target)]
        if env_name:
            command += ["-c", f"env={env_name}"]
        done = subprocess.run(
            command,
            cwd=source,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=SYNTH_TIMEOUT_SECONDS,
        )
        if done.returncode != 0:
            output = (done.stderr.strip() or done.stdout.strip())[-3000:]
            where = f"environment {env_name}" if env_name else "the app"
            raise SynthError(f"{label}: {where} did not synthesize (exit {done.returncode}):\n{output}")
        assemblies.append(target)
    return assemblies


def synth_ref(project: Path, ref: str, out_dir: Path, *, settings: SynthSettings) -> list[Path]:
    """Check ``ref`` out beside ``out_dir`` and synthesize it; the checkout is removed afterwards."""
    commit = _git(project, "rev-parse", "--verify", f"{ref}^{{commit}}")
    checkout = out_dir.parent / f"{out_dir.name}-source"
    _git(project, "worktree", "add", "--detach", "--force", str(checkout), commit)
    try:
        for folder in SHARED_FOLDERS:
            if (project / folder).exists() and not (checkout / folder).exists():
                (checkout / folder).symlink_to((project / folder).resolve(), target_is_directory=True)
        return synth_source(checkout, out_dir, label=f"{ref} ({commit[:12]})", settings=settings)
    finally:
        for folder in SHARED_FOLDERS:
            link = checkout / folder
            if link.is_symlink():
                link.unlink()
        subprocess.run(
            ["git", "-C", str(project), "worktree", "remove", "--force", str(checkout)],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(checkout, ignore_errors=True)
