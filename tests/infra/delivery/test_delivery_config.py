"""The delivery file: every problem at once with file, line and key; the pinned CLI from package.json."""

from __future__ import annotations

import json

import pytest
from delivery_files import REPO, write_delivery, write_environment

from bedrock_rft.config import ConfigError
from bedrock_rft.delivery import cdk_cli_version, load_delivery_file


def test_shipped_delivery_file_lists_dev_then_prod_with_approval_after_the_first():
    delivery = load_delivery_file(REPO / "environments" / "delivery.toml")
    assert [s.environment for s in delivery.stages] == ["dev", "prod"]
    assert [(s.approval, s.confirm_broadening) for s in delivery.stages] == [(False, False), (True, True)]
    assert delivery.stages[1].config.name == "arith-prod"


def test_defaults_approve_every_stage_after_the_first_and_options_override_per_stage(tmp_path):
    for env in ("a", "b", "c"):
        write_environment(tmp_path, env, name=f"p-{env}")
    path = write_delivery(
        tmp_path,
        '[[stages]]\nenvironment = "a"\n\n[[stages]]\nenvironment = "b"\nconfirm_broadening = false\n\n'
        '[[stages]]\nenvironment = "c"\napproval = false\nwait_timeout_minutes = 120\n',
    )
    stages = load_delivery_file(path).stages
    assert [(s.approval, s.confirm_broadening, s.wait_timeout_minutes) for s in stages] == [
        (False, False, 480),
        (True, False, 480),
        (False, True, 120),
    ]


def test_every_problem_is_reported_with_its_line(tmp_path):
    write_environment(tmp_path, "dev", name="p-dev")
    path = write_delivery(
        tmp_path,
        '[[stages]]\nenvironment = "dev"\n\n[[stages]]\nenvironment = "qa"\napprove = true\n'
        "wait_timeout_minutes = 3000\n",
        head='colour = "blue"\n',
    )
    text = path.read_text().replace("codeconnections:us-east-1:111111111111:connection/", "s3:::")
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_delivery_file(path)
    message = str(caught.value)
    lines = text.splitlines()

    def line(fragment: str) -> int:
        return next(i for i, text in enumerate(lines, start=1) if text.startswith(fragment))

    assert "delivery.toml:1: colour: unknown key 'colour'" in message
    assert f"delivery.toml:{line('connection_arn')}: source.connection_arn:" in message
    assert "is not a CodeConnections connection ARN" in message
    assert f"delivery.toml:{line('approve')}: stages.approve: unknown key 'approve'" in message
    assert (
        f"delivery.toml:{line('wait_timeout_minutes')}: stages[1].wait_timeout_minutes: 3000 must be"
        in message
    )
    qa_line = line('environment = "qa"')
    assert f"delivery.toml:{qa_line}: stages[1].environment: environment 'qa'" in message
    assert "no environment 'qa'; available: dev" in message


def test_an_environment_listed_twice_and_a_missing_source_are_errors(tmp_path):
    write_environment(tmp_path, "dev", name="p-dev")
    path = tmp_path / "delivery.toml"
    path.write_text(
        'account = "111111111111"\nregion = "us-east-1"\n'
        '[[stages]]\nenvironment = "dev"\n[[stages]]\nenvironment = "dev"\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_delivery_file(path)
    assert "source: missing required table [source]" in str(caught.value)
    assert "delivery.toml:6: stages[1].environment: environment 'dev' is listed twice" in str(caught.value)


def test_a_bad_environment_file_is_reported_through_its_stage(tmp_path):
    write_environment(tmp_path, "dev", name="p-dev", extra="retrain_nonce = 'a b'\n")
    path = write_delivery(tmp_path, '[[stages]]\nenvironment = "dev"\n')
    with pytest.raises(
        ConfigError, match=r"stages\[0\].environment: environment 'dev' is not valid"
    ) as caught:
        load_delivery_file(path)
    assert "dev.toml:1: retrain_nonce" in str(caught.value)


def test_cli_version_is_the_exact_pin_of_package_json_and_ranges_are_refused(tmp_path):
    pinned = json.loads((REPO / "package.json").read_text())["devDependencies"]["aws-cdk"]
    assert cdk_cli_version(REPO / "package.json") == pinned
    for bad in ("^2.1148.1", "latest", "2.x"):
        (tmp_path / "package.json").write_text(json.dumps({"devDependencies": {"aws-cdk": bad}}))
        with pytest.raises(ConfigError, match=r"devDependencies\.aws-cdk: .* must be an exact version"):
            cdk_cli_version(tmp_path / "package.json")


def test_a_stage_creating_a_vpc_must_list_its_zones(tmp_path):
    path = write_environment(tmp_path, "dev", name="p-dev")
    path.write_text(path.read_text().replace('availability_zones = ["us-east-1a", "us-east-1b"]', ""))
    delivery = write_delivery(tmp_path, '[[stages]]\nenvironment = "dev"\n')
    with pytest.raises(
        ConfigError, match=r"delivery.toml:11: stages\[0\].environment: .* list network.availability_zones"
    ):
        load_delivery_file(delivery)
