"""``rft plan`` on pairs of cloud assemblies built from real edits of ``environments/dev.toml``.

Every assembly is synthesized once for the module (in-process); each test compares two of them
with the real ``cdk diff`` of the pinned CLI.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pytest
from variants import EDITS, GRADERS, synth_variant

from bedrock_rft.data import file_sha256
from bedrock_rft.reward.fingerprint import reward_fingerprint
from rft_runtime.cli.main import main
from rft_runtime.gitops.assembly import read_assemblies
from rft_runtime.gitops.plan import build_plan
from rft_runtime.gitops.render import COMMENT_MARKER, as_json, as_markdown, as_text
from rft_runtime.gitops.training import training_runs
from rft_runtime.lifecycle import names

pytestmark = pytest.mark.synth

STACK = "Rft-arith-dev"
REPO = Path(__file__).resolve().parents[2]
CODE_ROOT = REPO / "lambda" / "rft_runtime"


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("variants")
    return {variant: synth_variant(variant, root / variant) for variant in EDITS}


@pytest.fixture(scope="module")
def plans(assemblies):
    """Plans of every variant against base, made as in a narrow terminal (``COLUMNS=80``): the
    CLI must still print whole security-table cells."""
    base = read_assemblies([assemblies["base"]])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", "80")
        return {
            variant: build_plan(
                base, read_assemblies([folder]), base_label="base", head_label=variant, cwd=REPO
            )
            for variant, folder in assemblies.items()
            if variant not in GRADERS  # the custom graders are compared with each other
        }


def _environment(plan):
    (environment,) = plan.environments
    assert environment.stack == STACK
    return environment


def test_same_assembly_plans_nothing(plans):
    environment = _environment(plans["base"])
    assert environment.status == "unchanged"
    assert [t.action for t in environment.training] == ["unchanged"]
    assert not environment.infrastructure.changed and not environment.infrastructure.broadening
    assert (
        plans["base"].tripped(["retrain", "serving", "broadening", "nag", "infrastructure", "destroy"]) == {}
    )


def test_hyperparameter_edit_retrains_and_names_the_hyperparameter(plans):
    environment = _environment(plans["batch_size"])
    (training,) = environment.training
    assert training.action == "retrain"
    assert [(c.name, c.old, c.new) for c in training.changes] == [("hyperparameters.batchSize", "64", "32")]
    assert training.new.job_name != training.old.job_name
    assert environment.serving[0].changes
    assert not environment.infrastructure.broadening
    assert plans["batch_size"].tripped(["retrain", "broadening"]) == {"retrain": [STACK]}
    text = as_text(plans["batch_size"], ["retrain"])
    assert "NEW TRAINING RUN" in text and "hyperparameters.batchSize: 64 -> 32" in text


def test_tag_edit_changes_infrastructure_but_never_retrains(plans):
    environment = _environment(plans["tag"])
    (training,) = environment.training
    assert training.action == "unchanged" and training.changes == ()
    assert not environment.serving[0].changes
    assert environment.status == "changed"
    assert any(r.resource_type == "AWS::S3::Bucket" for r in environment.infrastructure.resources)
    assert plans["tag"].tripped(["retrain", "serving", "broadening"]) == {}
    assert "no new training run" in as_text(plans["tag"], [])


def test_reward_option_edit_retrains_and_names_the_option(plans):
    (training,) = _environment(plans["reward_option"]).training
    assert training.action == "retrain"
    assert [(c.name, c.old, c.new) for c in training.changes] == [
        ("reward.options.tolerance", "1e-06", "0.001")
    ]
    assert not training.unexplained
    assert "reward.options.tolerance: 1e-06 -> 0.001" in as_text(plans["reward_option"], [])


def test_retrain_nonce_edit_retrains_and_names_the_nonce(plans):
    (training,) = _environment(plans["retrain_nonce"]).training
    assert training.action == "retrain" and not training.unexplained
    assert [(c.name, c.old, c.new) for c in training.changes] == [("retrain_nonce", "", "2")]
    assert 'retrain_nonce: "" -> 2' in as_text(plans["retrain_nonce"], ["retrain"])


def test_grader_code_edit_retrains_and_names_the_code(assemblies):
    """Only the user's ``score()`` file changed: ``reward.code`` is the one input named."""
    plan = build_plan(
        read_assemblies([assemblies["custom"]]),
        read_assemblies([assemblies["custom_edited"]]),
        base_label="custom",
        head_label="custom_edited",
        cwd=REPO,
    )
    (training,) = _environment(plan).training
    assert training.action == "retrain" and not training.unexplained
    ((name, old, new),) = [(c.name, c.old, c.new) for c in training.changes]
    assert name == "reward.code" and old.startswith("sha256:") and new.startswith("sha256:") and old != new
    assert f"reward.code: {old} -> {new}" in as_text(plan, [])


