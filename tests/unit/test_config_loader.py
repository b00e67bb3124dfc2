"""The environment config loader: the shipped files load; every problem is reported at once."""

from __future__ import annotations

import subprocess
import sys

import botocore.session
import pytest

from bedrock_rft.config import ConfigError, load_environment, load_environment_file
from bedrock_rft.config.schema import Hyperparameters

MINIMAL = """
name = "unit"
region = "us-east-1"
[dataset]
training = "{data}/arithmetic_train.jsonl"
[reward]
template = "math_answer"
"""


def _problems(path) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_environment_file(path)
    return {p.key: p.message for p in caught.value.problems}, caught.value


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_shipped_environments_load(repo_root, env):
    config = load_environment(env, repo_root / "environments")
    assert config.reward.template == "math_answer"
    assert config.dataset.training_file.is_file()
    assert config.dataset.validation_file.is_file()
    assert config.base_model == "amazon.nova-2-lite-v1:0:256k"


def test_minimal_file_gets_documented_defaults(make_environment):
    config = load_environment_file(make_environment("unit", MINIMAL))
    assert config.hyperparameters == Hyperparameters()
    assert config.hyperparameters.to_api() == {
        "epochCount": 1,
        "batchSize": 128,
        "learningRate": 1e-5,
        "maxPromptLength": 8192,
        "trainingSamplePerPrompt": 8,
        "inferenceMaxTokens": 2048,
        "reasoningEffort": "medium",
        "evalInterval": 10,
    }
    assert config.deployment.mode == "on_demand" and config.deployment.retain_models
    assert config.network.vpc == "create" and config.encryption.retain_data
    assert config.stack_name == "Rft-unit"


def test_out_of_range_hyperparameters_and_typo_reported_together(make_environment):
    path = make_environment(
        "bad",
        MINIMAL
        + """
[hyperparameters]
batchSize = 8
epochCount = 99
reasoningEffort = "extreme"
learningrate = 1e-5
""",
    )
    problems, error = _problems(path)
    assert set(problems) == {
        "hyperparameters.batchSize",
        "hyperparameters.epochCount",
        "hyperparameters.reasoningEffort",
        "hyperparameters.learningrate",
    }
    assert "8 is out of range; allowed: from 16 to 512" in problems["hyperparameters.batchSize"]
    assert "99 is out of range; allowed: from 1 to 50" in problems["hyperparameters.epochCount"]
    assert "choose one of: low, medium, high" in problems["hyperparameters.reasoningEffort"]
    assert "unknown key 'learningrate'" in problems["hyperparameters.learningrate"]
    assert "learningRate" in problems["hyperparameters.learningrate"]  # the allowed names are listed
    text = str(error)
    assert text.startswith(f"{path}: 4 problems")
    # each line names file:line: key
    lines = path.read_text().splitlines()
    batch_line = next(i for i, line in enumerate(lines, 1) if line.startswith("batchSize"))
    assert f"{path}:{batch_line}: hyperparameters.batchSize:" in text


def test_ranges_come_from_the_botocore_service_model(make_environment):
    model = botocore.session.get_session().get_service_model("bedrock")
    shape = model.shape_for("RFTHyperParameters").members["trainingSamplePerPrompt"]
    too_many = int(shape.metadata["max"]) + 1
    path = make_environment("hp", MINIMAL + f"[hyperparameters]\ntrainingSamplePerPrompt = {too_many}\n")
    problems, _ = _problems(path)
    assert (
        f"allowed: from {shape.metadata['min']} to {shape.metadata['max']}"
        in problems["hyperparameters.trainingSamplePerPrompt"]
    )


def test_missing_required_keys(make_environment):
    path = make_environment("missing", '[dataset]\ntraining = "{data}/arithmetic_train.jsonl"\n')
    problems, _ = _problems(path)
    assert problems.pop("region").startswith("missing: a pipeline trains")
    assert problems == {"name": "missing required key", "reward": "missing required table [reward]"}


def test_wrong_types_and_unknown_top_level_key(make_environment):
    path = make_environment(
        "types",
        MINIMAL.replace('name = "unit"', 'name = "Unit_Name"\nregoin = "us-east-1"')
        + '[hyperparameters]\nbatchSize = "64"\nlearningRate = true\n',
    )
    problems, _ = _problems(path)
    assert "lowercase letters" in problems["name"]
    assert "unknown key 'regoin'" in problems["regoin"]
    assert problems["hyperparameters.batchSize"] == "must be an integer, got '64'"
    assert problems["hyperparameters.learningRate"] == "must be a number, got True"


def test_dataset_sources_are_exclusive_and_files_must_exist(make_environment):
    path = make_environment(
        "sources",
        """
name = "unit"
region = "us-east-1"
[dataset]
training = "{data}/nope.jsonl"
training_s3_uri = "s3://bucket/train.jsonl"
[reward]
template = "math_answer"
""",
    )
    problems, _ = _problems(path)
    assert "found 2 (training_file, training_s3_uri)" in problems["dataset"]
    assert "nope.jsonl' not found" in problems["dataset.training"]


