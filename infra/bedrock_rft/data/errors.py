"""The error raised when a local dataset fails validation at synth."""

from __future__ import annotations

from bedrock_rft.errors import InputError


class DatasetError(InputError):
    """A dataset named in the config is invalid; the message lists ``file:line: code: text`` per problem."""
