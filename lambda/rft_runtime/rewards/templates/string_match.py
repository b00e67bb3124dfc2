"""``string_match``: the response must match the reference string (QA, classification, moderation).

Options:

- ``mode`` (default ``"normalized"``):

  - ``exact``: equal after trimming outer whitespace (the normalization options do not apply);
  - ``normalized``: equal after normalization;
  - ``contains``: the normalized reference appears in the normalized response as whole words;
  - ``regex``: the (stripped) response fully matches ``pattern``, or the reference read as a pattern;
  - ``labels``: the response names exactly one of ``labels`` (whole words), and it is the reference.
- ``case_sensitive`` (default false), ``collapse_whitespace`` (default true), ``strip_punctuation``
  (default true): the normalization (always Unicode NFKC first). ``case_sensitive`` also applies to
  ``regex``.
- ``labels``: the allowed labels (required for, and only allowed with, ``labels``).
- ``pattern``: a fixed regular expression (``regex`` mode only; default: the reference).

Dataset field: ``reference_answer``: a string, a list of acceptable strings, or ``{"answer": ...}``
(``{"label": ...}``). Score 1 or 0; component ``match``. Error tags: ``bad-reference``, and for labels
``no-label`` / ``multiple-labels``.

Example::

    {"template": "string_match", "options": {"mode": "labels", "labels": ["safe", "unsafe"]}}
    # reference "unsafe": "Verdict: unsafe" -> 1.0; "safe or unsafe" -> 0.0 (multiple-labels)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rft_runtime.rewards.core import Sample, Score, failed
from rft_runtime.rewards.options import BOOLEAN, choice, option, regex, strings
from rft_runtime.rewards.text import reference_texts

NAME = "string_match"
MODES = ("exact", "normalized", "contains", "regex", "labels")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_MATCH = Score(1.0, {"match": 1.0})
_MISS = Score(0.0, {"match": 0.0})


@dataclass(frozen=True)
class Options:
    """Options of ``string_match`` (defaults in the module docstring)."""

    mode: str = option("normalized", rule=choice(*MODES))
    case_sensitive: bool = option(False, rule=BOOLEAN)
    collapse_whitespace: bool = option(True, rule=BOOLEAN)
    strip_punctuation: bool = option(True, rule=BOOLEAN)
    labels: tuple[str, ...] = option((), rule=strings(min_items=2))
    pattern: str | None = option(None, rule=regex(optional=True))

    def problems(self) -> list[str]:
        """Cross-field rules: ``labels`` with mode labels only, ``pattern`` with mode regex only."""
        found = []
        if self.mode == "labels" and not self.labels:
            found.append("mode 'labels' needs option 'labels' (at least two allowed labels)")
        if self.labels and self.mode != "labels":
            found.append(f"option 'labels' only applies to mode 'labels', not {self.mode!r}")
        if self.pattern is not None and self.mode != "regex":
            found.append(f"option 'pattern' only applies to mode 'regex', not {self.mode!r}")
        normalize = normalizer(self)
        normalized = [normalize(label) for label in self.labels]
        found.extend(
            f"label {label!r} is empty once normalized"
            for label, n in zip(self.labels, normalized, strict=True)
            if not n
        )
        if len(set(normalized)) < len(normalized):
            found.append(
                "option 'labels' holds labels that are equal once normalized (case, punctuation, spaces)"
            )
        return found


def required_fields(options: Options) -> tuple[str, ...]:
    """The reference is needed unless mode ``regex`` has a fixed ``pattern``."""
    return () if options.mode == "regex" and options.pattern is not None else ("reference_answer",)


def normalizer(options: Options, *, keep_spacing: bool = False) -> Callable[[str], str]:
    """The text normalization ``options`` configure (NFKC, case, punctuation, whitespace).

    ASCII text skips NFKC (a no-op on ASCII) and strips punctuation with ``str.translate``; the
    result is the same as the general path's. ``keep_spacing`` skips the final whitespace collapse
    (punctuation still becomes spaces): whole-word search for labels without spaces finds the same.
    """
    fold = not options.case_sensitive
    strip_punctuation = options.strip_punctuation
    collapse = options.collapse_whitespace
    replacement = " " if collapse else ""
    ascii_table = str.maketrans(
        {chr(c): replacement for c in range(128) if not (chr(c).isalnum() or chr(c).isspace())}
    )

    def normalize(value: str) -> str:
        if value.isascii():
            if fold:
                value = value.lower()
            if strip_punctuation:
                value = value.translate(ascii_table)
        else:
            value = unicodedata.normalize("NFKC", value)
            if fold:
                value = value.casefold()
            if strip_punctuation:
                value = _PUNCTUATION.sub(replacement, value)
        if keep_spacing:
            return value
        return " ".join(value.split()) if collapse else value.strip()

    return normalize


def _words(phrase: str) -> str:
    """A regex matching ``phrase`` as whole words."""
    return rf"(?<!\w){re.escape(phrase)}(?!\w)"


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def labels_named(text: str, labels: list[str]) -> set[str]:
    """The labels ``text`` names as whole words (``labels`` longest first: a label inside a longer
    one found at the same place does not count)."""
    spans: list[tuple[int, int]] = []
    named: set[str] = set()
    for label in labels:
        start = text.find(label)
        while start >= 0:
            end = start + len(label)
            whole = (start == 0 or not _is_word(text[start - 1])) and (
                end == len(text) or not _is_word(text[end])
            )
            if whole and not any(low <= start and end <= high for low, high in spans):
                spans.append((start, end))
                named.add(label)
            start = text.find(label, start + 1)
    return named


class Grader:
    """Matches the final answer against the reference in the configured mode."""

    name = NAME

    def __init__(self, options: Options, **deps: Any) -> None:
        self.options = options
        self._normalize = normalizer(options)
        self._flags = 0 if options.case_sensitive else re.IGNORECASE
        self._patterns: dict[str, re.Pattern[str] | None] = {}
        self._labels = {self._normalize(label): label for label in options.labels}
        self._longest_first = sorted(self._labels, key=len, reverse=True)
        spaced = any(" " in label for label in self._labels)
        self._label_text = (
            self._normalize
            if spaced or not options.collapse_whitespace
            else normalizer(options, keep_spacing=True)
        )
        self._fixed = None if options.pattern is None else re.compile(options.pattern, self._flags)
        self._score = getattr(self, f"_by_{options.mode}")

    def score(self, sample: Sample) -> Score:
        """1.0 on a match, else 0.0."""
        if self._fixed is not None:
            return self._by_regex(sample.response, [])
        references = reference_texts(sample.reference)
        if not references:
            return failed("bad-reference")
        return self._score(sample.response, references)

    def _compiled(self, source: str, build: Callable[[str], str]) -> re.Pattern[str] | None:
        """``build(source)`` compiled (cached per grader); None when it does not compile."""
        try:
            return self._patterns[source]
        except KeyError:
            if len(self._patterns) > 4096:
                self._patterns.clear()
            try:
                compiled: re.Pattern[str] | None = re.compile(build(source), self._flags)
            except re.error:
                compiled = None
            self._patterns[source] = compiled
            return compiled

    def _by_exact(self, response: str, references: list[str]) -> Score:
        stripped = response.strip()
        return _MATCH if any(stripped == ref.strip() for ref in references) else _MISS

    def _by_normalized(self, response: str, references: list[str]) -> Score:
        got = self._normalize(response)
        return _MATCH if any(got == self._normalize(ref) for ref in references) else _MISS

    def _by_contains(self, response: str, references: list[str]) -> Score:
        got = self._normalize(response)
        for ref in references:
            wanted = self._normalize(ref)
            if wanted and (pattern := self._compiled(wanted, _words)) is not None and pattern.search(got):
                return _MATCH
        return _MISS

    def _by_regex(self, response: str, references: list[str]) -> Score:
        text = " ".join(response.split()) if self.options.collapse_whitespace else response.strip()
        if self._fixed is not None:
            patterns = [self._fixed]
        else:
            patterns = [self._compiled(ref, str) for ref in references]
        if all(p is None for p in patterns):
            return failed("bad-reference")
        return _MATCH if any(p is not None and p.fullmatch(text) for p in patterns) else _MISS

    def _by_labels(self, response: str, references: list[str]) -> Score:
        expected = {self._normalize(ref) for ref in references} & self._labels.keys()
        if not expected:
            return failed("bad-reference")
        named = labels_named(self._label_text(response), self._longest_first)
        if not named:
            return Score(0.0, {"match": 0.0}, "no-label")
        if len(named) > 1:
            return Score(0.0, {"match": 0.0}, "multiple-labels")
        return _MATCH if named <= expected else _MISS
