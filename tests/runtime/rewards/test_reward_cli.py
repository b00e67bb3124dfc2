"""``rft grade`` and ``rft check-grader``: same output as the Lambda, summaries, separation, exit codes."""

from __future__ import annotations

import json

import pytest

from rft_runtime.cli.main import main
from rft_runtime.rewards.handler import make_handler

SYSTEM = {"role": "system", "content": "Solve the problem. End with a line '#### <answer>'."}


def payload(content, reference, id):
    return {
        "id": id,
        "messages": [SYSTEM, {"role": "user", "content": "q"}, {"role": "assistant", "content": content}],
        "metadata": {"reference_answer": reference},
    }


@pytest.fixture
def samples(tmp_path):
    items = [payload("#### 4", "4", "a"), payload("#### 5", "4", "b"), payload("#### 4 or 5", "4", "c")]
    path = tmp_path / "samples.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n\nnot json\n")
    return path, items


@pytest.fixture
def dataset(tmp_path):
    rows = [
        {
            "id": f"arith-{n:04d}",
            "messages": [SYSTEM, {"role": "user", "content": f"{n} + {n}?"}],
            "reference_answer": str(2 * n),
        }
        for n in range(1, 13)
    ]
    rows.append(
        {
            "id": "money",
            "messages": [SYSTEM, {"role": "user", "content": "cost?"}],
            "reference_answer": "$1,250.50",
        }
    )
    rows.append(
        {"id": "neg", "messages": [SYSTEM, {"role": "user", "content": "t?"}], "reference_answer": "-3"}
    )
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_grade_outputs_exactly_what_the_lambda_returns(samples, capsys, tmp_path):
    path, items = samples
    output = tmp_path / "out.jsonl"
    assert main(["grade", "--template", "math_answer", "--samples", str(path), "--output", str(output)]) == 0
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    expected = make_handler("math_answer", {}, emit=lambda _: None)([*items, None])
    assert lines == expected
    err = capsys.readouterr().err
    assert "line 5: not valid JSON" in err
    assert "graded 4 samples: mean 0.2500" in err and "pass rate 25.0%" in err
    assert "errors: hedged 1, not-an-object 1" in err


def test_grade_json_summary_and_stdout(samples, capsys):
    path, _ = samples
    assert main(["grade", "--template", "math_answer", "--samples", str(path), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 4
    summary = json.loads(captured.err.splitlines()[-1])
    assert summary["count"] == 4 and summary["errors"] == {"hedged": 1, "not-an-object": 1}


def test_grade_with_user_code_and_options_file(samples, capsys, tmp_path):
    path, _ = samples
    code = tmp_path / "mine.py"
    code.write_text("def score(sample):\n    return 0.5\n")
    assert main(["grade", "--code", str(code), "--samples", str(path), "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().err.splitlines()[-1])
    assert summary["mean"] == 0.375  # the line that is not JSON scores 0
    options = tmp_path / "options.json"
    options.write_text('{"mode": "contains"}')
    assert (
        main(["grade", "--template", "string_match", "--options", f"@{options}", "--samples", str(path)]) == 0
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--template", "math_answer", "--options", '{"tolerance": -1}'],
            "option 'tolerance' = -1 is invalid",
        ),
        (["--template", "mathz"], "unknown reward template 'mathz'"),
        (["--template", "math_answer", "--options", "{bad"], "--options: not valid JSON"),
        (["--template", "math_answer", "--options", "[]"], "--options: must be a JSON object"),
        (["--template", "math_answer", "--options", "@/nonexistent.json"], "cannot read /nonexistent.json"),
        ([], "give --template"),
        (["--template", "math_answer", "--code", "x.py"], "--code means template 'custom'"),
    ],
)
def test_bad_arguments_exit_2(samples, capsys, argv, message):
    path, _ = samples
    assert main(["grade", *argv, "--samples", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_grade_missing_samples_file(capsys, tmp_path):
    assert main(["grade", "--template", "math_answer", "--samples", str(tmp_path / "none.jsonl")]) == 2
    assert "No such file" in capsys.readouterr().err


def test_check_grader_separates_math(dataset, capsys):
    assert main(["check-grader", "--template", "math_answer", str(dataset)]) == 0
    out = capsys.readouterr().out
    assert "on 14 rows (0 skipped)" in out
    assert "separation: correct beats every wrong response on 14/14 rows (100.0%)" in out
    for kind in ("correct", "wrong_value", "near_miss", "empty", "refusal", "hedge", "soup", "injection"):
        assert kind in out
    assert out.rstrip().endswith("OK")


def test_check_grader_reports_a_weak_grader(dataset, capsys):
    argv = ["check-grader", "--template", "text_similarity", str(dataset), "--format", "json"]
    assert main(argv) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["kinds"]["correct"]["mean"] == 1.0
    assert any("hedge" in problem for failure in report["failures"] for problem in failure["problems"])


def test_check_grader_with_a_lenient_custom_grader_fails(dataset, capsys, tmp_path):
    code = tmp_path / "lenient.py"
    code.write_text("def score(sample):\n    return 1.0 if sample.reference in sample.response else 0.0\n")
    assert main(["check-grader", "--code", str(code), str(dataset), "--show", "2"]) == 1
    out = capsys.readouterr().out
    assert "soup scored 1.000, not below correct 1.000" in out or "hedge scored 1.000" in out
    assert "more (use --format json for all)" in out and out.rstrip().endswith("FAIL")


def test_check_grader_skips_unusable_rows_and_limits(tmp_path, capsys):
    path = tmp_path / "rows.jsonl"
    rows = [
        {"id": "ok", "messages": [{"role": "user", "content": "q"}], "reference_answer": "3"},
        {"id": "no-ref", "messages": [{"role": "user", "content": "q"}], "reference_answer": "three"},
        {"id": "no-messages", "reference_answer": "3"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert main(["check-grader", "--template", "math_answer", str(path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows_checked"] == 1 and report["rows_skipped"] == 2
    assert main(["check-grader", "--template", "math_answer", str(path), "--limit", "0"]) == 1


def test_check_grader_code_rows_need_solutions(tmp_path, capsys):
    path = tmp_path / "code.jsonl"
    rows = [
        {
            "id": f"c{n}",
            "messages": [{"role": "user", "content": "write f"}],
            "reference_answer": f"assert f({n}) == {n + 1}",
            "solution": "def f(x):\n    return x + 1",
        }
        for n in range(3)
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert main(["check-grader", "--template", "code_tests", str(path), "--format", "json"]) in (0, 1)
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["kinds"]["correct"]["mean"] == 1.0 and report["kinds"]["empty"]["mean"] == 0.0
    assert "local grading is not a security boundary" in captured.err


def test_check_grader_labels(tmp_path, capsys):
    path = tmp_path / "labels.jsonl"
    rows = [
        {"id": f"r{n}", "messages": [{"role": "user", "content": "classify"}], "reference_answer": label}
        for n, label in enumerate(["spam", "ham", "spam", "ham"])
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    argv = [
        "check-grader",
        "--template",
        "string_match",
        "--options",
        '{"mode": "labels", "labels": ["spam", "ham"]}',
    ]
    assert main([*argv, str(path)]) == 0
    assert "4/4 rows (100.0%)" in capsys.readouterr().out


def test_grade_survives_undecodable_bytes(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    good = json.dumps(payload("#### 4", "4", "ok")).encode()
    path.write_bytes(good + b"\n\xff\xfe{not json\n")
    assert main(["grade", "--template", "math_answer", "--samples", str(path), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["ok", ""]
