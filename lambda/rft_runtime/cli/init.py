"""``rft init gitops``: write the pull-request workflow into a repository.

Writes ``.github/workflows/rft-plan.yml`` under ``--dir`` (default: the current folder). Never
overwrites an existing file unless ``--force`` is given. Exit codes: 0 written, 1 a file exists
(nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rft_runtime.gitops.scaffold import SCAFFOLDS, existing_targets, write_scaffold


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=sorted(SCAFFOLDS), help="what to set up (gitops: rft plan workflow)")
    parser.add_argument("--dir", type=Path, default=Path.cwd(), help="repository root (default: current)")
    parser.add_argument("--force", action="store_true", help="overwrite files that exist")


def run(args: argparse.Namespace) -> int:
    if not args.dir.is_dir():
        print(f"rft init: --dir {args.dir} is not a folder", file=sys.stderr)
        return 2
    existing = existing_targets(args.kind, args.dir)
    if existing and not args.force:
        for path in existing:
            print(f"rft init: {path} exists; nothing written (use --force to overwrite)", file=sys.stderr)
        return 1
    for path in write_scaffold(args.kind, args.dir):
        print(f"wrote {path}")
    print(
        "next: commit it; the workflow needs requirements.txt (with bedrock-rft-cdk), package.json "
        "and package-lock.json (pinned aws-cdk) in the repository root"
    )
    return 0
