"""``RftLifecycle`` template: secure settings, least privilege, a valid job request, fingerprint rules."""

from __future__ import annotations

import json
import re

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk.assertions import Match, Template
from botocore.validate import ParamValidator
from lifecycle_stack import HYPERPARAMETERS, IDENTITY, build, fake_resolve, resources_of

from bedrock_rft.config import PromotionSource
from bedrock_rft.data import DatasetCopy, DatasetInputs
from bedrock_rft.lifecycle.inputs import training_fingerprint, training_inputs
from bedrock_rft.reward import RewardInputs
from rft_runtime.lifecycle.spec import RunSpec

pytestmark = pytest.mark.synth

HANDLERS = "rft_runtime.lifecycle.handlers."
WILDCARD_RESOURCE_ACTIONS = {  # actions IAM accepts only with Resource "*" (see acknowledgments.py)
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "bedrock:ListCustomModels",
    "bedrock:ListCustomModelDeployments",
}


COPY = DatasetCopy("cdk-assets-bucket", "0123abcd.jsonl", "datasets/0123abcd/train.jsonl")


@pytest.fixture(scope="module")
def built():
    _app, stack, lifecycle = build(
        retain_models=False,
        notification_emails=["ops@example.com"],
        tags={"team": "ml"},
        copies=(COPY,),
    )
    return stack, lifecycle, Template.from_stack(stack)


@pytest.fixture(scope="module")
def template(built) -> dict:
    return built[2].to_json()


def _lifecycle_functions(template: dict) -> dict[str, dict]:
    return {
        k: r
        for k, r in resources_of(template, "AWS::Lambda::Function").items()
        if str(r["Properties"].get("Handler", "")).startswith(HANDLERS)
    }


def test_three_lambdas_latest_python_arm64_traced_encrypted_reserved_outside_the_vpc(template):
    functions = _lifecycle_functions(template)
    assert sorted(r["Properties"]["Handler"].removeprefix(HANDLERS) for r in functions.values()) == [
        "job_event_handler",
        "launcher_handler",
        "lifecycle_handler",
    ]
    for resource in functions.values():
        props = resource["Properties"]
        assert props["Runtime"] == "python3.14" and props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"} and props["KmsKeyArn"]
        assert "ReservedConcurrentExecutions" not in props and props["MemorySize"] == 256  # unreserved
        assert "LogGroup" in props["LoggingConfig"] and "VpcConfig" not in props
    (event_fn,) = [r for r in functions.values() if r["Properties"]["Handler"].endswith("job_event_handler")]
    assert "DeadLetterConfig" in event_fn["Properties"]


def test_every_log_group_is_encrypted_with_retention(template):
    groups = resources_of(template, "AWS::Logs::LogGroup")
    assert len(groups) >= 5
    for group in groups.values():
        assert group["Properties"]["KmsKeyId"] and group["Properties"]["RetentionInDays"] == 365
        assert group["DeletionPolicy"] == "Retain"


def test_state_machine_is_standard_logged_traced_and_encrypted(built):
    built[2].has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "StateMachineType": "STANDARD",
            "LoggingConfiguration": Match.object_like({"Level": "ALL", "IncludeExecutionData": True}),
            "TracingConfiguration": {"Enabled": True},
            "EncryptionConfiguration": Match.object_like({"Type": "CUSTOMER_MANAGED_KMS_KEY"}),
        },
    )


def test_topic_parameters_and_rule(built, template):
    t = built[2]
    t.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    t.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@example.com"})
    # the workflow's parameters are never CloudFormation resources (it would reset their values
    # on any update of the resource); the pipeline resource creates the record and deletes both
    assert resources_of(template, "AWS::SSM::Parameter") == {}
    pipeline = next(iter(resources_of(template, "Custom::RftPipeline").values()))
    assert pipeline["Properties"]["StateParameter"] == "/bedrock-rft/demo/state"
    assert pipeline["Properties"]["WaitParameter"] == "/bedrock-rft/demo/job-wait"
    t.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.bedrock"],
                "detail-type": ["Model Customization Job State Change"],
                "detail": {
                    "jobName": [{"prefix": "rft-demo-"}],
                    "jobStatus": ["Completed", "Failed", "Stopped"],
                },
            }
        },
    )


