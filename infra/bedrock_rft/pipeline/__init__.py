"""``RftPipeline``: the whole pipeline as one construct, its props, and what consumers grant against."""

from bedrock_rft.pipeline.construct import RftPipeline
from bedrock_rft.pipeline.props import PipelinePropsError, RftPipelineProps
from bedrock_rft.pipeline.reference import PipelineReference

__all__ = ["PipelinePropsError", "PipelineReference", "RftPipeline", "RftPipelineProps"]
