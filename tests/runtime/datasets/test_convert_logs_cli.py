"""``rft convert-logs``: exit codes, text and JSON summaries, options passed through."""

from __future__ import annotations

import json

import pytest
from moto import mock_aws

from rft_runtime.cli.main import main
from rft_runtime.datasets import validate_path


@pytest.fixture
def logs(tmp_path, write_logs, converse_log):
    """110 tagged Converse records (10 of them duplicates) plus one failed call."""
    records = [converse_log(f"Q{n}", requestMetadata={"team": "a" if n % 2 else "b"}) for n in range(100)]
    records += records[:10]
    records.append(converse_log("failed", errorCode="InternalServerException"))
    write_logs(records)
    return tmp_path / "logs"


def test_text_summary(tmp_path, logs, capsys):
    output = tmp_path / "train.jsonl"
    assert main(["convert-logs", str(logs), "--output", str(output)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"wrote 100 rows to {output}: read 111 records from 1 files; 10 duplicate prompts, 1 skipped"
    )
    assert lines[1].split() == ["skipped", "1", "failed-invocation"]
    assert validate_path(output, required_fields=()).valid


def test_json_summary_with_filters(tmp_path, logs, capsys):
    output = tmp_path / "train.jsonl"
    argv = ["convert-logs", str(logs), "-o", str(output), "--filter", "team=a", "--exclude", "team=zzz"]
    assert main([*argv, "--use-response", "--no-row-count-check", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    document = json.loads(out)
    assert document["written"] is True
    assert document["error"] is None
    assert (document["read"], document["converted"], document["duplicates"]) == (111, 50, 5)
    assert document["skipped"] == {"filtered-out": 56}  # the failed call has no metadata
    assert document["request_metadata_filters"] == {
        "andAll": [{"equals": {"team": "a"}}, {"notEquals": {"team": "zzz"}}]
    }
    assert all(row["reference_answer"] == "42" for row in map(json.loads, output.read_text().splitlines()))


def test_filter_mode_any_and_the_printed_service_filter(tmp_path, logs, capsys):
    output = tmp_path / "train.jsonl"
    argv = ["convert-logs", str(logs), "-o", str(output), "--filter", "team=a", "--filter", "team=b"]
    assert main([*argv, "--filter-mode", "any"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("wrote 100 rows")
    assert 'requestMetadataFilters = {"orAll": [{"equals": {"team": "a"}}, {"equals": {"team": "b"}}]}' in out


def test_an_invalid_result_exits_1_and_writes_nothing(tmp_path, logs, capsys):
    output = tmp_path / "train.jsonl"
    assert main(["convert-logs", str(logs), "-o", str(output), "--filter", "team=a", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["written"] is False
    assert document["error"].startswith("output not written: too-few-rows: 50 rows")
    assert not output.exists()


def test_max_rows(tmp_path, logs, capsys):
    output = tmp_path / "train.jsonl"
    argv = ["convert-logs", str(logs), "-o", str(output), "--max-rows", "20", "--no-row-count-check"]
    assert main(argv) == 0
    assert "over-max-rows" in capsys.readouterr().out
    assert len(output.read_text().splitlines()) == 20


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["{logs}/../missing", "-o", "{out}"], "does not exist"),
        (["s3:/bucket", "-o", "{out}"], "does not exist"),
        (["{logs}", "-o", "{out}", "--filter", "team"], "expected key=value"),
        (["{logs}", "-o", "{out}", "--exclude", "t=a;b"], "metadata value"),
        (["{logs}", "-o", "{out}", "--max-rows", "0"], "--max-rows 0"),
        (["{logs}", "-o", "{logs}/no/folder/out.jsonl"], "folder does not exist"),
    ],
)
def test_usage_errors_exit_2(tmp_path, logs, capsys, argv, message):
    values = {"{logs}": str(logs), "{out}": str(tmp_path / "out.jsonl")}
    for placeholder, value in values.items():
        argv = [arg.replace(placeholder, value) for arg in argv]
    assert main(["convert-logs", *argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
    assert not (tmp_path / "out.jsonl").exists()


def test_missing_output_option_is_an_argparse_error(logs, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["convert-logs", str(logs)])
    assert exited.value.code == 2
    assert "--output" in capsys.readouterr().err


def test_s3_failure_exits_1(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        assert main(["convert-logs", "s3://no-such-bucket/logs/", "-o", str(tmp_path / "out.jsonl")]) == 1
    assert "cannot list s3://no-such-bucket/logs/" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