def test_custom_resources_short_timeout_run_depends_on_pipeline(built, template):
    _, lifecycle, _ = built
    (run_id, run) = next(iter(resources_of(template, "Custom::RftTrainingRun").items()))
    (pipe_id, pipe) = next(iter(resources_of(template, "Custom::RftPipeline").items()))
    assert run["Properties"]["ServiceTimeout"] == "900" and pipe["Properties"]["ServiceTimeout"] == "900"
    assert run["Properties"]["Fingerprint"] == lifecycle.fingerprint
    assert pipe["Properties"] == {
        **pipe["Properties"],
        "Kind": "pipeline",
        "Pipeline": "demo",
        "RetainModels": "false",
    }
    assert pipe_id in run["DependsOn"] and run["DeletionPolicy"] == "Delete"
    framework = [
        r
        for r in resources_of(template, "AWS::Lambda::Function").values()
        if r["Properties"].get("Handler") == "framework.onEvent"
    ]
    assert len(framework) == 1 and "VpcConfig" not in framework[0]["Properties"]
    assert "ReservedConcurrentExecutions" not in framework[0]["Properties"]  # fits any account
    del run_id


def test_the_run_spec_is_a_valid_create_model_customization_job_request(template):
    (run,) = resources_of(template, "Custom::RftTrainingRun").values()
    spec = RunSpec.from_json(fake_resolve(template, run["Properties"]["Spec"]))
    request = spec.create_job_request()
    shape = boto3.client("bedrock", region_name="us-east-1").meta.service_model.operation_model(
        "CreateModelCustomizationJob"
    )
    report = ParamValidator().validate(request, shape.input_shape)
    assert not report.has_errors(), report.generate_report()
    rft = request["customizationConfig"]["rftConfig"]
    assert rft["hyperParameters"] == HYPERPARAMETERS  # native JSON types survive CloudFormation
    assert rft["graderConfig"]["lambdaGrader"]["lambdaArn"].endswith(":1")  # the version, not $LATEST
    assert len(request["vpcConfig"]["subnetIds"]) == 2 and len(request["vpcConfig"]["securityGroupIds"]) == 1
    assert {"key": "bedrock-rft:fingerprint", "value": spec.fingerprint[:12]} in request["jobTags"]
    assert {"key": "team", "value": "ml"} in request["customModelTags"]
    assert request["customModelKmsKeyId"].startswith("arn:aws:kms:")
    assert spec.preflight_uris and all(
        u.startswith(f"s3://{spec.dataset_bucket}/") for u in spec.preflight_uris
    )


def _statements(template: dict):
    for policy in resources_of(template, "AWS::IAM::Policy").values():
        yield from policy["Properties"]["PolicyDocument"]["Statement"]


def test_no_wildcard_resource_unless_the_api_has_no_narrower_one(template):
    for statement in _statements(template):
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        if "*" in resources:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert set(actions) <= WILDCARD_RESOURCE_ACTIONS, actions


