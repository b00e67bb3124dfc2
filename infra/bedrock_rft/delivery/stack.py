"""``RftDeliveryStack``: the delivery pipeline in a stack of its own, bound to its account and Region."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from bedrock_rft.delivery.config import DeliveryConfig
from bedrock_rft.delivery.pipeline import RftDeliveryPipeline


class RftDeliveryStack(cdk.Stack):
    """The stack ``RftDelivery-<name>`` holding one :class:`RftDeliveryPipeline`.

    Keyword arguments:
        delivery: the loaded delivery file. Required. Every other keyword argument
            (``cli_version`` and ``cdk_assets_version`` required) goes to
            :class:`RftDeliveryPipeline` (default: its defaults).

    Attributes: ``delivery``, ``delivery_pipeline``.
    """

    def __init__(self, scope: Construct, construct_id: str, *, delivery: DeliveryConfig, **kwargs) -> None:
        super().__init__(
            scope,
            construct_id,
            env=cdk.Environment(account=delivery.account, region=delivery.region),
            description=f"bedrock-rft delivery pipeline {delivery.name}",
        )
        self.delivery = delivery
        self.delivery_pipeline = RftDeliveryPipeline(self, "Delivery", delivery=delivery, **kwargs)
