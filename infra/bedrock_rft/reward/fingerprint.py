"""A content hash of everything that decides how rewards are computed, and nothing else.

Grader modules count by their *code*: :func:`normalized_source` drops comments, docstrings, blank
lines and trailing spaces before hashing, so a documentation-only edit (in this package or in a
user's grader) never retrains; any other change to the code that runs does.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import tokenize
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


def _docstring_spans(tree: ast.Module) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) (line, column) of every module, class and function docstring."""
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                spans.append(((first.lineno, first.col_offset), (first.end_lineno, first.end_col_offset)))
    return spans


def normalized_source(source: str) -> bytes:
    """``source`` without comments, docstrings, blank lines and trailing whitespace (UTF-8).

    Positions come from ``ast`` (docstrings) and ``tokenize`` (comments), so the result is the
    same on every Python version that parses the file. Raises ``SyntaxError`` for invalid code.
    """
    lines = source.splitlines()
    removed = _docstring_spans(ast.parse(source))
    removed += [
        (token.start, token.end)
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    ]
    for (start_line, start_col), (end_line, end_col) in sorted(removed, reverse=True):
        head, tail = lines[start_line - 1][:start_col], lines[end_line - 1][end_col:]
        lines[start_line - 1 : end_line] = [head + tail]
    kept = [line.rstrip() for line in lines if line.strip()]
    return "\n".join(kept).encode("utf-8")


def portable_options(template: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` without what names a place rather than behaviour (a ``custom`` grader's ``path``)."""
    return {key: value for key, value in options.items() if not (template == "custom" and key == "path")}


def _grader_code(code_root: Path, templates: Iterable[str], user_file: Path | None) -> Iterable[bytes]:
    """Relative path, then code (:func:`_code_bytes`), of every module the graders run; then the
    user's file (marked ``user-code``), if any."""
    for source in grader_modules(code_root, templates):
        yield source.relative_to(code_root).as_posix().encode()
        yield _code_bytes(source)
    if user_file is not None:
        yield b"user-code"
        yield _code_bytes(user_file)


def reward_fingerprint(
    template: str,
    options: Mapping[str, Any],
    code_root: Path,
    user_file: Path | None,
    templates: Iterable[str] | None = None,
) -> str:
    """SHA-256 over the template name, its options, the grader code that runs, and the user's file.

    ``code_root`` is the ``rft_runtime`` package folder. Only modules the configured graders run
    count (:func:`grader_modules`; ``templates`` default ``[template]``, pass every template of a
    composite), so an edit of an unrelated template, the CLI or the lifecycle never retrains. The
    user's file counts by content, not by path (``options["path"]`` is left out), so moving the
    file does not retrain. Python sources count by :func:`normalized_source` (comments and
    docstrings do not retrain); other files by their bytes.
    """
    digest = hashlib.sha256()
    portable = portable_options(template, options)
    digest.update(
        json.dumps({"template": template, "options": portable}, sort_keys=True, default=str).encode()
    )
    for part in _grader_code(code_root, templates or [template], user_file):
        digest.update(part)
    return digest.hexdigest()


def grader_code_sha256(code_root: Path, templates: Iterable[str], user_file: Path | None) -> str:
    """Hex SHA-256 of the grader code alone: what :func:`reward_fingerprint` covers without the
    template name and options (``rft plan`` shows it as ``reward.code``)."""
    digest = hashlib.sha256()
    for part in _grader_code(code_root, templates, user_file):
        digest.update(part)
    return digest.hexdigest()


def _code_bytes(path: Path) -> bytes:
    """What of ``path`` counts: the normalized code of a Python file that parses, else its bytes."""
    raw = path.read_bytes()
    if path.suffix != ".py":
        return raw
    try:
        return normalized_source(raw.decode("utf-8"))
    except (SyntaxError, UnicodeDecodeError, tokenize.TokenError):
        return raw  # an unparsable grader fails at run time; its bytes still identify it
