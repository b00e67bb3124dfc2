"""Checks of one decoded dataset row (the parts that need no other row).

Used by the file validator on every line and by the log converter on every row it is about to write,
so both enforce the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rft_runtime.datasets import codes
from rft_runtime.datasets.limits import ALLOWED_ROLES, MEDIA_BLOCK_TYPES
from rft_runtime.datasets.report import IssueLog, preview
from rft_runtime.datasets.tokens import METHOD, estimate_tokens, utf8_length
from rft_runtime.datasets.tool_specs import check_tools

_ABSENT = object()
_ROLE_HELP = 'allowed: "system" (first turn only), "user", "assistant"'
_BLOCK_HELP = 'use a string or a list of {"type": "text", "text": "..."} blocks'
#: Keys that mark a media block written without "type" (Converse / Nova native style).
_MEDIA_KEYS = ("image", "image_url", "audio", "input_audio", "video", "document")

#: ``check(row) -> problem or None``: can the reward template grade this row's reference?
ReferenceCheck = Callable[[Mapping[str, Any]], str | None]

#: What :meth:`RowChecker.check` returns for a row whose messages are well formed:
#: (fingerprint of the prompt for duplicate detection, estimated prompt tokens).
PromptFacts = tuple[int, int]


def json_type(value: object) -> str:
    """Return the JSON name of ``value``'s type ("object", "array", "string", "number", ...)."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def is_empty(value: object) -> bool:
    """True for null, a blank string, ``[]`` and ``{}`` (``0`` and ``false`` are values)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value or value.isspace()
    if isinstance(value, list | dict):
        return not value
    return False


class RowChecker:
    """Checks rows against the RFT dataset rules.

    ``required_fields`` (default none) must be present and non-empty (error); ``recommended_fields``
    (default none) only warn when missing or empty. ``max_prompt_tokens`` (default None = no limit) is
    compared with the estimate of :mod:`.tokens`. ``reference_check`` (default None: not checked, see
    ``rft_runtime.rewards.catalogue.reference_check``) reports rows whose reference the reward
    template cannot grade (``ungradable-reference``); it runs when the required fields are present.
    """

    __slots__ = ("_max_tokens", "_recommended", "_reference_check", "_required")

    def __init__(
        self,
        *,
        required_fields: Sequence[str] = (),
        recommended_fields: Sequence[str] = (),
        max_prompt_tokens: int | None = None,
        reference_check: ReferenceCheck | None = None,
    ) -> None:
        self._reference_check = reference_check
        self._required = tuple(required_fields)
        self._recommended = tuple(f for f in recommended_fields if f not in self._required)
        self._max_tokens = max_prompt_tokens

    def check(self, row: object, line: int, errors: IssueLog, warnings: IssueLog) -> PromptFacts | None:
        """Record the row's issues at ``line``; return its :data:`PromptFacts`, or None when the
        messages are malformed (then the prompt has no meaningful fingerprint or length)."""
        if type(row) is not dict:
            errors.add(
                line,
                codes.NOT_AN_OBJECT,
                f'expected a JSON object like {{"messages": [...]}}, got {json_type(row)} {preview(row)}',
            )
            return None
        facts = _check_messages(row, line, errors, warnings)
        if "tools" in row:
            check_tools(row["tools"], line, errors)
        fields_before = errors.count
        for name in self._required:
            value = row.get(name, _ABSENT)
            if value is _ABSENT:
                errors.add(
                    line, codes.MISSING_FIELD, f'no "{name}" field; it is required (add "{name}": ...)'
                )
            elif is_empty(value):
                errors.add(
                    line, codes.EMPTY_FIELD, f'"{name}" is {preview(value)}; give it a non-empty value'
                )
        if self._reference_check is not None and errors.count == fields_before:
            problem = self._reference_check(row)
            if problem is not None:
                reference = row.get("reference_answer", _ABSENT)
                shown = "missing" if reference is _ABSENT else preview(reference)
                errors.add(line, codes.UNGRADABLE_REFERENCE, f"reference_answer is {shown}; {problem}")
        for name in self._recommended:
            if is_empty(row.get(name)):
                warnings.add(
                    line,
                    codes.MISSING_RECOMMENDED_FIELD,
                    f'no "{name}" value; reward functions usually grade against it',
                )
        if facts is not None and self._max_tokens is not None and facts[1] > self._max_tokens:
            errors.add(
                line,
                codes.PROMPT_TOO_LONG,
                f"prompt is about {facts[1]} tokens (estimate, {METHOD}), over the limit of "
                f"{self._max_tokens}; shorten it or raise maxPromptLength",
            )
        return facts


def _check_messages(row: dict, line: int, errors: IssueLog, warnings: IssueLog) -> PromptFacts | None:
    """Check ``row["messages"]``; return the prompt's facts, or None when any turn is malformed."""
    messages = row.get("messages", _ABSENT)
    if type(messages) is not list:
        if messages is _ABSENT:
            problem = 'no "messages" field'
        else:
            problem = f'"messages" is {json_type(messages)} {preview(messages)}'
        errors.add(
            line,
            codes.MISSING_MESSAGES,
            f'{problem}; each row needs "messages": [{{"role": "user", "content": "..."}}]',
        )
        return None
    if not messages:
        errors.add(line, codes.EMPTY_MESSAGES, '"messages" is []; add at least one "user" turn')
        return None
    errors_before = errors.count
    parts: list[str] = []
    text_bytes = 0
    has_user = False
    role: str | None = None
    for i, turn in enumerate(messages):
        if type(turn) is not dict:
            errors.add(
                line,
                codes.BAD_TURN,
                f"messages[{i}] is {json_type(turn)} {preview(turn)}; each turn is an object "
                '{"role": ..., "content": ...}',
            )
            role = None
            continue
        role = turn.get("role")
        if type(role) is not str or role not in ALLOWED_ROLES:
            shown = "missing" if role is None else preview(role)
            errors.add(line, codes.BAD_ROLE, f"messages[{i}].role is {shown}; {_ROLE_HELP}")
            role = None
        elif role == "user":
            has_user = True
        elif role == "system" and i:
            errors.add(
                line,
                codes.SYSTEM_NOT_FIRST,
                f'messages[{i}].role is "system"; a system turn is only allowed as messages[0]',
            )
        content = turn.get("content", _ABSENT)
        if type(content) is str:
            text: str | None = content
        elif type(content) is list:
            text = _blocks_text(content, i, line, errors)
        else:
            shown = "missing" if content is _ABSENT else f"{json_type(content)} {preview(content)}"
            errors.add(line, codes.BAD_CONTENT, f"messages[{i}].content is {shown}; {_BLOCK_HELP}")
            text = None
        if text is None:
            continue
        if not text or text.isspace():
            if role == "system":
                warnings.add(
                    line,
                    codes.EMPTY_SYSTEM_PROMPT,
                    f"messages[{i}].content is empty; give instructions or drop the system turn",
                )
            else:
                errors.add(line, codes.EMPTY_CONTENT, f"messages[{i}].content has no text")
        text_bytes += len(text) if text.isascii() else utf8_length(text)
        parts.append(role or "")
        parts.append(text)
    if not has_user:
        errors.add(line, codes.NO_USER_TURN, 'no turn has role "user"; the prompt needs one')
    elif role is not None and role != "user":
        errors.add(
            line,
            codes.LAST_TURN_NOT_USER,
            f'messages[{len(messages) - 1}].role is "{role}"; the prompt must end on a "user" turn '
            "(the model writes the answer; put the expected one in reference_answer)",
        )
    if errors.count != errors_before:
        return None
    return hash(tuple(parts)), estimate_tokens(text_bytes)


