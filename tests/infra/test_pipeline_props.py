"""``RftPipeline`` props get the environment file's rules: every problem at once, by prop path,
before anything is bundled; existing resources are used; consumers grant against a reference."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from bedrock_rft import (
    ConfigError,
    DatasetConfig,
    Hyperparameters,
    PipelinePropsError,
    RewardConfig,
    RftPipeline,
    RftPipelineProps,
    load_environment_file,
)

TRAIN = Path(__file__).resolve().parents[2] / "examples" / "data" / "arithmetic_train.jsonl"
US_EAST_1 = cdk.Environment(account="111122223333", region="us-east-1")
#: The same five problems, as props and as an environment file.
FIVE_PROBLEM_KEYS = {
    "name",
    "reward.memory_mb",
    "hyperparameters.batchSize",
    "hyperparameters.epochCount",
    "tags.aws:owner",
}


def _five_problem_props() -> RftPipelineProps:
    return RftPipelineProps(
        name="Bad_Name",
        dataset=DatasetConfig(training_file=TRAIN),
        reward=RewardConfig(template="math_answer", memory_mb=99_999),
        hyperparameters=Hyperparameters(batchSize=8, epochCount=99),
        tags={"aws:owner": "me"},
    )


def test_five_problems_in_props_are_reported_at_once_by_prop_path_before_bundling():
    stack = cdk.Stack(cdk.App(), "Team", env=US_EAST_1)
    with pytest.raises(PipelinePropsError) as caught:
        RftPipeline(stack, "Rft", props=_five_problem_props())
    error = caught.value
    assert {problem.key for problem in error.problems} == FIVE_PROBLEM_KEYS
    text = str(error)
    assert text.startswith("RftPipeline Team/Rft: 5 problems in props")
    assert "  reward.memory_mb: 99999 is out of range; allowed: from 128 to 10240" in text
    assert "  hyperparameters.batchSize: 8 is out of range; allowed: from 16 to 512" in text
    assert "tag keys starting with 'aws:' are reserved" in text
    assert stack.node.find_child("Rft").node.children == []  # nothing built, so nothing bundled
    assert not [c for c in stack.node.find_all() if isinstance(c, cdk.AssetStaging)]


def test_the_same_five_problems_in_a_file_name_file_and_line(make_environment):
    path = make_environment(
        "five",
        """name = "Bad_Name"
region = "us-east-1"
[dataset]
training = "{data}/arithmetic_train.jsonl"
[reward]
template = "math_answer"
memory_mb = 99999
[hyperparameters]
batchSize = 8
epochCount = 99
[tags]
"aws:owner" = "me"
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_environment_file(path)
    lines = {problem.key: problem.line for problem in caught.value.problems}
    assert lines == {
        "name": 1,
        "reward.memory_mb": 7,
        "hyperparameters.batchSize": 9,
        "hyperparameters.epochCount": 10,
        "tags.aws:owner": 12,
    }
    assert f"{path}:9: hyperparameters.batchSize: 8 is out of range" in str(caught.value)


def test_a_config_built_in_python_gets_the_file_rules_in_rft_stack():
    from bedrock_rft import PipelineConfig, RftStack

    config = PipelineConfig(
        name="team",
        region="eu-west-1",
        description="x" * 600,
        dataset=DatasetConfig(training_file=TRAIN),
        reward=RewardConfig(template="math_answer", memory_mb=99_999),
    )
    app = cdk.App()
    with pytest.raises(ConfigError) as caught:
        RftStack(app, "Rft-team", config=config)
    assert {problem.key for problem in caught.value.problems} == {"region", "reward.memory_mb", "description"}
    assert str(caught.value).startswith("(PipelineConfig): 3 problems")
    assert app.node.children == []  # raised before the stack exists: nothing built or bundled


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        (None, "missing: a pipeline trains, so its stack must be bound to a Region"),
        (cdk.Environment(region="eu-west-1"), "eu-west-1 does not offer reinforcement fine-tuning"),
    ],
)
def test_a_pipeline_must_be_bound_to_a_region_that_offers_rft(env, fragment):
    stack = cdk.Stack(cdk.App(), "Team", env=env)
    props = RftPipelineProps(
        name="team", dataset=DatasetConfig(training_file=TRAIN), reward=RewardConfig(template="math_answer")
    )
    with pytest.raises(PipelinePropsError) as caught:
        RftPipeline(stack, "Rft", props=props)
    ((problem),) = caught.value.problems
    assert problem.key == "region" and fragment in problem.message


