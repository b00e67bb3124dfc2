"""The reward (grader) Lambda that Bedrock calls during training."""

from bedrock_rft.reward.code_runner import CodeRunner
from bedrock_rft.reward.inputs import RewardInputs
from bedrock_rft.reward.reward_function import RewardFunction

__all__ = ["CodeRunner", "RewardFunction", "RewardInputs"]
