"""Build the CDK app of the delivery pipeline from a delivery file and the project's ``package.json``."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk

from bedrock_rft.compliance import attach_nag_packs
from bedrock_rft.delivery.config import load_delivery_file
from bedrock_rft.delivery.stack import RftDeliveryStack
from bedrock_rft.delivery.toolchain import cdk_assets_version, cdk_cli_version


def build_delivery_app(
    delivery_file: Path | str, package_json: Path | str, *, app: cdk.App | None = None, nag: bool = True
) -> RftDeliveryStack:
    """Add the delivery stack of ``delivery_file`` to ``app`` (default: a new ``cdk.App``).

    The CLI and asset-publisher versions come from ``package_json``. ``nag`` (default True)
    attaches the cdk-nag packs to the app, so any unacknowledged finding in the pipeline or in a
    stage fails synthesis.
    Raises ``ConfigError`` (delivery file, an environment file or ``package.json``) listing every
    problem.
    """
    delivery = load_delivery_file(delivery_file)
    app = app or cdk.App()
    stack = RftDeliveryStack(
        app,
        delivery.stack_name,
        delivery=delivery,
        cli_version=cdk_cli_version(package_json),
        cdk_assets_version=cdk_assets_version(package_json),
    )
    if nag:
        attach_nag_packs(app)
    return stack
