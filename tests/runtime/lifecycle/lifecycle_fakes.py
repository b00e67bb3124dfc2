"""Fakes shared by the lifecycle tests (imported as ``lifecycle_fakes``).

Bedrock, Step Functions and Lambda (the reward function) are botocore Stubbers (they validate
every request and response against the real service model); S3, SSM, EventBridge and SNS are
moto, with the requests sent to EventBridge and SNS recorded through botocore's event hooks.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws

from rft_runtime.lifecycle import names, state
from rft_runtime.lifecycle.clients import Clients
from rft_runtime.lifecycle.settings import Settings
from rft_runtime.lifecycle.spec import RunSpec

REGION = "us-east-1"
ACCOUNT = "123456789012"
PIPELINE = "demo"
FP_A = "a" * 8 + "0123456789abcdef" * 3 + "b" * 8
FP_B = "b" * 8 + "fedcba9876543210" * 3 + "c" * 8
ROLE = f"arn:aws:iam::{ACCOUNT}:role/bedrock-rft-customization"
GRADER = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:reward:3"
BUCKET = "rft-dataset-bucket"
MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:RftLifecycle"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"


def job_arn(fp: str = FP_A) -> str:
    return (
        f"arn:aws:bedrock:{REGION}:{ACCOUNT}:model-customization-job/amazon.nova-2-lite-v1:0:256k/{fp[:12]}"
    )


def model_arn(fp: str = FP_A) -> str:
    return f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/amazon.nova-2-lite-v1:0:256k/{fp[-12:]}"


DEPLOYMENT_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model-deployment/abcdefgh1234"
PT_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/abcdef123456"
NOVA = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.nova-2-lite-v1:0:256k"


def make_spec(fp: str = FP_A, **overrides: Any) -> RunSpec:
    data = {
        "schema": 1,
        "pipeline": PIPELINE,
        "fingerprint": fp,
        "jobRequest": {
            "roleArn": ROLE,
            "baseModelIdentifier": "amazon.nova-2-lite-v1:0:256k",
            "trainingDataConfig": {"s3Uri": f"s3://{BUCKET}/datasets/train.jsonl"},
            "validationDataConfig": {"validators": [{"s3Uri": f"s3://{BUCKET}/datasets/val.jsonl"}]},
            "outputDataConfig": {"s3Uri": f"s3://{BUCKET}/output/"},
            "customizationConfig": {
                "rftConfig": {
                    "graderConfig": {"lambdaGrader": {"lambdaArn": GRADER}},
                    "hyperParameters": {"epochCount": 2, "batchSize": 64, "learningRate": 1e-5},
                }
            },
            "customModelKmsKeyId": KEY,
            "vpcConfig": {
                "subnetIds": ["subnet-0123456789abcdef0"],
                "securityGroupIds": ["sg-0123456789abcdef0"],
            },
            "jobTags": [{"key": "bedrock-rft:pipeline", "value": PIPELINE}],
            "customModelTags": [{"key": "bedrock-rft:pipeline", "value": PIPELINE}],
        },
        "deploymentMode": "on_demand",
        "deploymentTags": [{"key": "team", "value": "ml"}],
        "preflightUris": [f"s3://{BUCKET}/datasets/train.jsonl", f"s3://{BUCKET}/datasets/val.jsonl"],
        "datasetBucket": BUCKET,
        "retainModels": True,
    }
    data.update(overrides)
    return RunSpec.from_dict(data)


def job_response(status: str = "InProgress", fp: str = FP_A, **extra: Any) -> dict[str, Any]:
    """A GetModelCustomizationJob response with every required member."""
    n = names.RunNames(PIPELINE, fp)
    body = {
        "jobArn": job_arn(fp),
        "jobName": n.job_name,
        "outputModelName": n.custom_model_name,
        "clientRequestToken": n.job_request_token,
        "roleArn": ROLE,
        "status": status,
        "creationTime": datetime(2026, 5, 1, 8, 0, tzinfo=UTC),
        "baseModelArn": f"arn:aws:bedrock:{REGION}::foundation-model/amazon.nova-2-lite-v1:0:256k",
        "trainingDataConfig": {"s3Uri": f"s3://{BUCKET}/datasets/train.jsonl"},
        "validationDataConfig": {"validators": []},
        "outputDataConfig": {"s3Uri": f"s3://{BUCKET}/output/"},
        "customizationType": "REINFORCEMENT_FINE_TUNING",
    }
    if status == "Completed":
        body["outputModelArn"] = model_arn(fp)
    body.update(extra)
    return body


def details(validation: str, processing: str, training: str) -> dict[str, Any]:
    return {
        "validationDetails": {"status": validation},
        "dataProcessingDetails": {"status": processing},
        "trainingDetails": {"status": training},
    }


def deployment_response(status: str = "Active", model: str | None = None, **extra: Any) -> dict[str, Any]:
    body = {
        "customModelDeploymentArn": DEPLOYMENT_ARN,
        "modelDeploymentName": names.deployment_name(PIPELINE),
        "modelArn": model or model_arn(),
        "createdAt": datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
        "status": status,
    }
    body.update(extra)
    return body


def provisioned_response(status: str = "InService", model: str | None = None, **extra) -> dict[str, Any]:
    """A GetProvisionedModelThroughput answer for the pipeline's throughput (2 units, bought for
    Nova 2 Lite); ``desired`` sets ``desiredModelArn`` (default: the serving model)."""
    body = {
        "modelUnits": 2,
        "desiredModelUnits": 2,
        "provisionedModelName": names.provisioned_model_name(PIPELINE),
        "provisionedModelArn": PT_ARN,
        "modelArn": model or model_arn(),
        "desiredModelArn": extra.pop("desired", None) or model or model_arn(),
        "foundationModelArn": NOVA,
        "status": status,
        "creationTime": datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
        "lastModifiedTime": datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
    }
    body.update(extra)
    return body


def custom_model_response(status: str = "Active", fp: str = FP_A) -> dict[str, Any]:
    return {
        "modelArn": model_arn(fp),
        "modelName": names.RunNames(PIPELINE, fp).custom_model_name,
        "creationTime": datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
        "modelStatus": status,
    }


@dataclass
class Aws:
    """Clients (Stubber for Bedrock and Step Functions, moto for the rest) and what was sent."""

    clients: Clients
    bedrock: Stubber
    sfn: Stubber
    lambda_: Stubber
    settings: Settings
    topic_arn: str
    sleeps: list[float]
    events: list[dict[str, Any]] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)

    def record(self) -> dict[str, Any] | None:
        return state.read(self.clients.ssm, self.settings.state_parameter)

    def put_record(self, **fields: Any) -> None:
        record = {"schema": 1, "pipeline": PIPELINE, **fields}
        self.clients.ssm.put_parameter(
            Name=self.settings.state_parameter, Value=json.dumps(record), Type="String", Overwrite=True
        )

    def verify(self) -> None:
        self.bedrock.assert_no_pending_responses()
        self.sfn.assert_no_pending_responses()
        self.lambda_.assert_no_pending_responses()

    def grader_answers(self, payload: Any, *, function_error: str | None = None, expected=None) -> None:
        """Queue the reward function's answer to the pre-flight probe (``payload`` as JSON)."""
        body = json.dumps(payload).encode()
        response: dict[str, Any] = {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}
        if function_error:
            response["FunctionError"] = function_error
        self.lambda_.add_response("invoke", response, expected)

    def grader_ok(self, score: float = 1.0) -> None:
        """Queue a healthy grader answer to the pre-flight probe."""
        self.grader_answers(
            [
                {
                    "id": "rft-preflight-probe",
                    "aggregate_reward_score": score,
                    "metrics_list": [
                        {"name": "exact_match", "value": score, "type": "Reward"},
                        {"name": "error", "value": 0.0, "type": "Metric"},
                    ],
                }
            ]
        )