def test_dev_fingerprint_is_the_one_of_earlier_releases(assemblies):
    """The fingerprint recipe of the shipped dev environment, written out independently: a change
    here would retrain every user's model on upgrade (so it needs a CHANGELOG note)."""
    (run,) = training_runs(read_assemblies([assemblies["base"]])[STACK].template).values()
    files = {"training": "arithmetic_train.jsonl", "validation": "arithmetic_validation.jsonl"}
    data = {"kind": "file"} | {role: file_sha256(REPO / "examples" / "data" / f) for role, f in files.items()}
    canonical_data = json.dumps(data, sort_keys=True, separators=(",", ":"))
    dev = tomllib.loads((REPO / "environments" / "dev.toml").read_text(encoding="utf-8"))
    reward = dev["reward"]
    expected = names.fingerprint(
        {
            "customizationType": "REINFORCEMENT_FINE_TUNING",
            "baseModel": dev["base_model"],
            "hyperParameters": dev["hyperparameters"],
            "trainingData": {"s3Uri": f"s3://<token>/datasets/{data['training']}/training.jsonl"},
            "validation": [f"s3://<token>/datasets/{data['validation']}/validation.jsonl"],
            "inputs": hashlib.sha256(canonical_data.encode()).hexdigest(),
            "reward": reward_fingerprint(
                reward["template"], reward["options"], CODE_ROOT, None, [reward["template"]]
            ),
            "retrainNonce": "",
        }
    )
    assert run.fingerprint == expected


def test_judge_grader_broadens_iam_and_is_flagged(plans):
    environment = _environment(plans["llm_judge"])
    (training,) = environment.training
    names = {c.name: (c.old, c.new) for c in training.changes}
    assert names["reward.template"] == ("math_answer", "llm_judge")
    assert names["reward.options.model_id"] == (None, "amazon.nova-pro-v1:0")
    assert environment.infrastructure.broadening
    assert "bedrock:InvokeModel" in environment.infrastructure.security
    assert plans["llm_judge"].tripped(["broadening"]) == {"broadening": [STACK]}
    markdown = as_markdown(plans["llm_judge"], ["broadening"])
    assert markdown.startswith(COMMENT_MARKER)
    assert (
        "**broadens security**" in markdown
        and "| `reward.template` | `math_answer` | `llm_judge` |" in markdown
    )


def test_new_and_removed_stacks(assemblies):
    stacks = read_assemblies([assemblies["base"]])
    added = _environment(build_plan({}, stacks, base_label="none", head_label="base", cwd=REPO))
    assert added.status == "added" and added.training[0].action == "start"
    assert added.serving[0].changes and "is created" in added.serving[0].summary
    assert added.infrastructure.broadening  # every IAM statement of a new stack is new
    removed_plan = build_plan(stacks, {}, base_label="base", head_label="none", cwd=REPO)
    removed = _environment(removed_plan)
    assert removed.status == "removed" and removed.training[0].action == "removed"
    assert "deleted" in removed.serving[0].summary
    assert removed_plan.tripped(["destroy", "retrain"]) == {"destroy": [STACK]}


def test_json_document(plans):
    document = json.loads(as_json(plans["batch_size"], ["retrain"]))
    assert document["schema"] == 1
    assert document["gates"] == {"retrain": [STACK]}
    (training,) = document["environments"][0]["training"]
    assert training["trains"] is True
    assert training["changes"] == [{"name": "hyperparameters.batchSize", "old": "64", "new": "32"}]


def test_cli_exit_codes_are_gates(assemblies, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    sides = ["--base-assembly", str(assemblies["base"]), "--head-assembly"]
    out = tmp_path / "plan.md"
    assert main(["plan", *sides, str(assemblies["tag"]), "--fail-on", "retrain"]) == 0
    code = main(
        [
            "plan",
            *sides,
            str(assemblies["llm_judge"]),
            "--fail-on",
            "broadening",
            "--format",
            "markdown",
            "--output",
            str(out),
        ]
    )
    assert code == 1
    assert out.read_text().startswith(COMMENT_MARKER)
    assert "--fail-on broadening holds in Rft-arith-dev" in capsys.readouterr().err
