"""Build the CDK app for one environment: load its config, add its stack, attach the nag packs."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk

from bedrock_rft.compliance import attach_nag_packs
from bedrock_rft.config import PipelineConfig, load_environment
from bedrock_rft.stack import RftStack

#: Environment used when ``-c env=<name>`` is not given.
DEFAULT_ENVIRONMENT = "dev"


def add_pipeline(app: cdk.App, config: PipelineConfig) -> RftStack:
    """Add the stack of one pipeline to ``app`` (named ``Rft-<pipeline name>``)."""
    return RftStack(app, config.stack_name, config=config)


def build_app(environments_dir: Path, *, app: cdk.App | None = None, nag: bool = True) -> cdk.App:
    """Create (or fill) an app for the environment chosen by the ``env`` context key.

    ``environments_dir`` holds ``<env>.toml`` files. ``nag`` (default True) attaches the cdk-nag
    packs, so any unacknowledged finding fails synthesis. Raises ``ConfigError`` for a bad config
    and ``DatasetError`` for a bad dataset, both with every problem listed.
    """
    app = app or cdk.App()
    env_name = app.node.try_get_context("env") or DEFAULT_ENVIRONMENT
    config = load_environment(str(env_name), environments_dir)
    add_pipeline(app, config)
    if nag:
        attach_nag_packs(app)
    return app
