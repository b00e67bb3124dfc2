"""A one-line progress bar on stderr: ``[#####.....] 120/400 30% 4.1/s ETA 1m08s``.

Drawn only when enabled (``rft`` enables it when stderr is a terminal, or with ``--progress``),
redrawn at most :data:`REDRAW_SECONDS` apart and at the end. Thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TextIO

REDRAW_SECONDS = 0.2
WIDTH = 24


def eta_text(seconds: float) -> str:
    """``1h02m``, ``3m08s`` or ``12s``."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Progress:
    """Counts ``done`` of ``total`` under ``label`` and draws the bar on ``stream`` when ``enabled``."""

    def __init__(
        self,
        label: str,
        total: int,
        stream: TextIO,
        *,
        enabled: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._stream = stream
        self._enabled = enabled and total > 0
        self._clock = clock
        self._started = clock()
        self._drawn_at = -1.0
        self._lock = threading.Lock()

    def line(self) -> str:
        """The bar's text now."""
        elapsed = max(1e-9, self._clock() - self._started)
        rate = self.done / elapsed
        share = self.done / self.total if self.total else 1.0
        filled = int(share * WIDTH)
        eta = eta_text((self.total - self.done) / rate) if rate > 0 else "?"
        return (
            f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total} "
            f"{share:4.0%} {rate:.1f}/s ETA {eta}"
        )

    def advance(self, count: int = 1) -> None:
        with self._lock:
            self.done += count
            if not self._enabled:
                return
            now = self._clock()
            if self.done < self.total and now - self._drawn_at < REDRAW_SECONDS:
                return
            self._drawn_at = now
            self._stream.write("\r" + self.line())
            self._stream.flush()

    def finish(self) -> None:
        """End the bar's line."""
        if self._enabled and self._drawn_at >= 0:
            self._stream.write("\n")
            self._stream.flush()
