"""Rewrite the shipped JSON Schema of environment files: ``python -m bedrock_rft.tools.write_schema``."""

from __future__ import annotations

from bedrock_rft.config.json_schema import SCHEMA_FILE, schema_text

if __name__ == "__main__":
    SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
