"""``RftStack``: one environment file's pipeline as a stack of its own."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from constructs import Construct

from bedrock_rft.config import PipelineConfig
from bedrock_rft.config.errors import ConfigError, Problem
from bedrock_rft.config.locator import key_lines, line_of
from bedrock_rft.config.rules import TOML_KEYS, config_problems
from bedrock_rft.pipeline import RftPipeline, RftPipelineProps
from bedrock_rft.pipeline.props import PipelinePropsError

#: Construct id of the pipeline inside the stack. CDK leaves ``Default`` out of logical IDs, so
#: the resources keep the logical IDs they had when the stack built them itself.
PIPELINE_ID = "Default"


class RftStack(cdk.Stack):
    """The stack ``Rft-<name>`` of one environment file: an :class:`RftPipeline` and nothing else.

    Maps ``config`` (a loaded environment file, or a :class:`PipelineConfig` built in Python) to
    :class:`RftPipelineProps`; ``account``/``region`` become the stack's environment and
    ``description`` its description. A config built in Python gets the same checks as a file, and
    a :class:`ConfigError` listing every problem.

    Keyword arguments:
        config: the environment's values (defaults: see :class:`PipelineConfig`). Required. Other
            keyword arguments go to ``cdk.Stack`` (default: none).

    Attributes: ``config``, ``pipeline`` (:class:`RftPipeline`; its parts are ``pipeline.storage``,
    ``pipeline.reward``, ``pipeline.lifecycle``, ...).
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: PipelineConfig, **kwargs) -> None:
        problems = config_problems(config)
        if problems:
            raise ConfigError(config.source_file or "(PipelineConfig)", problems)
        super().__init__(
            scope,
            construct_id,
            env=cdk.Environment(account=config.account, region=config.region),
            description=config.stack_description,
            **kwargs,
        )
        self.config = config
        try:
            self.pipeline = RftPipeline(self, PIPELINE_ID, props=RftPipelineProps.from_config(config))
        except PipelinePropsError as error:  # found at build time (e.g. needs the row count): file:line
            raise ConfigError(
                config.source_file or "(PipelineConfig)", _located(config, error.problems)
            ) from None


def _located(config: PipelineConfig, problems: list[Problem]) -> list[Problem]:
    """``problems`` with the line of their key in the environment file (when there is one)."""
    if not config.source_file:
        return list(problems)
    lines = key_lines(Path(config.source_file).read_text(encoding="utf-8"))
    keys = [TOML_KEYS.get(p.key, p.key) for p in problems]
    return [
        Problem(key=k, message=p.message, line=line_of(lines, k)) for k, p in zip(keys, problems, strict=True)
    ]
