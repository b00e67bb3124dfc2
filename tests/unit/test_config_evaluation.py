"""``[evaluation]`` (the promotion gate) goes through the one set of rules: file:line errors from
TOML, prop-path errors from ``RftPipelineProps``, and the JSON Schema agrees."""

from __future__ import annotations

import dataclasses

import pytest
from test_config_cost_controls import _schema_errors, assert_refused_at_last_line
from test_config_loader import MINIMAL as BASE

from bedrock_rft.config import ConfigError, EvaluationConfig, load_environment_file
from bedrock_rft.config.rules import pipeline_problems

TRAINING = 'training = "{data}/arithmetic_train.jsonl"\n'
WITH_VALIDATION = BASE.replace(TRAINING, TRAINING + 'validation = "{data}/arithmetic_validation.jsonl"\n')


def test_the_gate_is_on_by_default_only_with_a_validation_file_and_a_model_to_serve(make_environment):
    without = load_environment_file(make_environment("plain", BASE))
    assert without.evaluation == EvaluationConfig()
    assert not without.evaluation.gate_on(without.dataset, without.deployment)
    config = load_environment_file(make_environment("validated", WITH_VALIDATION))
    assert config.evaluation.gate_on(config.dataset, config.deployment)
    train_only = load_environment_file(
        make_environment("train", WITH_VALIDATION + '[deployment]\nmode = "none"\n')
    )
    assert not train_only.evaluation.gate_on(train_only.dataset, train_only.deployment)
    provisioned = WITH_VALIDATION + '[deployment]\nmode = "provisioned"\nmodel_units = 1\n'
    by_default = load_environment_file(make_environment("pt", provisioned))
    assert by_default.evaluation.gate_on(by_default.dataset, by_default.deployment)
    asked = load_environment_file(make_environment("pt_gate", provisioned + "[evaluation]\ngate = true\n"))
    assert asked.evaluation.gate_on(asked.dataset, asked.deployment)
    off = load_environment_file(make_environment("off", WITH_VALIDATION + "[evaluation]\ngate = false\n"))
    assert not off.evaluation.gate_on(off.dataset, off.deployment)


def test_valid_evaluation_settings_load(make_environment):
    text = (
        WITH_VALIDATION
        + "[evaluation]\ngate = true\nmin_improvement = 0.02\nsamples_per_prompt = 4\nmax_prompts = 500\n"
    )
    path = make_environment("unit", text)
    config = load_environment_file(path)
    assert config.evaluation == EvaluationConfig(
        gate=True, min_improvement=0.02, samples_per_prompt=4, max_prompts=500
    )
    assert _schema_errors(path) == []


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("[evaluation]\nmin_improvement = 1.5\n", "evaluation.min_improvement", "allowed: from -1 to 1"),
        ('[evaluation]\nmin_improvement = "0.1"\n', "evaluation.min_improvement", "must be"),
        ("[evaluation]\nsamples_per_prompt = 0\n", "evaluation.samples_per_prompt", "allowed: from 1 to 8"),
        ("[evaluation]\nsamples_per_prompt = 9\n", "evaluation.samples_per_prompt", "allowed: from 1 to 8"),
        ("[evaluation]\nmax_prompts = 0\n", "evaluation.max_prompts", "allowed: at least 1"),
        ('[evaluation]\ngate = "yes"\n', "evaluation.gate", "must be true or false"),
        ("[evaluation]\nthreshold = 0.1\n", "evaluation.threshold", "allowed: gate, max_prompts"),
    ],
)
def test_bad_values_name_file_line_key_and_what_is_allowed(make_environment, text, key, fragment):
    assert_refused_at_last_line(make_environment("bad", WITH_VALIDATION + text), key, fragment)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[evaluation]\ngate = true\n", "set dataset.validation"),
        (
            '[deployment]\nmode = "none"\n[evaluation]\ngate = true\n',
            'use mode = "on_demand" or "provisioned", or gate = false',
        ),
    ],
)
def test_a_gate_that_cannot_run_is_a_config_error_naming_the_key(make_environment, text, fragment):
    base = BASE if "mode" not in text else WITH_VALIDATION
    path = make_environment("bad", base + text)
    with pytest.raises(ConfigError) as caught:
        load_environment_file(path)
    assert f"{path}:{len((base + text).splitlines())}: evaluation.gate: " in str(caught.value)
    assert fragment in str(caught.value)


def test_props_get_the_same_rules_by_prop_path(make_environment):
    config = load_environment_file(make_environment("unit", BASE))
    values = dataclasses.replace(config, evaluation=EvaluationConfig(gate=True, samples_per_prompt=20))
    problems = {p.key: p.message for p in pipeline_problems(values, region="us-east-1", account=None)}
    assert "set dataset.validation" in problems["evaluation.gate"]
    assert "allowed: from 1 to 8" in problems["evaluation.samples_per_prompt"]
