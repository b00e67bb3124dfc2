"""The API reference (``make docs``, pdoc) documents every public construct, prop and default.

Checked on the docstrings and on the rendered HTML: each construct of ``bedrock_rft.__all__``
documents every keyword argument in its "Keyword arguments" block and states the default of every
optional one ("Default ..." or "Required unless ..."); each value dataclass names every field and
states defaults; every page renders with its docstring.
"""

from __future__ import annotations

import dataclasses
import inspect
import re

import pytest
from constructs import Construct

import bedrock_rft
from bedrock_rft.tools.api_docs import render

EXPORTED = [getattr(bedrock_rft, name) for name in bedrock_rft.__all__]
CONSTRUCTS = [obj for obj in EXPORTED if inspect.isclass(obj) and issubclass(obj, Construct)]
VALUES = [obj for obj in EXPORTED if dataclasses.is_dataclass(obj)]


def _keyword_arguments(cls: type) -> dict[str, inspect.Parameter]:
    parameters = inspect.signature(cls.__init__).parameters.values()
    return {p.name: p for p in parameters if p.kind is p.KEYWORD_ONLY}


def _entries(block: str, names: set[str]) -> dict[str, str]:
    """``name -> text`` of each ``name:`` or ``a / b:`` entry of a docstring block."""
    starts = [
        match
        for match in re.finditer(r"(?<![\w`.])([a-z_]\w*(?:\s*/\s*[a-z_]\w*)*):\s", block)
        if {part.strip() for part in match.group(1).split("/")} <= names
    ]
    found: dict[str, str] = {}
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(block)
        for part in match.group(1).split("/"):
            found[part.strip()] = block[match.end() : end]
    return found


@pytest.mark.parametrize("construct", CONSTRUCTS, ids=lambda c: c.__name__)
def test_every_keyword_argument_is_documented_with_its_default(construct):
    parameters = _keyword_arguments(construct)
    doc = inspect.getdoc(construct) or ""
    assert "Keyword arguments" in doc, construct.__name__
    block = doc.split("Keyword arguments", 1)[1].split("Attributes:", 1)[0]
    entries = _entries(block, set(parameters))
    assert set(parameters) <= set(entries), f"undocumented: {sorted(set(parameters) - set(entries))}"
    for name, parameter in parameters.items():
        if parameter.default is not inspect.Parameter.empty:
            assert re.search(r"default|required unless", entries[name], re.I), f"{name}: no default stated"
    assert "Attributes:" in doc or construct.__name__ == "RftStack"


@pytest.mark.parametrize("value", VALUES, ids=lambda c: c.__name__)
def test_every_value_field_is_documented_with_defaults(value):
    doc = inspect.getdoc(value) or ""
    fields = [f for f in dataclasses.fields(value) if f.name != "source_file" or "source_file" in doc]
    assert not [f.name for f in fields if f.name not in doc]
    if any(
        f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING for f in fields
    ):
        assert re.search(r"\bdefault", doc, re.I)


def test_the_rendered_reference_shows_every_export(tmp_path):
    assert render(tmp_path).is_file()
    index = (tmp_path / "bedrock_rft.html").read_text(encoding="utf-8")
    for name in bedrock_rft.__all__:
        assert f">{name}<" in index or f'id="{name}"' in index, name
    page = (tmp_path / "bedrock_rft" / "pipeline.html").read_text(encoding="utf-8")
    assert "One RFT pipeline in any stack" in page and "from_pipeline_name" in page
    assert "grant_invoke_model" in page and "encryption_key" in page