@pytest.mark.parametrize(
    ("filters", "fragment"),
    [
        ('{ equals = { project = "a" }, orAll = [] }', "exactly one of"),
        ('{ equals = { project = "a", team = "b" } }', "exactly one key = value"),
        ('{ andAll = [{ equals = { "bad key!" = "x" } }] }', "does not match the API pattern"),
        ("{ orAll = [{ andAll = [] }] }", "each filter must be {equals = ...}"),
    ],
)
def test_invocation_log_filters_follow_the_api_union_rules(make_environment, filters, fragment):
    path = make_environment(
        "logs",
        f"""
name = "unit"
region = "us-east-1"
[dataset.invocation_logs]
s3_uri = "s3://my-logs/bedrock/"
request_metadata_filters = {filters}
[reward]
template = "math_answer"
""",
    )
    problems, _ = _problems(path)
    assert any(fragment in message for message in problems.values()), problems


def test_valid_invocation_log_source(make_environment):
    path = make_environment(
        "logs",
        """
name = "unit"
region = "us-east-1"
[dataset.invocation_logs]
s3_uri = "s3://my-logs/bedrock/"
use_prompt_response = true
request_metadata_filters = { andAll = [{ equals = { project = "ops" } }, { notEquals = { tier = "test" } }] }
[reward]
template = "math_answer"
""",
    )
    source = load_environment_file(path).dataset.invocation_logs
    assert source.bucket_name == "my-logs" and source.key_prefix == "bedrock/"
    assert source.to_api()["requestMetadataFilters"]["andAll"][1] == {"notEquals": {"tier": "test"}}


def test_reward_options_are_checked_by_the_catalogue(make_environment):
    path = make_environment("reward", MINIMAL.replace('template = "math_answer"', 'template = "math_answr"'))
    problems, _ = _problems(path)
    assert "math_answer" in problems["reward.template"]  # the message lists the known templates


def test_syntax_error_names_the_line(make_environment):
    path = make_environment("syntax", MINIMAL + "[hyperparameters\nbatchSize = 64\n")
    _, error = _problems(path)
    assert error.problems[0].key == "(syntax)"
    assert error.problems[0].line == len(MINIMAL.splitlines()) + 1


def test_unknown_environment_lists_available(repo_root):
    with pytest.raises(ConfigError, match="available: dev, prod"):
        load_environment("staging", repo_root / "environments")


def test_tags_and_retention_are_validated(make_environment):
    path = make_environment(
        "tags",
        MINIMAL + '[tags]\n"aws:owner" = "me"\nteam = 7\n[encryption]\nlog_retention_days = 10\n',
    )
    problems, _ = _problems(path)
    assert "reserved" in problems["tags.aws:owner"]
    assert problems["tags.team"] == "must be a string, got 7"
    assert "allowed: 1, 3, 5" in problems["encryption.log_retention_days"]


def test_cdk_app_reports_a_bad_config_without_a_traceback(repo_root, tmp_path):
    environments = tmp_path / "environments"
    environments.mkdir()
    (environments / "dev.toml").write_text('name = "x"\n[hyperparameters]\nbatchSize = 8\n')
    script = (
        "import sys, runpy; sys.argv=['app.py'];"
        f"import bedrock_rft.application as a; from pathlib import Path;"
        f"from bedrock_rft.config import ConfigError\n"
        f"try:\n a.build_app(Path({str(environments)!r}), nag=False)\n"
        f"except ConfigError as e:\n print(e, file=sys.stderr); sys.exit(1)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        "4 problems" in result.stderr and "batchSize" in result.stderr and "region: missing" in result.stderr
    )


def test_more_tags_than_a_resource_can_carry_are_refused(make_environment):
    # 46 is the most that fits: subnets also carry 3 CDK tags and the stack's pipeline tag
    # (tests/infra/test_config_limits.py synthesizes 46 and counts).
    fits = "".join(f't{i} = "v"\n' for i in range(46))
    assert len(load_environment_file(make_environment("fits", MINIMAL + "[tags]\n" + fits)).tags) == 46
    problems, _ = _problems(make_environment("tags", MINIMAL + "[tags]\n" + fits + 't46 = "v"\n'))
    assert problems["tags"].startswith("47 tags; at most 46 allowed")


def test_generated_code_graders_need_the_isolated_vpc(make_environment):
    path = make_environment(
        "code",
        MINIMAL.replace('template = "math_answer"', 'template = "code_tests"') + '[network]\nvpc = "none"\n',
    )
    problems, _ = _problems(path)
    assert "must have no network path" in problems["network.vpc"]


def test_s3_uris_must_match_the_api_pattern(make_environment):
    path = make_environment(
        "uri",
        'name = "unit"\n[dataset]\ntraining_s3_uri = "s3://bucket/train set.jsonl"\n'
        '[reward]\ntemplate = "math_answer"\n',
    )
    problems, _ = _problems(path)
    assert "matching the API pattern" in problems["dataset.training_s3_uri"]


def test_zero_reserved_concurrency_means_unreserved(make_environment):
    path = make_environment("conc", MINIMAL + "reserved_concurrency = 0\n")
    assert load_environment_file(path).reward.reserved_concurrency == 0


def test_reward_options_too_large_for_the_lambda_environment_are_a_config_problem(make_environment):
    path = make_environment(
        "big",
        MINIMAL.replace('template = "math_answer"', 'template = "llm_judge"')
        + '[reward.options]\nmodel_id = "amazon.nova-pro-v1:0"\nrubric = "'
        + "x" * 4000
        + '"\n',
    )
    problems, _ = _problems(path)
    assert "environment allows about 3072" in problems["reward.options"]
