"""The pipeline's customer-managed KMS key: data, logs, trained model, topic, state machine."""

from __future__ import annotations

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct, IConstruct

#: The principal of vended-log delivery (Step Functions logging), which CDK grants ``kms:Decrypt*``
#: on the state machine's key without conditions.
LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com"

#: KMS actions Bedrock needs on the key that encrypts the custom model (``customModelKmsKeyId``).
BEDROCK_MODEL_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant")


class PipelineKey(Construct):
    """A customer-managed KMS key with rotation, usable by Bedrock (only via Bedrock), Logs and SNS.

    Creates ``kms.Key`` (rotation on) unless ``existing_key`` is given; then it only wraps that key
    and adds nothing to its policy (grant the needed statements in the key's own stack).

    Keyword arguments:
        existing_key: use this key instead of creating one. Default: create one.
        removal_policy: what happens to a created key on stack delete. Default: ``RETAIN``.
        description: the created key's description. Default: a generic pipeline description.

    Attributes: ``key`` (``kms.IKey``), ``created`` (False when ``existing_key`` was given).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        existing_key: kms.IKey | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        description: str = "bedrock-rft: datasets, logs, trained model and notifications",
    ) -> None:
        super().__init__(scope, construct_id)
        self.created = existing_key is None
        if existing_key is not None:
            self.key: kms.IKey = existing_key
            return
        stack = cdk.Stack.of(self)
        key = kms.Key(
            self,
            "Key",
            description=description,
            enable_key_rotation=True,
            removal_policy=removal_policy,
            pending_window=cdk.Duration.days(30),
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogsOfThisAccount",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],  # in a key policy, "*" means this key
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs", resource="*", arn_format=cdk.ArnFormat.NO_RESOURCE_NAME
                        )
                    }
                },
            )
        )
        cdk.Aspects.of(key).add(ScopeLogDelivery())
        self.key = key

    def grant_bedrock_customization(self, role: iam.IRole) -> None:
        """Let ``role`` use the key through Bedrock only (``kms:ViaService``), as a model-encryption key.

        Adds a key-policy statement (created keys only) allowing Decrypt, GenerateDataKey,
        DescribeKey and CreateGrant with ``kms:ViaService = bedrock.<region>.amazonaws.com``.
        """
        if not self.created:
            return
        stack = cdk.Stack.of(self)
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowBedrockCustomizationViaBedrockOnly",
                principals=[role],
                actions=list(BEDROCK_MODEL_KEY_ACTIONS),
                resources=["*"],  # in a key policy, "*" means this key
                conditions={"StringEquals": {"kms:ViaService": f"bedrock.{stack.region}.amazonaws.com"}},
            )
        )


@jsii.implements(cdk.IAspect)
class ScopeLogDelivery:
    """Condition every unconditioned key-policy statement for :data:`LOG_DELIVERY_SERVICE` on
    ``aws:SourceAccount`` (this account) and ``aws:SourceArn`` (log resources of this account and
    Region), so log delivery can use the key only for this account's own logs (confused deputy)."""

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, kms.CfnKey):
            return
        stack = cdk.Stack.of(node)
        statements = stack.resolve(node.key_policy).get("Statement", [])
        for index, statement in enumerate(statements):
            principal = statement.get("Principal", {})
            services = principal.get("Service") if isinstance(principal, dict) else None
            services = services if isinstance(services, list) else [services]
            if LOG_DELIVERY_SERVICE in services and not statement.get("Condition"):
                node.add_property_override(
                    f"KeyPolicy.Statement.{index}.Condition",
                    {
                        "StringEquals": {"aws:SourceAccount": stack.account},
                        "ArnLike": {
                            "aws:SourceArn": stack.format_arn(
                                service="logs", resource="*", arn_format=cdk.ArnFormat.NO_RESOURCE_NAME
                            )
                        },
                    },
                )
