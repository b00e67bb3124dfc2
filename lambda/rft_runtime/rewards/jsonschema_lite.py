"""A small, dependency-free JSON Schema validator (a documented subset of draft 2020-12).

Supported keywords: ``type`` (a name or a list of names; ``integer`` accepts ``1.0``), ``properties``,
``required``, ``additionalProperties`` (true, false or a schema), ``items`` (one schema for every
element), ``enum``, ``const`` (JSON equality: ``1 == 1.0``, ``true != 1``), ``minimum``, ``maximum``,
``exclusiveMinimum``, ``exclusiveMaximum``, ``minLength``, ``maxLength`` (code points), ``minItems``,
``maxItems``, ``pattern`` (unanchored Python ``re.search``). Boolean schemas (``true``/``false``) work.
Annotations (``title``, ``description``, ``$schema``, ``$id``, ``$comment``, ``default``,
``examples``) are ignored. Any other keyword (``$ref``, ``anyOf``, ``patternProperties``, ...) is
reported by :func:`schema_problems`, so a schema is never silently half-enforced.

:func:`compile_schema` turns a schema into a fast ``validate(instance) -> bool``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Validator = Callable[[Any], bool]

ANNOTATIONS = frozenset({"title", "description", "$schema", "$id", "$comment", "default", "examples"})
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems")
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
SUPPORTED = frozenset(
    {"type", "properties", "required", "additionalProperties", "items", "enum", "const", "pattern"}
    | set(_COUNTS)
    | set(_BOUNDS)
    | ANNOTATIONS
)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: object) -> bool:
    return _is_number(value) and (isinstance(value, int) or value.is_integer())  # type: ignore[union-attr]


#: JSON Schema type name -> test of a decoded JSON value.
TYPE_TESTS: dict[str, Validator] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "number": _is_number,
    "integer": _is_integer,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def json_equal(left: object, right: object) -> bool:
    """Equality of decoded JSON values as JSON Schema defines it (numbers by value, booleans apart)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if _is_number(left) and _is_number(right):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(json_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and left == right


def schema_problems(schema: object, path: str = "#") -> list[str]:
    """Every reason ``schema`` cannot be enforced by this validator ([] when it can)."""
    if isinstance(schema, bool):
        return []
    if not isinstance(schema, Mapping):
        return [f"{path}: a schema must be an object or a boolean"]
    problems = [
        f"{path}: keyword {key!r} is not supported; supported: {', '.join(sorted(SUPPORTED - ANNOTATIONS))}"
        for key in schema
        if key not in SUPPORTED
    ]
    kind = schema.get("type")
    names = kind if isinstance(kind, list) else [kind]
    if "type" in schema and not (names and all(isinstance(n, str) and n in TYPE_TESTS for n in names)):
        problems.append(f"{path}/type: must be one of {', '.join(TYPE_TESTS)} or a list of them")
    properties = schema.get("properties", {})
    if not isinstance(properties, Mapping):
        problems.append(f"{path}/properties: must be an object of schemas")
    else:
        for name, sub in properties.items():
            problems.extend(schema_problems(sub, f"{path}/properties/{name}"))
    required = schema.get("required", [])
    if not (isinstance(required, list) and all(isinstance(r, str) for r in required)):
        problems.append(f"{path}/required: must be a list of property names")
    for key in ("additionalProperties", "items"):
        if key in schema:
            problems.extend(schema_problems(schema[key], f"{path}/{key}"))
    if "enum" in schema and not isinstance(schema["enum"], list):
        problems.append(f"{path}/enum: must be a list")
    for key in _COUNTS:
        value = schema.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(f"{path}/{key}: must be a non-negative integer")
    for key in _BOUNDS:
        if key in schema and not _is_number(schema[key]):
            problems.append(f"{path}/{key}: must be a number")
    if "pattern" in schema:
        try:
            re.compile(schema["pattern"])
        except (re.error, TypeError) as problem:
            problems.append(f"{path}/pattern: not a valid regular expression ({problem})")
    return problems


def compile_schema(schema: object) -> Validator:
    """``validate(instance) -> bool`` for a schema that :func:`schema_problems` accepts."""
    if isinstance(schema, bool):
        return lambda instance: schema
    assert isinstance(schema, Mapping)
    checks: list[Validator] = []
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        checks.append(_any_of([TYPE_TESTS[name] for name in names]))
    if "enum" in schema:
        checks.append(_enum(schema["enum"]))
    if "const" in schema:
        constant = schema["const"]
        checks.append(lambda v: json_equal(v, constant))
    checks.extend(_number_checks(schema))
    checks.extend(_string_checks(schema))
    checks.extend(_array_checks(schema))
    checks.extend(_object_checks(schema))
    return _all_of(checks)


def _any_of(checks: list[Validator]) -> Validator:
    """A validator passing when some check passes."""
    if len(checks) == 1:
        return checks[0]

    def validate(instance: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a loop avoids the generator any() would need
            if check(instance):
                return True
        return False

    return validate


def _all_of(checks: list[Validator]) -> Validator:
    """A validator passing when every check passes (a plain loop: cheaper than ``all`` over a generator)."""
    if len(checks) == 1:
        return checks[0]

    def validate(instance: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a loop avoids the generator all() would need
            if not check(instance):
                return False
        return True

    return validate


def _enum(options: list[Any]) -> Validator:
    """``enum``: a set lookup when every option is a string (the usual label list), else JSON equality."""
    if all(type(option) is str for option in options):
        labels = frozenset(options)
        return lambda v: type(v) is str and v in labels
    return _any_of([lambda v, o=option: json_equal(v, o) for option in options])


def _number_checks(schema: Mapping[str, Any]) -> list[Validator]:
    """One check for every numeric bound of the schema (non-numbers pass: ``type`` rules them)."""
    if not any(key in schema for key in _BOUNDS):
        return []
    inf = float("inf")
    low, high = schema.get("minimum", -inf), schema.get("maximum", inf)
    above, below = schema.get("exclusiveMinimum", -inf), schema.get("exclusiveMaximum", inf)

    def in_bounds(v: Any) -> bool:
        if not _is_number(v):
            return True
        return low <= v <= high and above < v < below

    return [in_bounds]


def _string_checks(schema: Mapping[str, Any]) -> list[Validator]:
    checks: list[Validator] = []
    if "minLength" in schema:
        low = schema["minLength"]
        checks.append(lambda v: not isinstance(v, str) or len(v) >= low)
    if "maxLength" in schema:
        high = schema["maxLength"]
        checks.append(lambda v: not isinstance(v, str) or len(v) <= high)
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search
        checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
    return checks


def _array_checks(schema: Mapping[str, Any]) -> list[Validator]:
    checks: list[Validator] = []
    if "minItems" in schema:
        low = schema["minItems"]
        checks.append(lambda v: not isinstance(v, list) or len(v) >= low)
    if "maxItems" in schema:
        high = schema["maxItems"]
        checks.append(lambda v: not isinstance(v, list) or len(v) <= high)
    if "items" in schema:
        item = compile_schema(schema["items"])
        checks.append(lambda v: not isinstance(v, list) or all(item(element) for element in v))
    return checks


def _object_checks(schema: Mapping[str, Any]) -> list[Validator]:
    checks: list[Validator] = []
    required = list(schema.get("required", []))
    if required:
        checks.append(lambda v: not isinstance(v, dict) or all(name in v for name in required))
    properties = {name: compile_schema(sub) for name, sub in schema.get("properties", {}).items()}
    if properties:
        checks.append(_properties_check(list(properties.items())))
    if "additionalProperties" in schema:
        extra = compile_schema(schema["additionalProperties"])
        checks.append(
            lambda v: (
                not isinstance(v, dict)
                or all(extra(value) for name, value in v.items() if name not in properties)
            )
        )
    return checks


def _properties_check(properties: list[tuple[str, Validator]]) -> Validator:
    """``properties``: each present property is valid against its schema (a plain loop, see _all_of)."""

    def validate(instance: Any) -> bool:
        if not isinstance(instance, dict):
            return True
        for name, check in properties:  # noqa: SIM110 - a loop avoids the generator all() would need
            if name in instance and not check(instance[name]):
                return False
        return True

    return validate
