"""What an operator watches: the reward dashboard and the failed-run alarm."""

from bedrock_rft.observability.dashboard import PipelineDashboard

__all__ = ["PipelineDashboard"]
