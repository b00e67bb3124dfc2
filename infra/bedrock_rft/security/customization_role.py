"""The service role Bedrock assumes to run this pipeline's model customization jobs."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from bedrock_rft.compliance import acknowledge, resource_finding
from bedrock_rft.storage import DATASETS_PREFIX, OUTPUT_PREFIX

#: Tags Bedrock puts on the network interfaces it creates for a job in a VPC.
BEDROCK_ENI_TAG_KEYS = ("BedrockManaged", "BedrockModelCustomizationJobArn")


class CustomizationRole(Construct):
    """An IAM role that only Bedrock customization jobs of this account and Region can assume.

    Trust: ``bedrock.amazonaws.com`` with ``aws:SourceAccount`` = this account and ``aws:SourceArn``
    like ``arn:<partition>:bedrock:<region>:<account>:model-customization-job/*``.

    Permissions live in one customer-managed policy (``policy``): read under the bucket's
    ``datasets/`` prefix, read/write under ``output/``, the key through S3 only
    (``kms:ViaService``), and, when ``vpc_subnets`` are given, the network-interface permissions
    Bedrock needs, conditioned on the tags Bedrock sets. Further grants: :meth:`grant_invoke_reward`,
    :meth:`grant_read_invocation_logs`, :meth:`grant_read_object`, :meth:`grant_decrypt_sources`.

    Keyword arguments:
        dataset_bucket: the bucket with the ``datasets/`` and ``output/`` prefixes.
        encryption_key: the key of that bucket (and of the trained model).
        subnets: subnets the job's interfaces go in. Default: none (no VPC permissions).
        security_groups: the job's security groups. Default: none.
        existing_role: attach the permissions to this role instead of creating one; its trust
            policy is then yours to keep as narrow as described above. Default: create the role.

    Attributes: ``role`` (``iam.IRole``), ``policy`` (``iam.ManagedPolicy``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        dataset_bucket: s3.IBucket,
        encryption_key: kms.IKey,
        subnets: Sequence[ec2.ISubnet] = (),
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        existing_role: iam.IRole | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if bool(subnets) != bool(security_groups):
            raise ValueError("CustomizationRole: give subnets and security_groups together, or neither")
        stack = cdk.Stack.of(self)
        self._stack = stack
        job_arns = stack.format_arn(service="bedrock", resource="model-customization-job", resource_name="*")
        self.role: iam.IRole = existing_role or iam.Role(
            self,
            "Role",
            description="Assumed by Amazon Bedrock to run this pipeline's reinforcement fine-tuning jobs",
            assumed_by=iam.ServicePrincipal(
                "bedrock.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {"aws:SourceArn": job_arns},
                },
            ),
        )
        self.policy = iam.ManagedPolicy(
            self,
            "Permissions",
            description="Bedrock RFT job: datasets, output, key, network",
            roles=[self.role],
        )
        self._add_storage(dataset_bucket, encryption_key)
        if subnets:
            self._add_network(subnets, security_groups, job_arns)

    def _add_storage(self, bucket: s3.IBucket, key: kms.IKey) -> None:
        datasets, output = (
            bucket.arn_for_objects(f"{DATASETS_PREFIX}*"),
            bucket.arn_for_objects(f"{OUTPUT_PREFIX}*"),
        )
        acknowledge(
            self.policy,
            "Object keys under datasets/ are content-addressed and those under output/ are chosen by "
            "Bedrock per job, so the grant is per prefix; the bucket holds nothing else.",
            resource_finding(self, "AwsSolutions-IAM5", datasets),
            resource_finding(self, "AwsSolutions-IAM5", output),
        )
        self.policy.add_statements(
            iam.PolicyStatement(
                sid="ListDatasetBucket",
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{DATASETS_PREFIX}*", f"{OUTPUT_PREFIX}*"]}},
            ),
            iam.PolicyStatement(
                sid="ReadTrainingData",
                actions=["s3:GetObject"],
                resources=[datasets],
            ),
            iam.PolicyStatement(
                sid="WriteJobOutput",
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[output],
            ),
            iam.PolicyStatement(
                sid="UseKeyThroughS3",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{self._stack.region}.amazonaws.com"}},
            ),
            iam.PolicyStatement(
                sid="UseKeyThroughBedrock",
                actions=["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"],
                resources=[key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"bedrock.{self._stack.region}.amazonaws.com"}
                },
            ),
        )

    def _add_network(
        self, subnets: Sequence[ec2.ISubnet], security_groups: Sequence[ec2.ISecurityGroup], job_arns: str
    ) -> None:
        stack = self._stack
        interfaces = stack.format_arn(service="ec2", resource="network-interface", resource_name="*")
        subnet_arns = [
            stack.format_arn(service="ec2", resource="subnet", resource_name=s.subnet_id) for s in subnets
        ]
        group_arns = [
            stack.format_arn(service="ec2", resource="security-group", resource_name=g.security_group_id)
            for g in security_groups
        ]
        acknowledge(
            self.policy,
            "EC2 Describe* actions have no resource-level permissions, and the ids of the network "
            "interfaces Bedrock creates per job are unknown in advance; every interface statement is "
            "conditioned on Bedrock's BedrockManaged/BedrockModelCustomizationJobArn tags and our subnets.",
            "AwsSolutions-IAM5[Resource::*]",
            resource_finding(self, "AwsSolutions-IAM5", interfaces),
        )
        self.policy.add_statements(
            iam.PolicyStatement(
                sid="DescribeNetwork",
                actions=[
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeDhcpOptions",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                ],
                resources=["*"],  # EC2 Describe* actions support no resource-level permissions
            ),
            iam.PolicyStatement(
                sid="CreateBedrockTaggedInterfaces",
                actions=["ec2:CreateNetworkInterface"],
                resources=[interfaces],
                conditions={
                    "StringEquals": {"aws:RequestTag/BedrockManaged": "true"},
                    "ArnLike": {"aws:RequestTag/BedrockModelCustomizationJobArn": job_arns},
                },
            ),
            iam.PolicyStatement(
                sid="CreateInterfacesInPipelineSubnets",
                actions=["ec2:CreateNetworkInterface"],
                resources=[*subnet_arns, *group_arns],
            ),
            iam.PolicyStatement(
                sid="ManageBedrockInterfaces",
                actions=[
                    "ec2:CreateNetworkInterfacePermission",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DeleteNetworkInterfacePermission",
                ],
                # The interfaces' ids are only known at run time; the conditions pin them to
                # Bedrock-managed interfaces of this account's jobs in the pipeline's subnets.
                resources=["*"],
                conditions={
                    "ArnEquals": {"ec2:Subnet": subnet_arns},
                    "ArnLike": {"ec2:ResourceTag/BedrockModelCustomizationJobArn": job_arns},
                    "StringEquals": {"ec2:ResourceTag/BedrockManaged": "true"},
                },
            ),
            iam.PolicyStatement(
                sid="TagInterfacesAtCreation",
                actions=["ec2:CreateTags"],
                resources=[interfaces],
                conditions={
                    "StringEquals": {"ec2:CreateAction": "CreateNetworkInterface"},
                    "ForAllValues:StringEquals": {"aws:TagKeys": list(BEDROCK_ENI_TAG_KEYS)},
                },
            ),
        )

    def grant_invoke_reward(self, reward_function: lambda_.IFunction) -> None:
        """Allow jobs to invoke the published versions of this one reward (grader) function.

        Every version, not only the newest: a job that is still training keeps calling the version
        it started with after a deploy publishes a new one (the old versions are retained).
        """
        versions = f"{reward_function.function_arn}:*"
        self.policy.add_statements(
            iam.PolicyStatement(
                sid="InvokeRewardFunction", actions=["lambda:InvokeFunction"], resources=[versions]
            )
        )
        acknowledge(
            self.policy,
            "Jobs invoke a published version of the reward function; a job still training keeps calling "
            "the version it started with after a deploy publishes a newer one, so every version of this one "
            "function is allowed (not the unqualified function, not other functions).",
            resource_finding(self, "AwsSolutions-IAM5", versions),
        )

    def grant_read_invocation_logs(self, bucket_name: str, key_prefix: str) -> None:
        """Allow reading Bedrock invocation logs under ``s3://bucket_name/key_prefix``.

        ``s3:ListBucket`` on the bucket for keys under the prefix and ``s3:GetObject`` on them. If
        the log bucket uses a customer-managed key, also call :meth:`grant_decrypt_sources`.
        """
        bucket_arn = self._external_bucket_arn(bucket_name)
        logs = f"{bucket_arn}/{key_prefix}*"
        self.policy.add_statements(
            iam.PolicyStatement(
                sid="ListInvocationLogs",
                actions=["s3:ListBucket"],
                resources=[bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{key_prefix}*"]}} if key_prefix else None,
            ),
            iam.PolicyStatement(sid="ReadInvocationLogs", actions=["s3:GetObject"], resources=[logs]),
        )
        acknowledge(
            self.policy,
            "Bedrock model-invocation logging writes one object per batch of calls under the configured "
            "prefix, with keys made of dates and request ids, and the job reads all of them; the grant is "
            "the read-only log prefix the config names.",
            resource_finding(self, "AwsSolutions-IAM5", logs),
        )

    def grant_read_object(self, s3_uri: str, sid: str) -> None:
        """Allow reading one existing object given as ``s3://bucket/key`` (a dataset outside our bucket).

        ``s3:GetObject`` on exactly that object (statement ``sid``) and ``s3:ListBucket`` on its
        bucket with ``s3:prefix`` equal to the key (statement ``sid`` with ``Read`` replaced by
        ``List``, e.g. ``ListExternalTrainingData``). If the bucket uses a customer-managed key, also
        call :meth:`grant_decrypt_sources`.
        """
        bucket, key = s3_uri.removeprefix("s3://").split("/", 1)
        bucket_arn = self._external_bucket_arn(bucket)
        self.policy.add_statements(
            iam.PolicyStatement(
                sid=f"List{sid.removeprefix('Read')}",
                actions=["s3:ListBucket"],
                resources=[bucket_arn],
                conditions={"StringEquals": {"s3:prefix": [key]}},
            ),
            iam.PolicyStatement(sid=sid, actions=["s3:GetObject"], resources=[f"{bucket_arn}/{key}"]),
        )

    def grant_decrypt_sources(self, key_arn: str) -> None:
        """Allow jobs to read external datasets or invocation logs encrypted with ``key_arn`` (SSE-KMS).

        Grants ``kms:Decrypt`` on that key only through S3 in the key's Region (``kms:ViaService`` =
        ``s3.<key region>.amazonaws.com``; an SSE-KMS key is always in its bucket's Region). The
        key's own policy must allow this role too (the stack cannot change a key it does not own).
        """
        region = cdk.Arn.split(key_arn, cdk.ArnFormat.SLASH_RESOURCE_NAME).region
        self.policy.add_statements(
            iam.PolicyStatement(
                sid="DecryptExternalSourcesThroughS3",
                actions=["kms:Decrypt"],
                resources=[key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            )
        )

    def _external_bucket_arn(self, bucket_name: str) -> str:
        return f"arn:{self._stack.partition}:s3:::{bucket_name}"
