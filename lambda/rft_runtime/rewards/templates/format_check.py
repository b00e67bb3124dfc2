"""``format_check``: partial credit for each format constraint the response meets (no reference needed).

Option ``constraints`` (required): a list of objects, each with ``type`` plus ``name`` (component
name, default ``<type>_<index>``) and ``weight`` (default 1). The score is the weighted mean of the
constraint scores, each in [0, 1]:

- ``regex``: ``pattern`` (required), ``must_match`` (default true: the pattern must be found;
  false: it must not be), ``flags`` (letters from ``imsx``, default none). Scores 1 or 0.
- ``json``: the response (``source``: ``"auto"`` (default: the whole text, else the first fenced
  code block), ``"whole"``, ``"fenced"`` or ``"tag:<name>"``) must parse as JSON (no NaN, no
  repeated key) and, with ``schema``,
  validate against it (the subset in :mod:`rft_runtime.rewards.jsonschema_lite`). Scores 1 or 0; add
  a second ``json`` constraint without a schema for partial credit on parsing alone.
- ``tags``: ``tags`` (required): the fraction of ``<tag>...</tag>`` blocks present (``nonempty``,
  default true, also demands content that shows: a zero-width space or a blank filler is none).
- ``sections``: ``headings`` (required): the fraction of headings present at the start of a line
  (``## Summary``, ``**Summary**`` or ``Summary:``).
- ``length``: ``min_chars``, ``max_chars``, ``min_words``, ``max_words`` (at least one): 1 when every
  bound holds, else 0. A word that shows nothing (zero-width characters only) does not count.

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
import math
import re
import unicodedata
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


def _finite(literal: str) -> float:
    """A JSON number that floating point holds (``1e999`` would be read as infinity)."""
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"{literal} is beyond floating point")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's dict; raises ValueError on a repeated key (readers disagree on which counts)."""
    decoded = dict(pairs)
    if len(decoded) != len(pairs):
        raise ValueError("repeated key")
    return decoded


#: Strict JSON: NaN, Infinity (also as ``1e999``) and repeated keys are rejected (``json.loads``
#: would build a decoder per call).
_DECODE = json.JSONDecoder(
    parse_constant=_reject_constant, parse_float=_finite, object_pairs_hook=_unique_keys
).decode

#: A check scores the response given the matches of the grader's tag patterns (searched once per
#: sample, shared by the ``tags`` and ``json`` constraints that name the same tag).
Check = Callable[[str, Sequence["re.Match[str] | None"]], float]

_FLAG_BITS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_LEADING_FLAGS = re.compile(r"\(\?([a-zA-Z]+)\)")
_REGEX_SPECIAL = frozenset("\\.^$*+?{}[]|()")
#: ``str.split()`` separators among ASCII characters become a space, everything else an ``x``.
_WORD_MARKS = bytes(0x20 if chr(code).isspace() else 0x78 for code in range(128)) + b"x" * 128


#: Characters that show nothing although they are not whitespace (blank fillers), besides the
#: Unicode categories in :data:`_INVISIBLE_CATEGORIES`.
_BLANKS = frozenset("\u2800\u3164\u115f\u1160\uffa0")
#: Format characters (zero-width space, joiners, BOM) and lone combining marks. (Control characters
#: count as shown, as in the ASCII fast path of :func:`word_count`.)
_INVISIBLE_CATEGORIES = frozenset(["Cf", "Mn", "Me"])


def visible(text: str) -> bool:
    """Whether ``text`` shows anything: a character that is not whitespace, a blank filler, a format
    character (``\\u200b``) or a combining mark."""
    return any(
        not (char.isspace() or char in _BLANKS or unicodedata.category(char) in _INVISIBLE_CATEGORIES)
        for char in text
    )


def word_count(text: str) -> int:
    """The number of whitespace-separated words that show something (:func:`visible`); for ASCII text
    one translate and one count."""
    if not text.isascii():
        return sum(1 for word in text.split() if visible(word))
    marked = text.encode("ascii").translate(_WORD_MARKS)
    return marked.count(b"x ") + (marked[-1:] == b"x")


def most_words(text: str) -> int:
    """An upper bound of :func:`word_count` that is cheaper to get: words are separated by
    whitespace, so there are at most one more of them than whitespace characters (ASCII text)."""
    if not text.isascii():
        return len(text.split())
    return text.encode("ascii").translate(_WORD_MARKS).count(b" ") + 1


def _literal(pattern: str, flags: int) -> tuple[str, bool] | None:
    """``(text, ignore_case)`` when ``pattern`` only matches the ASCII literal ``text`` (no
    metacharacters; inline flags at the start limited to ``ims``, which do not affect a literal)."""
    leading = _LEADING_FLAGS.match(pattern)
    letters = set(leading.group(1)) if leading else set()
    body = pattern[leading.end() :] if leading else pattern
    if not letters <= {"i", "m", "s"} or flags & re.VERBOSE or not body or not body.isascii():
        return None
    if any(char in _REGEX_SPECIAL for char in body):
        return None
    return body, "i" in letters or bool(flags & re.IGNORECASE)


