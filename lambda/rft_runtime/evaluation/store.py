"""The local response store: one JSONL file of model responses, appended as they arrive.

Each line is one response with its key: the model identifier, the prompt's digest (SHA-256 of its
turns), the sample index and the inference settings (``maxTokens``, ``reasoningEffort``). A run
looks every (prompt, sample) up first and calls the model only for the missing ones, so an
interrupted run resumes where it stopped and ``rft compare`` reuses ``rft baseline``'s responses of
the same model with the same settings. Every line is flushed when written; a torn last line (the
process died mid-write) and any other unreadable line are skipped and counted in ``skipped_lines``.
Default location: :data:`DEFAULT_PATH` (relative to the working directory).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from typing import IO, Any

from rft_runtime.evaluation.converse import InferenceSettings, Reply

DEFAULT_PATH = ".rft-eval/responses.jsonl"

Key = tuple[str, str, int, str]


def make_key(model: str, digest: str, sample: int, settings: InferenceSettings) -> Key:
    """The store key of one response."""
    return (model, digest, sample, json.dumps(settings.to_dict(), sort_keys=True))


@dataclass
class ResponseStore:
    """Responses by key, loaded from ``path`` (missing file: empty) and appended to it."""

    path: str
    responses: dict[Key, Reply]
    skipped_lines: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stream: IO[str] | None = None

    @classmethod
    def open(cls, path: str) -> ResponseStore:
        """Load every readable line of ``path``."""
        responses: dict[Key, Reply] = {}
        skipped = 0
        try:
            with open(path, encoding="utf-8", errors="replace") as stream:
                for line in stream:
                    if not line.strip():
                        continue
                    try:
                        key, reply = _decode(json.loads(line))
                    except (ValueError, KeyError, TypeError):
                        skipped += 1
                        continue
                    responses[key] = reply
        except FileNotFoundError:
            pass
        return cls(path, responses, skipped)

    def get(self, key: Key) -> Reply | None:
        return self.responses.get(key)

    def put(self, key: Key, reply: Reply) -> None:
        """Record ``reply`` in memory and append it to the file (flushed at once; thread-safe)."""
        line = json.dumps(_encode(key, reply), ensure_ascii=False) + "\n"
        with self._lock:
            if self._stream is None:
                folder = os.path.dirname(self.path)
                if folder:
                    os.makedirs(folder, exist_ok=True)
                self._stream = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
                if self._stream.tell() and not _ends_with_newline(self.path):
                    self._stream.write("\n")  # close a torn line so this one stays readable
            self._stream.write(line)
            self._stream.flush()
            self.responses[key] = reply

    def close(self) -> None:
        with self._lock:
            if self._stream is not None:
                self._stream.close()
                self._stream = None


def _ends_with_newline(path: str) -> bool:
    with open(path, "rb") as stream:
        stream.seek(-1, os.SEEK_END)
        return stream.read(1) == b"\n"


def _encode(key: Key, reply: Reply) -> dict[str, Any]:
    model, digest, sample, settings = key
    return {
        "model": model,
        "prompt": digest,
        "sample": sample,
        "settings": json.loads(settings),
        "response": reply.text,
        "inputTokens": reply.input_tokens,
        "outputTokens": reply.output_tokens,
        "stopReason": reply.stop_reason,
    }


def _decode(data: dict[str, Any]) -> tuple[Key, Reply]:
    settings = data["settings"]
    key = (
        str(data["model"]),
        str(data["prompt"]),
        int(data["sample"]),
        json.dumps(
            InferenceSettings(settings["maxTokens"], settings["reasoningEffort"]).to_dict(), sort_keys=True
        ),
    )
    reply = Reply(
        str(data["response"]), int(data["inputTokens"]), int(data["outputTokens"]), str(data["stopReason"])
    )
    return key, reply
