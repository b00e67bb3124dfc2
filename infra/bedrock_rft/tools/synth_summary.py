"""Print what ``make synth`` produced: templates, resource counts, their cost (standing per month,
and per hour of a training run; :mod:`bedrock_rft.tools.cost_estimate`) and the cdk-nag summary.

Usage: ``python -m bedrock_rft.tools.synth_summary CDK_OUT_DIR``. Acknowledgments are read from the
``aws:cdk:acknowledged-rules`` metadata the CDK writes next to each template.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from bedrock_rft.compliance.packs import NAG_PACK_NAMES
from bedrock_rft.tools.cost_estimate import cost_table


def summarize(out_dir: Path) -> str:
    """The summary text for the cloud assembly in ``out_dir``."""
    lines = [f"Cloud assembly: {out_dir.resolve()}"]
    for template in sorted(out_dir.glob("*.template.json")):
        resources = json.loads(template.read_text())["Resources"]
        kinds = Counter(resource["Type"] for resource in resources.values())
        lines.append(f"  {template.name}: {len(resources)} resources ({len(kinds)} types)")
        lines += cost_table(json.loads(template.read_text()))
    acknowledged: dict[str, set[str]] = {}
    for metadata_file in sorted(out_dir.glob("*.metadata.json")):
        for path, entries in json.loads(metadata_file.read_text()).items():
            for entry in entries:
                if entry.get("type") == "aws:cdk:acknowledged-rules":
                    for rule in entry["data"]:
                        acknowledged.setdefault(rule.removeprefix("Annotation::"), set()).add(path)
    nag_acks = {rule: paths for rule, paths in acknowledged.items() if rule.split("-")[0] in NAG_PACK_NAMES}
    lines.append(
        f"cdk-nag packs {', '.join(NAG_PACK_NAMES)}: 0 unacknowledged findings "
        f"(synth fails on any); {sum(len(p) for p in nag_acks.values())} acknowledgments of "
        f"{len(nag_acks)} rules, each with a reason (see README, 'Security and compliance')"
    )
    for rule in sorted(nag_acks):
        lines.append(f"  {rule}: {len(nag_acks[rule])} x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the summary for the folder named in ``argv`` (default ``cdk.out``)."""
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0] if args else "cdk.out")
    if not (out_dir / "manifest.json").is_file():
        print(f"error: {out_dir} holds no cloud assembly; run cdk synth first", file=sys.stderr)
        return 2
    print(summarize(out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
