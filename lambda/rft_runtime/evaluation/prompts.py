"""The prompts of an evaluation dataset: RFT JSONL rows.

Each row is ``{"id"?, "messages": [... ending with the user turn], "reference_answer": ..., ...}``.
A row's id is its ``id`` field (text or number), else ``line-<n>``; ids must be unique, since
recorded responses and reports refer to prompts by id. Reading and validating a dataset *file* is
:mod:`rft_runtime.evaluation.prompt_files` (the CLI's; the promotion gate's Lambdas get rows from
the Distributed Map and ship without the dataset validator).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class EvaluationInputError(Exception):
    """Bad input found before any model was called; ``problems`` are one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Prompt:
    """One dataset row: ``messages`` are the prompt turns, ``metadata`` the row's other fields (what
    Bedrock forwards to the grader, ``reference_answer`` included), ``digest`` a SHA-256 of the
    turns only (what the model sees; the response store's key)."""

    id: str
    messages: list[dict[str, Any]]
    metadata: dict[str, Any] = field(default_factory=dict)
    digest: str = ""

    @property
    def reference(self) -> Any:
        return self.metadata.get("reference_answer")

    def question(self) -> str:
        """The text of the last user turn (what a report shows as the prompt)."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return message_text(message.get("content"))
        return ""


def message_text(content: Any) -> str:
    """The text of a chat-completions ``content``: a string, or the ``text`` of its text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, Mapping))
    return ""


def prompt_digest(messages: list[dict[str, Any]]) -> str:
    """SHA-256 (hex) of the canonical JSON of the prompt turns."""
    text = json.dumps(messages, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prompt_from_row(row: Mapping[str, Any], number: int) -> Prompt:
    """The :class:`Prompt` of one validated dataset row (``number``: its 1-based line, which names
    a row without an ``id``)."""
    raw_id = row.get("id")
    prompt_id = str(raw_id) if isinstance(raw_id, (str, int)) and raw_id != "" else f"line-{number}"
    messages = list(row["messages"])
    metadata = {key: value for key, value in row.items() if key != "messages"}
    return Prompt(prompt_id, messages, metadata, prompt_digest(messages))
