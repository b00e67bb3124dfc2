"""``[reward] max_judge_calls``: synth fails, naming file, line and key, when one run's LLM judge
calls (from the training file's rows and the hyperparameters) exceed it; the summary prints them."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from bedrock_rft.application import build_app
from bedrock_rft.config import ConfigError
from bedrock_rft.tools.cost_estimate import cost_table
from rft_runtime.rewards.judge_budget import JUDGE_CALLS_METADATA

pytestmark = pytest.mark.synth

ENVIRONMENT = """name = "judged"
region = "us-east-1"
[dataset]
training = "{data}/arithmetic_train.jsonl"
[reward]
template = "llm_judge"
max_judge_calls = 1000
[reward.options]
model_id = "amazon.nova-lite-v1:0"
preset = "reasoning"
[hyperparameters]
epochCount = 2
trainingSamplePerPrompt = 4
[network]
vpc = "none"
"""


def test_synth_fails_at_the_keys_line_when_a_run_would_make_more_judge_calls(make_environment):
    path = make_environment("judged", ENVIRONMENT)
    app = cdk.App(outdir=str(path.parent / "cdk.out"), context={"env": "judged"})
    with pytest.raises(ConfigError) as caught:
        build_app(path.parent, app=app)
    message = str(caught.value)
    assert f"{path}:7: reward.max_judge_calls: one run makes 1,920 LLM judge calls" in message
    assert "more than max_judge_calls = 1,000" in message


def test_the_summary_prints_the_judge_calls_the_template_records():
    template = {"Resources": {}, "Metadata": {JUDGE_CALLS_METADATA: "LLM judge calls per run: 1,920 = ..."}}
    assert "    LLM judge calls per run: 1,920 = ..." in cost_table(template)
