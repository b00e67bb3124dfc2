"""Fit one evaluation batch's output into Step Functions' state payload limit, whatever the models answer.

A Map child's output is at most 256 KiB (:data:`STATE_PAYLOAD_LIMIT_BYTES`, UTF-8 bytes of the
JSON). The texts a batch keeps for the report (each prompt's question and reference, every
response) are what can grow, so :func:`fit_texts` cuts them to one byte budget per text, measured
on the *escaped* JSON (``ensure_ascii=True``: every non-ASCII character costs 6 bytes, 12 outside
the Basic Multilingual Plane). That is the worst case of any JSON encoder, so the output fits
however the runtime serialises it. Each text also keeps at most :data:`KEPT_TEXT_CHARS`
characters. A cut text ends with a visible marker, e.g. ``[cut: 1303 of 3006 characters kept]``,
so the report shows what it does not show.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from rft_runtime.promotion.errors import EvaluationError

#: Step Functions: the largest input or output of a state (UTF-8 bytes).
STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024
#: Kept free below the limit (Step Functions' own wrapping, rounding of the per-text budget).
MARGIN_BYTES = 4 * 1024
#: Characters of each text kept for the report's side-by-side browser (before any byte cut).
KEPT_TEXT_CHARS = 2000
#: A text budget smaller than this leaves no room for a readable cut (the batch then fails).
MIN_TEXT_BYTES = 64
#: The marker ending a cut text.
CUT_MARKER = " [cut: {kept} of {total} characters kept]"


def escaped_size(value: Any) -> int:
    """Bytes of ``value`` as JSON with every non-ASCII character escaped (the worst case)."""
    return len(json.dumps(value, ensure_ascii=True))


def cut_text(text: str, budget: int, max_chars: int = KEPT_TEXT_CHARS) -> str:
    """``text`` unchanged when it has at most ``max_chars`` characters and its escaped JSON
    string body is at most ``budget`` bytes; else its longest prefix that, with the cut marker,
    stays within both."""
    if len(text) <= max_chars and escaped_size(text) - 2 <= budget:
        return text
    room = budget - len(CUT_MARKER.format(kept=len(text), total=len(text)))
    kept = used = 0
    for character in text[:max_chars]:
        cost = escaped_size(character) - 2
        if used + cost > room:
            break
        used += cost
        kept += 1
    return text[:kept] + CUT_MARKER.format(kept=kept, total=len(text))


def _text_slots(output: dict[str, Any], sides: tuple[str, ...]) -> Iterator[tuple[Any, Any]]:
    """(container, key) of every kept text of a batch output."""
    for entry in output["prompts"]:
        yield entry, "prompt"
        yield entry, "reference"
        for side in sides:
            responses = entry[side]["responses"]
            for index in range(len(responses)):
                yield responses, index


def fit_texts(output: dict[str, Any], sides: tuple[str, ...]) -> dict[str, Any]:
    """``output`` (batch shape) with every kept text cut to the same byte budget so the whole
    output is at most :data:`STATE_PAYLOAD_LIMIT_BYTES` - :data:`MARGIN_BYTES` escaped. Raises
    :class:`EvaluationError` when the output without its texts (ids, scores, error tags) leaves
    less than :data:`MIN_TEXT_BYTES` per text."""
    skeleton = copy.deepcopy(output)
    slots = list(_text_slots(skeleton, sides))
    for container, key in slots:
        container[key] = ""
    if not slots:
        return output
    overhead = escaped_size(skeleton)
    budget = (STATE_PAYLOAD_LIMIT_BYTES - MARGIN_BYTES - overhead) // len(slots)
    if budget < MIN_TEXT_BYTES:
        raise EvaluationError(
            f"a batch output without its texts is already {overhead} bytes (ids, scores, error tags): "
            f"too close to the {STATE_PAYLOAD_LIMIT_BYTES}-byte state payload limit; shorten the prompt ids"
        )
    for container, key in _text_slots(output, sides):
        container[key] = cut_text(str(container[key]), budget)
    return output
