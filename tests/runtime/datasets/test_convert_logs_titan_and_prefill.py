"""convert-logs: Titan `User:`/`Bot:` prompts become turns; a prefill stays in the reference."""

from __future__ import annotations

import json

import pytest

from rft_runtime.datasets import convert_logs
from rft_runtime.datasets.logs.templates import titan_turns

TITAN = "amazon.titan-text-express-v1"


def _convert(tmp_path, record: dict, **options) -> list[dict]:
    source = tmp_path / "logs.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    summary = convert_logs([source], output, check_row_count=False, **options)
    assert summary.skipped == {}
    return [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]


def _titan(log_record, prompt: str, answer: str = " 42") -> dict:
    return log_record(TITAN, {"inputText": prompt}, {"results": [{"outputText": answer}]})


def test_titan_user_bot_prompt_becomes_turns_not_a_literal_string(tmp_path, log_record):
    rows = _convert(tmp_path, _titan(log_record, "User: What is 6 x 7?\n\nBot:"), use_response=True)
    assert rows == [{"messages": [{"role": "user", "content": "What is 6 x 7?"}], "reference_answer": "42"}]


def test_titan_conversation_keeps_earlier_turns_and_instructions_as_system(tmp_path, log_record):
    prompt = "Answer with a number.\nUser: What is 2 + 2?\nBot: 4\nUser: And 6 x 7?\nBot:"
    rows = _convert(tmp_path, _titan(log_record, prompt))
    assert rows[0]["messages"] == [
        {"role": "system", "content": "Answer with a number."},
        {"role": "user", "content": "What is 2 + 2?"},
        {"role": "assistant", "content": "4"},
        {"role": "user", "content": "And 6 x 7?"},
    ]


@pytest.mark.parametrize(
    ("prompt", "turns"),
    [
        ("What is 6 x 7?", [("user", "What is 6 x 7?")]),
        ("Summarise: the User: field is required", [("user", "Summarise: the User: field is required")]),
        ("User: q\n  Bot: a\nUser: q2", [("user", "q"), ("assistant", "a"), ("user", "q2")]),
    ],
)
def test_titan_turns(prompt, turns):
    assert titan_turns(prompt) == turns


def _converse_with_prefill(log_record, prefill: str, completion: str) -> dict:
    return log_record(
        "anthropic.claude-3-haiku-20240307-v1:0",
        {
            "messages": [
                {"role": "user", "content": [{"text": "Give the city as JSON."}]},
                {"role": "assistant", "content": [{"text": prefill}]},
            ]
        },
        {"output": {"message": {"role": "assistant", "content": [{"text": completion}]}}},
        operation="Converse",
    )


def test_converse_prefill_plus_completion_is_the_reference_and_stays_valid_json(tmp_path, log_record):
    record = _converse_with_prefill(log_record, '{"city": ', '"Paris"}')
    rows = _convert(tmp_path, record, use_response=True)
    assert rows[0]["messages"] == [{"role": "user", "content": "Give the city as JSON."}]
    assert rows[0]["reference_answer"] == '{"city": "Paris"}'
    assert json.loads(rows[0]["reference_answer"]) == {"city": "Paris"}


def test_without_use_response_the_prefill_is_dropped_with_the_answer(tmp_path, log_record):
    rows = _convert(tmp_path, _converse_with_prefill(log_record, "{", '"a": 1}'))
    assert rows == [{"messages": [{"role": "user", "content": "Give the city as JSON."}]}]


def test_legacy_anthropic_prefill_is_kept_too(tmp_path, log_record):
    record = log_record(
        "anthropic.claude-v2",
        {"prompt": "\n\nHuman: Give the answer as JSON.\n\nAssistant: {"},
        {"completion": '"answer": 42}'},
    )
    rows = _convert(tmp_path, record, use_response=True)
    assert rows[0]["reference_answer"] == '{"answer": 42}'
