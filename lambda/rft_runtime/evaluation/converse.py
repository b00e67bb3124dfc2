"""One Converse request per (prompt, sample), and the parts of the answer an evaluation keeps.

The prompt's chat-completions turns become Converse's shape: ``system`` turns go to ``system`` as
text blocks, user and assistant turns to ``messages`` with text blocks. ``maxTokens`` is the
pipeline's ``inferenceMaxTokens``; ``reasoningEffort`` switches Nova 2's extended thinking on at that
effort through ``additionalModelRequestFields`` (``reasoningConfig``); ``None`` leaves it off.
The graded response is the text blocks of the output message (reasoning blocks are not graded,
as the reward Lambda grades the final answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rft_runtime.evaluation.prompts import Prompt, message_text

#: Read timeout of the Converse client: Nova inference may run long with high reasoning effort.
READ_TIMEOUT_SECONDS = 3600


@dataclass(frozen=True)
class InferenceSettings:
    """What changes a response besides the prompt: ``max_tokens`` (the pipeline's
    ``inferenceMaxTokens``) and ``reasoning_effort`` (``low``/``medium``/``high``, or None: off)."""

    max_tokens: int
    reasoning_effort: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"maxTokens": self.max_tokens, "reasoningEffort": self.reasoning_effort}


@dataclass(frozen=True)
class Reply:
    """A model's answer: the graded ``text``, token counts from Converse ``usage``, ``stop_reason``."""

    text: str
    input_tokens: int
    output_tokens: int
    stop_reason: str


def request(model_id: str, prompt: Prompt, settings: InferenceSettings) -> dict[str, Any]:
    """The ``Converse`` keyword arguments for ``prompt``."""
    system = []
    messages = []
    for turn in prompt.messages:
        role = turn.get("role")
        text = message_text(turn.get("content"))
        if role == "system":
            system.append({"text": text})
        elif role in ("user", "assistant"):
            messages.append({"role": role, "content": [{"text": text}]})
    kwargs: dict[str, Any] = {
        "modelId": model_id,
        "messages": messages,
        "inferenceConfig": {"maxTokens": settings.max_tokens},
    }
    if system:
        kwargs["system"] = system
    if settings.reasoning_effort:
        kwargs["additionalModelRequestFields"] = {
            "reasoningConfig": {"type": "enabled", "maxReasoningEffort": settings.reasoning_effort}
        }
    return kwargs


def reply(response: Mapping[str, Any]) -> Reply:
    """The :class:`Reply` of a Converse response."""
    message = response.get("output", {}).get("message", {})
    text = "".join(block["text"] for block in message.get("content", ()) if "text" in block)
    usage = response.get("usage", {})
    return Reply(
        text=text,
        input_tokens=int(usage.get("inputTokens", 0)),
        output_tokens=int(usage.get("outputTokens", 0)),
        stop_reason=str(response.get("stopReason", "")),
    )


def make_client(region: str | None, max_connections: int) -> Any:
    """A ``bedrock-runtime`` client: botocore retries off (:mod:`.throttle` owns them), a long read
    timeout, a connection pool as large as the concurrency."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "bedrock-runtime",
        region_name=region,
        config=Config(
            retries={"mode": "standard", "total_max_attempts": 1},
            read_timeout=READ_TIMEOUT_SECONDS,
            max_pool_connections=max(10, max_connections),
            user_agent_extra="bedrock-rft-cdk",
        ),
    )
