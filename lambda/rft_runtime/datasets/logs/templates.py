"""Turning single-string prompts written in a chat template back into turns.

Four templates are recognised; each parser returns ``[(role, text), ...]`` with roles ``system``,
``user`` and ``assistant``, texts stripped of surrounding whitespace:

- Anthropic text completions: ``"\\n\\nHuman: ...\\n\\nAssistant: ..."``; text before the first
  ``Human:`` is the system prompt.
- Titan text: ``"User: ...\nBot: ..."`` (turns start a line with ``User:`` or ``Bot:``); text before
  the first ``User:`` is the system prompt, and a final empty ``Bot:`` is where the model answers.
- Llama 3 / 4 headers: ``<|start_header_id|>user<|end_header_id|> ... <|eot_id|>`` (Llama 4 spells
  them ``<|header_start|>``, ``<|header_end|>``, ``<|eot|>``).
- ``[INST] ... [/INST]`` (Llama 2, Mistral): text after ``[/INST]`` is the assistant's answer, and a
  ``<<SYS>> ... <</SYS>>`` block inside the first instruction is the system prompt.

A prompt without any template marker is one user turn. Text a template leaves unexplained (before the
first header or instruction) makes the record skipped (``unrecognised-prompt``) rather than guessed at.
"""

from __future__ import annotations

import re

from rft_runtime.datasets.logs.skip import Skip

Turn = tuple[str, str]

_HUMAN_ASSISTANT = re.compile(r"(?:^|\n\n)(Human|Assistant):")
_USER_BOT = re.compile(r"(?:^|\n)[ \t]*(User|Bot):")
_LLAMA_HEADER = re.compile(r"<\|(?:start_header_id|header_start)\|>(.*?)<\|(?:end_header_id|header_end)\|>")
_LLAMA_END_OF_TURN = re.compile(r"<\|eot(?:_id)?\|>")
_LLAMA_ROLES = frozenset({"system", "user", "assistant"})
_INST = re.compile(r"\[INST\](.*?)\[/INST\]", re.DOTALL)
_SYS = re.compile(r"<<SYS>>(.*?)<</SYS>>", re.DOTALL)


def plain_turns(prompt: str) -> list[Turn]:
    """The whole prompt as one user turn."""
    return [("user", prompt.strip())]


def human_assistant_turns(prompt: str) -> list[Turn]:
    """Parse an Anthropic ``Human:`` / ``Assistant:`` prompt (plain text if it has no marker)."""
    parts = _HUMAN_ASSISTANT.split(prompt)
    if len(parts) == 1:
        return plain_turns(prompt)
    turns: list[Turn] = [("system", parts[0].strip())] if parts[0].strip() else []
    for speaker, text in zip(parts[1::2], parts[2::2], strict=True):
        turns.append(("user" if speaker == "Human" else "assistant", text.strip()))
    return turns


def titan_turns(prompt: str) -> list[Turn]:
    """Parse an Amazon Titan text prompt written as ``User:`` / ``Bot:`` lines (plain text if it has
    no ``User:`` line)."""
    parts = _USER_BOT.split(prompt)
    if "User" not in parts[1::2]:
        return plain_turns(prompt)
    turns: list[Turn] = [("system", parts[0].strip())] if parts[0].strip() else []
    for speaker, text in zip(parts[1::2], parts[2::2], strict=True):
        turns.append(("user" if speaker == "User" else "assistant", text.strip()))
    return turns


def llama_header_turns(prompt: str) -> list[Turn]:
    """Parse a Llama 3 / 4 header-token prompt; tool (``ipython``) turns skip the record."""
    parts = _LLAMA_HEADER.split(prompt)
    if parts[0].replace("<|begin_of_text|>", "").strip():
        raise Skip("unrecognised-prompt")
    turns: list[Turn] = []
    for header, body in zip(parts[1::2], parts[2::2], strict=True):
        role = header.strip()
        if role not in _LLAMA_ROLES:
            raise Skip("tool-content" if role in ("ipython", "tool") else "unrecognised-prompt")
        turns.append((role, _LLAMA_END_OF_TURN.split(body, maxsplit=1)[0].strip()))
    return turns


def inst_turns(prompt: str) -> list[Turn]:
    """Parse an ``[INST] ... [/INST]`` prompt (Llama 2, Mistral)."""
    text = prompt.replace("<s>", "").replace("</s>", "")
    turns: list[Turn] = []
    position = 0
    for match in _INST.finditer(text):
        between = text[position : match.start()].strip()
        if between:
            if not turns:
                raise Skip("unrecognised-prompt")
            turns.append(("assistant", between))
        instruction = match.group(1)
        system = _SYS.search(instruction)
        if system is not None and not turns:
            turns.append(("system", system.group(1).strip()))
            instruction = instruction[: system.start()] + instruction[system.end() :]
        turns.append(("user", instruction.strip()))
        position = match.end()
    if not turns:
        raise Skip("unrecognised-prompt")
    answer = text[position:].strip()
    if answer:
        turns.append(("assistant", answer))
    return turns


def llama_turns(prompt: str) -> list[Turn]:
    """Parse a Meta Llama prompt: header tokens, ``[INST]``, or plain text."""
    if _LLAMA_HEADER.search(prompt):
        return llama_header_turns(prompt)
    return mistral_turns(prompt)


def mistral_turns(prompt: str) -> list[Turn]:
    """Parse a Mistral text prompt: ``[INST]`` or plain text."""
    return inst_turns(prompt) if "[INST]" in prompt else plain_turns(prompt)