def test_pass_role_only_to_bedrock_and_events_only_with_our_source(template):
    statements = list(_statements(template))
    (pass_role,) = [s for s in statements if s["Action"] == "iam:PassRole"]
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}}
    puts = [s for s in statements if s["Action"] == "events:PutEvents"]
    assert puts and all(s["Condition"] == {"StringEquals": {"events:source": "bedrock-rft"}} for s in puts)
    actions = {
        a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert not [a for a in actions if a.endswith("*") and not a.startswith(("xray:", "logs:"))], actions
    assert "states:*" not in actions and "bedrock:*" not in actions


def test_staging_reads_exactly_the_assets_and_writes_exactly_their_keys(template):
    statements = {s.get("Sid"): s for s in _statements(template)}
    read, write = statements["ReadStagedDatasets"], statements["WriteContentAddressedDatasets"]
    assert fake_resolve(template, read["Resource"]) == "arn:aws:s3:::cdk-assets-bucket/0123abcd.jsonl"
    assert read["Action"] == "s3:GetObject" and write["Action"] == "s3:PutObject"
    assert fake_resolve(template, write["Resource"]).endswith("/datasets/0123abcd/train.jsonl")
    (run,) = resources_of(template, "Custom::RftTrainingRun").values()
    spec = RunSpec.from_json(fake_resolve(template, run["Properties"]["Spec"]))
    assert spec.staging_copies == [COPY.to_api()]


def test_all_prop_problems_are_reported_at_once():
    with pytest.raises(ValueError) as info:
        build(
            stack_name="Bad",
            with_vpc=False,
            pipeline_name="Bad_Name",
            hyperparameters={"epochCount": 0, "batchSize": "64", "temperature": 1},
            training_data=DatasetInputs(
                training_data_config={}, identity=IDENTITY, copies=[DatasetCopy("b", "", "")]
            ),
            deployment_mode="reserved",
            notification_emails=["not-an-email"],
            security_groups=[object()] * 6,
        )
    message = str(info.value)
    for expected in (
        "pipeline name 'Bad_Name'",
        "unknown keys ['temperature']",
        # the rule (and message) of environment files and RftPipeline props: config.rules
        "hyperparameters.epochCount: 0 is out of range; allowed: from 1 to 50",
        "hyperparameters.batchSize: must be an integer, got '64'",
        "exactly one of",
        "deployment_mode",
        "not-an-email",
        "need vpc",
        "at most 5",
        "training_data.copies[0] lacks ['sourceKey', 'targetKey']",
    ):
        assert expected in message, expected


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"deployment_mode": "provisioned"}, "model_units must be an integer >= 1 in provisioned mode"),
        ({"model_units": 2}, "model_units is only for provisioned mode"),
        ({"deployment_mode": "provisioned", "model_units": 1, "commitment": "OneYear"}, "commitment must be"),
    ],
)
def test_provisioned_props_are_checked_by_their_names(props, expected):
    with pytest.raises(ValueError, match=expected):
        build(stack_name="BadProvisioned", with_vpc=False, **props)


