"""An isolated VPC: no internet path, flow logs on, only the endpoints that components ask for."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from bedrock_rft.compliance import acknowledge
from bedrock_rft.security.log_group import encrypted_log_group

HTTPS = ec2.Port.tcp(443)


class IsolatedVpc(Construct):
    """A VPC with isolated subnets only, or a wrapper around an existing VPC.

    Created VPC: isolated subnets (/24) in ``max_azs`` zones, no internet or NAT gateway, the
    default security group stripped of all rules, flow logs of all traffic to a KMS-encrypted log
    group with retention, and an S3 gateway endpoint (the job reads and writes S3 through it).
    Interface endpoints are added on demand with :meth:`add_interface_endpoint` (for example
    ``bedrock-runtime`` for an LLM-judge reward function); each service gets one endpoint.

    ``workload_security_group`` is for the job's and the Lambdas' network interfaces: no inbound
    rules, outbound HTTPS only (isolated subnets have no route beyond the VPC's endpoints).

    Keyword arguments:
        encryption_key: encrypts the flow-log group. Required unless ``existing_vpc`` is given.
        existing_vpc: use this VPC (its private or isolated subnets) instead. Default: create one.
        subnets: which subnets of ``existing_vpc`` to use. Default: its isolated subnets, else its
            private subnets with egress.
        max_azs: zones of a created VPC. Default: 2.
        availability_zones: explicit zones of a created VPC (at least ``max_azs``; the first
            ``max_azs`` are used), so a Region-bound stack needs no zone lookup. Default: the
            stack's zones.
        log_retention: flow-log retention. Default: one year.
        removal_policy: for the flow-log group. Default: ``RETAIN``.

    Attributes: ``vpc`` (``ec2.IVpc``), ``subnets`` (``ec2.SubnetSelection``),
    ``workload_security_group``, ``flow_log_group`` (None for an existing VPC).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: kms.IKey | None = None,
        existing_vpc: ec2.IVpc | None = None,
        subnets: ec2.SubnetSelection | None = None,
        max_azs: int = 2,
        availability_zones: Sequence[str] = (),
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if existing_vpc is None and encryption_key is None:
            problems.append("encryption_key is required when no existing_vpc is given")
        if not cdk.Token.is_unresolved(max_azs) and not 1 <= max_azs <= 6:
            problems.append(f"max_azs must be from 1 to 6, got {max_azs}")
        if problems:
            raise ValueError("IsolatedVpc: " + "; ".join(problems))
        self._endpoints: dict[str, ec2.InterfaceVpcEndpoint] = {}
        self.flow_log_group: logs.LogGroup | None = None
        if existing_vpc is not None:
            self.vpc: ec2.IVpc = existing_vpc
            self.subnets = subnets or ec2.SubnetSelection(subnet_type=_private_subnet_type(existing_vpc))
        else:
            zones = list(availability_zones)[:max_azs]
            self.vpc = self._create(encryption_key, max_azs, zones, log_retention, removal_policy)
            self.subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        self.workload_security_group = ec2.SecurityGroup(
            self,
            "WorkloadSecurityGroup",
            vpc=self.vpc,
            description="RFT job and Lambda interfaces: no inbound, HTTPS out to VPC endpoints",
            allow_all_outbound=False,
        )
        self.workload_security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), HTTPS, "HTTPS to S3 (gateway endpoint) and interface endpoints"
        )

    def _create(
        self,
        encryption_key: kms.IKey,
        max_azs: int,
        zones: list[str],
        log_retention: logs.RetentionDays,
        removal_policy: cdk.RemovalPolicy,
    ) -> ec2.Vpc:
        self.flow_log_group = encrypted_log_group(
            self,
            "FlowLogs",
            encryption_key=encryption_key,
            retention=log_retention,
            removal_policy=removal_policy,
        )
        vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=None if zones else max_azs,
            availability_zones=zones or None,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                )
            ],
            restrict_default_security_group=True,
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3)
            },
            flow_logs={
                "AllTraffic": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_log_group),
                    traffic_type=ec2.FlowLogTrafficType.ALL,
                )
            },
        )
        acknowledge(
            vpc.node.find_child("AllTraffic"),
            "CDK writes the flow-log delivery role's least-privilege policy (write to one log group) "
            "inline; it serves that role only and is managed with it.",
            "NIST.800.53.R5-IAMNoInlinePolicy",
            "HIPAA.Security-IAMNoInlinePolicy",
        )
        return vpc

    def add_interface_endpoint(
        self, name: str, service: ec2.IInterfaceVpcEndpointService
    ) -> ec2.InterfaceVpcEndpoint:
        """Add (once) an interface endpoint reachable over HTTPS from the workload security group.

        ``name`` identifies the service (``"bedrock-runtime"``); a second call with the same name
        returns the first endpoint.
        """
        if name in self._endpoints:
            return self._endpoints[name]
        endpoint = ec2.InterfaceVpcEndpoint(
            self,
            f"Endpoint-{name}",
            vpc=self.vpc,
            service=service,
            subnets=self.subnets,
            private_dns_enabled=True,
            open=False,
        )
        endpoint.connections.allow_from(self.workload_security_group, HTTPS, f"{name} from RFT workloads")
        self._endpoints[name] = endpoint
        return endpoint

    @property
    def selected_subnets(self) -> list[ec2.ISubnet]:
        """The subnets workloads are placed in (those of :attr:`subnets`)."""
        selection = self.subnets
        return self.vpc.select_subnets(
            subnet_type=selection.subnet_type,
            subnet_group_name=selection.subnet_group_name,
            subnets=selection.subnets,
            availability_zones=selection.availability_zones,
            one_per_az=selection.one_per_az,
            subnet_filters=selection.subnet_filters,
        ).subnets

    @property
    def interface_endpoint_names(self) -> Sequence[str]:
        """Names of the interface endpoints added so far."""
        return tuple(self._endpoints)


def _private_subnet_type(vpc: ec2.IVpc) -> ec2.SubnetType:
    """Isolated subnets when the VPC has them, else private subnets with egress."""
    return ec2.SubnetType.PRIVATE_ISOLATED if vpc.isolated_subnets else ec2.SubnetType.PRIVATE_WITH_EGRESS
