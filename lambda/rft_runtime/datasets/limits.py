"""Service rules for RFT training data (Amazon Bedrock user guide: rft-prepare-data, rft-nova-models).

Kept in one place so the validator, the log converter and the CDK app agree.
"""

from __future__ import annotations

#: Fewest prompts a training dataset may hold ("at least 100").
MIN_TRAINING_ROWS = 100

#: Most prompts accepted, training and validation data together ("at most 20,000").
MAX_TOTAL_ROWS = 20_000

#: Roles allowed in ``messages`` (OpenAI chat-completions format; ``system`` only first).
ALLOWED_ROLES = frozenset({"system", "user", "assistant"})

#: Content-block ``type`` values that carry media. RFT is text only, so each is an error.
MEDIA_BLOCK_TYPES = frozenset(
    {"image", "image_url", "input_image", "audio", "input_audio", "video", "file", "input_file", "document"}
)
