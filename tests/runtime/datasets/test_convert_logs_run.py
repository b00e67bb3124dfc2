"""``convert_logs``: sources (local, gzip, arrays, S3 with moto), filters, dedupe, limits, atomic output."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from rft_runtime.datasets import (
    ConversionError,
    MetadataFilter,
    SourceError,
    convert_logs,
    validate_path,
)
from rft_runtime.datasets import converter as converter_module


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _questions(path: Path) -> list[str]:
    return [row["messages"][-1]["content"] for row in _rows(path)]


def _balanced(summary) -> bool:
    return summary.read == summary.converted + summary.duplicates + sum(summary.skipped.values())


@pytest.fixture
def hundred(converse_log) -> list[dict]:
    """100 distinct Converse records."""
    return [converse_log(f"Question {n}?", answer=str(n)) for n in range(100)]


def test_output_is_a_valid_dataset(tmp_path, write_logs, hundred):
    write_logs(hundred)
    output = tmp_path / "train.jsonl"
    summary = convert_logs([tmp_path / "logs"], output, use_response=True)
    assert (summary.files, summary.read, summary.converted) == (1, 100, 100)
    assert summary.skipped == {}
    report = validate_path(output)
    assert report.valid and report.warning_count == 0
    assert _rows(output)[7] == {
        "messages": [{"role": "user", "content": "Question 7?"}],
        "reference_answer": "7",
    }


def test_without_use_response_rows_hold_only_the_prompt(tmp_path, write_logs, hundred):
    write_logs(hundred)
    output = tmp_path / "train.jsonl"
    convert_logs([tmp_path / "logs"], output)
    assert all(set(row) == {"messages"} for row in _rows(output))


def test_file_layouts_gzip_plain_array_pretty_and_recursion(tmp_path, write_logs, converse_log):
    logs = tmp_path / "logs"
    write_logs([converse_log("gz 1"), converse_log("gz 2")], "logs/AWSLogs/1/2026/01/01/a.json.gz")
    write_logs([converse_log("plain")], "logs/AWSLogs/1/2026/01/02/b.json")
    (logs / "array.json").write_text(json.dumps([converse_log("array 1"), converse_log("array 2")]))
    (logs / "pretty.jsonl").write_text(json.dumps(converse_log("pretty"), indent=2))
    (logs / "array.jsonl.gz").write_bytes(gzip.compress(json.dumps([converse_log("gz array")]).encode()))
    (logs / "amazon-bedrock-logs-permission-check").write_text("not a log")
    (logs / "notes.txt").write_text("not a log")
    output = tmp_path / "out.jsonl"
    summary = convert_logs([logs], output, check_row_count=False)
    assert summary.files == 5
    assert sorted(_questions(output)) == sorted(
        ["gz 1", "gz 2", "plain", "array 1", "array 2", "pretty", "gz array"]
    )


def test_a_named_file_is_read_whatever_its_name(tmp_path, converse_log):
    source = tmp_path / "export.log"
    source.write_text(json.dumps(converse_log("q")) + "\n")
    summary = convert_logs([source], tmp_path / "out.jsonl", check_row_count=False)
    assert summary.converted == 1


def test_bad_lines_and_foreign_records_are_counted(tmp_path, converse_log, write_logs):
    path = write_logs([converse_log("ok")], "logs/a.jsonl")
    with path.open("a") as fh:
        fh.write("{not json\n\n")
        fh.write(json.dumps({"messages": [{"role": "user", "content": "a dataset row"}]}) + "\n")
        fh.write(json.dumps(converse_log("failed", errorCode="ValidationException")) + "\n")
        fh.write("42\n")
    summary = convert_logs([path], tmp_path / "out.jsonl", check_row_count=False)
    assert summary.converted == 1
    assert summary.skipped == {"invalid-json": 1, "not-a-log-record": 2, "failed-invocation": 1}
    assert _balanced(summary)


def test_a_corrupt_file_is_reported_and_the_rest_converted(tmp_path, write_logs, converse_log):
    write_logs([converse_log("good")], "logs/a.json.gz")
    good = gzip.compress(json.dumps(converse_log("cut")).encode() + b"\n" * 1000)
    (tmp_path / "logs" / "b.json.gz").write_bytes(good[: len(good) // 2])
    summary = convert_logs([tmp_path / "logs"], tmp_path / "out.jsonl", check_row_count=False)
    assert summary.converted >= 1
    assert len(summary.unreadable_files) == 1
    assert "b.json.gz" in summary.unreadable_files[0]


def test_duplicates_keep_the_first(tmp_path, write_logs, converse_log):
    records = [
        converse_log("same", answer="first"),
        converse_log("other"),
        converse_log("same", answer="second"),
    ]
    write_logs(records)
    output = tmp_path / "out.jsonl"
    summary = convert_logs([tmp_path / "logs"], output, use_response=True, check_row_count=False)
    assert (summary.converted, summary.duplicates) == (2, 1)
    assert [row["reference_answer"] for row in _rows(output)] == ["first", "42"]
    assert _balanced(summary)


def test_max_rows_caps_the_output(tmp_path, write_logs, hundred):
    write_logs([*hundred, hundred[0]])
    output = tmp_path / "out.jsonl"
    summary = convert_logs([tmp_path / "logs"], output, max_rows=60, check_row_count=False)
    assert summary.converted == 60
    assert summary.skipped == {"over-max-rows": 40}
    assert summary.duplicates == 1
    assert len(_rows(output)) == 60


def _tagged(converse_log, question: str, **metadata: str) -> dict:
    return converse_log(question, requestMetadata=metadata)


@pytest.fixture
def tagged_logs(tmp_path, write_logs, converse_log) -> Path:
    write_logs(
        [
            _tagged(converse_log, "a", project="support", priority="high"),
            _tagged(converse_log, "b", project="support", priority="low"),
            _tagged(converse_log, "c", project="sales", priority="high"),
            converse_log("d"),
        ]
    )
    return tmp_path / "logs"


@pytest.mark.parametrize(
    ("filters", "excludes", "mode", "kept"),
    [
        ([], [], "all", ["a", "b", "c", "d"]),
        (["project=support"], [], "all", ["a", "b"]),
        (["project=support", "priority=high"], [], "all", ["a"]),
        (["project=support", "priority=high"], [], "any", ["a", "b", "c"]),
        ([], ["project=support"], "all", ["c", "d"]),
        (["priority=high"], ["project=sales"], "all", ["a"]),
        (["priority=high"], ["project=support"], "any", ["a", "c", "d"]),
    ],
)
def test_metadata_filters(tmp_path, tagged_logs, filters, excludes, mode, kept):
    output = tmp_path / "out.jsonl"
    metadata_filter = MetadataFilter.from_cli(filters, excludes, mode)
    summary = convert_logs([tagged_logs], output, filters=metadata_filter, check_row_count=False)
    assert _questions(output) == kept
    assert summary.skipped.get("filtered-out", 0) == 4 - len(kept)


def test_filters_print_as_the_service_would_take_them():
    assert MetadataFilter().to_service() is None
    assert MetadataFilter.from_cli(["a=1"], []).to_service() == {"equals": {"a": "1"}}
    assert MetadataFilter.from_cli([], ["a=1"]).to_service() == {"notEquals": {"a": "1"}}
    assert MetadataFilter.from_cli(["a=1"], ["b=x=y"], "any").to_service() == {
        "orAll": [{"equals": {"a": "1"}}, {"notEquals": {"b": "x=y"}}]
    }


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (["novalue"], "expected key=value"),
        (["=v"], "metadata key ''"),
        (["k=semi;colon"], "metadata value"),
        ([f"k{n}=v" for n in range(17)], "the service allows 16"),
    ],
)
def test_filters_follow_the_service_rules(filters, message):
    with pytest.raises(ValueError, match=message):
        MetadataFilter.from_cli(filters, [])


def test_too_few_rows_writes_nothing(tmp_path, write_logs, converse_log):
    write_logs([converse_log("only one")])
    output = tmp_path / "out.jsonl"
    output.write_text("previous content\n")
    with pytest.raises(ConversionError, match="too-few-rows") as failed:
        convert_logs([tmp_path / "logs"], output)
    assert failed.value.summary.converted == 1
    assert output.read_text() == "previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs", "out.jsonl"]


def test_a_crash_midway_leaves_no_file(tmp_path, write_logs, hundred, monkeypatch):
    write_logs(hundred)
    calls = []

    def explode(self, record):
        calls.append(record)
        if len(calls) == 50:
            raise RuntimeError("disk on fire")
        return original(self, record)

    original = converter_module._RecordConverter.convert
    monkeypatch.setattr(converter_module._RecordConverter, "convert", explode)
    with pytest.raises(RuntimeError):
        convert_logs([tmp_path / "logs"], tmp_path / "out.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs"]


def test_missing_sources_fail_before_anything_is_written(tmp_path):
    with pytest.raises(FileNotFoundError):
        convert_logs([tmp_path / "nope"], tmp_path / "out.jsonl")
    with pytest.raises(ValueError, match="not an s3://bucket/prefix"):
        convert_logs(["s3://"], tmp_path / "out.jsonl")
    assert list(tmp_path.iterdir()) == []


# --- S3 -------------------------------------------------------------------------------------------


@pytest.fixture
def s3(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="invocation-logs")
        yield client


def _put_jsonl(s3, key: str, records: list[dict]) -> None:
    data = b"".join(json.dumps(record).encode() + b"\n" for record in records)
    s3.put_object(
        Bucket="invocation-logs", Key=key, Body=gzip.compress(data) if key.endswith(".gz") else data
    )


HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
PREFIX = "bedrock/AWSLogs/123456789012/BedrockModelInvocationLogs/us-east-1/2026/01/01/00"


def test_s3_prefix_with_many_objects_and_body_paths(tmp_path, s3, converse_log, log_record):
    # More objects than one list page (1,000 keys) to exercise pagination.
    for batch in range(1001):
        _put_jsonl(s3, f"{PREFIX}/batch-{batch:04d}.json.gz", [converse_log(f"Question {batch}?")])
    s3.put_object(Bucket="invocation-logs", Key="bedrock/amazon-bedrock-logs-permission-check", Body=b"")
    large_request = {"messages": [{"role": "user", "content": "Big question?"}], "system": "Be exact."}
    s3.put_object(
        Bucket="invocation-logs", Key=f"{PREFIX}/data/req_input.json", Body=json.dumps(large_request).encode()
    )
    s3.put_object(
        Bucket="invocation-logs",
        Key=f"{PREFIX}/data/req_output.json.gz",
        Body=gzip.compress(b'{"content": [{"type": "text", "text": "7"}]}'),
    )
    stored = log_record(HAIKU, None)
    stored["input"] = {"inputBodyS3Path": f"s3://invocation-logs/{PREFIX}/data/req_input.json"}
    stored["output"] = {"outputBodyS3Path": f"s3://invocation-logs/{PREFIX}/data/req_output.json.gz"}
    missing = log_record(HAIKU, None)
    missing["input"] = {"inputBodyS3Path": "s3://invocation-logs/nowhere.json"}
    _put_jsonl(s3, f"{PREFIX}/zz-stored.json", [stored, missing])
    output = tmp_path / "out.jsonl"
    summary = convert_logs(["s3://invocation-logs/bedrock/"], output, use_response=True, s3_client=s3)
    assert summary.converted == 1002
    # The body objects are read as log files too, and counted as not being log records.
    assert summary.skipped == {"body-unavailable": 1, "not-a-log-record": 2}
    assert _rows(output)[-1] == {
        "messages": [
            {"role": "system", "content": "Be exact."},
            {"role": "user", "content": "Big question?"},
        ],
        "reference_answer": "7",
    }
    assert validate_path(output).valid


def test_s3_single_object_source(tmp_path, s3, converse_log):
    _put_jsonl(s3, "one/export", [converse_log("q1"), converse_log("q2")])
    _put_jsonl(s3, "one/export-2.json", [converse_log("q3")])
    summary = convert_logs(
        ["s3://invocation-logs/one/export"], tmp_path / "out.jsonl", s3_client=s3, check_row_count=False
    )
    assert (summary.files, summary.converted) == (1, 2)


def test_s3_errors_are_source_errors(tmp_path, s3):
    with pytest.raises(SourceError, match="cannot list s3://missing-bucket/x"):
        convert_logs(["s3://missing-bucket/x"], tmp_path / "out.jsonl", s3_client=s3)
    assert list(tmp_path.iterdir()) == []


def test_s3_client_is_created_lazily(tmp_path, s3, converse_log):
    _put_jsonl(s3, "lazy/a.json", [converse_log("q")])
    summary = convert_logs(["s3://invocation-logs/lazy/"], tmp_path / "out.jsonl", check_row_count=False)
    assert summary.converted == 1