def _blocks_text(blocks: list, i: int, line: int, errors: IssueLog) -> str | None:
    """Join the text of ``messages[i].content`` blocks with newlines; None (and errors) if any is bad."""
    texts: list[str] = []
    ok = True
    for j, block in enumerate(blocks):
        where = f"messages[{i}].content[{j}]"
        kind = block.get("type") if type(block) is dict else _ABSENT
        if kind == "text" and type(block.get("text")) is str:
            texts.append(block["text"])
            continue
        ok = False
        if kind == "text":
            errors.add(
                line, codes.BAD_CONTENT, f"{where}.text is {preview(block.get('text'))}; give a string"
            )
        elif kind is _ABSENT:
            errors.add(
                line, codes.BAD_CONTENT, f"{where} is {json_type(block)} {preview(block)}; {_BLOCK_HELP}"
            )
        elif (type(kind) is str and kind in MEDIA_BLOCK_TYPES) or (
            kind is None and any(key in block for key in _MEDIA_KEYS)
        ):
            errors.add(
                line,
                codes.MEDIA_CONTENT,
                f"{where} is a media block {preview(block)}; RFT datasets are text only",
            )
        elif kind is None:
            errors.add(line, codes.BAD_CONTENT, f'{where} has no "type" ({preview(block)}); {_BLOCK_HELP}')
        else:
            errors.add(line, codes.BAD_CONTENT, f'{where}.type is {preview(kind)}; only "text" is allowed')
    return "\n".join(texts) if ok else None
