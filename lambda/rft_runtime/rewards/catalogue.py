"""The reward-template catalogue: names, option validation, dataset needs, grader construction.

The CDK app and the dataset validator call these at synth time; the Lambda handler and the ``rft``
command build graders with :func:`build_grader`. Template modules are imported on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any

from rft_runtime.rewards.core import Grader
from rft_runtime.rewards.options import OptionsError, parse_options

TEMPLATE_NAMES: tuple[str, ...] = (
    "math_answer",
    "format_check",
    "string_match",
    "text_similarity",
    "code_tests",
    "llm_judge",
    "composite",
    "custom",
)


def _unknown(name: object) -> str:
    return f"unknown reward template {name!r}; choose one of: {', '.join(TEMPLATE_NAMES)}"


def template_module(name: str) -> ModuleType:
    """The module implementing template ``name``; raises ValueError for unknown names."""
    if not isinstance(name, str) or name not in TEMPLATE_NAMES:
        raise ValueError(_unknown(name))
    return importlib.import_module(f"rft_runtime.rewards.templates.{name}")


def parse(name: str, options: Mapping[str, object] | None) -> Any:
    """The checked options object of template ``name``; raises :class:`OptionsError` (all problems)."""
    try:
        module = template_module(name)
    except ValueError as problem:
        raise OptionsError([str(problem)]) from None
    return parse_options(module.Options, options, name)


def validate_options(name: str, options: Mapping[str, object]) -> list[str]:
    """[] when ``options`` suit template ``name``; else one message per problem.

    Messages name the option key, the bad value and what is allowed; unknown keys are problems; an
    unknown template name gives one message listing the names. Nothing is executed (``custom``
    checks its file with ``ast``).
    """
    try:
        parse(name, options)
    except OptionsError as problem:
        return problem.problems
    return []


def required_dataset_fields(name: str, options: Mapping[str, object]) -> tuple[str, ...]:
    """The dataset fields template ``name`` reads with ``options``; raises ValueError for unknown
    names (and :class:`OptionsError`, a ValueError, for invalid options)."""
    module = template_module(name)
    return tuple(module.required_fields(parse_options(module.Options, options, name)))


def build_grader(name: str, options: Mapping[str, object] | None, **deps: Any) -> Grader:
    """A ready grader (``.score(sample) -> Score``); raises :class:`OptionsError` for bad options.

    ``deps`` are injected collaborators for tests (``client`` for ``llm_judge``, clocks); templates
    ignore the ones they do not use.
    """
    checked = parse(name, options)
    return template_module(name).Grader(checked, **deps)


def graders_in_use(name: str, options: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield ``(template, options)`` for grader ``name`` and, for ``composite``, each sub-grader
    (recursively), so the infrastructure can provide what each one needs (model access, no network)."""
    yield name, options
    if name == "composite":
        for entry in options.get("graders", ()):
            yield from graders_in_use(str(entry["template"]), entry.get("options", {}))
