"""``custom``: bring your own ``score(sample)`` in a Python file, with the runtime's batch contract.

Option ``path`` (required): the file. A relative path is resolved against ``LAMBDA_TASK_ROOT`` when
set (inside Lambda), else the current directory. Validation parses the file with ``ast`` (never runs
it) and requires a top-level ``score``. The handler also reads the path from ``RFT_REWARD_CODE_PATH``.

``score(sample)`` receives a :class:`rft_runtime.rewards.core.Sample` (``sample.response`` is the
final answer, reasoning removed; ``sample.reference``, ``sample.messages``, ``sample.metadata``) and
returns a number, a ``Score``, an object with ``value`` (and optional ``components``, ``error``)
attributes, or a mapping with ``value`` (or ``score``), optional ``components`` and ``error``.
Values are clamped to [0, 1]; exceptions score 0 with tag ``user-exception``; anything else
returned scores 0 with ``bad-return``. Dataset fields: whatever your code reads (none declared).

Example file::

    def score(sample):
        wanted = str(sample.reference).strip().lower()
        return {"value": float(sample.response.strip().lower() == wanted), "components": {"exact": 1.0}}
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import logging
import math
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rft_runtime.rewards.core import EMPTY, Sample, Score, failed
from rft_runtime.rewards.options import OptionsError, option, text

NAME = "custom"
_LOG = logging.getLogger(__name__)


def resolve(path: str) -> Path:
    """``path`` made absolute against ``LAMBDA_TASK_ROOT`` (when set) or the current directory."""
    candidate = Path(path)
    if candidate.is_absolute():
        return candidate
    return Path(os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()) / candidate


def _defines_score(tree: ast.Module) -> bool:
    """Whether a module's top level binds the name ``score`` (def, assignment or import)."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "score":
            return True
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "score" for t in targets):
                return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
            (alias.asname or alias.name) == "score" for alias in node.names
        ):
            return True
    return False


def file_problems(path: str) -> list[str]:
    """Why the file at ``path`` cannot serve as a grader ([] when it can); the code is not run."""
    resolved = resolve(path)
    if not resolved.is_file():
        return [f"option 'path' = {path!r}: no such file ({resolved})"]
    if resolved.suffix != ".py":
        return [f"option 'path' = {path!r}: must be a Python file ending in .py"]
    try:
        tree = ast.parse(resolved.read_bytes(), filename=str(resolved))
    except (SyntaxError, ValueError) as problem:
        return [f"option 'path' = {path!r}: does not parse: {problem}"]
    except OSError as problem:
        return [f"option 'path' = {path!r}: cannot be read: {problem}"]
    if not _defines_score(tree):
        return [f"option 'path' = {path!r}: defines no top-level 'score'; add 'def score(sample): ...'"]
    return []


@dataclass(frozen=True)
class Options:
    """Options of ``custom``: ``path`` (required)."""

    path: str = option(rule=text(max_length=4096))

    def problems(self) -> list[str]:
        """The file must exist and define ``score``."""
        return file_problems(self.path)


def required_fields(options: Options) -> tuple[str, ...]:
    """Unknown (the user's code decides): none declared."""
    return ()


def load_score(path: str) -> Callable[[Sample], Any]:
    """Import the file at ``path`` as a fresh module and return its ``score``; raises OptionsError."""
    resolved = resolve(path)
    module_name = "rft_user_grader_" + hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    if spec is None or spec.loader is None:
        raise OptionsError([f"custom: cannot load {resolved}"])
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as problem:
        sys.modules.pop(module_name, None)
        raise OptionsError(
            [f"custom: {resolved} raised while loading: {type(problem).__name__}: {problem}"]
        ) from None
    function = getattr(module, "score", None)
    if not callable(function):
        raise OptionsError([f"custom: {resolved} has no callable 'score'"])
    return function


def as_score(result: object) -> Score:
    """The :class:`Score` for whatever a user's ``score`` returned (``bad-return`` when unusable)."""
    if isinstance(result, Score):
        return result
    if isinstance(result, (int, float)):
        value = float(result)
        return Score(value) if math.isfinite(value) else failed("non-finite-score")
    if isinstance(result, Mapping):
        value = result.get("value", result.get("score"))
        components, error = result.get("components", EMPTY), result.get("error")
    elif hasattr(result, "value"):
        value = getattr(result, "value", None)
        components, error = getattr(result, "components", EMPTY), getattr(result, "error", None)
    else:
        return failed("bad-return")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return failed("bad-return")
    if not isinstance(components, Mapping):
        components = EMPTY
    return Score(float(value), components, None if error is None else str(error))


class Grader:
    """Calls the user's ``score`` and normalizes what it returns."""

    name = NAME

    def __init__(self, options: Options, **deps: Any) -> None:
        self.options = options
        self._score = load_score(options.path)

    def score(self, sample: Sample) -> Score:
        """The user's score, normalized; exceptions give ``user-exception``."""
        try:
            result = self._score(sample)
        except (Exception, SystemExit):
            _LOG.exception("custom grader %s raised on sample %r", self.options.path, sample.id)
            return failed("user-exception")
        return as_score(result)
