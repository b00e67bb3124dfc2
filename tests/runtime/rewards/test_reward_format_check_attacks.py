"""Format constraints ``format_check`` counted as met by content that shows nothing (each scored 1.0
before this review)."""

from __future__ import annotations

import pytest

TAGS = {"constraints": [{"type": "tags", "tags": ["answer"]}]}
WORDS = {"constraints": [{"type": "length", "min_words": 5}]}
JSON = {"constraints": [{"type": "json"}]}


@pytest.mark.parametrize(
    ("options", "response"),
    [
        (TAGS, "<answer>\u200b</answer>"),  # zero-width space
        (TAGS, "<answer>\u2800</answer>"),  # braille blank
        (TAGS, "<answer>\u3164\ufeff</answer>"),  # Hangul filler, byte-order mark
        (WORDS, "\u200b \u200b \u200b \u200b \u200b"),
        (WORDS, "ok \u2800 \u200d \u3164 \u2060"),
        (JSON, '{"value": 1e999}'),  # read as infinity, which JSON has not
    ],
)
def test_content_that_shows_nothing_meets_no_constraint(grade, options, response):
    assert grade("format_check", options, response).value == 0.0


@pytest.mark.parametrize(
    ("options", "response"),
    [
        (TAGS, "<answer>\u00e9t\u00e9</answer>"),
        (TAGS, "<answer>\u4f60\u597d</answer>"),
        (WORDS, "caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u00fcber fa\u00e7ade"),
        (WORDS, "one two three four five"),
        (JSON, '{"value": 1e300}'),
    ],
)
def test_visible_content_still_counts(grade, options, response):
    assert grade("format_check", options, response).value == 1.0
