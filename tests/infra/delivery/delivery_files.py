"""Writes delivery and environment files into a temporary folder for the delivery tests."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
CONNECTION = "arn:aws:codeconnections:us-east-1:111111111111:connection/0f0e0d0c-0b0a-4909-8807-060504030201"


def write_environment(
    folder: Path, env: str, *, name: str, account: str | None = None, extra: str = ""
) -> Path:
    """``<folder>/<env>.toml``: the shipped dev file with its own name, account and data paths."""
    text = (REPO / "environments" / "dev.toml").read_text()
    text = text.replace("../examples/data/", f"{REPO / 'examples' / 'data'}/")
    text = re.sub(r'^name = ".*"$', f'name = "{name}"', text, count=1, flags=re.M)
    text = re.sub(r"^#:schema .*\n", "", text)
    if account:
        text = text.replace('# account = "123456789012"', f'account = "{account}"')
    path = folder / f"{env}.toml"
    path.write_text(extra + text)
    return path


def write_delivery(folder: Path, stages: str, *, head: str = "") -> Path:
    """``<folder>/delivery.toml`` with the pipeline in account 111111111111 and the given stages."""
    path = folder / "delivery.toml"
    path.write_text(
        head
        + 'name = "rft-release"\naccount = "111111111111"\nregion = "us-east-1"\n\n'
        + f'[source]\nconnection_arn = "{CONNECTION}"\nrepository = "acme/models"\nbranch = "release"\n\n'
        + stages
    )
    return path
