"""AWS's public RFT sample datasets (extracts in tests/data/public, see its README): each validates
under ``math_answer`` and grades as its authors' reward functions intend."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rft_runtime.cli.main import main
from rft_runtime.rewards.handler import make_handler

PUBLIC = Path(__file__).resolve().parents[2] / "data" / "public"
FILES = sorted(PUBLIC.glob("*.jsonl"))
_LAST_MARK = re.compile(r"#### (-?[0-9.,]+)")


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _expected(row: dict) -> str:
    """The answer the authors' grader compares with: the Nova sample's final_answer, or the last
    ``#### n`` of the worked solution (which the datasets also give as ground_truth)."""
    reference = row["reference_answer"]
    if isinstance(reference, dict):
        return reference["final_answer"]
    answer = _LAST_MARK.findall(reference)[-1].replace(",", "")
    assert answer == row["ground_truth"]  # the two fields of the dataset agree
    return answer


def test_the_extracts_are_there():
    assert [p.name for p in FILES] == [
        "aws_nova_train_gms8k_example_head12.jsonl",
        "aws_rft_test_validation_data_head12.jsonl",
        "aws_rft_train_data_head24.jsonl",
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_validates_under_math_answer(path, capsys):
    code = main(
        ["validate", str(path), "--template", "math_answer", "--no-row-count-check", "--format", "json"]
    )
    report = json.loads(capsys.readouterr().out)
    assert (code, report["error_count"], report["warning_count"]) == (0, 0, 0)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_check_grader_separates_right_from_wrong(path, capsys):
    assert main(["check-grader", "--template", "math_answer", str(path)]) == 0
    assert "failing rows: 0" in capsys.readouterr().out


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_grades_as_the_authors_grader_intends(path):
    """Bedrock's event shape (metadata.reference_answer): the right final answer scores 1, a wrong
    one 0, and the dataset's own worked solution (GSM8K's, ending ``#### n``) scores 1."""
    rows = _rows(path)
    event = []
    for index, row in enumerate(rows):
        answer = _expected(row)
        metadata = {k: v for k, v in row.items() if k != "messages"}
        for kind, text in (
            ("right", f"Step by step...\n#### {answer}"),
            ("wrong", f"Step by step...\n#### {int(float(answer)) + 1}"),
        ):
            messages = [*row["messages"], {"role": "assistant", "content": text}]
            event.append({"id": f"{index}-{kind}", "messages": messages, "metadata": metadata})
        worked = row.get("original_answer") or row["reference_answer"]
        messages = [*row["messages"], {"role": "assistant", "content": worked}]
        event.append({"id": f"{index}-worked", "messages": messages, "metadata": metadata})
    out = make_handler("math_answer", {}, emit=lambda _: None)(event, None)
    scores = {r["id"]: r["aggregate_reward_score"] for r in out}
    assert [r["id"] for r in out] == [item["id"] for item in event]
    assert all(scores[f"{i}-right"] == 1.0 and scores[f"{i}-worked"] == 1.0 for i in range(len(rows)))
    assert all(scores[f"{i}-wrong"] == 0.0 for i in range(len(rows)))


def test_open_weight_trajectories_event_as_gsm8k_gptoss_rew_func_reads_it():
    """The open-weight grader's shape, built from the public rows: ``{"trajectories": [...]}`` with
    ``reference_answer: {"text": <worked solution>}`` at the item's top level."""
    rows = _rows(PUBLIC / "aws_rft_train_data_head24.jsonl")
    trajectories = []
    for index, row in enumerate(rows):
        answer = row["ground_truth"]
        given = answer if index % 2 == 0 else str(int(answer) + 3)
        trajectories.append(
            {
                "id": f"traj-{index}",
                "messages": [*row["messages"], {"role": "assistant", "content": f"...\n#### {given}"}],
                "reference_answer": {"text": row["reference_answer"]},
            }
        )
    out = make_handler("math_answer", {}, emit=lambda _: None)({"trajectories": trajectories}, None)
    assert [r["id"] for r in out] == [t["id"] for t in trajectories]
    assert [r["aggregate_reward_score"] for r in out] == [
        1.0 if i % 2 == 0 else 0.0 for i in range(len(rows))
    ]
