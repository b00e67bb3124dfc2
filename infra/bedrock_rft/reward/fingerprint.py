"""A content hash of everything that decides how rewards are computed, and nothing else."""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

PACKAGE = "rft_runtime"
#: Where every reward computation starts: the Lambda adapter.
ENTRY_MODULE = "rft_runtime.rewards.handler"


def _module_file(code_root: Path, module: str) -> Path | None:
    parts = module.split(".")[1:]
    for candidate in (
        code_root.joinpath(*parts).with_suffix(".py"),
        code_root.joinpath(*parts, "__init__.py"),
    ):
        if candidate.is_file():
            return candidate
    return None


def _imported(module: str, source: str) -> Iterable[str]:
    """Modules ``source`` (of ``module``) imports at any depth in the file, plus sibling scripts it
    names as ``"<name>.py"`` strings (the sandbox runs its child that way, without importing it)."""
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.endswith(".py"):
            name = node.value.removesuffix(".py")
            if name.isidentifier():
                yield f"{package}.{name}"
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: -node.level]
                base = ".".join([*parent, base] if base else parent)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def grader_modules(code_root: Path, templates: Iterable[str]) -> list[Path]:
    """Source files the reward Lambda runs for ``templates``: the adapter, each template module and,
    transitively, every package module they import. Sorted, without duplicates."""
    pending = [ENTRY_MODULE, *(f"{PACKAGE}.rewards.templates.{name}" for name in templates)]
    seen: dict[str, Path] = {}
    while pending:
        module = pending.pop()
        path = _module_file(code_root, module)
        if module in seen or path is None:
            continue
        seen[module] = path
        pending.extend(
            m for m in _imported(module, path.read_text(encoding="utf-8")) if m.startswith(PACKAGE)
        )
    return sorted(set(seen.values()))


def reward_fingerprint(
    template: str,
    options: Mapping[str, Any],
    code_root: Path,
    user_file: Path | None,
    templates: Iterable[str] | None = None,
) -> str:
    """SHA-256 over the template name, its options, the grader source that runs, and the user's file.

    ``code_root`` is the ``rft_runtime`` package folder. Only modules the configured graders run
    count (:func:`grader_modules`; ``templates`` default ``[template]``, pass every template of a
    composite), so an edit of an unrelated template, the CLI or the lifecycle never retrains. The
    user's file counts by content, not by path (``options["path"]`` is left out), so moving the
    file does not retrain.
    """
    digest = hashlib.sha256()
    portable = {key: value for key, value in options.items() if not (template == "custom" and key == "path")}
    digest.update(
        json.dumps({"template": template, "options": portable}, sort_keys=True, default=str).encode()
    )
    for source in grader_modules(code_root, templates or [template]):
        digest.update(source.relative_to(code_root).as_posix().encode())
        digest.update(source.read_bytes())
    if user_file is not None:
        digest.update(b"user-code")
        digest.update(user_file.read_bytes())
    return digest.hexdigest()
