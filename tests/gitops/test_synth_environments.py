"""Which files of ``environments/`` ``rft plan`` synthesizes on each side of a ref plan."""

from __future__ import annotations

from pathlib import Path

from rft_runtime.gitops.synth import environments


def _project(tmp_path: Path, *files: str) -> Path:
    folder = tmp_path / "environments"
    folder.mkdir()
    for name in files:
        (folder / name).write_text("")
    return tmp_path


def test_every_environment_file_but_the_delivery_file(tmp_path):
    # delivery.toml configures the delivery pipeline, not an environment: `cdk synth -c
    # env=delivery` fails, so a plan of every environment would end with exit 3.
    project = _project(tmp_path, "prod.toml", "dev.toml", "delivery.toml", "notes.txt")
    assert environments(project, None) == ["dev", "prod"]


def test_named_environments_that_exist_never_the_delivery_file(tmp_path):
    project = _project(tmp_path, "dev.toml", "prod.toml", "delivery.toml")
    assert environments(project, ["prod", "delivery", "qa"]) == ["prod"]


def test_a_project_without_environments_is_synthesized_once(tmp_path):
    assert environments(tmp_path, None) == [None]
