"""The checkov figure of ``make checkov``, and whether every remaining failure is explained.

Usage: ``python -m bedrock_rft.tools.checkov_summary REPORT.json README.md``. ``REPORT.json`` is
checkov's ``-o json`` output (one report or a list of them); ``README.md`` holds the compliance
table: rows ``| CKV_... | `LogicalIdPrefix` | why |``. Exit 0 when at least :data:`GOAL` of the
evaluated checks pass (checkov's own figure: passed / (passed + failed); skips carry a reason in
the template, mirrored from a cdk-nag acknowledgment) and every failure has a row; 1 otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The share of evaluated checkov checks that must pass.
GOAL = 0.95
_ROW = re.compile(r"^\|\s*(CKV2?_[A-Z0-9_]+)\s*\|\s*`([A-Za-z0-9]+)`\s*\|")


@dataclass(frozen=True)
class Failure:
    """One failed check: its id, the resource's logical id and the template's file name."""

    check_id: str
    logical_id: str
    template: str


def explained_failures(readme_text: str) -> set[tuple[str, str]]:
    """``(check id, logical-id prefix)`` of every compliance-table row in the README."""
    return {(m.group(1), m.group(2)) for m in map(_ROW.match, readme_text.splitlines()) if m}


def _reports(data: Any) -> list[dict[str, Any]]:
    return [
        r for r in (data if isinstance(data, list) else [data]) if r.get("check_type") == "cloudformation"
    ]


def summarize(data: Any, readme_text: str) -> tuple[str, bool]:
    """(the summary text, whether the goal is met and every failure is explained)."""
    passed = failed = skipped = 0
    failures: list[Failure] = []
    for report in _reports(data):
        passed += report["summary"]["passed"]
        failed += report["summary"]["failed"]
        skipped += report["summary"]["skipped"]
        for check in report["results"]["failed_checks"]:
            failures.append(
                Failure(check["check_id"], check["resource"].split(".", 1)[-1], Path(check["file_path"]).name)
            )
    explained = explained_failures(readme_text)
    unexplained = [
        f for f in failures if not any(f.check_id == c and f.logical_id.startswith(p) for c, p in explained)
    ]
    share = passed / (passed + failed) if passed + failed else 0.0
    strict = passed / (passed + failed + skipped) if passed + failed + skipped else 0.0
    lines = [
        f"checkov (CloudFormation): {passed} passed, {failed} failed, {skipped} skipped with a reason; "
        f"{share:.1%} of evaluated checks pass (goal {GOAL:.0%}); {strict:.1%} counting skips as failures",
        *(f"  failed {f.check_id} {f.logical_id} ({f.template})" for f in failures),
    ]
    if unexplained:
        lines.append("not explained in the README's checkov table:")
        lines += [f"  {f.check_id} {f.logical_id}" for f in unexplained]
    return "\n".join(lines), share >= GOAL and not unexplained and passed > 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m bedrock_rft.tools.checkov_summary REPORT.json README.md", file=sys.stderr)
        return 2
    text, ok = summarize(json.loads(Path(args[0]).read_text()), Path(args[1]).read_text(encoding="utf-8"))
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
