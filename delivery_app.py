#!/usr/bin/env python3
"""CDK entry point of the delivery pipeline: ``make synth-delivery`` builds ``environments/delivery.toml``."""

import sys
from pathlib import Path

from bedrock_rft.delivery.application import build_delivery_app
from bedrock_rft.errors import InputError

ROOT = Path(__file__).resolve().parent

try:
    stack = build_delivery_app(ROOT / "environments" / "delivery.toml", ROOT / "package.json")
except InputError as error:
    print(f"error: {error}", file=sys.stderr)
    sys.exit(1)
stack.node.root.synth()
