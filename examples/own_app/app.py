#!/usr/bin/env python3
"""A team's existing stack with the RFT pipeline added to it (README: "Use it in your own stack").

The team already has a KMS key and a VPC (with an S3 gateway endpoint) made elsewhere, and an
application role. The pipeline uses the key and the VPC, and the role is granted what it needs
to call the trained model through the returned grant.
Run from the repository root:
``npx --no-install cdk synth --app ".venv/bin/python examples/own_app/app.py"``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from bedrock_rft import (
    DatasetConfig,
    InputError,
    RewardConfig,
    RftPipeline,
    RftPipelineProps,
    attach_nag_packs,
)
from bedrock_rft.compliance import acknowledge, resource_finding

DATA = Path(__file__).resolve().parents[1] / "data"
#: The team's key (its policy lets CloudWatch Logs and Bedrock use it; the pipeline cannot edit an
#: imported key's policy).
TEAM_KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


class TeamStack(cdk.Stack):
    """What the team had before (key, VPC, role) plus the pipeline (the lines marked ``RFT``)."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # what the team already has: a key and a VPC (made elsewhere), and its application's role
        key = kms.Key.from_key_arn(self, "TeamKey", TEAM_KEY_ARN)
        vpc = ec2.Vpc.from_vpc_attributes(
            self,
            "TeamVpc",
            vpc_id="vpc-0123456789abcdef0",
            availability_zones=["us-east-1a", "us-east-1b"],
            isolated_subnet_ids=["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"],
            isolated_subnet_route_table_ids=["rtb-0aaaaaaaaaaaaaaa1", "rtb-0bbbbbbbbbbbbbbb2"],
        )
        app_role = iam.Role(self, "AppRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

        self.pipeline = RftPipeline(  # RFT
            self,
            "Rft",
            props=RftPipelineProps(
                name="team-arith",
                dataset=DatasetConfig(training_file=DATA / "arithmetic_train.jsonl"),
                reward=RewardConfig(template="math_answer"),
                encryption_key=key,
                vpc=vpc,
            ),
        )
        self.invoke_grant = self.pipeline.grant_invoke_model(app_role)  # RFT
        acknowledge(
            app_role,
            "Bedrock names the deployment (or provisioned model) after training; the grant covers this "
            "account's custom-model deployments and provisioned models in this Region, and the state "
            "parameter names the one to call.",
            resource_finding(self, "AwsSolutions-IAM5", self.pipeline.reference.deployments_arn),
            resource_finding(self, "AwsSolutions-IAM5", self.pipeline.reference.provisioned_models_arn),
            "NIST.800.53.R5-IAMNoInlinePolicy",
            "HIPAA.Security-IAMNoInlinePolicy",
        )


def build(app: cdk.App) -> TeamStack:
    """Add the team's stack to ``app`` (bound to us-east-1, where Bedrock offers RFT)."""
    return TeamStack(app, "TeamStack", env=cdk.Environment(account="111122223333", region="us-east-1"))


if __name__ == "__main__":
    application = cdk.App()
    try:
        build(application)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    attach_nag_packs(application)
    application.synth()
