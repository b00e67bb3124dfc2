"""Stubber-backed clients for ``rft doctor`` tests, with a healthy answer per read."""

from __future__ import annotations

from dataclasses import dataclass

import boto3
from botocore.stub import Stubber

from rft_runtime.doctor.clients import DoctorClients

REGION = "us-east-1"
ACCOUNT = "123456789012"
BASE = "amazon.nova-2-lite-v1:0:256k"
#: The inference profile the base model is called through in REGION, and the model it routes to.
PROFILE, PROFILE_MODEL = "us.amazon.nova-2-lite-v1:0", "amazon.nova-2-lite-v1:0"
SERVICES = ("sts", "cloudformation", "lambda", "bedrock", "service-quotas")


@dataclass
class World:
    clients: DoctorClients
    stubs: dict[str, Stubber]

    def verify(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()

    def identity(self, account: str = ACCOUNT) -> None:
        self.stubs["sts"].add_response(
            "get_caller_identity",
            {"Account": account, "Arn": f"arn:aws:iam::{account}:role/dev", "UserId": "AIDEXAMPLE"},
        )

    def bootstrap(self, status: str = "CREATE_COMPLETE", version: str = "29") -> None:
        stack = {
            "StackName": "CDKToolkit",
            "StackStatus": status,
            "CreationTime": "2026-01-01T00:00:00Z",
            "Outputs": [{"OutputKey": "BootstrapVersion", "OutputValue": version}],
        }
        self.stubs["cloudformation"].add_response(
            "describe_stacks", {"Stacks": [stack]}, {"StackName": "CDKToolkit"}
        )

    def concurrency(self, limit: int = 1000, unreserved: int = 1000) -> None:
        self.stubs["lambda"].add_response(
            "get_account_settings",
            {"AccountLimit": {"ConcurrentExecutions": limit, "UnreservedConcurrentExecutions": unreserved}},
        )

    def deployed_stack(self, stack: str, reserved: dict[str, int | None] | None) -> None:
        """``stack``'s functions and what each reserves now (None: the function is gone); None: the
        stack does not exist."""
        if reserved is None:
            self.stubs["cloudformation"].add_client_error(
                "list_stack_resources", "ValidationError", f"Stack with id {stack} does not exist", 400
            )
            return
        summaries = [
            {
                "LogicalResourceId": f"Fn{index}",
                "PhysicalResourceId": name,
                "ResourceType": "AWS::Lambda::Function",
                "LastUpdatedTimestamp": "2026-01-01T00:00:00Z",
                "ResourceStatus": "UPDATE_COMPLETE",
            }
            for index, name in enumerate(reserved)
        ]
        summaries.append(
            {
                "LogicalResourceId": "Topic",
                "PhysicalResourceId": "arn:aws:sns:us-east-1:123456789012:t",
                "ResourceType": "AWS::SNS::Topic",
                "LastUpdatedTimestamp": "2026-01-01T00:00:00Z",
                "ResourceStatus": "CREATE_COMPLETE",
            }
        )
        self.stubs["cloudformation"].add_response(
            "list_stack_resources", {"StackResourceSummaries": summaries}, {"StackName": stack}
        )
        for name, units in reserved.items():
            if units is None:  # deleted outside CloudFormation
                self.stubs["lambda"].add_client_error(
                    "get_function_concurrency", "ResourceNotFoundException", "Function not found", 404
                )
                continue
            answer = {"ReservedConcurrentExecutions": units} if units else {}
            self.stubs["lambda"].add_response("get_function_concurrency", answer, {"FunctionName": name})

    def base_model(self, status: str = "ACTIVE") -> None:
        details = {
            "modelArn": f"arn:aws:bedrock:{REGION}::foundation-model/{BASE}",
            "modelId": BASE,
            "modelLifecycle": {"status": status},
        }
        self.stubs["bedrock"].add_response(
            "get_foundation_model", {"modelDetails": details}, {"modelIdentifier": BASE}
        )

    def deployments(self) -> None:
        self.stubs["bedrock"].add_response(
            "list_custom_model_deployments", {"modelDeploymentSummaries": []}, {"maxResults": 1}
        )

    def access(self, model: str = BASE, authorized: bool = True, entitled: bool = True) -> None:
        self.stubs["bedrock"].add_response(
            "get_foundation_model_availability",
            {
                "modelId": model,
                "agreementAvailability": {"status": "AVAILABLE"},
                "authorizationStatus": "AUTHORIZED" if authorized else "NOT_AUTHORIZED",
                "entitlementAvailability": "AVAILABLE" if entitled else "NOT_AVAILABLE",
                "regionAvailability": "AVAILABLE",
            },
            {"modelId": model},
        )

    def profile(self, status: str = "ACTIVE", entitled: bool = True) -> None:
        """The base model's inference profile (PROFILE) and access to the model it routes to."""
        self.stubs["bedrock"].add_response(
            "get_inference_profile",
            {
                "inferenceProfileName": "US Nova 2 Lite",
                "inferenceProfileArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/{PROFILE}",
                "inferenceProfileId": PROFILE,
                "status": status,
                "type": "SYSTEM_DEFINED",
                "models": [{"modelArn": f"arn:aws:bedrock:{REGION}::foundation-model/{PROFILE_MODEL}"}],
            },
            {"inferenceProfileIdentifier": PROFILE},
        )
        if status == "ACTIVE":
            self.access(PROFILE_MODEL, entitled=entitled)

    def quotas(self, jobs: float | None = 2.0, deployments: float | None = 5.0) -> None:
        quotas = [{"QuotaName": "Batch inference job size", "Value": 1.0, "QuotaCode": "L-1"}]
        if jobs is not None:
            quotas.append(
                {"QuotaName": "Concurrent model customization jobs", "Value": jobs, "QuotaCode": "L-2"}
            )
        if deployments is not None:
            quotas.append(
                {
                    "QuotaName": "Custom model deployments per account",
                    "Value": deployments,
                    "QuotaCode": "L-3",
                }
            )
        self.stubs["service-quotas"].add_response(
            "list_service_quotas", {"Quotas": quotas}, {"ServiceCode": "bedrock"}
        )

    def healthy(self, *, judges: tuple[str, ...] = (), deploys: bool = True, **instead) -> None:
        """Queue a passing answer to every read, in the order the checks make them; ``instead``
        maps a step (``identity``, ``bootstrap``, ``concurrency``, ``base_model``, ``deployments``,
        ``access``, ``profile``, ``judges``, ``quotas``) to a callable queuing something else, or to None
        to skip it. ``profile`` is skipped unless given (needs without ``base_model_profile``)."""
        steps = {
            "identity": self.identity,
            "bootstrap": self.bootstrap,
            "concurrency": self.concurrency,
            "base_model": self.base_model,
            "deployments": self.deployments if deploys else None,
            "access": self.access,
            "profile": None,
            "judges": lambda: [self.access(model) for model in judges],
            "quotas": self.quotas,
        }
        assert set(instead) <= set(steps), sorted(set(instead) - set(steps))
        for step in {**steps, **instead}.values():
            if step is not None:
                step()


def make_world() -> World:
    made = {
        s: boto3.client(s, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
        for s in SERVICES
    }
    stubs = {s: Stubber(c) for s, c in made.items()}
    for stub in stubs.values():
        stub.activate()
    return World(DoctorClients(**{s.replace("-", "_"): c for s, c in made.items()}), stubs)
