"""The pinned CDK tool versions (CLI, asset publisher): read from the project's ``package.json``,
the one source of truth."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bedrock_rft.config.errors import ConfigError, Problem

#: An exact npm version (no range): what ``npm ci`` installs and CDK Pipelines' self-mutation uses.
EXACT_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def cdk_cli_version(package_json: Path | str) -> str:
    """The exact ``aws-cdk`` version in ``devDependencies`` of ``package_json``.

    Raises :class:`ConfigError` when it is missing or a range (an unpinned CLI could be npm's
    ``latest``, which cannot read this package's cloud assemblies).
    """
    return pinned_version(package_json, "aws-cdk")


def cdk_assets_version(package_json: Path | str) -> str:
    """The exact ``cdk-assets`` version (the pipeline's asset publisher) in ``package_json``."""
    return pinned_version(package_json, "cdk-assets")


def pinned_version(package_json: Path | str, package: str) -> str:
    """The exact version of ``package`` in ``devDependencies``; a range or tag is a ConfigError."""
    path = Path(package_json)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(path, [Problem(key="(file)", message=f"cannot read: {error}")]) from error
    version = (data.get("devDependencies") or {}).get(package)
    if not isinstance(version, str) or not EXACT_VERSION.fullmatch(version):
        raise ConfigError(
            path,
            [
                Problem(
                    key=f"devDependencies.{package}",
                    message=f"{version!r} must be an exact version such as 2.1148.1 (no range, no tag)",
                )
            ],
        )
    return version
