"""Every logged body shape the converter reads, and the records it refuses (with their reasons)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rft_runtime.datasets import ConversionError, MetadataFilter, convert_logs
from rft_runtime.datasets.converter import _RecordConverter
from rft_runtime.datasets.logs.families import base_model_id
from rft_runtime.datasets.logs.skip import Skip
from rft_runtime.datasets.logs.sources import LogStore

Q = "What is 6 x 7?"
S = "Answer briefly."


def _user(text: str = Q) -> dict:
    return {"role": "user", "content": text}


def _system(text: str = S) -> dict:
    return {"role": "system", "content": text}


NOVA_OUTPUT = {
    "output": {"message": {"role": "assistant", "content": [{"text": "42"}]}},
    "stopReason": "end_turn",
}

# model id, operation, request body, response body, expected messages, expected reference_answer
CASES = [
    pytest.param(
        "amazon.nova-lite-v1:0",
        "Converse",
        {"system": [{"text": S}], "messages": [{"role": "user", "content": [{"text": Q}]}]},
        NOVA_OUTPUT,
        [_system(), _user()],
        "42",
        id="converse",
    ),
    pytest.param(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "Converse",
        {
            "system": [{"text": S}, {"cachePoint": {"type": "default"}}],
            "messages": [
                {"role": "user", "content": [{"text": "First question"}, {"text": "in two blocks"}]},
                {"role": "assistant", "content": [{"reasoningContent": {}}, {"text": "First answer"}]},
                {"role": "user", "content": [{"guardContent": {"text": {"text": Q}}}]},
            ],
        },
        NOVA_OUTPUT,
        [
            _system(),
            _user("First question\nin two blocks"),
            {"role": "assistant", "content": "First answer"},
            _user(),
        ],
        "42",
        id="converse-multi-turn",
    ),
    pytest.param(
        "meta.llama3-70b-instruct-v1:0",
        "ConverseStream",
        {"messages": [{"role": "user", "content": [{"text": Q}]}]},
        [
            {"messageStart": {"role": "assistant"}},
            {"contentBlockDelta": {"delta": {"text": "4"}}},
            {"contentBlockDelta": {"delta": {"text": "2"}}},
            {"messageStop": {"stopReason": "end_turn"}},
        ],
        [_user()],
        "42",
        id="converse-stream-chunks",
    ),
    pytest.param(
        "us.amazon.nova-pro-v1:0",
        "InvokeModel",
        {
            "schemaVersion": "messages-v1",
            "system": [{"text": S}],
            "messages": [{"role": "user", "content": [{"text": Q}]}],
            "inferenceConfig": {"maxTokens": 100},
        },
        NOVA_OUTPUT,
        [_system(), _user()],
        "42",
        id="nova",
    ),
    pytest.param(
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.amazon.nova-2-lite-v1:0",
        "InvokeModelWithResponseStream",
        {"schemaVersion": "messages-v1", "messages": [{"role": "user", "content": [{"text": Q}]}]},
        [{"contentBlockDelta": {"delta": {"text": "4"}}}, {"contentBlockDelta": {"delta": {"text": "2"}}}],
        [_user()],
        "42",
        id="nova-stream-profile-arn",
    ),
    pytest.param(
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "InvokeModel",
        {"anthropic_version": "bedrock-2023-05-31", "system": S, "messages": [_user()], "max_tokens": 10},
        {"content": [{"type": "text", "text": "42"}], "stop_reason": "end_turn"},
        [_system(), _user()],
        "42",
        id="anthropic-messages",
    ),
    pytest.param(
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
        "InvokeModel",
        {
            "system": [{"type": "text", "text": S, "cache_control": {"type": "ephemeral"}}],
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": Q}]},
                {
                    "role": "assistant",
                    "content": [{"type": "thinking", "thinking": "hm"}, {"type": "text", "text": "{"}],
                },
            ],
        },
        {"content": [{"type": "thinking", "thinking": "x"}, {"type": "text", "text": "42"}]},
        [_system(), _user()],
        "{42",  # the model continued the prefill "{"
        id="anthropic-blocks-prefill-kept-in-reference",
    ),
    pytest.param(
        "anthropic.claude-v2:1",
        "InvokeModel",
        {
            "prompt": f"{S}\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: {Q}\n\nAssistant:",
            "max_tokens_to_sample": 9,
        },
        {"completion": " 42", "stop_reason": "stop_sequence"},
        [_system(), _user("Hi"), {"role": "assistant", "content": "Hello!"}, _user()],
        "42",
        id="anthropic-legacy-prompt",
    ),
    pytest.param(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "InvokeModelWithResponseStream",
        {"messages": [_user()]},
        [
            {"type": "message_start", "message": {"content": []}},
            {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "4"}},
            {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "2"}},
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}},
        ],
        [_user()],
        "42",
        id="anthropic-stream",
    ),
    pytest.param(
        "amazon.titan-text-express-v1",
        "InvokeModel",
        {"inputText": f"  {Q}  ", "textGenerationConfig": {"maxTokenCount": 10}},
        {"inputTextTokenCount": 5, "results": [{"outputText": "42", "completionReason": "FINISH"}]},
        [_user()],
        "42",
        id="titan",
    ),
    pytest.param(
        "amazon.titan-tg1-large",
        "InvokeModelWithResponseStream",
        {"inputText": Q},
        [{"outputText": "4", "index": 0}, {"outputText": "2", "index": 0}],
        [_user()],
        "42",
        id="titan-stream",
    ),
    pytest.param(
        "meta.llama3-1-8b-instruct-v1:0",
        "InvokeModel",
        {
            "prompt": "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            f"{S}<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n{Q}<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
            "max_gen_len": 10,
        },
        {"generation": "42", "stop_reason": "stop"},
        [_system(), _user()],
        "42",
        id="llama3-template",
    ),
    pytest.param(
        "us.meta.llama4-scout-17b-instruct-v1:0",
        "InvokeModel",
        {
            "prompt": f"<|begin_of_text|><|header_start|>user<|header_end|>\n\n{Q}<|eot|>"
            "<|header_start|>assistant<|header_end|>"
        },
        {"generation": "42"},
        [_user()],
        "42",
        id="llama4-template",
    ),
    pytest.param(
        "meta.llama2-13b-chat-v1",
        "InvokeModel",
        {"prompt": f"<s>[INST] <<SYS>>\n{S}\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] {Q} [/INST]"},
        {"generation": " 42"},
        [_system(), _user("Hi"), {"role": "assistant", "content": "Hello!"}, _user()],
        "42",
        id="llama2-inst",
    ),
    pytest.param(
        "meta.llama3-8b-instruct-v1:0",
        "InvokeModelWithResponseStream",
        {"prompt": Q},
        [{"generation": "4"}, {"generation": "2", "stop_reason": "stop"}],
        [_user()],
        "42",
        id="llama-plain-stream",
    ),
    pytest.param(
        "mistral.mistral-7b-instruct-v0:2",
        "InvokeModel",
        {"prompt": f"<s>[INST] {Q} [/INST]", "max_tokens": 10},
        {"outputs": [{"text": " 42", "stop_reason": "stop"}]},
        [_user()],
        "42",
        id="mistral-inst",
    ),
    pytest.param(
        "mistral.mistral-large-2407-v1:0",
        "InvokeModel",
        {"messages": [_system(), _user()], "max_tokens": 10},
        {"choices": [{"index": 0, "message": {"role": "assistant", "content": "42"}, "stop_reason": "stop"}]},
        [_system(), _user()],
        "42",
        id="mistral-chat",
    ),
    pytest.param(
        "cohere.command-r-plus-v1:0",
        "InvokeModel",
        {
            "preamble": S,
            "chat_history": [{"role": "USER", "message": "Hi"}, {"role": "CHATBOT", "message": "Hello!"}],
            "message": Q,
        },
        {"text": "42", "finish_reason": "COMPLETE", "chat_history": []},
        [_system(), _user("Hi"), {"role": "assistant", "content": "Hello!"}, _user()],
        "42",
        id="cohere-command-r",
    ),
    pytest.param(
        "cohere.command-text-v14",
        "InvokeModel",
        {"prompt": Q, "max_tokens": 10},
        {"generations": [{"id": "g", "text": " 42"}], "prompt": Q},
        [_user()],
        "42",
        id="cohere-legacy",
    ),
    pytest.param(
        "cohere.command-r-v1:0",
        "InvokeModelWithResponseStream",
        {"message": Q},
        [
            {"event_type": "stream-start", "generation_id": "x"},
            {"event_type": "text-generation", "text": "4"},
            {"event_type": "text-generation", "text": "2"},
            {"event_type": "stream-end", "response": {"text": "42"}, "finish_reason": "COMPLETE"},
        ],
        [_user()],
        "42",
        id="cohere-stream",
    ),
]


def _convert_one(tmp_path, record: dict, **options) -> tuple[dict, list[dict]]:
    source = tmp_path / "logs.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    summary = convert_logs([source], output, check_row_count=False, **options)
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    return summary.to_dict(), rows


@pytest.mark.parametrize(("model_id", "operation", "request_body", "response", "messages", "answer"), CASES)
def test_each_family_converts(
    tmp_path, log_record, model_id, operation, request_body, response, messages, answer
):
    record = log_record(model_id, request_body, response, operation=operation)
    summary, rows = _convert_one(tmp_path, record, use_response=True)
    assert summary["skipped"] == {}
    assert rows == [{"messages": messages, "reference_answer": answer}]


def _invoke(model_id: str, request: dict, **extra) -> tuple[str, dict, dict]:
    return model_id, request, extra


# record pieces, expected skip reason
SKIPS = [
    pytest.param(
        _invoke("ai21.jamba-1-5-large-v1:0", {"messages": [_user()]}),
        "unknown-model-family:ai21.jamba-1-5-large-v1:0",
        id="unknown-family",
    ),
    pytest.param(
        _invoke("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc", {"prompt": Q}),
        "unknown-model-family:arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc",
        id="provisioned-arn",
    ),
    pytest.param(
        _invoke(
            "anthropic.claude-3-haiku-20240307-v1:0", {"messages": [_user()]}, operation="ApplyGuardrail"
        ),
        "unsupported-operation:ApplyGuardrail",
        id="operation",
    ),
    pytest.param(
        _invoke(
            "anthropic.claude-3-haiku-20240307-v1:0", {"messages": [_user()]}, errorCode="ThrottlingException"
        ),
        "failed-invocation",
        id="failed",
    ),
    pytest.param(
        _invoke(
            "anthropic.claude-3-haiku-20240307-v1:0",
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "image", "source": {}}, {"type": "text", "text": Q}],
                    }
                ]
            },
        ),
        "media-content",
        id="anthropic-image",
    ),
    pytest.param(
        _invoke(
            "amazon.nova-lite-v1:0",
            {"messages": [{"role": "user", "content": [{"image": {"format": "png"}}]}]},
        ),
        "media-content",
        id="nova-image",
    ),
    pytest.param(
        _invoke(
            "amazon.nova-lite-v1:0",
            {"messages": [{"role": "user", "content": [{"toolResult": {"toolUseId": "t"}}]}]},
            operation="Converse",
        ),
        "tool-content",
        id="converse-tool",
    ),
    pytest.param(
        _invoke(
            "anthropic.claude-3-haiku-20240307-v1:0",
            {"messages": [{"role": "user", "content": [{"type": "tool_result", "content": "x"}]}]},
        ),
        "tool-content",
        id="anthropic-tool",
    ),
    pytest.param(
        _invoke("mistral.mistral-large-2407-v1:0", {"messages": [_user(), {"role": "tool", "content": "x"}]}),
        "tool-content",
        id="mistral-tool",
    ),
    pytest.param(
        _invoke("cohere.command-r-v1:0", {"message": Q, "documents": [{"text": "d"}]}),
        "documents-content",
        id="cohere-documents",
    ),
    pytest.param(
        _invoke(
            "meta.llama3-8b-instruct-v1:0", {"prompt": "<|start_header_id|>ipython<|end_header_id|>\n\nx"}
        ),
        "tool-content",
        id="llama-ipython",
    ),
    pytest.param(
        _invoke("mistral.mistral-7b-instruct-v0:2", {"prompt": "Intro text [INST] Q [/INST]"}),
        "unrecognised-prompt",
        id="inst-leading-text",
    ),
    pytest.param(_invoke("amazon.titan-text-express-v1", {"text": Q}), "malformed-body", id="titan-no-input"),
    pytest.param(_invoke("amazon.nova-lite-v1:0", "not an object"), "malformed-body", id="body-not-object"),
    pytest.param(
        _invoke("amazon.nova-lite-v1:0", {"messages": [{"role": ["user"], "content": []}]}),
        "malformed-body",
        id="unhashable-role",
    ),
    pytest.param(
        _invoke("anthropic.claude-v2", {"prompt": "\n\nAssistant: only an answer"}),
        "invalid-row:empty-messages",
        id="nothing-left-after-dropping-the-answer",
    ),
    pytest.param(
        _invoke("mistral.mistral-large-2407-v1:0", {"messages": [_system()]}),
        "invalid-row:no-user-turn",
        id="no-user-turn",
    ),
    pytest.param(
        _invoke(
            "cohere.command-r-v1:0",
            {"preamble": S, "message": Q, "chat_history": [{"role": "SYSTEM", "message": "late"}]},
        ),
        "invalid-row:system-not-first",
        id="system-not-first",
    ),
    pytest.param(
        _invoke("meta.llama3-8b-instruct-v1:0", {"prompt": "   "}),
        "invalid-row:empty-content",
        id="empty-prompt",
    ),
    pytest.param(
        _invoke("meta.llama3-8b-instruct-v1:0", {"prompt": "bad \ud800 surrogate"}),
        "invalid-row:invalid-utf8",
        id="lone-surrogate",
    ),
]


@pytest.mark.parametrize(("pieces", "reason"), SKIPS)
def test_records_that_cannot_be_rows_are_skipped_with_a_reason(tmp_path, log_record, pieces, reason):
    model_id, request, extra = pieces
    record = log_record(model_id, request, None, **extra)
    assert _skipped(tmp_path, record) == {reason: 1}


def _skipped(tmp_path, record: dict, **options) -> dict[str, int]:
    """Convert a record expected to be skipped (so the empty output is refused); return the reasons."""
    with pytest.raises(ConversionError) as failed:
        _convert_one(tmp_path, record, **options)
    assert not (tmp_path / "out.jsonl").exists()
    return failed.value.summary.skipped


@pytest.mark.parametrize("response", [None, {"results": []}, {"results": [{"outputText": "  "}]}])
def test_use_response_needs_a_response(tmp_path, log_record, response):
    record = log_record("amazon.titan-text-express-v1", {"inputText": Q}, response)
    assert _skipped(tmp_path, record, use_response=True) == {"no-response": 1}


@pytest.mark.parametrize(
    ("model_id", "base"),
    [
        ("anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"),
        ("us.anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"),
        (
            "arn:aws:bedrock:eu-west-1:1:inference-profile/eu.meta.llama3-2-1b-instruct-v1:0",
            "meta.llama3-2-1b-instruct-v1:0",
        ),
        ("amazon.nova-2-lite-v1:0:256k", "amazon.nova-2-lite-v1:0:256k"),
    ],
)
def test_base_model_id(model_id, base):
    assert base_model_id(model_id) == base


_KEYS = st.sampled_from(
    [
        "messages",
        "system",
        "prompt",
        "inputText",
        "message",
        "chat_history",
        "preamble",
        "content",
        "role",
        "text",
        "type",
        "output",
        "results",
        "outputText",
        "generation",
        "outputs",
        "choices",
        "delta",
        "contentBlockDelta",
        "completion",
        "generations",
        "event_type",
        "image",
        "toolUse",
        "guardContent",
    ]
)
_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from(["user", "assistant", "system", "USER", "CHATBOT", "text", "tool", "image"])
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=15,
)
_MODELS = st.sampled_from(
    [
        "amazon.nova-lite-v1:0",
        "anthropic.claude-v2",
        "amazon.titan-text-express-v1",
        "meta.llama3-8b-instruct-v1:0",
        "mistral.mistral-large-2407-v1:0",
        "cohere.command-r-v1:0",
        "cohere.command-text-v14",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    operation=st.sampled_from(["Converse", "ConverseStream", "InvokeModel", "InvokeModelWithResponseStream"]),
    model_id=_MODELS,
    request=_VALUES,
    response=_VALUES,
)
def test_conversion_of_arbitrary_bodies_never_crashes(operation, model_id, request, response):
    record = {
        "operation": operation,
        "modelId": model_id,
        "input": {"inputBodyJson": request},
        "output": {"outputBodyJson": response},
    }
    converter = _RecordConverter(LogStore(), MetadataFilter(), use_response=True)
    try:
        prompt, line = converter.convert(record)
    except Skip as skip:
        assert skip.reason
    else:
        row = json.loads(line)
        assert json.loads(prompt) == row["messages"]
        assert row["messages"][-1]["role"] == "user"
