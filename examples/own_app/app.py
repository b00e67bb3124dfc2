#!/usr/bin/env python3
"""A team's own CDK app that reuses bedrock-rft: the pipeline stack plus the team's consumer role.

Run from the repository root: ``npx --no-install cdk synth --app ".venv/bin/python examples/own_app/app.py"``.
It loads ``environments/dev.toml`` with the package's loader, adds the pipeline as one stack of the
team's app, and gives the team's application role what it needs to call the trained model: read
the pipeline's state parameter (for the deployment ARN) and invoke the deployment.
"""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from bedrock_rft.compliance import acknowledge, attach_nag_packs, resource_finding
from bedrock_rft.config import load_environment
from bedrock_rft.errors import InputError
from bedrock_rft.stack import RftStack

ENVIRONMENTS = Path(__file__).resolve().parents[2] / "environments"


def build(app: cdk.App) -> RftStack:
    """Add the team's pipeline stack and its consumer role to ``app``."""
    pipeline = RftStack(app, "TeamRftPipeline", config=load_environment("dev", ENVIRONMENTS))
    consumer = iam.Role(
        pipeline,
        "TeamApplicationRole",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description="The team's application: calls the RFT-trained model",
    )
    pipeline.grant_invoke_model(consumer)
    acknowledge(
        consumer,
        "Bedrock generates the deployment id after training; the grant covers this account's custom-model "
        "deployments in this Region, and the state parameter names the one to call.",
        resource_finding(
            pipeline,
            "AwsSolutions-IAM5",
            pipeline.format_arn(service="bedrock", resource="custom-model-deployment", resource_name="*"),
        ),
        "NIST.800.53.R5-IAMNoInlinePolicy",
        "HIPAA.Security-IAMNoInlinePolicy",
    )
    return pipeline


if __name__ == "__main__":
    application = cdk.App()
    try:
        build(application)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    attach_nag_packs(application)
    application.synth()