def _regex(constraint: Mapping[str, Any]) -> Check:
    flags = 0
    for letter in constraint.get("flags", ""):
        flags |= _FLAG_BITS[letter]
    search = re.compile(constraint["pattern"], flags).search
    wanted = constraint.get("must_match", True)
    literal = _literal(constraint["pattern"], flags)
    if literal is None:
        return lambda response, _tags: 1.0 if (search(response) is not None) == wanted else 0.0
    text, ignore_case = literal
    if not ignore_case:
        return lambda response, _tags: 1.0 if (text in response) == wanted else 0.0
    lowered = text.lower()

    def literal_score(response: str, _tags: object) -> float:
        # On ASCII text, IGNORECASE matching of an ASCII literal is exactly lower-case containment
        # (the non-ASCII case folds, such as the Kelvin sign for "k", cannot occur).
        found = lowered in response.lower() if response.isascii() else search(response) is not None
        return 1.0 if found == wanted else 0.0

    return literal_score


class _TagSearches:
    """The distinct tag patterns of a grader's constraints, each searched once per sample."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def index(self, name: str) -> int:
        if name not in self.names:
            self.names.append(name)
        return self.names.index(name)

    def searches(self) -> list[Callable[[str], re.Match[str] | None]]:
        return [tag_pattern(name).search for name in self.names]


def _json_source(source: str, tags: _TagSearches) -> Callable[[str, Sequence[Any]], str | None]:
    """A function returning the text to parse as JSON (None when the source is absent)."""
    if source == "whole":
        return lambda response, _found: response
    if source == "fenced":
        return lambda response, _found: m.group(1) if (m := _FENCED.search(response)) else None
    if source == "auto":
        return lambda response, _found: (
            response
            if response.lstrip()[:1] in ("{", "[")
            else (m.group(1) if (m := _FENCED.search(response)) else response)
        )
    index = tags.index(source.split(":", 1)[1])
    return lambda _response, found: m.group(1) if (m := found[index]) else None


def _compile(constraint: Mapping[str, Any], tags: _TagSearches) -> Check:
    """The scoring function ((response, tag matches) -> [0, 1]) of one checked constraint."""
    kind = constraint["type"]
    if kind == "regex":
        return _regex(constraint)
    if kind == "json":
        extract = _json_source(constraint.get("source", "auto"), tags)
        valid = compile_schema(constraint.get("schema", True))

        def json_score(response: str, found: Sequence[Any]) -> float:
            document = extract(response, found)
            if document is None:
                return 0.0
            try:
                decoded = _DECODE(document)
            except (ValueError, RecursionError):
                return 0.0
            return 1.0 if valid(decoded) else 0.0

        return json_score
    if kind in ("tags", "sections"):
        return _fraction_present(constraint, tags)
    return _length(constraint)


def _fraction_present(constraint: Mapping[str, Any], tags: _TagSearches) -> Check:
    """Score: the fraction of required tags (``tags``: the first block of each, non-empty unless
    ``nonempty`` is false) or headings (``sections``) present."""
    if constraint["type"] == "tags":
        indices = [tags.index(t) for t in constraint["tags"]]
        nonempty = constraint.get("nonempty", True)
        tag_total = float(len(indices))

        def tags_score(response: str, found: Sequence[Any]) -> float:
            present = 0
            for i in indices:
                if (m := found[i]) and (not nonempty or visible(m.group(1))):
                    present += 1
            return present / tag_total

        return tags_score
    headings = [
        re.compile(
            rf"^[ \t]*(?:#{{1,6}}[ \t]*|\*\*|__)?{re.escape(h)}(?:\*\*|__)?[ \t]*(?::|$)",
            re.MULTILINE | re.IGNORECASE,
        ).search
        for h in constraint["headings"]
    ]
    total = float(len(headings))
    return lambda response, _found: sum(1 for find in headings if find(response)) / total


def _length(constraint: Mapping[str, Any]) -> Check:
    """Score: 1 when every length bound holds, else 0."""
    low_c, high_c = constraint.get("min_chars", 0), constraint.get("max_chars")
    low_w, high_w = constraint.get("min_words", 0), constraint.get("max_words")
    count_words = "min_words" in constraint or high_w is not None

    def length_score(response: str, _found: object) -> float:
        chars = len(response)
        if chars < low_c or (high_c is not None and chars > high_c):
            return 0.0
        if count_words and not (low_w == 0 and high_w is not None and most_words(response) <= high_w):
            words = word_count(response)
            if words < low_w or (high_w is not None and words > high_w):
                return 0.0
        return 1.0

    return length_score


class Grader:
    """Weighted mean of the constraint scores, one component per constraint."""

    name = NAME

    def __init__(self, options: Options, **deps: Any) -> None:
        self.options = options
        tags = _TagSearches()
        self._checks: Sequence[tuple[str, float, Check]] = [
            (c["name"], float(c.get("weight", 1.0)), _compile(c, tags)) for c in options.constraints
        ]
        self._searches = tags.searches()
        self._total = sum(weight for _, weight, _ in self._checks)

    def score(self, sample: Sample) -> Score:
        """The weighted mean of the constraint scores of the final answer."""
        response = sample.response
        found = [search(response) for search in self._searches]
        components = {}
        weighted = 0.0
        for name, weight, check in self._checks:
            part = components[name] = check(response, found)
            weighted += weight * part
        return Score(weighted / self._total, components)
