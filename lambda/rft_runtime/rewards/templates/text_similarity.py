"""``text_similarity``: how close the response is to the reference text (summaries, translations, QA).

Options:

- ``metric`` (default ``"token_f1"``): ``token_f1`` (SQuAD-style: English articles dropped),
  ``rouge_1``, ``rouge_2``, ``rouge_l``, ``bleu`` (up to 4-grams, smoothed) or ``edit_similarity``
  (characters); see :mod:`rft_runtime.rewards.similarity`.
- ``pass_threshold`` (default null): when set, the score is 1 if the similarity reaches it, else 0
  (the raw similarity stays in the component).
- ``case_sensitive`` (default false).
- ``max_chars`` (default 1000): ``edit_similarity`` compares at most this many characters of each
  text (after collapsing whitespace), which bounds its cost. ``edit_similarity`` uses rapidfuzz's
  compiled Levenshtein when it loads (the reward Lambda bundles it), else the pure-Python one:
  the values are identical.

Dataset field: ``reference_answer``: a string, a list of strings (the best match counts), or an
object read by :func:`rft_runtime.rewards.core.reference_answer` (``{"text": ...}``, ...).
Component: the metric's name. Error tag: ``bad-reference``.

Example::

    {"template": "text_similarity", "options": {"metric": "rouge_l", "pass_threshold": 0.4}}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rft_runtime.rewards import similarity
from rft_runtime.rewards.core import Sample, Score, failed
from rft_runtime.rewards.memo import Memo
from rft_runtime.rewards.options import BOOLEAN, choice, number, option
from rft_runtime.rewards.text import reference_texts

NAME = "text_similarity"
METRICS = ("token_f1", "rouge_1", "rouge_2", "rouge_l", "bleu", "edit_similarity")


@dataclass(frozen=True)
class Options:
    """Options of ``text_similarity`` (defaults in the module docstring)."""

    metric: str = option("token_f1", rule=choice(*METRICS))
    pass_threshold: float | None = option(None, rule=number(0.0, 1.0, optional=True))
    case_sensitive: bool = option(False, rule=BOOLEAN)
    max_chars: int = option(1000, rule=number(1, 100_000, integer=True))


def native_packages(options: Options) -> tuple[str, ...]:
    """``("rapidfuzz",)`` for ``edit_similarity`` (its compiled Levenshtein), else none."""
    return ("rapidfuzz",) if options.metric == "edit_similarity" else ()


def required_fields(options: Options) -> tuple[str, ...]:
    """``text_similarity`` needs ``reference_answer``."""
    return ("reference_answer",)


class Grader:
    """Scores the response with one similarity metric against the best-matching reference.

    Reference-side work (n-gram counts, LCS masks, the Levenshtein match table) is done once per
    distinct reference text and memoized: rollouts of one prompt share its reference.
    """

    name = NAME

    def __init__(self, options: Options, **deps: Any) -> None:
        self.options = options
        self._prepare, prepare_reference, self._compare = self._metric(options.metric)
        self._reference: Callable[[str], Any] = Memo(prepare_reference)
        self._threshold = options.pass_threshold
        self._component = options.metric
        # The last reference seen: consecutive rollouts usually share it, and comparing two equal
        # strings is cheaper than hashing a long one for the memo.
        self._last: tuple[str | None, Any] = (None, None)  # no reference text equals None

    def _metric(
        self, metric: str
    ) -> tuple[Callable[[str], Any], Callable[[str], Any], Callable[[Any, Any], float]]:
        """(response -> prepared, reference -> prepared, (reference, response) -> similarity)."""
        case = self.options.case_sensitive

        def words(text: str) -> list[bytes]:
            return similarity.word_bytes(text, case_sensitive=case)

        if metric in ("token_f1", "rouge_1", "rouge_2"):
            n = 2 if metric == "rouge_2" else 1
            articles = metric == "token_f1"

            def reference_grams(text: str) -> similarity.NgramReference:
                return similarity.NgramReference(words(text), n, drop_articles=articles)

            return words, reference_grams, similarity.NgramReference.rouge
        if metric == "rouge_l":
            return words, lambda text: similarity.LcsReference(words(text)), similarity.LcsReference.rouge_l
        if metric == "bleu":
            return words, lambda text: similarity.BleuReference(words(text)), similarity.BleuReference.bleu
        limit = self.options.max_chars

        def characters(text: str) -> str:
            text = " ".join(text.split())[:limit]
            return text if case else text.lower()

        native = similarity.native_levenshtein()
        if native is None:
            return (
                characters,
                lambda text: similarity.EditReference(characters(text)),
                similarity.EditReference.similarity,
            )
        return (
            characters,
            lambda text: similarity.NativeEditReference(characters(text), native),
            similarity.NativeEditReference.similarity,
        )

    def score(self, sample: Sample) -> Score:
        """The similarity (or pass/fail against ``pass_threshold``) with the best reference."""
        reference = sample.reference
        last_text, last_prepared = self._last
        if type(reference) is str and reference == last_text:
            best = self._compare(last_prepared, self._prepare(sample.response))
        else:
            references = reference_texts(reference)
            if not references:
                return failed("bad-reference")
            response = self._prepare(sample.response)
            best = -1.0
            for text in references:
                prepared = self._reference(text)
                best = max(best, self._compare(prepared, response))
            if len(references) == 1 and type(reference) is str:
                self._last = (reference, prepared)
        threshold = self._threshold
        value = best if threshold is None else (1.0 if best >= threshold else 0.0)
        return Score(value, {self._component: best})
