"""Render the API reference with pdoc: ``python -m bedrock_rft.tools.api_docs <folder>`` (``make docs``).

Documents the package root (every export) and each component folder, from the docstrings
(reStructuredText). Needs ``pdoc`` (a development requirement), not installed with the package.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: Modules the reference documents: the root and every component folder.
DOCUMENTED_MODULES = (
    "bedrock_rft",
    "bedrock_rft.pipeline",
    "bedrock_rft.stack",
    "bedrock_rft.config",
    "bedrock_rft.config.rules",
    "bedrock_rft.config.json_schema",
    "bedrock_rft.security",
    "bedrock_rft.storage",
    "bedrock_rft.network",
    "bedrock_rft.data",
    "bedrock_rft.reward",
    "bedrock_rft.lifecycle",
    "bedrock_rft.observability",
    "bedrock_rft.compute",
    "bedrock_rft.assets",
    "bedrock_rft.compliance",
    "bedrock_rft.delivery",
)


def render(output_directory: Path) -> Path:
    """Write the HTML reference into ``output_directory``; returns the index page."""
    import pdoc
    import pdoc.render

    pdoc.render.configure(docformat="restructuredtext")
    pdoc.pdoc(*DOCUMENTED_MODULES, output_directory=output_directory)
    return output_directory / "index.html"


if __name__ == "__main__":
    print(f"wrote {render(Path(sys.argv[1] if len(sys.argv) > 1 else 'docs/api'))}")
