"""A team's existing stack with the RFT pipeline added (README: "Use it in your own stack")."""

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from bedrock_rft import DatasetConfig, RewardConfig, RftPipeline, RftPipelineProps
from bedrock_rft.compliance import acknowledge, attach_nag_packs, resource_finding

DATA = Path(__file__).resolve().parents[1] / "data"


class TeamStack(cdk.Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        # what the team already has: a key (its policy lets CloudWatch Logs and Bedrock use it),
        # a VPC with an S3 gateway endpoint, and its application's role
        key = kms.Key.from_key_arn(
            self, "TeamKey", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        )
        vpc = ec2.Vpc.from_vpc_attributes(
            self,
            "TeamVpc",
            vpc_id="vpc-0123456789abcdef0",
            availability_zones=["us-east-1a", "us-east-1b"],
            isolated_subnet_ids=["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"],
            isolated_subnet_route_table_ids=["rtb-0aaaaaaaaaaaaaaa1", "rtb-0bbbbbbbbbbbbbbb2"],
        )
        app_role = iam.Role(self, "AppRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

        # the pipeline, using the team's key and VPC, and the role granted to call the trained model
        pipeline = RftPipeline(
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
        self.invoke_grant = pipeline.grant_invoke_model(app_role)  # returns the iam.Grant
        # only with cdk-nag: the grant's resources are wildcards (Bedrock names the deployment)
        acknowledge(
            app_role,
            "Bedrock names the deployment after training; the state parameter names the one to call.",
            resource_finding(self, "AwsSolutions-IAM5", pipeline.reference.deployments_arn),
            resource_finding(self, "AwsSolutions-IAM5", pipeline.reference.provisioned_models_arn),
            "NIST.800.53.R5-IAMNoInlinePolicy",
            "HIPAA.Security-IAMNoInlinePolicy",
        )


def build(app):
    return TeamStack(app, "TeamStack", env=cdk.Environment(account="111122223333", region="us-east-1"))


if __name__ == "__main__":
    app = cdk.App()
    build(app)  # the stack must be bound to a Region that offers RFT
    attach_nag_packs(app)  # optional: the cdk-nag packs the package passes
    app.synth()
