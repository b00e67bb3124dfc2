"""Review 3: config and decision rules of the promotion gate (reproductions of defects found in review,
fixed since: each failed before its fix)."""

from __future__ import annotations

import pytest

from bedrock_rft.config import rules
from rft_runtime.evaluation import stats, summary, verdicts
from rft_runtime.evaluation.grading import Graded
from rft_runtime.evaluation.prompts import Prompt


@pytest.mark.parametrize("key", ["bedrock-rft:promoted", "bedrock-rft:fingerprint", "bedrock-rft:keep"])
def test_tag_keys_the_runtime_reads_are_reserved(key):
    # the job request's customModelTags carry the config tags: a model born with
    # bedrock-rft:promoted is adopted by a promote_from environment whatever its gate decided
    problems = rules.tag_problems({key: "gate"}, limit=40, limit_reason="test")
    assert problems, f"tag key {key} accepted"


def test_a_tie_in_mean_reward_passes_a_zero_min_improvement():
    # equal means (0.2 and 0.2) give a paired delta of -9.25e-18 from float rounding
    ids = ["p1", "p2", "p3"]
    prompts = [Prompt(i, [{"role": "user", "content": "q"}], {"reference_answer": "x"}) for i in ids]
    incumbent = Graded({"p1": [0.2], "p2": [0.2], "p3": [0.2]})
    candidate = Graded({"p1": [0.1], "p2": [0.2], "p3": [0.3]})
    figures = summary.comparison(
        prompts, ("incumbent", incumbent), ("candidate", candidate), threshold=0.5, min_improvement=0.0
    )
    assert figures["gate"], f"tie rejected: delta {figures['delta']['value']!r}"


@pytest.mark.parametrize(
    ("delta", "minimum", "passes"),
    [(-1e-12, 0.0, True), (-1e-6, 0.0, False), (0.05 - 1e-12, 0.05, True), (0.0499, 0.05, False)],
)
def test_the_gate_tolerates_float_noise_not_a_real_shortfall(delta, minimum, passes):
    assert verdicts.gate_passes(stats.Interval(delta, delta, delta), minimum) is passes
