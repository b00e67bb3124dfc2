"""Reading Bedrock's grader event: the batch, each item's id, and each item as a :class:`Sample`.

Bedrock sends a JSON list of ``{"id", "messages", "metadata"}``; ``messages`` ends with the
generated assistant turn (role ``assistant`` or ``nova_assistant``). AWS's open-weight samples also
accept ``{"trajectories": [...]}``, which is read the same way (see :func:`batch_items`).
``reference_answer`` is read from ``metadata`` first, then from the item's top level (the SageMaker
and open-weight variant); templates then read the answer in it with
:func:`rft_runtime.rewards.core.reference_answer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rft_runtime.rewards.core import EMPTY, Sample
from rft_runtime.rewards.text import BadContent, final_answer

ASSISTANT_ROLES = frozenset({"assistant", "nova_assistant"})
#: Keys under which a wrapped batch (``{"trajectories": [...]}``) may arrive, in the order tried.
WRAPPER_KEYS = ("trajectories", "samples", "items", "batch", "records", "data")


class MalformedSample(ValueError):
    """An item that cannot be graded; ``tag`` is the error tag reported for it."""

    def __init__(self, tag: str) -> None:
        super().__init__(tag)
        self.tag = tag


def batch_items(event: object) -> list[Any]:
    """The list of items in ``event``.

    A list is the batch itself. A mapping holding a list under one of :data:`WRAPPER_KEYS` (and no
    ``messages``) is a wrapped batch; any other mapping is one item. A JSON string is decoded once
    and read the same way. ``None`` is an empty batch; anything else is a single (malformed) item.
    """
    if isinstance(event, (str, bytes, bytearray)):
        import json

        try:
            decoded = json.loads(event)
        except (ValueError, RecursionError):
            return [event]
        return batch_items(decoded) if isinstance(decoded, (list, dict)) else [event]
    if isinstance(event, list):
        return event
    if event is None:
        return []
    if isinstance(event, Mapping) and "messages" not in event:
        for key in WRAPPER_KEYS:
            if isinstance(event.get(key), list):
                return event[key]
    return [event]


def item_id(item: object) -> Any:
    """The item's ``id`` exactly as given, or ``""`` when the item has none."""
    if type(item) is dict or isinstance(item, Mapping):
        return item.get("id", "")
    return ""


def to_sample(item: object) -> Sample:
    """The :class:`Sample` for one event item; raises :class:`MalformedSample` with a tag."""
    # ``type(x) is dict`` first: the ABC check is slow and JSON always gives plain dicts.
    if type(item) is not dict and not isinstance(item, Mapping):
        raise MalformedSample("not-an-object")
    messages = item.get("messages")
    if not isinstance(messages, list) or not messages:
        raise MalformedSample("no-messages")
    last = messages[-1]
    if type(last) is not dict and not isinstance(last, Mapping):
        raise MalformedSample("bad-message")
    role = last.get("role")
    if not isinstance(role, str) or role not in ASSISTANT_ROLES:
        raise MalformedSample("no-assistant-turn")
    if "content" not in last:
        raise MalformedSample("bad-content")
    try:
        response, reasoning = final_answer(last["content"])
    except BadContent:
        raise MalformedSample("bad-content") from None
    metadata = item.get("metadata")
    if type(metadata) is not dict and not isinstance(metadata, Mapping):
        metadata = EMPTY
    reference = (
        metadata["reference_answer"] if "reference_answer" in metadata else item.get("reference_answer")
    )
    return Sample(response, reference, messages[:-1], metadata, item.get("id", ""), reasoning)