@contextmanager
def aws_env(monkeypatch) -> Iterator[Aws]:
    """moto for S3/SSM/SNS/EventBridge, Stubbers for Bedrock and Step Functions, sleeps recorded."""
    sleeps: list[float] = []
    monkeypatch.setattr("rft_runtime.lifecycle.retry.time.sleep", sleeps.append)
    with mock_aws():
        make = {s: boto3.client(s, region_name=REGION) for s in ("s3", "ssm", "sns", "events")}
        bedrock = boto3.client("bedrock", region_name=REGION)
        sfn = boto3.client("stepfunctions", region_name=REGION)
        lambda_ = boto3.client("lambda", region_name=REGION)
        topic_arn = make["sns"].create_topic(Name="rft-demo")["TopicArn"]
        make["s3"].create_bucket(Bucket=BUCKET)
        settings = Settings(pipeline=PIPELINE, topic_arn=topic_arn)
        make["ssm"].put_parameter(
            Name=settings.state_parameter,
            Value=state.serialize(state.initial_record(PIPELINE)),
            Type="String",
        )
        make["ssm"].put_parameter(Name=settings.wait_parameter, Value="{}", Type="String")
        with Stubber(bedrock) as bedrock_stub, Stubber(sfn) as sfn_stub, Stubber(lambda_) as lambda_stub:
            env = Aws(
                clients=Clients(bedrock=bedrock, sfn=sfn, lambda_=lambda_, **make),
                bedrock=bedrock_stub,
                sfn=sfn_stub,
                lambda_=lambda_stub,
                settings=settings,
                topic_arn=topic_arn,
                sleeps=sleeps,
            )
            make["events"].meta.events.register(
                "provide-client-params.events.PutEvents",
                lambda params, **_: env.events.extend(params["Entries"]),
            )
            make["sns"].meta.events.register(
                "provide-client-params.sns.Publish", lambda params, **_: env.notifications.append(params)
            )
            yield env


def expect_candidate_delete(aws: Aws, name: str, error: str | None = None) -> None:
    """Expect DeleteCustomModelDeployment of candidate ``name``: succeeding, or failing with
    ``error`` (``ResourceNotFoundException``: it never existed; ``ConflictException``: still Creating)."""
    params = {"customModelDeploymentIdentifier": name}
    if error is None:
        aws.bedrock.add_response("delete_custom_model_deployment", {}, params)
    else:
        aws.bedrock.add_client_error("delete_custom_model_deployment", error, "", 400, expected_params=params)


def candidates_listed(aws: Aws, *deployment_names: str) -> None:
    """Expect the pipeline Delete's ListCustomModelDeployments of ``rft-demo-candidate-``."""
    summaries = [
        {"customModelDeploymentArn": f"{DEPLOYMENT_ARN}-{name}", "customModelDeploymentName": name,
         "modelArn": model_arn(), "createdAt": "2026-05-01T08:00:00Z", "status": "Active"}
        for name in deployment_names
    ]  # fmt: skip
    aws.bedrock.add_response(
        "list_custom_model_deployments",
        {"modelDeploymentSummaries": summaries},
        {"nameContains": f"rft-{PIPELINE}-candidate-", "maxResults": 100},
    )
