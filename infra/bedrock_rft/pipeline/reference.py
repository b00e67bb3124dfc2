"""``PipelineReference``: what a consumer of a pipeline needs, for a pipeline here or elsewhere."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from rft_runtime.lifecycle import names

#: What reading the state record takes (``ssm:DescribeParameters`` takes only ``*`` and is not needed).
STATE_READ_ACTIONS = ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory")
#: What calling the deployed model takes.
INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")


class PipelineReference:
    """A pipeline by name, in a stack's account and Region: its state parameter and deployments.

    Returned by :meth:`RftPipeline.from_pipeline_name` for a pipeline deployed by another stack or
    app, and held by every :class:`RftPipeline` as ``reference``.

    Attributes: ``pipeline_name``, ``state_parameter_name`` (``/bedrock-rft/<name>/state``),
    ``state_parameter_arn``, ``deployments_arn`` (this account's custom-model deployments in the
    Region: Bedrock names the deployment after training, so it cannot be named here),
    ``encryption_key`` (or None when not known).
    """

    def __init__(self, *, pipeline_name: str, stack: cdk.Stack, encryption_key: kms.IKey | None) -> None:
        self.pipeline_name = pipeline_name
        self.encryption_key = encryption_key
        self._region = stack.region
        self.state_parameter_name = names.state_parameter_name(pipeline_name)
        self.state_parameter_arn = stack.format_arn(
            service="ssm", resource="parameter", resource_name=self.state_parameter_name.lstrip("/")
        )
        self.deployments_arn = stack.format_arn(
            service="bedrock", resource="custom-model-deployment", resource_name="*"
        )

    def grant_read_state(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow reading the state record (phase, job, model and ``deploymentArn``): ``rft status``."""
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=list(STATE_READ_ACTIONS), resource_arns=[self.state_parameter_arn]
        )

    def grant_invoke_model(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow finding and calling the deployed model; returns the combined grant.

        Grants reading the state record (it holds ``deploymentArn``), ``bedrock:InvokeModel`` and
        ``InvokeModelWithResponseStream`` on :attr:`deployments_arn`, and, when the key is known,
        ``kms:Decrypt`` on it through Bedrock only (``kms:ViaService``; the model is encrypted
        with it).
        """
        grant = self.grant_read_state(grantee).combine(
            iam.Grant.add_to_principal(
                grantee=grantee, actions=list(INVOKE_ACTIONS), resource_arns=[self.deployments_arn]
            )
        )
        if self.encryption_key is None:
            return grant
        return grant.combine(
            iam.Grant.add_to_principal(
                grantee=grantee,
                actions=["kms:Decrypt"],
                resource_arns=[self.encryption_key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"bedrock.{self._region}.amazonaws.com"}},
            )
        )
