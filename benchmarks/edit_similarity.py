"""``text_similarity`` with ``edit_similarity``: the pure-Python path against rapidfuzz's compiled one.

Same batches as the ``rewards`` section (~1 KB responses, 16 rollouts per reference, a new batch per
run, CPU time, best run), graded through the Lambda adapter twice in one process: once with the
compiled Levenshtein disabled (the pure-Python Myers/Hyyrö path, what runs when rapidfuzz is absent)
and once with it (what the reward Lambda bundles). The reference library row is rapidfuzz itself,
``Levenshtein.normalized_similarity`` called directly on the same prepared pairs (lower-cased,
whitespace collapsed, cut to 1,000 characters): the floor any grader built on it can reach.
Every compared pair also checks that both paths give the same value.
"""

from __future__ import annotations

import time
from unittest import mock

from benchmarks.rewards import _events, _text, _throughput
from benchmarks.table import Table
from rft_runtime.rewards import similarity

OPTIONS = {"metric": "edit_similarity"}


def _pairs(events: list[list[dict]]) -> list[tuple[str, str]]:
    """(reference, response) as the grader compares them, for every sample of the timed events."""

    def prepared(text: str) -> str:
        return " ".join(text.split())[:1000].lower()

    return [
        (prepared(item["metadata"]["reference_answer"]), prepared(item["messages"][-1]["content"]))
        for event in events[1:]
        for item in event
    ]


def run(quick: bool) -> Table:
    """One row per path, plus the ratios."""
    size = 256 if quick else 2048
    runs = 2 if quick else 11
    table = Table(
        title="edit_similarity: pure Python vs rapidfuzz (Lambda adapter, one thread)",
        columns=["measure", "batch", "result", "ratio"],
    )
    events = _events(_text, size, runs)
    with mock.patch.object(similarity, "native_levenshtein", lambda: None):
        pure = _throughput("text_similarity", OPTIONS, events, {})
    table.add("text_similarity (edit_similarity), pure Python", size, f"{pure:,.0f} samples/s", "1.0x")
    native = similarity.native_levenshtein()
    if native is None:
        table.notes.append("rapidfuzz is not installed here: run `make setup`; no compiled figures.")
        return table
    compiled = _throughput("text_similarity", OPTIONS, events, {})
    table.add(
        "text_similarity (edit_similarity), rapidfuzz",
        size,
        f"{compiled:,.0f} samples/s",
        f"{compiled / pure:.1f}x",
    )
    from rapidfuzz.distance import Levenshtein

    pairs = _pairs(events)
    best = float("inf")
    for _ in range(3 if quick else 7):
        started = time.process_time()
        for reference, response in pairs:
            Levenshtein.normalized_similarity(reference, response)
        best = min(best, time.process_time() - started)
    raw = len(pairs) / best
    table.add(
        "rapidfuzz Levenshtein.normalized_similarity alone",
        len(pairs),
        f"{raw:,.0f} pairs/s",
        f"{raw / pure:.1f}x",
    )
    checked = pairs[: 256 if quick else 2048]
    differing = sum(
        similarity.EditReference(reference).similarity(response)
        != similarity.NativeEditReference(reference, native).similarity(response)
        for reference, response in checked
    )
    table.notes.append(f"values differing between the two paths: {differing} of {len(checked)} pairs")
    table.notes.append(
        "The grader row includes the adapter's work per sample (event parsing, reasoning split, whitespace"
        " collapsing, metrics); the rapidfuzz row is the distance call alone."
    )
    return table
