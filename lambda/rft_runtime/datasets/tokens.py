"""A tokenizer-free estimate of prompt length.

The estimate is ``ceil(UTF-8 bytes / 4)`` over the text of every turn of the prompt. Four bytes per
token is the usual rule of thumb for English with BPE tokenizers; counting bytes rather than characters
makes non-Latin scripts (2 to 4 bytes per character) weigh more. It is only an estimate: the real count
from the model's tokenizer can differ by tens of percent either way (numbers, code and CJK text
usually come out higher), and chat-template tokens are not counted. Leave headroom under
``maxPromptLength``.
"""

from __future__ import annotations

#: UTF-8 bytes per token assumed by :func:`estimate_tokens`.
BYTES_PER_TOKEN = 4

#: Short name of the method, printed next to estimates.
METHOD = "ceil(utf8_bytes / 4)"


def utf8_length(text: str) -> int:
    """Return the UTF-8 size of ``text`` in bytes (lone surrogates count 3 bytes, never raise)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def estimate_tokens(utf8_bytes: int) -> int:
    """Return the estimated token count of a prompt whose turns hold ``utf8_bytes`` bytes of text."""
    return -(-utf8_bytes // BYTES_PER_TOKEN)
