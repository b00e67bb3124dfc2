"""Training runs are found by resource type and properties, and their inputs read from templates."""

from __future__ import annotations

import json

import pytest

from rft_runtime.gitops.intrinsics import referenced_resource, render
from rft_runtime.gitops.training import (
    HIDDEN_INPUTS,
    UNNAMED_INPUTS,
    changed_inputs,
    training_runs,
    unseen_inputs,
)

FINGERPRINT = "a" * 64
STAGED = "/datasets/" + "b" * 64 + "/training.jsonl"


def _template(
    *,
    run_id="Whatever1",
    function_id="SomeFunction9",
    hyper=None,
    options=None,
    fingerprint=FINGERPRINT,
    named=None,
    spec_extra=None,
):
    spec_head = json.dumps(
        {
            **(spec_extra or {}),
            "schema": 1,
            "pipeline": "team-a",
            "fingerprint": fingerprint,
            "deploymentMode": "on_demand",
            "jobRequest": {
                "baseModelIdentifier": "amazon.nova-2-lite-v1:0:256k",
                "trainingDataConfig": {"s3Uri": "@BUCKET@" + STAGED},
                "customizationConfig": {
                    "rftConfig": {
                        "hyperParameters": hyper or {"epochCount": 2, "batchSize": 64},
                        "graderConfig": {"lambdaGrader": {"lambdaArn": "@ARN@"}},
                    }
                },
            },
        }
    )
    before_bucket, rest = spec_head.split("@BUCKET@")
    middle, after_arn = rest.split("@ARN@")
    spec = {
        "Fn::Join": [
            "",
            [
                before_bucket + "s3://",
                {"Ref": "Bucket77"},
                middle,
                {"Ref": f"{function_id}Version"},
                after_arn,
            ],
        ]
    }
    run_properties = {"Kind": "run", "Pipeline": "team-a", "Fingerprint": fingerprint, "Spec": spec}
    if named is not None:
        run_properties["TrainingInputs"] = named
    return {
        "Resources": {
            run_id: {
                "Type": "Custom::RftTrainingRun",
                "Properties": run_properties,
            },
            "PipelineThing": {"Type": "Custom::RftPipeline", "Properties": {"Kind": "pipeline"}},
            "NotCustom": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Kind": "run", "Fingerprint": "x", "Spec": "{}"},
            },
            f"{function_id}Version": {
                "Type": "AWS::Lambda::Version",
                "Properties": {"FunctionName": {"Ref": function_id}},
            },
            function_id: {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Code": {"S3Bucket": "assets", "S3Key": "c0de.zip"},
                    "Environment": {
                        "Variables": {
                            "RFT_REWARD_TEMPLATE": "math_answer",
                            "RFT_REWARD_OPTIONS": json.dumps(options or {"tolerance": 1e-6}),
                        }
                    },
                },
            },
        }
    }


def test_run_found_by_type_and_properties_whatever_its_ids():
    for run_id, function_id in (("Whatever1", "SomeFunction9"), ("PipelineLifecycleRunB2", "Grader3")):
        (run,) = training_runs(_template(run_id=run_id, function_id=function_id)).values()
        assert run.pipeline == "team-a" and run.fingerprint == FINGERPRINT
        assert run.inputs["reward.template"] == "math_answer"
        assert run.inputs["reward.options.tolerance"] == 1e-6
        assert run.inputs["dataset.training"] == f"training.jsonl (content sha256 {'b' * 12})"
        assert run.inputs["hyperparameters.batchSize"] == 64
        assert run.reward_code == "c0de.zip"
        assert run.job_name.startswith("rft-team-a-")


def test_changed_inputs_name_old_and_new():
    old = training_runs(_template())["team-a"]
    new = training_runs(
        _template(
            hyper={"epochCount": 3, "batchSize": 64},
            options={"tolerance": 1e-6, "fallback": "none"},
            fingerprint="c" * 64,
        )
    )["team-a"]
    assert [(c.name, c.old, c.new) for c in changed_inputs(old, new)] == [
        ("hyperparameters.epochCount", 2, 3),
        ("reward.options.fallback", None, "none"),
    ]


