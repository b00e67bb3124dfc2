"""``rft doctor --config``: loads the environment with the package's loader, JSON output, exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from doctor_world import make_world

from rft_runtime.cli import doctor
from rft_runtime.cli.main import COMMANDS, main

REPO = Path(__file__).resolve().parents[3]


def _args(config: str, **extra) -> argparse.Namespace:
    fields = {"config": config, "environments_dir": REPO / "environments", "format": "json"}
    return argparse.Namespace(**{**fields, **extra})


def test_doctor_is_a_registered_command():
    assert COMMANDS["doctor"][0] == "doctor"


def test_dev_environment_json_report_and_exit_code(capsys):
    world = make_world()
    world.healthy(profile=world.profile)  # the base model is called through us.amazon.nova-2-lite-v1:0
    code = doctor.run(_args("dev"), clients=world.clients)
    world.verify()
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["exitCode"] == 0 and out["pipeline"] == "arith-dev"
    assert [c["name"] for c in out["checks"]] == [
        "credentials",
        "cdk-bootstrap",
        "lambda-concurrency",
        "rft-region",
        "on-demand-deployment",
        "base-model-access",
        "base-model-profile",
        "service-quotas",
    ]
    assert doctor.needs_of(doctor.load_config(_args("dev")), "us-east-1").base_model_profile == (
        "us.amazon.nova-2-lite-v1:0"
    )


def test_an_unknown_environment_is_a_usage_error_listing_the_choices(capsys):
    assert main(["doctor", "--config", "nope", "--environments-dir", str(REPO / "environments")]) == 2
    err = capsys.readouterr().err
    assert "no environment 'nope'" in err and "dev, prod" in err


def test_an_environment_without_region_is_a_usage_error_naming_the_key(capsys, make_environment):
    path = make_environment(
        "noregion",
        """
name = "noregion"
[dataset]
training = "{data}/arithmetic_train.jsonl"
[reward]
template = "math_answer"
""",
    )
    world = make_world()
    assert doctor.run(_args(str(path)), clients=world.clients) == 2
    world.verify()  # no AWS call was made
    err = capsys.readouterr().err
    assert "noregion.toml" in err and "region" in err


def test_judges_of_a_composite_are_found_with_their_routed_models(make_environment):
    path = make_environment(
        "judged",
        """
name = "judged"
region = "us-east-1"
[dataset]
training = "{data}/arithmetic_train.jsonl"
[reward]
template = "composite"
reserved_concurrency = 0
[[reward.options.graders]]
template = "math_answer"
[[reward.options.graders]]
template = "llm_judge"
[reward.options.graders.options]
model_id = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
preset = "reasoning"
[deployment]
mode = "none"
""",
    )
    needs = doctor.needs_of(doctor.load_config(_args(str(path))), "us-east-1")
    (judge,) = needs.judges
    assert judge.kind == "inference-profile"
    assert judge.foundation_model == "anthropic.claude-3-5-haiku-20241022-v1:0"
    assert needs.reserved_concurrency == 0 and not needs.deploys and not needs.runner_reserved_concurrency
    assert needs.stack_name == "Rft-judged"  # what an update replaces is looked up there


def test_code_tests_inside_a_composite_counts_the_code_runner_s_reservation(make_environment):
    text = (
        'name = "coded"\nregion = "us-east-1"\n[dataset]\ntraining = "{data}/arithmetic_train.jsonl"\n'
        '[reward]\ntemplate = "composite"\nreserved_concurrency = 7\n[[reward.options.graders]]\n'
        'template = "math_answer"\n[[reward.options.graders]]\ntemplate = "code_tests"\n'
        '[deployment]\nmode = "none"\n'
    )
    needs = doctor.needs_of(doctor.load_config(_args(str(make_environment("coded", text)))), "us-east-1")
    assert needs.runner_reserved_concurrency == 7 * 2 and needs.reserved_concurrency == 7 + 14


def test_a_provisioned_environment_needs_its_model_units_and_no_on_demand_deployment(make_environment):
    text = (
        'name = "pt"\nregion = "us-east-1"\n[dataset]\ntraining = "{data}/arithmetic_train.jsonl"\n'
        '[reward]\ntemplate = "math_answer"\n[deployment]\nmode = "provisioned"\nmodel_units = 3\n'
    )
    needs = doctor.needs_of(doctor.load_config(_args(str(make_environment("pt", text)))), "us-east-1")
    assert (needs.provisioned_units, needs.commitment, needs.deploys) == (3, "none", False)
