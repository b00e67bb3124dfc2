"""The synthesized cost controls: the rule that stops a job left by an ended run, the pruning
grants (only with keep_models, deletes conditioned on the pipeline tag), and the spec fields."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Template
from lifecycle_stack import build, resources_of

pytestmark = pytest.mark.synth


def _template(**overrides) -> dict:
    _app, stack, _lifecycle = build(with_vpc=False, **overrides)
    return Template.from_stack(stack).to_json()


@pytest.fixture(scope="module")
def limited():
    return _template(keep_models=2, max_training_hours=4)


@pytest.fixture(scope="module")
def default():
    return _template()


def _statements(template: dict, role_fragment: str) -> list[dict]:
    found = []
    for policy in resources_of(template, "AWS::IAM::Policy").values():
        roles = json.dumps(policy["Properties"]["Roles"])
        if role_fragment in roles:
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def _by_sid(statements: list[dict]) -> dict[str, dict]:
    return {s.get("Sid", ""): s for s in statements}


def test_the_spec_carries_the_limit_and_the_number_of_models_to_keep(limited, default):
    def spec_text(template: dict) -> str:
        (run,) = resources_of(template, "Custom::RftTrainingRun").values()
        return json.dumps(run["Properties"]["Spec"])

    assert '\\"maxTrainingHours\\":4' in spec_text(limited)
    assert '\\"keepModels\\":2' in spec_text(limited)
    assert "maxTrainingHours" not in spec_text(default)  # null is left out: no limit
    assert '\\"keepModels\\":0' in spec_text(default)


def test_an_execution_that_ends_unfinished_reaches_the_job_event_function(limited):
    rules = resources_of(limited, "AWS::Events::Rule")
    (rule,) = [r for r in rules.values() if r["Properties"]["EventPattern"]["source"] == ["aws.states"]]
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["detail-type"] == ["Step Functions Execution Status Change"]
    assert sorted(pattern["detail"]["status"]) == ["ABORTED", "FAILED", "TIMED_OUT"]
    (machine_id,) = resources_of(limited, "AWS::StepFunctions::StateMachine")
    assert pattern["detail"]["stateMachineArn"] == [{"Ref": machine_id}]  # this state machine only
    (target,) = rule["Properties"]["Targets"]
    functions = resources_of(limited, "AWS::Lambda::Function")
    handler = functions[target["Arn"]["Fn::GetAtt"][0]]["Properties"]["Handler"]
    assert handler.endswith("job_event_handler")
    assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] == 24 * 3600
    statements = _by_sid(_statements(limited, "JobEvents"))
    assert statements["StopJobsOfEndedRuns"]["Action"] == [
        "bedrock:GetModelCustomizationJob",
        "bedrock:StopModelCustomizationJob",
    ]
    assert "sns:Publish" in json.dumps(statements)  # it publishes why the job was stopped


def test_pruning_may_delete_only_models_tagged_with_this_pipeline(limited):
    statements = _by_sid(_statements(limited, "LifecycleRole"))
    prune = statements["PruneOwnModels"]
    assert prune["Action"] == "bedrock:DeleteCustomModel"
    assert prune["Condition"] == {"StringEquals": {"aws:ResourceTag/bedrock-rft:pipeline": "demo"}}
    assert statements["FindModelsToPrune"]["Resource"] == "*"


def test_without_keep_models_the_workflow_cannot_delete_models(default):
    actions = [s["Action"] for s in _statements(default, "LifecycleRole")]
    flat = {a for action in actions for a in ([action] if isinstance(action, str) else action)}
    assert "bedrock:DeleteCustomModelDeployment" in flat  # the right role was read
    assert "bedrock:DeleteCustomModel" not in flat and "bedrock:ListCustomModels" not in flat


def test_an_on_demand_stack_gets_no_provisioned_throughput_permission(default):
    """Only ``deployment_mode = "provisioned"`` adds them (tests/infra/test_provisioned_environment.py)."""
    assert "ProvisionedModelThroughput" not in json.dumps(resources_of(default, "AWS::IAM::Policy"))
    (pipeline,) = resources_of(default, "Custom::RftPipeline").values()
    assert "ProvisionedThroughput" not in pipeline["Properties"]
