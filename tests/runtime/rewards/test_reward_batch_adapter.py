"""The Bedrock batch contract: text extraction, malformed items, wrappers, clamping, ids and order."""

from __future__ import annotations

import math

import pytest

from rft_runtime.rewards.batch import error_tag, grade_event, summary
from rft_runtime.rewards.core import Sample, Score, clamp01, score_all
from rft_runtime.rewards.payload import batch_items, to_sample
from rft_runtime.rewards.text import final_answer, reference_texts, split_reasoning


class Fixed:
    """A grader returning a fixed value (or raising it when it is an exception)."""

    name = "fixed"

    def __init__(self, value):
        self.value = value

    def score(self, sample: Sample) -> Score:
        if isinstance(self.value, BaseException):
            raise self.value
        return Score(self.value, {"part": self.value})


def results(grader, event):
    return grade_event(grader, event, name="fixed").results


@pytest.mark.parametrize(
    ("text", "answer", "reasoning"),
    [
        ("plain", "plain", ""),
        ("<think>hmm</think>\n42", "42", "hmm"),
        ("<THINKING>a</THINKING>b<reasoning>c</reasoning>d", "bd", "a\nc"),
        ("<think>a</think>b</think>c", "c", "a\nb"),
        ("<think>a<think>b</think>c", "c", "a<think>b"),
        ("prompt-opened thoughts</think> final", "final", "prompt-opened thoughts"),
        ("intro <think>cut off while thinking", "intro", "cut off while thinking"),
        ("<think>only thinking, truncated", "", "only thinking, truncated"),
        (
            "<|channel|>analysis<|message|>think<|end|><|start|>assistant<|channel|>final<|message|>7<|return|>",
            "7",
            "<|channel|>analysis<|message|>think<|end|><|start|>assistant",
        ),
        ("a < b and c > d", "a < b and c > d", ""),
    ],
)
def test_reasoning_is_removed(text, answer, reasoning):
    assert split_reasoning(text) == (answer, reasoning)


def test_content_blocks():
    blocks = [
        {"type": "reasoning", "text": "why"},
        {"reasoningContent": {"reasoningText": {"text": "more why"}}},
        {"type": "text", "text": "An"},
        {"text": "swer"},
        {"type": "image", "source": {}},
        "!",
    ]
    assert final_answer(blocks) == ("Answer!", "why\nmore why")
    assert final_answer([]) == ("", "")


@pytest.mark.parametrize("content", [None, 5, {"text": "x"}, [5], [{"type": "text", "text": 5}]])
def test_bad_content_is_malformed(item, content):
    [result] = results(Fixed(1.0), [item(content)])
    assert result["aggregate_reward_score"] == 0.0
    assert {"name": "error/bad-content", "value": 1.0, "type": "Metric"} in result["metrics_list"]


@pytest.mark.parametrize(
    ("payload", "tag"),
    [
        ("not a dict", "not-an-object"),
        ({"id": "x"}, "no-messages"),
        ({"id": "x", "messages": []}, "no-messages"),
        ({"id": "x", "messages": "hi"}, "no-messages"),
        ({"id": "x", "messages": ["hi"]}, "bad-message"),
        ({"id": "x", "messages": [{"role": "user", "content": "q"}]}, "no-assistant-turn"),
        ({"id": "x", "messages": [{"role": ["assistant"], "content": "q"}]}, "no-assistant-turn"),
        ({"id": "x", "messages": [{"role": "assistant"}]}, "bad-content"),
    ],
)
def test_malformed_items_score_zero_with_a_tag(payload, tag):
    outcome = grade_event(Fixed(1.0), [payload], name="fixed")
    [result] = outcome.results
    assert result["aggregate_reward_score"] == 0.0
    assert result["metrics_list"][-2:] == [
        {"name": "error", "value": 1.0, "type": "Metric"},
        {"name": f"error/{tag}", "value": 1.0, "type": "Metric"},
    ]
    assert outcome.errors == {tag: 1}


