"""Turning a generated assistant turn into the final-answer text a grader sees.

Rules (graders score the final answer only):

- ``content`` may be a string or a list of blocks. Text blocks are ``{"type": "text", "text": ...}``
  or ``{"text": ...}``; reasoning blocks are ``{"type": "reasoning"|"thinking", ...}`` or Converse's
  ``{"reasoningContent": {"reasoningText": {"text": ...}}}``; other blocks (images, tool use) are
  ignored. Anything else is malformed (:class:`BadContent`).
- Inline reasoning is removed: ``<think>``, ``<thinking>`` and ``<reasoning>`` blocks (any case).
  An unclosed opening tag (a response cut off while thinking) removes everything after it; a lone
  closing tag (templates that open the block in the prompt) removes everything before it.
- gpt-oss "harmony" output keeps only the ``final`` channel when one is present.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rft_runtime.rewards.core import reference_answer

_TAG = re.compile(r"<(/?)(?i:think|thinking|reasoning)\s*>")
_HARMONY_FINAL = "<|channel|>final<|message|>"
_HARMONY_END = re.compile(r"<\|(?:return|end|call)\|>")
_REASONING_TYPES = frozenset({"reasoning", "thinking", "reasoning_content", "redacted_thinking"})


class BadContent(ValueError):
    """A message ``content`` that is neither a string nor a list of blocks."""


def split_reasoning(text: str) -> tuple[str, str]:
    """``(final answer, removed reasoning)`` of a response, both stripped of outer whitespace."""
    if "<" not in text:
        return text.strip(), ""
    reasoning: list[str] = []
    harmony = text.rfind(_HARMONY_FINAL)
    if harmony >= 0:
        reasoning.append(text[:harmony])
        text = text[harmony + len(_HARMONY_FINAL) :]
        end = _HARMONY_END.search(text)
        if end:
            text = text[: end.start()]
    first = _TAG.search(text)
    if first is None:
        if not reasoning:
            return text.strip(), ""
        return text.strip(), "\n".join(part.strip() for part in reasoning if part.strip())
    kept: list[str] = []
    position = 0
    opened = -1
    for tag in _TAG.finditer(text, first.start()):
        if not tag.group(1):
            if opened < 0:
                kept.append(text[position : tag.start()])
                opened = tag.end()
        elif opened >= 0:
            reasoning.append(text[opened : tag.start()])
            opened = -1
            position = tag.end()
        else:
            reasoning.append("".join(kept) + text[position : tag.start()])
            kept = []
            position = tag.end()
    if opened >= 0:
        reasoning.append(text[opened:])
    else:
        kept.append(text[position:])
    return "".join(kept).strip(), "\n".join(part.strip() for part in reasoning if part.strip())


def content_parts(content: object) -> tuple[str, str]:
    """``(text, reasoning)`` of a message ``content`` (string or block list); raises :class:`BadContent`."""
    if isinstance(content, str):
        return content, ""
    if not isinstance(content, list):
        raise BadContent(f"content is {type(content).__name__}, expected a string or a list of blocks")
    texts: list[str] = []
    reasoning: list[str] = []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
            continue
        if not isinstance(block, Mapping):
            raise BadContent(f"content block is {type(block).__name__}, expected an object")
        kind = block.get("type")
        if kind in _REASONING_TYPES:
            reasoning.append(_block_text(block, kind))
        elif "reasoningContent" in block:
            reasoning.append(_block_text(block["reasoningContent"], "reasoningText"))
        elif kind in (None, "text", "output_text") and "text" in block:
            text = block["text"]
            if not isinstance(text, str):
                raise BadContent(f"text block holds {type(text).__name__}, expected a string")
            texts.append(text)
    return "".join(texts), "\n".join(reasoning)


def _block_text(block: object, key: object) -> str:
    """The text inside a reasoning block, whatever nesting the provider uses ("" when none)."""
    if isinstance(block, str):
        return block
    if not isinstance(block, Mapping):
        return ""
    for name in (key, "text", "thinking", "reasoning", "reasoningText", "content"):
        if name in block:
            return _block_text(block[name], "text")
    return ""


def final_answer(content: object) -> tuple[str, str]:
    """``(final answer, reasoning)`` of a generated turn's ``content``; raises :class:`BadContent`."""
    text, block_reasoning = content_parts(content)
    answer, inline_reasoning = split_reasoning(text)
    if block_reasoning and inline_reasoning:
        return answer, f"{block_reasoning}\n{inline_reasoning}"
    return answer, block_reasoning or inline_reasoning


def reference_texts(reference: object) -> list[str]:
    """The acceptable answers a reference names, as strings.

    The reference is first read by :func:`rft_runtime.rewards.core.reference_answer` (an object gives
    its ``answer``, ``final_answer``, ... field). Then a string is one answer; a number is its
    ``str``; a list gives one answer per element (nested lists and objects are ignored). Anything
    else (None, booleans, empty strings, objects without an answer) names none.
    """
    reference = reference_answer(reference)
    if isinstance(reference, str):
        return [reference] if reference.strip() else []
    if isinstance(reference, bool) or reference is None:
        return []
    if isinstance(reference, (int, float)):
        return [str(reference)]
    if isinstance(reference, (list, tuple)):
        return [
            answer
            for element in reference
            if not isinstance(element, (list, tuple, Mapping))
            for answer in reference_texts(element)
        ]
    return []
