"""Reading log records out of one (already decompressed) log file.

Bedrock writes one JSON record per line. Files holding a JSON array of records, or one record that
may be pretty-printed over several lines, are read too: when the first non-blank line is not a JSON
value by itself, the whole file is parsed as one document (so only such files are held in memory).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

#: Yielded in place of a line (or file) that is not JSON, so the caller can count it.
UNPARSEABLE = object()


def _values(data: bytes) -> list[object]:
    """Parse ``data``; an array gives its items, anything else itself, bad JSON ``[UNPARSEABLE]``."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return [UNPARSEABLE]
    return value if isinstance(value, list) else [value]


def iter_records(fh: BinaryIO) -> Iterator[object]:
    """Yield each record of the file, or :data:`UNPARSEABLE` for each line that is not JSON."""
    first = True
    for line in fh:
        if line.isspace():
            continue
        values = _values(line)
        if first and values == [UNPARSEABLE]:
            yield from _values(line + fh.read())
            return
        first = False
        yield from values
