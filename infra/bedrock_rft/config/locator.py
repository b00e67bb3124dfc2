"""Find the line on which a dotted TOML key is defined, so problems can name it.

``tomllib`` returns plain dicts without positions; this scan of the text covers the forms our
environment files use: ``[table]`` / ``[table.sub]`` headers, ``key = value`` lines and the first
line of inline tables and arrays. Keys inside inline tables map to the line of their parent key.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")
_STRING = re.compile(r""""(?:\\.|[^"\\])*"|'[^']*'""")
_INDEX = re.compile(r"(\[\d+\])+$")


def _key_parts(raw: str) -> list[str]:
    return [part.strip().strip("\"'") for part in raw.split(".")]


def key_lines(text: str) -> dict[str, int]:
    """Map each dotted key (``reward.options.tolerance``) to its 1-based line number."""
    lines: dict[str, int] = {}
    table: list[str] = []
    depth = 0  # open brackets/braces of a multi-line value: its lines hold no new keys
    for number, line in enumerate(text.splitlines(), start=1):
        if depth == 0:
            header = _HEADER.match(line)
            if header:
                table = _key_parts(header.group(1))
                lines.setdefault(".".join(table), number)
                continue
            assignment = _ASSIGNMENT.match(line)
            if assignment:
                dotted = ".".join([*table, *_key_parts(assignment.group(1))])
                lines.setdefault(dotted, number)
        code = _STRING.sub('""', line).split("#", 1)[0]
        depth = max(0, depth + code.count("[") + code.count("{") - code.count("]") - code.count("}"))
    return lines


def line_of(lines: dict[str, int], dotted_key: str) -> int | None:
    """Line of ``dotted_key``, else of its nearest ancestor, else ``None``.

    A list index (``graders[1]``) resolves to the line of the list's key (``graders``).
    """
    parts = dotted_key.split(".")
    while parts:
        for candidate in (parts, [_INDEX.sub("", part) for part in parts]):
            found = lines.get(".".join(candidate))
            if found is not None:
                return found
        parts.pop()
    return None
