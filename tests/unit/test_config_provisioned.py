"""``[deployment] mode = "provisioned"``, ``model_units`` and ``commitment`` through the one set of
rules: file:line errors from TOML, prop-path errors from props, and the JSON Schema agrees."""

from __future__ import annotations

import tomllib

import jsonschema
import pytest
from test_config_cost_controls import (
    test_bad_values_name_file_line_key_and_what_is_allowed as _refused_at_its_line,
)
from test_config_loader import MINIMAL as BASE

from bedrock_rft.config import ConfigError, DeploymentConfig, load_environment_file
from bedrock_rft.config.json_schema import environment_schema
from bedrock_rft.config.rules import COMMITMENTS, pipeline_problems


def _schema_errors(path) -> list:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    return list(jsonschema.Draft202012Validator(environment_schema()).iter_errors(document))


def test_provisioned_mode_loads_with_units_and_commitment(make_environment):
    path = make_environment(
        "unit", BASE + '[deployment]\nmode = "provisioned"\nmodel_units = 2\ncommitment = "OneMonth"\n'
    )
    deployment = load_environment_file(path).deployment
    assert (deployment.mode, deployment.model_units, deployment.commitment) == ("provisioned", 2, "OneMonth")
    assert _schema_errors(path) == []


def test_defaults_are_no_units_and_no_commitment(make_environment):
    deployment = load_environment_file(make_environment("unit", BASE)).deployment
    assert (deployment.model_units, deployment.commitment) == (None, "none")
    assert COMMITMENTS == ("none", "OneMonth", "SixMonths")


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ('[deployment]\nmode = "provisioned"\nmodel_units = 0\n', "deployment.model_units", "at least 1"),
        ('[deployment]\nmode = "provisioned"\nmodel_units = "2"\n', "deployment.model_units", "must be"),
        ("[deployment]\nmodel_units = 1\n", "deployment.model_units", 'only mode "provisioned" uses it'),
        ('[deployment]\ncommitment = "SixMonths"\n', "deployment.commitment", 'only mode "provisioned"'),
        (
            '[deployment]\nmode = "provisioned"\nmodel_units = 1\ncommitment = "OneYear"\n',
            "deployment.commitment",
            "choose one of: none, OneMonth, SixMonths",
        ),
    ],
)
def test_bad_values_name_file_line_key_and_what_is_allowed(make_environment, text, key, fragment):
    _refused_at_its_line(make_environment, text, key, fragment)  # also checks the JSON Schema refuses it


def test_provisioned_without_units_names_the_missing_key_and_its_table(make_environment):
    text = '[deployment]\nmode = "provisioned"\n'
    path = make_environment("bad", BASE + text)
    with pytest.raises(ConfigError) as caught:
        load_environment_file(path)
    message = str(caught.value)
    assert 'deployment.model_units: is required with mode "provisioned"; allowed: an integer >= 1' in message
    assert f"{path}:{len(BASE.splitlines()) + 1}: deployment.model_units" in message  # the table's line
    assert _schema_errors(path)


def test_props_get_the_same_rules_by_prop_path(make_environment):
    config = load_environment_file(make_environment("unit", BASE))
    bad = config.__class__(
        **{
            **config.__dict__,
            "deployment": DeploymentConfig(mode="on_demand", model_units=3, commitment="OneMonth"),
        }
    )
    keys = {p.key for p in pipeline_problems(bad, region="us-east-1", account=None)}
    assert keys == {"deployment.model_units", "deployment.commitment"}
