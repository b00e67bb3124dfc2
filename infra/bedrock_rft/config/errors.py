"""The error raised for a bad environment file: every problem at once, each with file, line and key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bedrock_rft.errors import InputError


@dataclass(frozen=True)
class Problem:
    """One problem in a config file.

    ``key`` is the dotted TOML key (``hyperparameters.batchSize``); ``line`` is 1-based, or ``None``
    when the key is missing from the file.
    """

    key: str
    message: str
    line: int | None = None

    def render(self, path: Path | str) -> str:
        """``path:line: key: message`` (``path: key: message`` when the line is unknown)."""
        where = f"{path}:{self.line}" if self.line else f"{path}"
        return f"{where}: {self.key}: {self.message}"


class ConfigError(InputError):
    """A config file has one or more problems; ``str()`` lists them all, one per line."""

    def __init__(self, path: Path | str, problems: list[Problem]) -> None:
        self.path = Path(path)
        self.problems = list(problems)
        count = len(self.problems)
        header = f"{self.path}: {count} problem{'s' if count != 1 else ''} in environment config"
        super().__init__("\n".join([header, *("  " + p.render(self.path) for p in self.problems)]))
