"""The Lambda handler: configuration at first call, EMF line, config errors, deadlines, light import."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from rft_runtime.rewards.handler import make_handler


class Context:
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_configuration_is_read_at_first_call_and_cached(item):
    environ = {
        "RFT_REWARD_TEMPLATE": "string_match",
        "RFT_REWARD_OPTIONS": '{"mode": "exact"}',
        "RFT_PIPELINE": "pipe-a",
        "RFT_METRICS_NAMESPACE": "Custom/NS",
    }
    lines: list[str] = []
    handler = make_handler(environ=environ, emit=lines.append)
    environ["RFT_REWARD_TEMPLATE"] = "math_answer"  # read at first call, not at construction
    environ["RFT_REWARD_OPTIONS"] = "{}"
    assert handler([item("#### 4", "4")], None)[0]["aggregate_reward_score"] == 1.0
    environ["RFT_REWARD_TEMPLATE"] = "string_match"  # built once: later changes are ignored
    assert handler([item("#### 4", "4")], None)[0]["metrics_list"][0]["name"] == "math_answer"
    document = json.loads(lines[0])
    assert document["Pipeline"] == "pipe-a" and document["Template"] == "math_answer"
    directive = document["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "Custom/NS"
    assert directive["Dimensions"] == [["Pipeline", "Template"]]
    names = {m["Name"] for m in directive["Metrics"]}
    assert {
        "RewardMean",
        "RewardMin",
        "RewardMax",
        "PassRate",
        "SampleCount",
        "ErrorCount",
        "GradingLatency",
    } <= names
    assert document["SampleCount"] == 1 and document["RewardMean"] == 1.0


def test_emf_counts_errors_by_tag(item):
    lines: list[str] = []
    handler = make_handler("math_answer", {}, emit=lines.append, pass_threshold=0.9)
    handler([item("#### 1", "1"), item("#### 1 or 2", "1"), item("x", "1"), "junk"])
    document = json.loads(lines[0])
    assert document["ErrorCount"] == 3
    assert document["Errors.hedged"] == 1 and document["Errors.no-answer"] == 1
    assert document["Errors.not-an-object"] == 1
    assert document["PassRate"] == 0.25
    assert {"Name": "Errors.hedged", "Unit": "Count"} in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]


def test_broken_configuration_scores_zero_and_never_raises(item, caplog):
    for handler in (
        make_handler("no_such_template", {}, emit=lambda _: None),
        make_handler("math_answer", {"tolerance": -1}, emit=lambda _: None),
        make_handler(environ={"RFT_REWARD_TEMPLATE": "math_answer", "RFT_REWARD_OPTIONS": "{not json"}),
        make_handler(environ={}),
    ):
        out = handler([item("#### 1", "1", id="a"), item("#### 1", "1", id="b")], None)
        assert [r["id"] for r in out] == ["a", "b"]
        assert all(r["aggregate_reward_score"] == 0.0 for r in out)
        assert {"name": "error/config-error", "value": 1.0, "type": "Metric"} in out[0]["metrics_list"]
    assert "not built" in caplog.text


def test_custom_code_path_from_environment(tmp_path, item, monkeypatch):
    (tmp_path / "grader.py").write_text("def score(sample):\n    return 0.75\n")
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    handler = make_handler(environ={"RFT_REWARD_CODE_PATH": "grader.py"}, emit=lambda _: None)
    [result] = handler([item("anything")], None)
    assert result["aggregate_reward_score"] == 0.75
    assert handler.template == "custom"


def test_lambda_deadline_reaches_batch_graders(item):
    seen = []

    class Slow:
        name = "slow"

        def score_many(self, samples, *, deadline=None):
            seen.append(deadline)
            from rft_runtime.rewards.core import Score

            return [Score(1.0)] * len(samples)

    handler = make_handler("math_answer", {}, emit=lambda _: None)
    handler._grader = Slow()
    before = time.monotonic()
    handler([item("a")], Context(60_000))
    handler([item("a")], None)
    assert before + 50 < seen[0] < before + 60
    assert seen[1] is None


def test_stdout_emf_is_one_json_line(item, capsys):
    make_handler("math_answer", {})([item("#### 2", "2")], None)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and json.loads(out[0])["_aws"]


def test_module_import_is_light_and_reads_no_configuration():
    code = (
        "import os, sys, time\n"
        "os.environ['RFT_REWARD_TEMPLATE'] = 'no_such_template'\n"
        "t = time.perf_counter()\n"
        "import rft_runtime.rewards.handler as h\n"
        "elapsed = time.perf_counter() - t\n"
        "names = ('boto3', 'botocore', 'jsonschema', 'rft_runtime.rewards.templates')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print(heavy, elapsed)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split(" ", 1)
    assert out[0] == "[]"
    assert float(out[1]) < 0.5
