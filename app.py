#!/usr/bin/env python3
"""CDK entry point: ``cdk synth -c env=<name>`` builds ``environments/<name>.toml`` (default: dev)."""

import sys
from pathlib import Path

from bedrock_rft.application import build_app
from bedrock_rft.errors import InputError
from bedrock_rft.stack import RftStack

ENVIRONMENTS = Path(__file__).resolve().parent / "environments"

try:
    app = build_app(ENVIRONMENTS)
except InputError as error:
    print(f"error: {error}", file=sys.stderr)
    sys.exit(1)
for stack in app.node.children:
    rows = stack.pipeline.training_data.row_counts if isinstance(stack, RftStack) else None
    if rows:
        counts = ", ".join(f"{count} {role}" for role, count in rows.items())
        print(f"{stack.node.id}: dataset valid ({counts} prompts)", file=sys.stderr)
app.synth()
