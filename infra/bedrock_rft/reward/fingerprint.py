"""A content hash of everything that decides how rewards are computed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def reward_fingerprint(
    template: str, options: Mapping[str, Any], code_root: Path, user_file: Path | None
) -> str:
    """SHA-256 over the template name, its options, the grader source tree and the user's file.

    ``code_root`` is the ``rft_runtime`` package folder; every ``.py`` under ``rewards/`` counts,
    so a change in any grader's code is a new training input. The user's file counts by content,
    not by path (``options["path"]`` is left out), so moving the file does not retrain.
    """
    digest = hashlib.sha256()
    portable = {key: value for key, value in options.items() if not (template == "custom" and key == "path")}
    digest.update(
        json.dumps({"template": template, "options": portable}, sort_keys=True, default=str).encode()
    )
    for source in sorted((code_root / "rewards").rglob("*.py")):
        digest.update(source.relative_to(code_root).as_posix().encode())
        digest.update(source.read_bytes())
    if user_file is not None:
        digest.update(b"user-code")
        digest.update(user_file.read_bytes())
    return digest.hexdigest()
