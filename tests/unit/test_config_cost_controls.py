"""``[limits] max_training_hours`` and ``[deployment] keep_models`` go through the one set of rules:
file:line errors from TOML, prop-path errors from ``RftPipelineProps``, and the JSON Schema agrees."""

from __future__ import annotations

import tomllib

import jsonschema
import pytest
from test_config_loader import MINIMAL as BASE

from bedrock_rft.config import ConfigError, DeploymentConfig, LimitsConfig, load_environment_file
from bedrock_rft.config.json_schema import environment_schema
from bedrock_rft.config.rules import pipeline_problems


def _schema_errors(path) -> list:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    return list(jsonschema.Draft202012Validator(environment_schema()).iter_errors(document))


def test_defaults_are_no_time_limit_and_no_pruning(make_environment):
    config = load_environment_file(make_environment("unit", BASE))
    assert config.limits == LimitsConfig(max_training_hours=None)
    assert config.deployment.keep_models == 0


def test_valid_limits_load(make_environment):
    path = make_environment(
        "unit", BASE + "[limits]\nmax_training_hours = 36.5\n[deployment]\nkeep_models = 3\n"
    )
    config = load_environment_file(path)
    assert (config.limits.max_training_hours, config.deployment.keep_models) == (36.5, 3)
    assert _schema_errors(path) == []


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("[limits]\nmax_training_hours = 0.5\n", "limits.max_training_hours", "allowed: from 1 to 336"),
        ("[limits]\nmax_training_hours = 400\n", "limits.max_training_hours", "allowed: from 1 to 336"),
        ('[limits]\nmax_training_hours = "4h"\n', "limits.max_training_hours", "must be"),
        ("[limits]\nmax_hours = 4\n", "limits.max_hours", "allowed: max_training_hours"),
        ("[deployment]\nkeep_models = -1\n", "deployment.keep_models", "allowed: from 0 to 100"),
        ("[deployment]\nkeep_models = true\n", "deployment.keep_models", "must be"),
    ],
)
def test_bad_values_name_file_line_key_and_what_is_allowed(make_environment, text, key, fragment):
    assert_refused_at_last_line(make_environment("bad", BASE + text), key, fragment)


def assert_refused_at_last_line(path, key: str, fragment: str) -> None:
    """Loading ``path`` fails naming its last line (where ``key`` is) and ``fragment``; the JSON
    Schema refuses the file too."""
    with pytest.raises(ConfigError) as caught:
        load_environment_file(path)
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert f"{path}:{line}: {key}: " in str(caught.value)
    assert fragment in str(caught.value)
    assert _schema_errors(path), "the JSON Schema must refuse it too"


def test_props_get_the_same_rules_by_prop_path(make_environment):
    config = load_environment_file(make_environment("unit", BASE))
    values = config.__class__(
        **{
            **{f: getattr(config, f) for f in config.__dataclass_fields__},
            "limits": LimitsConfig(max_training_hours=1000),
            "deployment": DeploymentConfig(keep_models=-2),
        }
    )
    problems = {p.key: p.message for p in pipeline_problems(values, region="us-east-1", account=None)}
    assert "allowed: from 1 to 336" in problems["limits.max_training_hours"]
    assert "allowed: from 0 to 100" in problems["deployment.keep_models"]