def test_fingerprint_ignores_cosmetics_and_tokens(built):
    """Another stack (other token strings) with every non-training prop changed: same fingerprint."""
    _, _, other = build(
        stack_name="Cosmetic",
        with_vpc=False,
        tags={"team": "other", "cost-center": "42"},
        notification_emails=["a@example.com"],
        retain_models=True,
        deployment_mode="none",
        log_retention=cdk.aws_logs.RetentionDays.ONE_MONTH,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    assert other.fingerprint == built[1].fingerprint
    assert other.names.job_name == built[1].names.job_name


def test_fingerprint_follows_every_training_input():
    base = {
        "base_model_id": "amazon.nova-2-lite-v1:0:256k",
        "hyperparameters": HYPERPARAMETERS,
        "training_data_config": {"s3Uri": "s3://b/datasets/train.jsonl"},
        "validation_s3_uris": ["s3://b/datasets/val.jsonl"],
        "dataset_fingerprint": "d" * 64,
        "reward_fingerprint": "e" * 64,
        "retrain_nonce": "",
    }
    changes = [
        {"hyperparameters": {**HYPERPARAMETERS, "learningRate": 5e-5}},
        {"base_model_id": "amazon.nova-2-lite-v1:0"},
        {"training_data_config": {"s3Uri": "s3://b/datasets/other.jsonl"}},
        {"dataset_fingerprint": "f" * 64},
        {"reward_fingerprint": "0" * 64},
        {"validation_s3_uris": []},
        {"retrain_nonce": "2"},
    ]
    found = {training_fingerprint(**{**base, **change}) for change in changes}
    assert training_fingerprint(**base) not in found and len(found) == len(changes)


def test_run_carries_its_training_inputs_by_name_as_literal_text(built, template):
    """``TrainingInputs`` names every input the fingerprint covers, as plain text (no tokens)."""
    _, lifecycle, _ = built
    (run,) = resources_of(template, "Custom::RftTrainingRun").values()
    inputs = run["Properties"]["TrainingInputs"]
    assert inputs == lifecycle.training_inputs
    assert all(isinstance(value, str) and "Token" not in value for value in inputs.values())
    assert inputs["base_model"] == "amazon.nova-2-lite-v1:0:256k"
    assert inputs["hyperparameters.learningRate"] == "1e-05"
    assert inputs["dataset.source"] == "s3"
    assert inputs["dataset.training"] == IDENTITY["training_s3_uri"]
    assert inputs["reward.template"] == "math_answer"
    assert inputs["reward.options.tolerance"] == "1e-06"
    assert inputs["reward.code"].startswith("sha256:") and len(inputs["reward.code"]) == 7 + 64
    assert inputs["retrain_nonce"] == ""
    assert len(json.dumps(inputs)) < 2048


def test_training_inputs_follow_the_fingerprint_and_stay_small():
    reward = RewardInputs(version=None, template="math_answer", options={"tolerance": 1e-6})
    data = DatasetInputs(training_data_config={"s3Uri": "s3://b/t.jsonl"}, identity={"training": "a" * 64})
    base = {
        "base_model_id": "amazon.nova-2-lite-v1:0:256k",
        "hyperparameters": HYPERPARAMETERS,
        "training_data": data,
        "reward": reward,
        "retrain_nonce": "",
    }
    before = training_inputs(**base)
    assert before["dataset.training"] == "sha256:" + "a" * 64
    nonce = training_inputs(**{**base, "retrain_nonce": "2"})
    assert {k for k in before if before[k] != nonce[k]} == {"retrain_nonce"}
    rubric = RewardInputs(version=None, template="llm_judge", options={"rubric": "x" * 5000})
    shown = training_inputs(**{**base, "reward": rubric})["reward.options.rubric"]
    assert shown.startswith("sha256:") and shown.endswith("(5000 characters)")


def test_dataset_identity_must_be_literal():
    bucket_token = cdk.Token.as_string(cdk.Fn.ref("Bucket"))
    with pytest.raises(ValueError, match=r"training_data\.identity must be literal"):
        build(
            stack_name="TokenIdentity",
            with_vpc=False,
            training_data=DatasetInputs(
                training_data_config={"s3Uri": f"s3://{bucket_token}/t.jsonl"},
                identity={"training_s3_uri": f"s3://{bucket_token}/t.jsonl"},
            ),
        )


def test_two_synths_give_identical_templates(template):
    again = Template.from_stack(
        build(
            retain_models=False,
            notification_emails=["ops@example.com"],
            tags={"team": "ml"},
            copies=(COPY,),
        )[1]
    ).to_json()
    assert json.dumps(again, sort_keys=True) == json.dumps(template, sort_keys=True)


# --- review findings 5-7 ------------------------------------------------------------------------


def _lifecycle_role_statements(template: dict) -> list[dict]:
    (role_id,) = [
        f["Properties"]["Role"]["Fn::GetAtt"][0]
        for f in _lifecycle_functions(template).values()
        if f["Properties"]["Handler"].endswith("lifecycle_handler")
    ]
    return [
        statement
        for policy in resources_of(template, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_preflight_reads_exactly_the_objects_it_checks_never_the_whole_bucket(template):
    statements = _lifecycle_role_statements(template)
    reads = [
        fake_resolve(template, resource)
        for s in statements
        if "s3:GetObject" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        for resource in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    ]
    assert reads and not [r for r in reads if r.endswith("/*")], reads
    bucket = fake_resolve(template, {"Ref": next(iter(resources_of(template, "AWS::S3::Bucket")))})
    assert sorted(reads) == sorted(
        [
            f"arn:aws:s3:::{bucket}/datasets/train-0123abcd.jsonl",  # training object (HEAD + first row)
            f"arn:aws:s3:::{bucket}/datasets/val-4567ef01.jsonl",  # validation object (HEAD)
            f"arn:aws:s3:::{bucket}/datasets/0123abcd/train.jsonl",  # staging target (HEAD before copy)
            "arn:aws:s3:::cdk-assets-bucket/0123abcd.jsonl",  # staging source
        ]
    )


def test_preflight_may_invoke_exactly_the_reward_version(template):
    invokes = [s for s in _lifecycle_role_statements(template) if s["Action"] == "lambda:InvokeFunction"]
    (statement,) = invokes
    assert statement["Resource"] == {"Ref": next(iter(resources_of(template, "AWS::Lambda::Version")))}


def test_the_lifecycle_role_can_still_use_the_key_for_sns_sqs_and_parameters(template):
    (statement,) = [s for s in _lifecycle_role_statements(template) if s.get("Sid") == "UsePipelineKey"]
    assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    services = {v["Fn::Join"][1][0] for v in statement["Condition"]["StringEquals"]["kms:ViaService"]}
    assert services == {"lambda.", "s3.", "sns.", "sqs.", "states."}  # only through these services


def test_tag_problems_name_the_prop():
    with pytest.raises(ValueError) as info:
        build(stack_name="Tags", with_vpc=False, tags={f"k{i}": "v" for i in range(191)})
    assert "tags: 191 tags; at most 190 allowed" in str(info.value)
    with pytest.raises(
        ValueError, match=r"tags\.bad\|key: tag key 'bad\|key' does not match the API pattern"
    ):
        build(stack_name="Tags2", with_vpc=False, tags={"bad|key": "v"})
    # the same rules as environment files: reserved keys are refused here too
    with pytest.raises(ValueError, match=r"tags\.aws:team: tag keys starting with 'aws:' are reserved"):
        build(stack_name="Tags3", with_vpc=False, tags={"aws:team": "v"})
    with pytest.raises(ValueError, match=r"output_s3_uri: 'https://x' is not an s3:// URI"):
        build(stack_name="Uri", with_vpc=False, output_s3_uri="https://x")


def test_the_workflow_role_can_use_its_key_for_this_state_machine(template):
    """Step Functions encrypts execution data with the customer key under the encryption context
    ``aws:states:stateMachineArn``; the role's grant must name the real ARN (a state machine without
    a name at synth rendered ``...:stateMachine:`` with an empty name, which never matches)."""
    (machine,) = resources_of(template, "AWS::StepFunctions::StateMachine").values()
    assert machine["Properties"]["StateMachineName"] == "bedrock-rft-demo"
    conditions = [
        statement["Condition"]["StringEquals"]["kms:EncryptionContext:aws:states:stateMachineArn"]
        for policy in resources_of(template, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "kms:EncryptionContext:aws:states:stateMachineArn" in json.dumps(statement.get("Condition", {}))
    ]
    assert conditions
    for condition in conditions:
        assert fake_resolve(template, condition).endswith(":stateMachine:bedrock-rft-demo")


def test_the_workflow_timeout_fits_the_execution_history():
    from bedrock_rft.lifecycle.workflow import MAX_TIMEOUT

    assert MAX_TIMEOUT.to_days() == 14
    with pytest.raises(ValueError, match="longer than 14 days"):
        build(workflow_timeout=cdk.Duration.days(30))
    with pytest.raises(ValueError, match=r"16.6667 days is longer"):  # not a whole number of days
        build(workflow_timeout=cdk.Duration.hours(400))


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("demo", "pipeline 'demo' cannot promote from itself"),
        ("Dev_1", "promote_from.pipeline: pipeline name 'Dev_1'"),
    ],
)
def test_a_promotion_source_that_cannot_be_one_is_refused_at_synth(source, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        build(with_vpc=False, promote_from=PromotionSource(source))