def test_a_grader_outside_the_template_is_named_by_its_arn():
    template = _template()
    del template["Resources"]["SomeFunction9Version"]
    (run,) = training_runs(template).values()
    assert run.inputs["reward.function"] == "${SomeFunction9Version}"
    assert "reward.template" not in run.inputs


def test_a_spec_that_is_not_json_names_the_resource():
    template = _template()
    template["Resources"]["Whatever1"]["Properties"]["Spec"] = "{broken"
    with pytest.raises(ValueError, match="Whatever1: property Spec is not JSON"):
        training_runs(template)


def test_render_keeps_joined_json_parseable():
    value = {
        "Fn::Join": [
            "",
            ['{"a":"', {"Fn::Sub": 'x-"${AWS::Region}'}, '","b":"', {"Fn::GetAtt": ["R", "Arn"]}, '"}'],
        ]
    }
    assert json.loads(render(value)) == {"a": "x-${AWS::Region}", "b": "${R.Arn}"}
    assert referenced_resource("${R.Arn}") == ("R", "Arn")
    assert referenced_resource("${R}") == ("R", "")
    assert referenced_resource("arn:aws:lambda:us-east-1:1:function:f") is None
    assert render({"Fn::ImportValue": "x"}) == "${Fn::ImportValue}"


CODE_1, CODE_2 = "sha256:" + "1" * 64, "sha256:" + "2" * 64
NAMED = {"base_model": "amazon.nova-2-lite-v1:0:256k", "reward.code": CODE_1, "retrain_nonce": ""}


def test_named_inputs_are_compared_when_both_runs_have_them():
    old = training_runs(_template(named=NAMED))["team-a"]
    new = training_runs(
        _template(fingerprint="c" * 64, named={**NAMED, "reward.code": CODE_2, "retrain_nonce": "2"})
    )["team-a"]
    assert old.named == NAMED
    assert [(c.name, c.old, c.new) for c in changed_inputs(old, new)] == [
        ("reward.code", CODE_1, CODE_2),
        ("retrain_nonce", "", "2"),
    ]
    assert unseen_inputs(old, new) == UNNAMED_INPUTS
    started = [(c.name, c.old) for c in changed_inputs(None, new)]
    assert started == [(name, None) for name in NAMED]


def test_a_run_without_named_inputs_is_compared_by_what_the_template_shows():
    """The base of the first plan after an upgrade has no ``TrainingInputs``: both sides are read
    from the templates, so no input is reported changed only because it is described anew."""
    old = training_runs(_template())["team-a"]
    new = training_runs(_template(fingerprint="c" * 64, named=NAMED))["team-a"]
    assert old.named is None
    assert changed_inputs(old, new) == []
    assert unseen_inputs(old, new) == HIDDEN_INPUTS


def test_a_promoting_run_adopts_and_trains_nothing():
    # prod with promote_from: a new fingerprint is a new run, but no job starts there
    from rft_runtime.gitops.plan import GATES, EnvironmentPlan, Plan, TrainingPlan, _serving
    from rft_runtime.gitops.render import as_json, as_markdown, as_text

    source = {"promoteFrom": {"pipeline": "team-dev", "account": "", "region": "us-east-1"}}
    (old,) = training_runs(_template(spec_extra=source)).values()
    (new,) = training_runs(_template(spec_extra=source, fingerprint="c" * 64)).values()
    assert new.adopts_from == "team-dev"
    training = TrainingPlan("team-a", "retrain", old, new, tuple(changed_inputs(old, new)))
    assert training.new_run and training.adopts == "team-dev" and not training.trains
    serving = _serving(training)
    assert serving.changes and "team-dev's model of run cccccccccccc" in serving.summary
    environment = EnvironmentPlan("Rft-prod", "changed", (training,), (serving,))
    assert not GATES["retrain"][0](environment)
    plan = Plan("main", "head", (environment,))
    assert "NEW RUN, NO TRAINING HERE: adopts team-dev's promoted model" in as_text(plan, ["retrain"])
    assert "**retrains**" not in as_markdown(plan, []) and "adopts `team-dev`" in as_markdown(plan, [])
    assert json.loads(as_json(plan, []))["environments"][0]["training"][0]["trains"] is False
    (trained,) = training_runs(_template(fingerprint="c" * 64)).values()
    assert TrainingPlan("team-a", "retrain", old, trained).trains  # the same change without promote_from
