"""The shipped recordings are what their committed generator writes, and as described."""

from __future__ import annotations

import importlib.util

from evaluation_fakes import RECORDINGS


def test_recordings_are_reproducible_from_the_generator(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "generate_recordings", RECORDINGS / "generate_recordings.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.generate(tmp_path):
        assert path.read_bytes() == (RECORDINGS / path.name).read_bytes(), path.name
