"""The checkov figure: goal, explanations from the README table, skips reported apart."""

from __future__ import annotations

import json
from pathlib import Path

from bedrock_rft.tools.checkov_summary import GOAL, explained_failures, main, summarize

REPO = Path(__file__).resolve().parents[2]
README_TABLE = (
    "| check | resource | why |\n| --- | --- | --- |\n| CKV_AWS_115 | `CustomVpc` | CDK's helper |\n"
)


def _report(passed: int, failed: list[tuple[str, str]], skipped: int = 0) -> dict:
    return {
        "check_type": "cloudformation",
        "summary": {"passed": passed, "failed": len(failed), "skipped": skipped},
        "results": {
            "failed_checks": [
                {
                    "check_id": c,
                    "resource": f"AWS::Lambda::Function.{r}",
                    "file_path": "/x/Rft-a.template.json",
                }
                for c, r in failed
            ]
        },
    }


def test_goal_met_when_every_failure_is_explained():
    text, ok = summarize([_report(95, [("CKV_AWS_115", "CustomVpcHandlerAB12")], skipped=4)], README_TABLE)
    assert (
        ok and "95 passed, 1 failed, 4 skipped" in text and "99.0%" in text and "95.0% counting skips" in text
    )


def test_an_unexplained_failure_fails_even_above_the_goal():
    text, ok = summarize(_report(99, [("CKV_AWS_116", "CustomVpcHandlerAB12")]), README_TABLE)
    assert not ok and "not explained" in text and "CKV_AWS_116 CustomVpcHandlerAB12" in text


def test_below_the_goal_fails_even_when_explained():
    failures = [("CKV_AWS_115", f"CustomVpc{i}") for i in range(6)]
    _, ok = summarize(_report(94, failures), README_TABLE)
    assert GOAL == 0.95 and not ok


def test_the_readme_table_explains_the_cdk_helper_functions():
    rows = explained_failures((REPO / "README.md").read_text(encoding="utf-8"))
    assert {c for c, _ in rows} == {"CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117"}
    assert {p for _, p in rows} == {
        "CustomVpcRestrictDefaultSGCustomResourceProvider",
        "CustomS3AutoDeleteObjectsCustomResourceProvider",
    }


def test_main_exit_codes(tmp_path, capsys):
    report = tmp_path / "report.json"
    readme = tmp_path / "README.md"
    readme.write_text(README_TABLE)
    report.write_text(json.dumps(_report(10, [])))
    assert main([str(report), str(readme)]) == 0
    report.write_text(json.dumps(_report(0, [])))
    assert main([str(report), str(readme)]) == 1
    assert main([]) == 2
