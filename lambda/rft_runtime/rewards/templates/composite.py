"""``composite``: a weighted mean of other graders, optionally gated.

Options:

- ``graders`` (required): a list of ``{"template", "options" (default {}), "weight" (default 1),
  "name" (default: the template name; names must be distinct)}``. Sub-options are validated by
  their own template.
- ``gate`` (default none): names of sub-graders that must each score at least ``gate_threshold``
  before the others are run. A sample failing a gate scores 0 with error tag ``gate:<name>``
  (the remaining graders are skipped, which saves judge calls and sandbox runs).
- ``gate_threshold`` (default 1.0).

Score: ``sum(weight * score) / sum(weight)`` over all sub-graders (gates included; give a gate
weight 0 to make it a pure gate). Components: one per sub-grader (its score). Error tag: the first
sub-grader error as ``<name>:<tag>``. Dataset fields: the union of the sub-graders' fields.

Example::

    {"template": "composite", "options": {
        "graders": [
            {"template": "format_check", "name": "format", "weight": 0,
             "options": {"constraints": [{"type": "regex", "pattern": "^#### "}]}},
            {"template": "math_answer", "weight": 1}],
        "gate": ["format"]}}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.core import Grader as GraderProtocol
from rft_runtime.rewards.core import Sample, Score, clamp01, score_all
from rft_runtime.rewards.options import (
    Rule,
    bad,
    check_object,
    choice,
    number,
    option,
    predicate,
    strings,
    text,
)

NAME = "composite"
_ENTRY_RULES = {
    "template": choice(*catalogue.TEMPLATE_NAMES),
    "options": predicate("an object", lambda v: isinstance(v, Mapping)),
    "weight": number(0.0),
    "name": text(max_length=64),
}


def _graders(key: str, value: Any) -> tuple[Any, list[str]]:
    """Check the ``graders`` list, including each sub-grader's options."""
    if not isinstance(value, (list, tuple)) or not value:
        return value, bad(key, value, "a non-empty list of {template, options, weight, name} objects")
    entries: list[dict[str, Any]] = []
    problems: list[str] = []
    for index, entry in enumerate(value):
        where = f"{key}[{index}]"
        checked, found = check_object(where, entry, _ENTRY_RULES, ("template",))
        if not found:
            checked.setdefault("options", {})
            checked.setdefault("weight", 1.0)
            checked.setdefault("name", checked["template"])
            found = [
                f"{where}.options: {message}"
                for message in catalogue.validate_options(checked["template"], checked["options"])
            ]
        problems.extend(found)
        entries.append(checked)
    names = [entry.get("name") for entry in entries]
    problems.extend(
        f"option {key!r}: name {n!r} is used by more than one grader; give each a distinct 'name'"
        for n in sorted({n for n in names if n is not None})
        if names.count(n) > 1
    )
    if not problems and sum(entry["weight"] for entry in entries) <= 0:
        problems.append(f"option {key!r}: the weights add up to 0; give at least one a positive weight")
    return tuple(entries), problems


@dataclass(frozen=True)
class Options:
    """Options of ``composite`` (see the module docstring)."""

    graders: tuple[Mapping[str, Any], ...] = option(
        rule=Rule("a non-empty list of {template, options, weight, name} objects", _graders)
    )
    gate: tuple[str, ...] = option((), rule=strings())
    gate_threshold: float = option(1.0, rule=number(0.0, 1.0))

    def problems(self) -> list[str]:
        """Every gate must name a sub-grader."""
        names = [entry["name"] for entry in self.graders]
        return [
            f"option 'gate' names {gate!r}, which is not a grader; grader names: {', '.join(names)}"
            for gate in self.gate
            if gate not in names
        ]


def required_fields(options: Options) -> tuple[str, ...]:
    """The union of the sub-graders' dataset fields, in first-seen order."""
    fields: dict[str, None] = {}
    for entry in options.graders:
        fields.update(dict.fromkeys(catalogue.required_dataset_fields(entry["template"], entry["options"])))
    return tuple(fields)


class Grader:
    """Runs the gates, then the other sub-graders on the samples that passed, and combines them."""

    name = NAME

    def __init__(self, options: Options, **deps: Any) -> None:
        self.options = options
        self._parts: list[tuple[str, float, GraderProtocol]] = [
            (
                entry["name"],
                float(entry["weight"]),
                catalogue.build_grader(entry["template"], entry["options"], **deps),
            )
            for entry in options.graders
        ]
        self._total = sum(weight for _, weight, _ in self._parts)

    def score(self, sample: Sample) -> Score:
        """The combined score of one sample."""
        return self.score_many([sample])[0]

    def score_many(self, samples: Sequence[Sample], *, deadline: float | None = None) -> list[Score]:
        """Combined scores of a batch; each sub-grader sees the batch (so judges run concurrently)."""
        gates = set(self.options.gate)
        threshold = self.options.gate_threshold
        columns: dict[str, Sequence[Score | None]] = {}
        failing: list[str | None] = [None] * len(samples)
        for name, _, grader in self._parts:
            if name in gates:
                column = columns[name] = score_all(grader, samples, deadline)
                for index, score in enumerate(column):
                    if failing[index] is None and clamp01(score.value) < threshold:
                        failing[index] = name
        open_positions = [index for index, gate in enumerate(failing) if gate is None]
        open_samples = (
            samples if len(open_positions) == len(samples) else [samples[i] for i in open_positions]
        )
        for name, _, grader in self._parts:
            if name not in gates:
                scores = score_all(grader, open_samples, deadline)
                if open_samples is samples:
                    columns[name] = scores
                else:
                    column: list[Score | None] = [None] * len(samples)
                    for index, score in zip(open_positions, scores, strict=True):
                        column[index] = score
                    columns[name] = column
        ordered = [(name, weight, columns[name]) for name, weight, _ in self._parts]
        return [self._combine(index, failing[index], ordered) for index in range(len(samples))]

    def _combine(
        self,
        index: int,
        failed_gate: str | None,
        ordered: Sequence[tuple[str, float, Sequence[Score | None]]],
    ) -> Score:
        components: dict[str, float] = {}
        weighted = 0.0
        error: str | None = None
        for name, weight, column in ordered:
            score = column[index]
            if score is None:
                continue
            value = components[name] = clamp01(score.value)
            weighted += weight * value
            if error is None and score.error is not None:
                error = f"{name}:{score.error}"
        if failed_gate is not None:
            return Score(0.0, components, f"gate:{failed_gate}")
        return Score(weighted / self._total, components, error)