def test_props_are_frozen_and_keyword_only():
    props = RftPipelineProps(
        name="team", dataset=DatasetConfig(training_file=TRAIN), reward=RewardConfig(template="math_answer")
    )
    with pytest.raises(AttributeError):
        props.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        RftPipelineProps("team", DatasetConfig(training_file=TRAIN), RewardConfig(template="math_answer"))  # type: ignore[misc]


@pytest.mark.synth
def test_an_existing_bucket_and_chosen_vpc_subnets_are_used_and_grants_return_iam_grants(cdk_context):
    app = cdk.App(context=cdk_context)
    stack = cdk.Stack(app, "Team", env=US_EAST_1)
    bucket = s3.Bucket.from_bucket_name(stack, "TeamBucket", "team-rft-data")
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "TeamVpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["us-east-1a", "us-east-1b", "us-east-1c"],
        isolated_subnet_ids=[f"subnet-0{c * 16}" for c in "abc"],
        isolated_subnet_route_table_ids=[f"rtb-0{c * 16}" for c in "abc"],
    )
    pipeline = RftPipeline(
        stack,
        "Rft",
        props=RftPipelineProps(
            name="team",
            dataset=DatasetConfig(training_file=TRAIN),
            reward=RewardConfig(template="math_answer"),
            dataset_bucket=bucket,
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=vpc.isolated_subnets[:2]),
        ),
    )
    reader = iam.Role(stack, "Dashboard", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    grant = pipeline.grant_read_state(reader)
    assert isinstance(grant, iam.Grant) and grant.success
    resources = Template.from_stack(stack).to_json()["Resources"]
    assert not [r for r in resources.values() if r["Type"] in ("AWS::S3::Bucket", "AWS::EC2::VPC")]
    chosen = ["subnet-0" + "a" * 16, "subnet-0" + "b" * 16]
    placed = {
        key: r["Properties"]["VpcConfig"]["SubnetIds"]
        for key, r in resources.items()
        if r["Type"] == "AWS::Lambda::Function" and "VpcConfig" in r["Properties"]
    }
    assert any("Grader" in key for key in placed) and all(ids == chosen for ids in placed.values())
    assert "subnet-0" + "c" * 16 not in json.dumps(resources)  # nor in the job's VPC config and grants
    assert {s.subnet_id for s in pipeline.network.selected_subnets} == set(chosen)
    assert pipeline.storage.bucket is bucket
    assert "team-rft-data" in json.dumps(stack.resolve(pipeline.storage.output_s3_uri))
    (statement,) = [
        s
        for k, r in resources.items()
        if r["Type"] == "AWS::IAM::Policy" and k.startswith("Dashboard")
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statement["Resource"] == "arn:aws:ssm:us-east-1:111122223333:parameter/bedrock-rft/team/state"


def test_a_pipeline_deployed_elsewhere_is_granted_by_name():
    stack = cdk.Stack(cdk.App(), "Consumer", env=US_EAST_1)
    role = iam.Role(stack, "App", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    key_arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    reference = RftPipeline.from_pipeline_name(stack, "Arith", "arith-prod", encryption_key_arn=key_arn)
    grant = reference.grant_invoke_model(role)
    assert grant.success
    document = stack.resolve(role.node.find_child("DefaultPolicy").document.to_json())
    resources = [json.dumps(s["Resource"]) for s in document["Statement"]]
    assert len(resources) == 3
    assert ":ssm:us-east-1:111122223333:parameter/bedrock-rft/arith-prod/state" in resources[0]
    assert ":bedrock:us-east-1:111122223333:custom-model-deployment/*" in resources[1]
    # what serves in provisioned mode too: the record's deploymentArn is one or the other
    assert ":bedrock:us-east-1:111122223333:provisioned-model/*" in resources[1]
    assert resources[2] == json.dumps(key_arn)


def test_cost_limits_in_props_are_checked_by_prop_path():
    from bedrock_rft import DeploymentConfig, LimitsConfig

    stack = cdk.Stack(cdk.App(), "Team", env=US_EAST_1)
    props = RftPipelineProps(
        name="team",
        dataset=DatasetConfig(training_file=TRAIN),
        reward=RewardConfig(template="math_answer"),
        limits=LimitsConfig(max_training_hours=0),
        deployment=DeploymentConfig(keep_models=101),
    )
    with pytest.raises(PipelinePropsError) as caught:
        RftPipeline(stack, "Rft", props=props)
    problems = {problem.key: problem.message for problem in caught.value.problems}
    assert set(problems) == {"limits.max_training_hours", "deployment.keep_models"}
    assert "allowed: from 1 to 336" in problems["limits.max_training_hours"]
