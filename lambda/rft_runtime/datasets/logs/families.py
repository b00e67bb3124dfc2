"""Reading prompts and responses out of logged request and response bodies.

``Converse`` / ``ConverseStream`` bodies have one shape whatever the model. ``InvokeModel`` /
``InvokeModelWithResponseStream`` bodies are model-native, so the family is chosen by the ``modelId``
prefix (after any ARN path and cross-Region inference-profile prefix such as ``us.`` or ``global.``):

===================  ==========================================  =========================================
family (prefix)      request                                     response
===================  ==========================================  =========================================
Nova (amazon.nova)   ``system[].text``, ``messages[].content[]``  ``output.message.content[].text``
Anthropic            ``system`` + ``messages`` (string or          ``content[].text``; legacy ``completion``
                     blocks), or legacy ``prompt`` Human/Assistant
Titan text           ``inputText`` (``User:``/``Bot:`` lines)     ``results[0].outputText``
Meta Llama           ``prompt`` (header tokens, [INST] or plain)  ``generation``
Mistral              ``messages``, or ``prompt`` ([INST]/plain)   ``outputs[0].text``, ``choices[0].message``
Cohere Command       ``preamble`` + ``chat_history`` + ``message``  ``text``; legacy ``generations[0].text``
                     or legacy ``prompt``
===================  ==========================================  =========================================

Any other model is skipped as ``unknown-model-family:<modelId>``, never guessed. Stream responses may be
logged as a list of chunks; the text deltas of the chunks are joined. Image, audio, video and document
content skips the record (``media-content``: RFT is text only), as do tool calls (``tool-content``);
reasoning and cache-point blocks are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from rft_runtime.datasets.limits import MEDIA_BLOCK_TYPES
from rft_runtime.datasets.logs import templates
from rft_runtime.datasets.logs.skip import Skip
from rft_runtime.datasets.logs.templates import Turn

CONVERSE_OPERATIONS = frozenset({"Converse", "ConverseStream"})
INVOKE_OPERATIONS = frozenset({"InvokeModel", "InvokeModelWithResponseStream"})

#: Cross-Region inference profile prefixes of model IDs (``us.anthropic...``).
_GEO_PREFIXES = frozenset({"us", "us-gov", "eu", "apac", "ap", "au", "ca", "jp", "global"})
_CONVERSE_MEDIA = frozenset({"image", "document", "video", "audio"})
_CONVERSE_TOOLS = frozenset({"toolUse", "toolResult"})
_CONVERSE_DROPPED = frozenset({"reasoningContent", "cachePoint"})
_DROPPED_TYPES = frozenset({"thinking", "redacted_thinking"})
_CHAT_ROLES = frozenset({"user", "assistant"})
_MISTRAL_ROLES = frozenset({"system", "user", "assistant"})
_COHERE_ROLES = MappingProxyType({"USER": "user", "CHATBOT": "assistant", "SYSTEM": "system"})


@dataclass(frozen=True)
class Family:
    """How to read one body shape: ``prompt(request) -> turns``, ``response(body_or_chunk) -> text``."""

    name: str
    prompt: Callable[[dict], list[Turn]]
    response: Callable[[dict], str | None]


# --- small readers that refuse anything unexpected --------------------------------------------------


def _malformed() -> Skip:
    return Skip("malformed-body")


def _as_list(value: object) -> list:
    if not isinstance(value, list):
        raise _malformed()
    return value


def _as_dict(value: object) -> dict:
    if not isinstance(value, dict):
        raise _malformed()
    return value


def _as_str(value: object) -> str:
    if not isinstance(value, str):
        raise _malformed()
    return value


def _dig(value: object, *path: str | int) -> object:
    """``value[p0][p1]...`` or None when any step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or len(value) <= step:
                return None
        elif not isinstance(value, dict):
            return None
        value = value[step] if isinstance(step, int) else value.get(step)
    return value


