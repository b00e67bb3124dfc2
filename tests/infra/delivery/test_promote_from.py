"""``promote_from``: synth fails, naming every differing training input, unless the run is the same."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from delivery_files import REPO, write_environment

from bedrock_rft.config import ConfigError, load_environment_file
from bedrock_rft.stack import RftStack


def _prod(tmp_path, *, account=None, edit=lambda text: text, source_account=None):
    write_environment(tmp_path, "dev", name="p-dev", account=source_account)
    path = write_environment(tmp_path, "prod", name="p-prod", account=account, extra='promote_from = "dev"\n')
    path.write_text(edit(path.read_text()))
    return path


def _error(path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_environment_file(path)
    return str(caught.value)


def test_equal_inputs_promote_even_when_tags_and_serving_differ(tmp_path):
    path = _prod(tmp_path, edit=lambda t: t.replace('environment = "dev"', 'environment = "prod"'))
    path.write_text(path.read_text().replace("reserved_concurrency = 0", "reserved_concurrency = 10"))
    assert load_environment_file(path).promote_from == "dev"


def test_every_differing_training_input_is_named_with_both_values(tmp_path):
    path = _prod(
        tmp_path,
        edit=lambda t: t.replace("batchSize = 64", "batchSize = 128").replace(
            "tolerance = 1e-6", "tolerance = 0.01"
        ),
    )
    message = _error(path)
    assert "prod.toml:1: promote_from: training inputs differ from 'dev'" in message
    assert "hyperparameters.batchSize: dev 64, here 128" in message
    assert "reward.options.tolerance: dev 1e-06, here 0.01" in message
    assert "epochCount" not in message


def test_dataset_content_counts_not_its_path(tmp_path):
    changed = tmp_path / "train.jsonl"
    original = REPO / "examples" / "data" / "arithmetic_train.jsonl"
    lines = original.read_text().splitlines(keepends=True)
    changed.write_text("".join(lines[:-1]))  # one prompt fewer
    path = _prod(tmp_path, edit=lambda t: t.replace(str(original), str(changed)))
    message = _error(path)
    assert "dataset.training: dev 'sha256:" in message and "dataset.validation" not in message


def test_cross_account_promotion_is_refused_with_the_reason(tmp_path):
    path = _prod(tmp_path, account="333333333333", source_account="222222222222")
    message = _error(path)
    assert "cross-account promotion (222222222222 -> 333333333333) is not supported yet" in message
    assert "AWS RAM" in message and "CreateModelCopyJob" in message and "one AWS Organization" in message


def test_an_account_on_one_side_only_is_refused(tmp_path):
    message = _error(_prod(tmp_path, account="333333333333"))
    assert "set account in both dev.toml and this file (or in neither)" in message


def test_a_missing_source_lists_the_environments(tmp_path):
    path = write_environment(tmp_path, "prod", name="p-prod", extra='promote_from = "staging"\n')
    message = _error(path)
    assert "promote_from: the source environment 'staging' is not valid" in message
    assert "no environment 'staging'; available: prod" in message


def test_chains_and_cycles_are_refused_without_recursing(tmp_path):
    write_environment(tmp_path, "dev", name="p-dev", extra='promote_from = "prod"\n')
    path = write_environment(tmp_path, "prod", name="p-prod", extra='promote_from = "dev"\n')
    assert "'dev' promotes from 'prod' itself" in _error(path)
    own = write_environment(tmp_path, "qa", name="p-qa", extra='promote_from = "qa"\n')
    assert "an environment cannot promote from itself" in _error(own)


@pytest.mark.synth
def test_a_promoting_stack_warns_that_it_still_trains(tmp_path, cdk_context):
    config = load_environment_file(_prod(tmp_path))
    stack = RftStack(cdk.App(context=cdk_context), config.stack_name, config=config)
    warnings = [str(entry.data) for entry in stack.node.metadata if entry.type == "aws:cdk:warning"]
    assert any("promote_from = 'dev' is checked" in w and "still trains" in w for w in warnings), warnings
