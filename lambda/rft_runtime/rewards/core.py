"""The types every grader shares: :class:`Sample` in, :class:`Score` out.

A grader is any object with ``name: str`` and ``score(sample) -> Score``. Graders that gain from
seeing the whole batch at once (LLM judge, code tests: concurrency and a time budget) also define
``score_many(samples, *, deadline=None) -> list[Score]``; :func:`score_all` uses it when present.

``Score.value`` is meant to be in [0, 1]; the batch adapter clamps whatever a grader returns
(NaN and infinities become 0). ``Score.error`` is a short, stable tag (``"no-answer"``,
``"hedged"``, ``"timeout"``, ...) that explains a zero or a degraded score; it becomes a metric, so
it never holds free text.

:func:`reference_answer` is the one reading of a dataset's ``reference_answer`` that every template
uses (its docstring gives the lookup order).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

_LOG = logging.getLogger(__name__)

#: Shared immutable empty mapping for defaults.
EMPTY: Mapping[str, Any] = MappingProxyType({})

#: Fields of an object reference that hold the answer, in the order :func:`reference_answer` tries them.
ANSWER_FIELDS = ("answer", "final_answer", "ground_truth", "answers", "label", "value", "text")
#: Nested answer objects followed before giving up (``{"answer": {"text": ...}}`` is two levels).
_MAX_ANSWER_DEPTH = 4


class Sample(NamedTuple):
    """One generated response to grade.

    - ``response``: the final answer text: reasoning blocks (``<think>``, reasoning content) removed.
    - ``reference``: the dataset's ``reference_answer`` as given (str, number, dict, list or None).
    - ``messages``: the prompt turns (the generated assistant turn excluded).
    - ``metadata``: the dataset row's other fields as Bedrock forwards them.
    - ``id``: Bedrock's sample id (echoed back, not used for grading).
    - ``reasoning``: the removed reasoning text ("" when there was none).
    """

    response: str
    reference: Any = None
    messages: Sequence[Mapping[str, Any]] = ()
    metadata: Mapping[str, Any] = EMPTY
    id: Any = ""
    reasoning: str = ""


class Score(NamedTuple):
    """A grade: ``value`` in [0, 1], named ``components`` (each in [0, 1]) and an ``error`` tag or None."""

    value: float
    components: Mapping[str, float] = EMPTY
    error: str | None = None


def reference_answer(reference: object) -> Any:
    """The answer a dataset reference states, the same for every template.

    1. A string, number, boolean, list or null is the answer as given.
    2. An object gives the value of its first field among :data:`ANSWER_FIELDS` (``answer``,
       ``final_answer``, ``ground_truth``, ``answers``, ``label``, ``value``, ``text``), read again
       by these rules when it is itself an object (up to 4 levels): AWS's Nova samples'
       ``{"final_answer": "16", "steps": [...]}`` gives ``"16"``, its open-weight samples'
       ``{"text": "... #### 72"}`` gives that text.
    3. Any other object (e.g. the AWS docs' ``{"compliant": "No", "explanation": "..."}``) is returned
       whole: no field is guessed to be the answer. ``llm_judge`` and ``custom`` graders read it as
       it is; templates that need one answer score it 0 with ``bad-reference``, and
       ``rft validate --template`` reports such rows, by line, before training.
    """
    for _ in range(_MAX_ANSWER_DEPTH):
        if type(reference) is not dict and not isinstance(reference, Mapping):
            return reference
        key = next((key for key in ANSWER_FIELDS if key in reference), None)
        if key is None:
            return reference
        reference = reference[key]
    return reference


def failed(tag: str) -> Score:
    """A zero score carrying the error ``tag``."""
    return Score(0.0, EMPTY, tag)


class Grader(Protocol):
    """What the batch adapter needs from a grader."""

    name: str

    def score(self, sample: Sample) -> Score:
        """Grade one sample; may raise (the adapter turns exceptions into ``grader-exception``)."""
        ...


def clamp01(value: object) -> float:
    """``value`` as a float in [0, 1]; NaN, infinities and non-numbers become 0.0."""
    if type(value) is float and 0.0 <= value <= 1.0:  # the usual case, checked first
        return value
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return 0.0
    if number != number or number in (math.inf, -math.inf):
        return 0.0
    return 0.0 if number < 0.0 else 1.0 if number > 1.0 else number


def safe_score(grader: Grader, sample: Sample) -> Score:
    """``grader.score(sample)``, with any exception turned into a ``grader-exception`` zero (logged)."""
    try:
        return grader.score(sample)
    except Exception:
        _LOG.exception("grader %s raised on sample %r", getattr(grader, "name", "?"), sample.id)
        return failed("grader-exception")


def score_all(grader: Grader, samples: Sequence[Sample], deadline: float | None = None) -> list[Score]:
    """Grade ``samples`` in order, never raising.

    Uses ``grader.score_many`` when the grader has one (``deadline`` is a ``time.monotonic()``
    instant it should finish by), else :func:`safe_score` per sample. A ``score_many`` that raises
    or returns the wrong number of scores is treated as a failure of every sample.
    """
    many = getattr(grader, "score_many", None)
    if many is None:
        return [safe_score(grader, sample) for sample in samples]
    try:
        scores = list(many(samples, deadline=deadline))
    except Exception:
        _LOG.exception("grader %s raised on a batch of %d", getattr(grader, "name", "?"), len(samples))
        return [failed("grader-exception")] * len(samples)
    if len(scores) != len(samples):
        _LOG.error("grader %s returned %d scores for %d samples", grader.name, len(scores), len(samples))
        return [failed("grader-exception")] * len(samples)
    return scores
