"""Template options: a frozen dataclass per template, parsed from a JSON-like mapping.

Each field is declared with :func:`option`, which names a :class:`Rule`. :func:`parse_options` runs
every rule and reports every problem at once (:class:`OptionsError`); each message names the template,
the option key, the bad value and what is allowed. A dataclass may add cross-field checks in a
``problems(self) -> list[str]`` method, run once every field is individually valid.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class OptionsError(ValueError):
    """Invalid template options; ``problems`` holds one message per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclasses.dataclass(frozen=True)
class Rule:
    """How one option is checked: ``allowed`` describes valid values for messages; ``apply(key, value)``
    returns ``(converted value, problems)`` (messages without the template prefix)."""

    allowed: str
    apply: Callable[[str, Any], tuple[Any, list[str]]]


def show(value: object, limit: int = 60) -> str:
    """A short ``repr`` of ``value`` for messages (JSON spellings for true/false/null)."""
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def bad(key: str, value: object, allowed: str) -> list[str]:
    """The one-message problem list for option ``key`` holding ``value`` where ``allowed`` was expected."""
    return [f"option {key!r} = {show(value)} is invalid; allowed: {allowed}"]


def option(default: Any = dataclasses.MISSING, *, rule: Rule) -> Any:
    """A dataclass field checked by ``rule``; no ``default`` means the option is required."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("mutable option defaults are not allowed; use a tuple")
    return dataclasses.field(default=default, metadata={"rule": rule})


def predicate(
    allowed: str,
    ok: Callable[[Any], bool],
    convert: Callable[[Any], Any] = lambda v: v,
    optional: bool = False,
) -> Rule:
    """A rule accepting values for which ``ok`` holds (converted by ``convert``); ``optional`` adds null."""
    if optional:
        allowed += " or null"

    def apply(key: str, value: Any) -> tuple[Any, list[str]]:
        if value is None and optional:
            return None, []
        return (convert(value), []) if ok(value) else (value, bad(key, value, allowed))

    return Rule(allowed, apply)


def number(
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    integer: bool = False,
    optional: bool = False,
    above: bool = False,
) -> Rule:
    """A finite number (``integer``: whole) within [minimum, maximum] (``above``: strictly above minimum)."""
    parts = ["an integer" if integer else "a number"]
    if minimum is not None:
        parts.append(f"{'>' if above else '>='} {minimum:g}")
    if maximum is not None:
        parts.append(f"{'and ' if minimum is not None else ''}<= {maximum:g}")

    def ok(value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        if integer and value != int(value):
            return False
        if minimum is not None and (value <= minimum if above else value < minimum):
            return False
        return maximum is None or value <= maximum

    return predicate(" ".join(parts), ok, int if integer else float, optional)


def choice(*values: str) -> Rule:
    """One of ``values``."""
    return predicate(
        "one of " + ", ".join(repr(v) for v in values), lambda v: isinstance(v, str) and v in values
    )


BOOLEAN = predicate("true or false", lambda v: isinstance(v, bool))


def text(*, optional: bool = False, max_length: int = 100_000) -> Rule:
    """A non-empty string of at most ``max_length`` characters; ``optional`` also allows null."""
    return predicate(
        f"a non-empty string of at most {max_length} characters",
        lambda v: isinstance(v, str) and bool(v.strip()) and len(v) <= max_length,
        optional=optional,
    )


def strings(*, min_items: int = 0) -> Rule:
    """A list of distinct non-empty strings (at least ``min_items``), converted to a tuple."""

    def ok(value: Any) -> bool:
        return (
            isinstance(value, (list, tuple))
            and len(value) >= min_items
            and all(isinstance(v, str) and v.strip() for v in value)
            and len(set(value)) == len(value)
        )

    return predicate(f"a list of at least {min_items} distinct non-empty strings", ok, tuple)


def regex(*, optional: bool = False) -> Rule:
    """A Python regular expression that compiles; ``optional`` also allows null."""
    allowed = "a valid regular expression string" + (" or null" if optional else "")

    def apply(key: str, value: Any) -> tuple[Any, list[str]]:
        if value is None and optional:
            return None, []
        problem = regex_problem(value)
        return value, [] if problem is None else bad(key, value, f"{allowed} ({problem})")

    return Rule(allowed, apply)


def regex_problem(value: object) -> str | None:
    """Why ``value`` is not a usable regular expression, or None when it compiles."""
    if not isinstance(value, str) or not value:
        return "not a non-empty string"
    try:
        re.compile(value)
    except re.error as problem:
        return str(problem)
    return None


def parse_options(cls: type[T], options: object, template: str) -> T:
    """An instance of the options dataclass ``cls`` from ``options``; raises :class:`OptionsError`."""
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise OptionsError([f"{template}: options must be an object, got {show(options)}"])
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    problems = [_unknown(key, fields) for key in options if key not in fields]
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name in options:
            values[name], found = field.metadata["rule"].apply(name, options[name])
            problems.extend(found)
        elif field.default is dataclasses.MISSING:
            problems.append(f"option {name!r} is required; allowed: {field.metadata['rule'].allowed}")
    if not problems:
        instance = cls(**values)
        cross = getattr(instance, "problems", None)
        problems.extend(cross() if cross else [])
        if not problems:
            return instance
    raise OptionsError([f"{template}: {problem}" for problem in problems])


def _unknown(key: object, fields: Mapping[str, object]) -> str:
    """The message for an unknown option key, with a close match when there is one."""
    import difflib

    close = difflib.get_close_matches(str(key), list(fields), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown option {show(key)}{hint}; allowed options: {', '.join(fields) or 'none'}"


def check_object(
    key: str, value: Any, rules: Mapping[str, Rule], required: Sequence[str] = ()
) -> tuple[dict[str, Any], list[str]]:
    """Check a nested object (a list entry of an option) against per-key ``rules``.

    Returns the converted entries present and every problem: not an object, unknown keys, missing
    ``required`` keys, invalid values. Keys in messages read like ``constraints[2].pattern``.
    """
    if not isinstance(value, Mapping):
        return {}, bad(key, value, "an object with keys " + ", ".join(rules))
    problems = [
        f"option {key!r} has unknown key {show(name)}; allowed keys: {', '.join(rules)}"
        for name in value
        if name not in rules
    ]
    converted: dict[str, Any] = {}
    for name, rule in rules.items():
        if name in value:
            converted[name], found = rule.apply(f"{key}.{name}", value[name])
            problems.extend(found)
        elif name in required:
            problems.append(f"option '{key}.{name}' is required; allowed: {rule.allowed}")
    return converted, problems
