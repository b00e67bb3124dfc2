"""Where a pipeline publishes its state: read once from the Lambda environment by the handlers.

The construct sets these variables; the functions below the handlers receive a :class:`Settings`
object and never read the environment themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rft_runtime.lifecycle import names

EVENT_SOURCE = "bedrock-rft"
EVENT_DETAIL_TYPE = "RFT Pipeline State Change"


@dataclass(frozen=True)
class Settings:
    """``pipeline`` name, ``topic_arn`` of the notification topic (empty: no notifications) and the
    SSM parameter names (default: derived from the pipeline name)."""

    pipeline: str
    topic_arn: str = ""
    state_parameter: str = ""
    wait_parameter: str = ""
    event_source: str = EVENT_SOURCE
    event_detail_type: str = EVENT_DETAIL_TYPE

    def __post_init__(self) -> None:
        if not self.state_parameter:
            object.__setattr__(self, "state_parameter", names.state_parameter_name(self.pipeline))
        if not self.wait_parameter:
            object.__setattr__(self, "wait_parameter", names.wait_parameter_name(self.pipeline))

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Settings:
        """Build from ``RFT_PIPELINE``, ``RFT_TOPIC_ARN``, ``RFT_STATE_PARAMETER``, ``RFT_WAIT_PARAMETER``."""
        return cls(
            pipeline=env["RFT_PIPELINE"],
            topic_arn=env.get("RFT_TOPIC_ARN", ""),
            state_parameter=env.get("RFT_STATE_PARAMETER", ""),
            wait_parameter=env.get("RFT_WAIT_PARAMETER", ""),
        )
