"""The reward-template catalogue: names, option validation, dataset needs, grader construction.

The CDK app and the dataset validator call these at synth time; the Lambda handler and the ``rft``
command build graders with :func:`build_grader`. Template modules are imported on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import Any

from rft_runtime.rewards.core import ANSWER_FIELDS, Grader, Sample, safe_score
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


_ANSWER_OBJECT = f"or an object holding it in one of: {', '.join(ANSWER_FIELDS)}"
#: Templates that grade against a row's reference, and what they accept (for dataset errors).
REFERENCE_RULES: Mapping[str, str] = {
    "math_answer": "it needs a final answer that is a number or math expression "
    f'("42", "3/4", "#### 42"), {_ANSWER_OBJECT}',
    "string_match": "it needs the expected text (in labels mode, one of the labels) or a list of accepted "
    f"texts, {_ANSWER_OBJECT}",
    "text_similarity": f"it needs the reference text or a list of them, {_ANSWER_OBJECT}",
    "code_tests": 'it needs tests (assert statements, or [{"input": ..., "output": ...}]) in the field '
    "it reads: tests_field when set, else tests, else reference_answer",
}

#: ``check(row) -> problem or None`` for one decoded dataset row.
RowCheck = Callable[[Mapping[str, Any]], str | None]


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


def reference_check(name: str, options: Mapping[str, Any]) -> RowCheck | None:
    """A check that a dataset row holds a reference template ``name`` can grade, or None when the
    template (and, for ``composite``, every sub-grader) grades without one.

    The check asks the grader itself: it grades an empty response against the row as the Lambda would
    receive it (every field but ``messages`` as metadata) and reports the row when the grader answers
    ``bad-reference``, so it can never disagree with grading. Only the templates of
    :data:`REFERENCE_RULES` are asked; none of them runs code or calls a model on an empty response.
    Raises :class:`OptionsError` for invalid options.
    """
    graders = [
        (sub, build_grader(sub, sub_options))
        for sub, sub_options in graders_in_use(name, options)
        if sub in REFERENCE_RULES
    ]
    if not graders:
        return None

    def check(row: Mapping[str, Any]) -> str | None:
        metadata = {key: value for key, value in row.items() if key != "messages"}
        sample = Sample("", row.get("reference_answer"), (), metadata)
        for sub, grader in graders:
            tag = safe_score(grader, sample).error
            if tag in ("bad-reference", "grader-exception"):
                return f"{sub} cannot grade it: {REFERENCE_RULES[sub]}"
        return None

    return check


def native_packages(name: str, options: Mapping[str, Any]) -> tuple[str, ...]:
    """Compiled packages the reward Lambda should bundle for grader ``name`` (and its sub-graders):
    the union of each template's ``native_packages(options)``, sorted. Graders work without them
    (a slower pure-Python path gives the same values). Raises :class:`OptionsError` for bad options."""
    packages: set[str] = set()
    for sub, sub_options in graders_in_use(name, options):
        module = template_module(sub)
        declared = getattr(module, "native_packages", None)
        if declared is not None:
            packages.update(declared(parse_options(module.Options, sub_options, sub)))
    return tuple(sorted(packages))


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


def code_runner_concurrency(name: str, options: Mapping[str, Any], grader_concurrency: int) -> int:
    """The code runner's reserved concurrency beside a grader ``name`` reserving ``grader_concurrency``
    (0: both unreserved; also 0 when no ``code_tests`` is in use). Each grader invocation runs up to
    ``max_concurrency`` samples of a ``code_tests`` grader on the runner at once, and a composite's
    graders run one after another, so the largest counts: reserving only the grader's number would
    throttle the runner at full load, and a throttled call scores an honest sample 0 (``runner-error``)."""
    widest = max(
        (
            parse(used, used_options).max_concurrency
            for used, used_options in graders_in_use(name, options)
            if used == "code_tests"
        ),
        default=0,
    )
    return grader_concurrency * widest
