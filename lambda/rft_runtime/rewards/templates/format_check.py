"""``format_check``: partial credit for each format constraint the response meets (no reference needed).

Option ``constraints`` (required): a list of objects, each with ``type`` plus ``name`` (component
name, default ``<type>_<index>``) and ``weight`` (default 1). The score is the weighted mean of the
constraint scores, each in [0, 1]:

- ``regex``: ``pattern`` (required), ``must_match`` (default true: the pattern must be found;
  false: it must not be), ``flags`` (letters from ``imsx``, default none). Scores 1 or 0.
- ``json``: the response (``source``: ``"auto"`` (default: the whole text, else the first fenced
  code block), ``"whole"``, ``"fenced"`` or ``"tag:<name>"``) must parse as JSON and, with ``schema``,
  validate against it (the subset in :mod:`rft_runtime.rewards.jsonschema_lite`). Scores 1 or 0; add
  a second ``json`` constraint without a schema for partial credit on parsing alone.
- ``tags``: ``tags`` (required): the fraction of ``<tag>...</tag>`` blocks present (``nonempty``,
  default true, also demands content).
- ``sections``: ``headings`` (required): the fraction of headings present at the start of a line
  (``## Summary``, ``**Summary**`` or ``Summary:``).
- ``length``: ``min_chars``, ``max_chars``, ``min_words``, ``max_words`` (at least one): 1 when every
  bound holds, else 0.

Example::

    {"template": "format_check", "options": {"constraints": [
        {"type": "tags", "tags": ["answer"]},
        {"type": "json", "source": "tag:answer", "weight": 2, "schema": {
            "type": "object", "required": ["label"], "properties": {"label": {"enum": ["spam", "ham"]}}}},
        {"type": "length", "max_words": 200}]}}

Components: one per constraint (by name). No error tags: an empty response simply fails them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rft_runtime.rewards.core import Sample, Score
from rft_runtime.rewards.jsonschema_lite import compile_schema, schema_problems
from rft_runtime.rewards.options import (
    BOOLEAN,
    Rule,
    bad,
    check_object,
    choice,
    number,
    option,
    predicate,
    regex,
    strings,
    text,
)

NAME = "format_check"
TYPES = ("regex", "json", "tags", "sections", "length")
_FENCED = re.compile(r"```[\w+-]*[ \t]*\n(.*?)```", re.DOTALL)
_TAG_NAME = re.compile(r"^tag:([A-Za-z_][\w.-]*)$")
_BOUND_KEYS = ("min_chars", "max_chars", "min_words", "max_words")


def _schema_rule(key: str, value: Any) -> tuple[Any, list[str]]:
    return value, [f"option {key!r}: {problem}" for problem in schema_problems(value)]


_COMMON = {"type": choice(*TYPES), "name": text(max_length=64), "weight": number(0.0)}
_FIELDS: dict[str, tuple[dict[str, Rule], tuple[str, ...]]] = {
    "regex": (
        {
            "pattern": regex(),
            "must_match": BOOLEAN,
            "flags": predicate("letters from 'imsx'", lambda v: isinstance(v, str) and set(v) <= set("imsx")),
        },
        ("pattern",),
    ),
    "json": (
        {
            "schema": Rule("a JSON Schema object (supported subset)", _schema_rule),
            "source": predicate(
                "'auto', 'whole', 'fenced' or 'tag:<name>'",
                lambda v: (
                    isinstance(v, str) and (v in ("auto", "whole", "fenced") or bool(_TAG_NAME.match(v)))
                ),
            ),
        },
        (),
    ),
    "tags": ({"tags": strings(min_items=1), "nonempty": BOOLEAN}, ("tags",)),
    "sections": ({"headings": strings(min_items=1)}, ("headings",)),
    "length": ({key: number(0, integer=True) for key in _BOUND_KEYS}, ()),
}


def _constraints(key: str, value: Any) -> tuple[Any, list[str]]:
    """Check the ``constraints`` list; returns it as a tuple of plain dicts."""
    if not isinstance(value, (list, tuple)) or not value:
        return value, bad(key, value, "a non-empty list of constraint objects")
    checked: list[dict[str, Any]] = []
    problems: list[str] = []
    for index, entry in enumerate(value):
        where = f"{key}[{index}]"
        kind = entry.get("type") if isinstance(entry, Mapping) else None
        extra, required = _FIELDS[kind] if isinstance(kind, str) and kind in _FIELDS else ({}, ())
        converted, found = check_object(where, entry, {**_COMMON, **extra}, ("type", *required))
        problems.extend(found)
        if kind == "length" and not found:
            problems.extend(_length_problems(where, converted))
        converted.setdefault("name", f"{kind}_{index}")
        checked.append(converted)
    names = [entry["name"] for entry in checked]
    problems.extend(
        f"option {key!r}: name {n!r} is used more than once" for n in sorted(set(names)) if names.count(n) > 1
    )
    if not problems and sum(entry.get("weight", 1.0) for entry in checked) <= 0:
        problems.append(f"option {key!r}: the weights add up to 0; give at least one a positive weight")
    return tuple(checked), problems


def _length_problems(where: str, bounds: Mapping[str, int]) -> list[str]:
    if not any(key in bounds for key in _BOUND_KEYS):
        return [f"option {where!r} needs at least one of {', '.join(_BOUND_KEYS)}"]
    return [
        f"option {where!r}: {low} = {bounds[low]} is above {high} = {bounds[high]}"
        for low, high in (("min_chars", "max_chars"), ("min_words", "max_words"))
        if low in bounds and high in bounds and bounds[low] > bounds[high]
    ]


@dataclass(frozen=True)
class Options:
    """Options of ``format_check`` (see the module docstring)."""

    constraints: tuple[Mapping[str, Any], ...] = option(
        rule=Rule("a non-empty list of constraint objects", _constraints)
    )


def required_fields(options: Options) -> tuple[str, ...]:
    """``format_check`` reads no dataset field."""
    return ()


def tag_pattern(name: str) -> re.Pattern[str]:
    """``<name ...>content</name>`` (name in any case); group 1 is the content."""
    tag = re.escape(name)
    return re.compile(rf"<(?i:{tag})(?:\s[^>]*)?>(.*?)</(?i:{tag})\s*>", re.DOTALL)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: Strict JSON: NaN and Infinity are rejected (``json.loads`` would build a decoder per call).
_DECODE = json.JSONDecoder(parse_constant=_reject_constant).decode


def _json_source(source: str) -> Callable[[str], str | None]:
    """A function returning the text to parse as JSON (None when the source is absent)."""
    if source == "whole":
        return lambda response: response
    if source == "fenced":
        return lambda response: m.group(1) if (m := _FENCED.search(response)) else None
    if source == "auto":
        return lambda response: (
            response
            if response.lstrip()[:1] in ("{", "[")
            else (m.group(1) if (m := _FENCED.search(response)) else response)
        )
    pattern = tag_pattern(source.split(":", 1)[1])
    return lambda response: m.group(1) if (m := pattern.search(response)) else None


def _compile(constraint: Mapping[str, Any]) -> Callable[[str], float]:
    """The scoring function (response -> [0, 1]) of one checked constraint."""
    kind = constraint["type"]
    if kind == "regex":
        flags = 0
        for letter in constraint.get("flags", ""):
            flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}[letter]
        search = re.compile(constraint["pattern"], flags).search
        wanted = constraint.get("must_match", True)
        return lambda response: 1.0 if (search(response) is not None) == wanted else 0.0
    if kind == "json":
        extract = _json_source(constraint.get("source", "auto"))
        valid = compile_schema(constraint.get("schema", True))

        def json_score(response: str) -> float:
            document = extract(response)
            if document is None:
                return 0.0
            try:
                decoded = _DECODE(document)
            except (ValueError, RecursionError):
                return 0.0
            return 1.0 if valid(decoded) else 0.0

        return json_score
    if kind in ("tags", "sections"):
        return _fraction_present(constraint)
    return _length(constraint)


def _fraction_present(constraint: Mapping[str, Any]) -> Callable[[str], float]:
    """Score: the fraction of required tags (``tags``: the first block of each, non-empty unless
    ``nonempty`` is false) or headings (``sections``) present."""
    if constraint["type"] == "tags":
        finders = [tag_pattern(t).search for t in constraint["tags"]]
        nonempty = constraint.get("nonempty", True)

        def present(response: str) -> int:
            return sum(
                1 for find in finders if (m := find(response)) and (not nonempty or m.group(1).strip())
            )

    else:
        headings = [
            re.compile(
                rf"^[ \t]*(?:#{{1,6}}[ \t]*|\*\*|__)?{re.escape(h)}(?:\*\*|__)?[ \t]*(?::|$)",
                re.MULTILINE | re.IGNORECASE,
            ).search
            for h in constraint["headings"]
        ]

        def present(response: str) -> int:
            return sum(1 for find in headings if find(response))

    total = float(len(constraint.get("tags") or constraint["headings"]))
    return lambda response: present(response) / total


def _length(constraint: Mapping[str, Any]) -> Callable[[str], float]:
    """Score: 1 when every length bound holds, else 0."""
    low_c, high_c = constraint.get("min_chars", 0), constraint.get("max_chars")
    low_w, high_w = constraint.get("min_words", 0), constraint.get("max_words")
    count_words = "min_words" in constraint or high_w is not None

    def length_score(response: str) -> float:
        chars = len(response)
        if chars < low_c or (high_c is not None and chars > high_c):
            return 0.0
        if count_words:
            words = len(response.split())
            if words < low_w or (high_w is not None and words > high_w):
                return 0.0
        return 1.0

    return length_score


class Grader:
    """Weighted mean of the constraint scores, one component per constraint."""

    name = NAME

    def __init__(self, options: Options, **deps: Any) -> None:
        self.options = options
        self._checks: Sequence[tuple[str, float, Callable[[str], float]]] = [
            (c["name"], float(c.get("weight", 1.0)), _compile(c)) for c in options.constraints
        ]
        self._total = sum(weight for _, weight, _ in self._checks)

    def score(self, sample: Sample) -> Score:
        """The weighted mean of the constraint scores of the final answer."""
        response = sample.response
        components = {}
        weighted = 0.0
        for name, weight, check in self._checks:
            part = check(response)
            components[name] = part
            weighted += weight * part
        return Score(weighted / self._total, components)
