"""``string_match``: the response must match the reference string (QA, classification, moderation).

Options:

- ``mode`` (default ``"normalized"``):

  - ``exact``: equal after trimming outer whitespace (the normalization options do not apply);
  - ``normalized``: equal after normalization;
  - ``contains``: the normalized reference appears in the normalized response as whole words;
  - ``regex``: the (stripped) response fully matches ``pattern``, or the reference read as a pattern;
  - ``labels``: the response names exactly one of ``labels`` (whole words; a label right after a
    negation is not named: ``not safe``, ``non-toxic``, ``un-safe`` give ``no-label``, and
    ``unsafe, not safe`` mentions two), and it is the reference.
- ``case_sensitive`` (default false), ``collapse_whitespace`` (default true), ``strip_punctuation``
  (default true): the normalization (always Unicode NFKC first; a minus sign before a digit is not
  punctuation, so ``-5`` is not ``5``). ``case_sensitive`` also applies to ``regex``.
- ``labels``: the allowed labels (required for, and only allowed with, ``labels``).
- ``pattern``: a fixed regular expression (``regex`` mode only; default: the reference).

Dataset field: ``reference_answer``: a string, a list of acceptable strings, or an object read by
:func:`rft_runtime.rewards.core.reference_answer` (``{"answer": ...}``, ``{"label": ...}``, ...).
Score 1 or 0; component ``match``. Error tags: ``bad-reference``, and for labels
``no-label`` / ``multiple-labels``.

Example::

    {"template": "string_match", "options": {"mode": "labels", "labels": ["safe", "unsafe"]}}
    # reference "unsafe": "Verdict: unsafe" -> 1.0; "safe or unsafe" -> 0.0 (multiple-labels)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from rft_runtime.rewards.core import Sample, Score, failed
from rft_runtime.rewards.memo import Memo
from rft_runtime.rewards.options import BOOLEAN, choice, option, regex, strings
from rft_runtime.rewards.text import reference_texts

NAME = "string_match"
MODES = ("exact", "normalized", "contains", "regex", "labels")
#: Punctuation, but not a minus sign before a digit: ``-5`` is not ``5``, nor ``x-1`` ``x+1``.
_PUNCTUATION = re.compile(r"[^\w\s-]|_|-(?!\d)")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})
#: A label right after a negation is not named: ``not safe``, ``non-toxic``, ``un-safe``, ``isn't safe``.
_NEGATED = re.compile(
    r"(?<!\w)(?:not|no|never|non|un|cannot|(?:is|are|was|were|do|does|did|ca|wo)n\W?t)\W*$", re.IGNORECASE
)
_MATCH = Score(1.0, MappingProxyType({"match": 1.0}))
_MISS = Score(0.0, MappingProxyType({"match": 0.0}))


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
        {chr(c): replacement for c in range(128) if not (chr(c).isalnum() or chr(c).isspace() or c == 45)}
    )

    def normalize(value: str) -> str:
        if value.isascii():
            if fold:
                value = value.lower()
            if strip_punctuation:  # a "-" needs the pattern (kept before a digit only)
                value = _PUNCTUATION.sub(replacement, value) if "-" in value else value.translate(ascii_table)
        else:
            value = unicodedata.normalize("NFKC", value).translate(_MINUS)
            if fold:
                value = value.casefold()
            if strip_punctuation:
                value = _PUNCTUATION.sub(replacement, value)
        if keep_spacing:
            return value
        return " ".join(value.split()) if collapse else value.strip()

    return normalize


def _compile(pattern: str, flags: int) -> re.Pattern[str] | None:
    """``pattern`` compiled, or None when it is not a valid regular expression."""
    try:
        return re.compile(pattern, flags)
    except re.error:
        return None


def _words(phrase: str) -> str:
    """A regex matching ``phrase`` as whole words (a number not right after a minus sign: ``5`` is not
    in ``-5``)."""
    before = r"(?<![\w-])" if phrase[:1].isdigit() else r"(?<!\w)"
    return rf"{before}{re.escape(phrase)}(?!\w)"


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


#: Finds the ``(start, end)`` spans where one label occurs as whole words.
SpanFinder = Callable[[str], Iterator[tuple[int, int]]]


def label_spans(label: str, *, flexible_spacing: bool = False) -> SpanFinder:
    """Spans of ``label`` as whole words, located with ``str.find`` (far faster than a regex scan
    over a long response). With ``flexible_spacing`` a multi-word label accepts any run of
    whitespace between its words."""
    words = label.split(" ") if flexible_spacing else [label]
    first = words[0]
    rest = re.compile(r"\s+".join(map(re.escape, words))) if len(words) > 1 else None

    def spans(text: str) -> Iterator[tuple[int, int]]:
        start = text.find(first)
        while start >= 0:
            if start == 0 or not _is_word(text[start - 1]):
                end = start + len(first)
                if rest is not None:
                    match = rest.match(text, start)
                    end = match.end() if match else -1
                if end >= 0 and (end == len(text) or not _is_word(text[end])):
                    yield start, end
            start = text.find(first, start + 1)

    return spans


def labels_named(text: str, finders: Sequence[tuple[str, SpanFinder]]) -> tuple[set[str], set[str]]:
    """The labels ``text`` names, and those it mentions right after a negation (``finders`` longest
    label first: a label found inside a longer one's span does not count)."""
    taken: list[tuple[int, int]] = []
    named: set[str] = set()
    negated: set[str] = set()
    for label, spans in finders:
        for start, end in spans(text):
            if not any(low <= start and end <= high for low, high in taken):
                taken.append((start, end))
                (negated if _NEGATED.search(text, max(0, start - 12), start) else named).add(label)
    return named, negated


class Grader:
    """Matches the final answer against the reference in the configured mode."""

    name = NAME

    def __init__(self, options: Options, **deps: Any) -> None:
        self.options = options
        self._normalize = normalizer(options)
        self._flags = 0 if options.case_sensitive else re.IGNORECASE
        self._normalized_reference = Memo(self._normalize)
        self._word_pattern = Memo(lambda phrase: _compile(_words(phrase), self._flags))
        self._reference_pattern = Memo(lambda source: _compile(source, self._flags))
        self._labels = {self._normalize(label): label for label in options.labels}
        # Labels are searched in text whose whitespace is left as is (collapsing 1 KB costs more
        # than the search); multi-word labels then accept any run of whitespace between words.
        flexible = options.collapse_whitespace
        self._spaced = normalizer(options, keep_spacing=True)
        self._label_text = self._spaced if flexible else self._normalize
        # With collapsed whitespace, normalized texts are equal exactly when their word lists are.
        self._words_of = Memo(lambda text: self._spaced(text).split())
        self._finders = [
            (label, label_spans(label, flexible_spacing=flexible))
            for label in sorted(self._labels, key=len, reverse=True)
        ]
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

    def _by_exact(self, response: str, references: list[str]) -> Score:
        stripped = response.strip()
        return _MATCH if any(stripped == ref.strip() for ref in references) else _MISS

    def _by_normalized(self, response: str, references: list[str]) -> Score:
        references = [ref for ref in references if self._normalized_reference(ref)]
        if not references:
            return failed("bad-reference")  # only punctuation: an empty answer would match it
        if self.options.collapse_whitespace:
            words = self._spaced(response).split()
            return _MATCH if any(words == self._words_of(ref) for ref in references) else _MISS
        got = self._normalize(response)
        return _MATCH if any(got == self._normalized_reference(ref) for ref in references) else _MISS

    def _by_contains(self, response: str, references: list[str]) -> Score:
        got = self._normalize(response)
        for ref in references:
            wanted = self._normalized_reference(ref)
            if wanted and (pattern := self._word_pattern(wanted)) is not None and pattern.search(got):
                return _MATCH
        return _MISS

    def _by_regex(self, response: str, references: list[str]) -> Score:
        text = " ".join(response.split()) if self.options.collapse_whitespace else response.strip()
        if self._fixed is not None:
            patterns = [self._fixed]
        else:
            patterns = [self._reference_pattern(ref) for ref in references]
        if all(p is None for p in patterns):
            return failed("bad-reference")
        return _MATCH if any(p is not None and p.fullmatch(text) for p in patterns) else _MISS

    def _by_labels(self, response: str, references: list[str]) -> Score:
        expected = {self._normalized_reference(ref) for ref in references} & self._labels.keys()
        if not expected:
            return failed("bad-reference")
        named, negated = labels_named(self._label_text(response), self._finders)
        if not named:
            return Score(0.0, {"match": 0.0}, "no-label")
        if len(named | negated) > 1:
            return Score(0.0, {"match": 0.0}, "multiple-labels")
        return _MATCH if named <= expected else _MISS