def test_result_shape_and_id_echo(item):
    event = [item("a", id="123"), item("b", id=7), {"messages": [{"role": "assistant", "content": "c"}]}, 3]
    out = results(Fixed(0.25), event)
    assert [r["id"] for r in out] == ["123", 7, "", ""]
    assert out[0] == {
        "id": "123",
        "aggregate_reward_score": 0.25,
        "metrics_list": [
            {"name": "fixed", "value": 0.25, "type": "Reward"},
            {"name": "part", "value": 0.25, "type": "Metric"},
            {"name": "error", "value": 0.0, "type": "Metric"},
        ],
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.5, 1.0), (-2, 0.0), (math.nan, 0.0), (math.inf, 0.0), (-math.inf, 0.0), ("x", 0.0)],
)
def test_scores_are_clamped(item, value, expected):
    [result] = results(Fixed(value), [item("a")])
    assert result["aggregate_reward_score"] == expected
    assert all(0.0 <= m["value"] <= 1.0 for m in result["metrics_list"])


def test_grader_exception_is_caught_per_sample(item):
    outcome = grade_event(Fixed(ZeroDivisionError("boom")), [item("a"), item("b")], name="fixed")
    assert [r["aggregate_reward_score"] for r in outcome.results] == [0.0, 0.0]
    assert outcome.errors == {"grader-exception": 2}


def test_nova_assistant_and_top_level_reference(item):
    sample = to_sample(item("x", role="nova_assistant", reference_answer="top"))
    assert sample.reference == "top"
    assert to_sample(item("x", "meta", reference_answer="top")).reference == "meta"
    assert to_sample(item("x", metadata="junk")).metadata == {}


@pytest.mark.parametrize(
    ("event", "count"),
    [
        ([1, 2], 2),
        ({"samples": [1, 2, 3]}, 3),
        ({"items": [1]}, 1),
        ({"id": "solo", "messages": []}, 1),
        ({"messages": [], "samples": [1, 2]}, 1),
        ('[{"id": "a"}, {"id": "b"}]', 2),
        ("not json", 1),
        (None, 0),
        (42, 1),
    ],
)
def test_event_shapes(event, count):
    assert len(batch_items(event)) == count
    assert len(results(Fixed(1.0), event)) == count


def test_score_all_rejects_a_bad_batch_method():
    class Short:
        name = "short"

        def score_many(self, samples, *, deadline=None):
            return []

    assert score_all(Short(), [Sample("a")]) == [Score(0.0, {}, "grader-exception")]


def test_unavailable_grader_and_summary(item):
    outcome = grade_event(None, [item("a"), item("b")], name="x")
    assert outcome.errors == {"config-error": 2}
    assert summary(outcome.values, outcome.errors, 0.5)["pass_rate"] == 0.0
    assert summary([], {}, 0.5)["mean"] is None
    assert summary([0.2, 0.6, 1.0], {}, 0.5) == {
        "count": 3,
        "mean": pytest.approx(0.6),
        "min": 0.2,
        "max": 1.0,
        "pass_rate": pytest.approx(2 / 3),
        "errors": {},
    }


def test_helpers():
    assert error_tag("Weird Tag!! with spaces") == "weird-tag-with-spaces"
    assert error_tag("") == "error"
    assert len(error_tag("x" * 500)) == 64
    assert clamp01(None) == 0.0
    assert reference_texts({"answer": ["a", "", 3, None]}) == ["a", "3"]
    assert reference_texts(True) == []


def test_memo_computes_once_and_stays_bounded():
    from rft_runtime.rewards.memo import Memo

    calls = []
    memo = Memo(lambda key: calls.append(key) or key * 2, limit=2)
    assert [memo("a"), memo("a"), memo("b")] == ["aa", "aa", "bb"]
    assert calls == ["a", "b"]
    memo("c")  # full: emptied, then filled again
    assert memo("a") == "aa" and calls == ["a", "b", "c", "a"]