def _joined(texts: list[object], separator: str = "\n") -> str | None:
    """Join the strings among ``texts``; None when there are none."""
    found = [text for text in texts if isinstance(text, str)]
    return separator.join(found) if found else None


def _role(value: object, allowed: frozenset[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise _malformed()
    return value


# --- Converse and Nova: {"text": ...} blocks ----------------------------------------------------------


def _bedrock_blocks_text(blocks: object) -> str:
    texts: list[str] = []
    for block in _as_list(blocks):
        keys = _as_dict(block).keys()
        if "text" in keys:
            texts.append(_as_str(block["text"]))
        elif "guardContent" in keys and isinstance(_dig(block, "guardContent", "text", "text"), str):
            texts.append(block["guardContent"]["text"]["text"])
        elif keys & _CONVERSE_MEDIA or "guardContent" in keys:
            raise Skip("media-content")
        elif keys & _CONVERSE_TOOLS:
            raise Skip("tool-content")
        elif not keys & _CONVERSE_DROPPED:
            raise Skip("non-text-content")
    return "\n".join(texts)


def _converse_prompt(body: dict) -> list[Turn]:
    turns: list[Turn] = [("system", _bedrock_blocks_text(body.get("system") or []))]
    for message in _as_list(body.get("messages")):
        message = _as_dict(message)
        turns.append((_role(message.get("role"), _CHAT_ROLES), _bedrock_blocks_text(message.get("content"))))
    return turns


def _converse_response(body: dict) -> str | None:
    blocks = _dig(body, "output", "message", "content")
    if isinstance(blocks, list):
        return _joined([_dig(block, "text") for block in blocks])
    delta = _dig(body, "contentBlockDelta", "delta", "text")
    return delta if isinstance(delta, str) else None


# --- Anthropic and Mistral chat: string content or {"type": ...} blocks -------------------------------


def _typed_content_text(content: object) -> str:
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for block in _as_list(content):
        kind = _as_str(_as_dict(block).get("type"))
        if kind == "text":
            texts.append(_as_str(block.get("text")))
        elif kind in _DROPPED_TYPES:
            continue
        elif "tool" in kind:
            raise Skip("tool-content")
        elif kind in MEDIA_BLOCK_TYPES:
            raise Skip("media-content")
        else:
            raise Skip("non-text-content")
    return "\n".join(texts)


def _chat_messages(messages: object, roles: frozenset[str]) -> list[Turn]:
    turns: list[Turn] = []
    for message in _as_list(messages):
        message = _as_dict(message)
        role = message.get("role")
        if role == "tool" or message.get("tool_calls"):
            raise Skip("tool-content")
        turns.append((_role(role, roles), _typed_content_text(message.get("content"))))
    return turns


def _anthropic_prompt(body: dict) -> list[Turn]:
    if "messages" in body:
        system = body.get("system")
        turns: list[Turn] = [("system", "" if system is None else _typed_content_text(system))]
        return turns + _chat_messages(body["messages"], _CHAT_ROLES)
    return templates.human_assistant_turns(_as_str(body.get("prompt")))


def _anthropic_response(body: dict) -> str | None:
    content = body.get("content")
    if isinstance(content, list):
        return _joined([block.get("text") for block in content if _dig(block, "type") == "text"])
    if isinstance(body.get("completion"), str):
        return body["completion"]
    if body.get("type") == "content_block_delta":
        delta = _dig(body, "delta", "text")
        return delta if isinstance(delta, str) else None
    return None


def _mistral_prompt(body: dict) -> list[Turn]:
    if "messages" in body:
        return _chat_messages(body["messages"], _MISTRAL_ROLES)
    return templates.mistral_turns(_as_str(body.get("prompt")))


def _mistral_response(body: dict) -> str | None:
    for path in (
        ("outputs", 0, "text"),
        ("choices", 0, "message", "content"),
        ("choices", 0, "delta", "content"),
    ):
        text = _dig(body, *path)
        if isinstance(text, str):
            return text
    return None


# --- single-string prompt families --------------------------------------------------------------------


def _titan_prompt(body: dict) -> list[Turn]:
    return templates.titan_turns(_as_str(body.get("inputText")))


def _titan_response(body: dict) -> str | None:
    text = _dig(body, "results", 0, "outputText")
    if not isinstance(text, str):
        text = body.get("outputText")
    return text if isinstance(text, str) else None


def _llama_prompt(body: dict) -> list[Turn]:
    return templates.llama_turns(_as_str(body.get("prompt")))


def _llama_response(body: dict) -> str | None:
    text = body.get("generation")
    return text if isinstance(text, str) else None


def _cohere_prompt(body: dict) -> list[Turn]:
    if "message" not in body:
        return templates.plain_turns(_as_str(body.get("prompt")))
    if body.get("tools") or body.get("tool_results"):
        raise Skip("tool-content")
    if body.get("documents"):
        raise Skip("documents-content")
    turns: list[Turn] = [("system", _as_str(body.get("preamble", "")))]
    for entry in _as_list(body.get("chat_history", [])):
        entry = _as_dict(entry)
        if entry.get("role") == "TOOL":
            raise Skip("tool-content")
        role = _COHERE_ROLES.get(_as_str(entry.get("role")))
        if role is None:
            raise _malformed()
        turns.append((role, _as_str(entry.get("message"))))
    turns.append(("user", _as_str(body["message"])))
    return turns


def _cohere_response(body: dict) -> str | None:
    if body.get("event_type") not in (None, "text-generation"):
        return None
    text = body.get("text")
    if not isinstance(text, str):
        text = _dig(body, "generations", 0, "text")
    return text if isinstance(text, str) else None


CONVERSE = Family("converse", _converse_prompt, _converse_response)

#: InvokeModel families by model-ID prefix, most specific first.
_INVOKE_FAMILIES: tuple[tuple[str, Family], ...] = (
    ("amazon.nova", Family("nova", _converse_prompt, _converse_response)),
    ("amazon.titan-text", Family("titan", _titan_prompt, _titan_response)),
    ("amazon.titan-tg1", Family("titan", _titan_prompt, _titan_response)),
    ("anthropic.", Family("anthropic", _anthropic_prompt, _anthropic_response)),
    ("meta.llama", Family("llama", _llama_prompt, _llama_response)),
    ("mistral.", Family("mistral", _mistral_prompt, _mistral_response)),
    ("cohere.command", Family("cohere", _cohere_prompt, _cohere_response)),
)


def base_model_id(model_id: str) -> str:
    """Strip an ARN path and a cross-Region profile prefix: ``us.anthropic.x`` -> ``anthropic.x``."""
    name = model_id.rsplit("/", 1)[-1]
    geo, dot, rest = name.partition(".")
    return rest if dot and geo in _GEO_PREFIXES else name


def family_for(operation: str, model_id: str) -> Family:
    """Return the family that reads records of ``operation`` on ``model_id``; raise :class:`Skip`."""
    if operation in CONVERSE_OPERATIONS:
        return CONVERSE
    if operation not in INVOKE_OPERATIONS:
        raise Skip(f"unsupported-operation:{operation}")
    base = base_model_id(model_id)
    for prefix, family in _INVOKE_FAMILIES:
        if base.startswith(prefix):
            return family
    raise Skip(f"unknown-model-family:{model_id}")


def prompt_turns(family: Family, body: object) -> list[Turn]:
    """The request body's turns, in order (a leading system turn may be empty); raise :class:`Skip`."""
    return family.prompt(_as_dict(body))


def response_text(family: Family, body: object) -> str | None:
    """The response's text: a whole body, or a logged stream (a list of chunks) joined; None if none."""
    if isinstance(body, dict):
        return family.response(body)
    if isinstance(body, list):
        return _joined([family.response(chunk) for chunk in body if isinstance(chunk, dict)], "")
    return None
