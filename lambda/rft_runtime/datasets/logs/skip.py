"""Why a log record was not converted."""

from __future__ import annotations


class Skip(Exception):
    """Raised while converting a record that cannot become a training row.

    ``reason`` is a short stable key (``failed-invocation``, ``media-content``,
    ``unknown-model-family:<modelId>``, ...) under which the record is counted in the summary.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
