"""How many Bedrock calls an ``llm_judge`` reward makes in one training run, and their token budget.

The service grades every generated response: each prompt is answered ``trainingSamplePerPrompt``
times per epoch, so one run sends the reward ``rows x trainingSamplePerPrompt x epochCount``
samples, and every ``llm_judge`` grader (one, or several inside a ``composite``) calls its model
once per sample. This counts the training set only: the pre-flight probe adds one call per judge,
and the service's evaluation of a validation set adds more (not counted here). Each call's output
is capped by the judge's ``max_tokens`` and the response it reads by ``max_candidate_chars``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rft_runtime.rewards import catalogue

#: Template metadata key under which ``RftPipeline`` records :meth:`JudgeBudget.describe` (the
#: synth summary prints it).
JUDGE_CALLS_METADATA = "bedrock-rft:judgeCalls"


@dataclass(frozen=True)
class JudgeBudget:
    """The judge calls of one run. ``rows``: training prompts (None: unknown, data in S3 or logs);
    ``judges``: ``(model_id, max_tokens, max_candidate_chars)`` per ``llm_judge`` grader."""

    rows: int | None
    samples_per_prompt: int
    epochs: int
    judges: tuple[tuple[str, int, int], ...]

    @property
    def calls(self) -> int | None:
        """Judge calls of one run (None when the row count is unknown)."""
        if self.rows is None:
            return None
        return self.rows * self.samples_per_prompt * self.epochs * len(self.judges)

    def describe(self) -> str:
        """One line: the count and how it was computed, and each judge's budget per call."""
        formula = (
            f"x {self.samples_per_prompt} samples per prompt x {self.epochs} epochs x "
            f"{len(self.judges)} judges"
        )
        if self.calls is None:
            count = f"unknown (training rows unknown at synth: data in S3); rows {formula}"
        else:
            count = f"{self.calls:,} = {self.rows:,} rows {formula}"
        budgets = "; ".join(
            f"{model}: <= {tokens} output tokens per call, reads <= {chars:,} characters of the response"
            for model, tokens, chars in self.judges
        )
        return f"LLM judge calls per run: {count} (training set only). {budgets}"


def judge_budget(
    template: str, options: Mapping[str, Any], *, rows: int | None, samples_per_prompt: int, epochs: int
) -> JudgeBudget | None:
    """The budget of a reward ``template`` with ``options``; None when it uses no ``llm_judge``."""
    judges = tuple(
        (str(parsed.model_id), int(parsed.max_tokens), int(parsed.max_candidate_chars))
        for name, judge_options in catalogue.graders_in_use(template, options)
        if name == "llm_judge"
        for parsed in [catalogue.parse(name, judge_options)]
    )
    if not judges:
        return None
    return JudgeBudget(rows=rows, samples_per_prompt=samples_per_prompt, epochs=epochs, judges=judges)


def over_limit(budget: JudgeBudget | None, max_calls: int | None) -> str:
    """Why ``budget`` breaks ``max_calls`` (empty: it does not, or there is no limit or judge)."""
    if budget is None or max_calls is None or budget.calls is None or budget.calls <= max_calls:
        return ""
    return (
        f"one run makes {budget.calls:,} LLM judge calls, more than max_judge_calls = {max_calls:,} "
        f"({budget.describe()}); allowed: fewer rows, samples per prompt or epochs, or a higher limit"
    )
