"""The LLM judge spend bound: calls per run from rows and hyperparameters, token budget per call,
``max_judge_calls``, and what ``rft validate`` prints."""

from __future__ import annotations

import json
from pathlib import Path

from rft_runtime.cli.main import main
from rft_runtime.rewards.judge_budget import judge_budget, over_limit

DATA = Path(__file__).resolve().parents[3] / "examples" / "data"
JUDGE = {"model_id": "amazon.nova-lite-v1:0", "preset": "reasoning", "max_tokens": 200}
COMPOSITE = {
    "graders": [
        {"template": "math_answer"},
        {"template": "llm_judge", "options": JUDGE},
        {"template": "llm_judge", "options": {"model_id": "amazon.nova-pro-v1:0", "preset": "reasoning"}},
    ]
}


def test_a_run_calls_each_judge_once_per_sample_of_every_prompt_and_epoch():
    budget = judge_budget("llm_judge", JUDGE, rows=240, samples_per_prompt=4, epochs=2)
    assert budget.calls == 240 * 4 * 2
    text = budget.describe()
    assert "1,920 = 240 rows x 4 samples per prompt x 2 epochs x 1 judges" in text
    assert "amazon.nova-lite-v1:0: <= 200 output tokens per call" in text


def test_every_judge_of_a_composite_counts_with_its_own_token_budget():
    budget = judge_budget("composite", COMPOSITE, rows=100, samples_per_prompt=8, epochs=1)
    assert budget.calls == 100 * 8 * 2
    assert "<= 200 output tokens" in budget.describe() and "<= 300 output tokens" in budget.describe()


def test_no_judge_no_budget_and_unknown_rows_cannot_be_bounded():
    assert judge_budget("math_answer", {}, rows=100, samples_per_prompt=8, epochs=1) is None
    unknown = judge_budget("llm_judge", JUDGE, rows=None, samples_per_prompt=8, epochs=1)
    assert unknown.calls is None and "unknown" in unknown.describe()
    assert over_limit(unknown, 1) == ""  # nothing to compare: the summary says it is unknown


def test_max_judge_calls_is_exceeded_only_above_the_limit():
    budget = judge_budget("llm_judge", JUDGE, rows=240, samples_per_prompt=4, epochs=2)
    assert over_limit(budget, 1920) == ""
    message = over_limit(budget, 1919)
    assert "1,920 LLM judge calls, more than max_judge_calls = 1,919" in message and "allowed:" in message
    assert over_limit(budget, None) == ""


def test_rft_validate_prints_the_judge_calls_of_a_run(capsys):
    path = str(DATA / "arithmetic_train.jsonl")
    options = json.dumps(JUDGE)
    args = ["validate", path, "--template", "llm_judge", "--options", options, "--epochs", "2"]
    assert main([*args, "--samples-per-prompt", "4"]) == 0
    assert (
        "LLM judge calls per run: 1,920 = 240 rows x 4 samples per prompt x 2 epochs"
        in capsys.readouterr().out
    )
    assert main([*args, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["judgeCalls"] == 240 * 8 * 2  # package default: 8 samples per prompt


def test_rft_validate_without_a_judge_prints_no_count(capsys):
    assert main(["validate", str(DATA / "arithmetic_train.jsonl"), "--template", "math_answer"]) == 0
    assert "judge" not in capsys.readouterr().out
