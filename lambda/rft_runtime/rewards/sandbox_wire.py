"""The plain-data channel between trusted code and the process that runs model code.

Only JSON-like values cross it: arguments in, results out. Standard library only, and importable by
file path, because the worker (:mod:`.sandbox_worker`) and the judge (:mod:`.sandbox_judge`) run as
scripts in isolated interpreters without this package on ``sys.path``.

Encoding (:func:`encode`): ``None``, ``bool``, ``int``, ``float`` (``NaN``/``Infinity`` as Python's
``json`` writes them), ``str`` and ``list`` stay JSON; the other plain types are one-key objects:
``{"$tuple": [...]}``, ``{"$dict": [[key, value], ...]}``, ``{"$set": [...]}``,
``{"$frozenset": [...]}``, ``{"$bytes": "<base64>"}``, ``{"$complex": [real, imag]}``; and
``{"$ref": n}`` stands for "the object call ``n`` returned" (kept in the worker, never sent).
Subclasses of plain types are written as their base type (an ``IntEnum`` as an ``int``).

Decoding (:func:`decode`) builds fresh builtin objects only, so nothing the worker wrote can run
code on the trusted side; it enforces :data:`MAX_DEPTH` and the caller bounds the byte size first
(:func:`loads`). Any other shape raises :class:`WireError`. Building a set or a dict hashes what
the worker chose: integers hash to themselves modulo 2**61 - 1, so members crafted to share one hash
make the build quadratic (20,000 of them, 0.5 MB, took 10 s on a loaded 2-CPU machine). A caller
that needs no sets nor non-string keys (JSON expected values) decodes with ``hashing=False``; the
judge, which compares sets, decodes them in its own process under CPU and wall limits.
"""

from __future__ import annotations

import base64
import json

#: Deepest nesting accepted either way.
MAX_DEPTH = 64
_TAGS = ("$tuple", "$dict", "$set", "$frozenset", "$bytes", "$complex", "$ref")


class WireError(ValueError):
    """A value that is not plain data, or a message that is not a well-formed encoding."""


class Ref:
    """A handle for a non-plain object the worker kept: the result of call ``call``."""

    __slots__ = ("call",)

    def __init__(self, call: int) -> None:
        self.call = call

    def __eq__(self, other: object) -> bool:
        return type(other) is Ref and other.call == self.call

    def __hash__(self) -> int:
        return hash(("ref", self.call))

    def __repr__(self) -> str:
        return f"Ref({self.call})"


def encode(value: object, depth: int = 0) -> object:
    """``value`` as a JSON-able tree (module docstring); raises :class:`WireError` when not plain."""
    if value is None or type(value) in (bool, str, float):
        return value
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    deeper = depth + 1
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, Ref):
        return {"$ref": value.call}
    if isinstance(value, list):
        return [encode(item, deeper) for item in list.copy(value)]
    if isinstance(value, tuple):
        return {"$tuple": [encode(item, deeper) for item in tuple.__iter__(value)]}
    if isinstance(value, dict):
        return {"$dict": [[encode(k, deeper), encode(v, deeper)] for k, v in dict.items(value)]}
    if isinstance(value, frozenset):
        return {"$frozenset": [encode(item, deeper) for item in frozenset.__iter__(value)]}
    if isinstance(value, set):
        return {"$set": [encode(item, deeper) for item in set.__iter__(value)]}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, complex):
        return {"$complex": [complex.__complex__(value).real, complex.__complex__(value).imag]}
    raise WireError(f"{type(value).__name__} is not plain data")


def decode(tree: object, depth: int = 0, *, hashing: bool = True) -> object:
    """The plain value of an encoded tree: fresh builtin objects only (module docstring). With
    ``hashing=False``, sets and dicts with any key that is not a string raise :class:`WireError`
    instead of being built (nothing the worker chose is hashed, except strings, whose hash is
    randomized per process)."""
    kind = type(tree)
    if tree is None or kind in (bool, int, float, str):
        return tree
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    deeper = depth + 1
    if kind is list:
        return [decode(item, deeper, hashing=hashing) for item in tree]
    if kind is not dict or len(tree) != 1:
        raise WireError("not an encoded value")
    ((tag, body),) = tree.items()
    if tag == "$ref" and type(body) is int:
        return Ref(body)
    if tag == "$bytes" and type(body) is str:
        try:
            return base64.b64decode(body, validate=True)
        except ValueError as error:
            raise WireError("bad bytes") from error
    if tag not in _TAGS or type(body) is not list:
        raise WireError("not an encoded value")
    if not hashing and tag in ("$set", "$frozenset"):
        raise WireError(f"{tag} is not decoded here")
    items = [decode(item, deeper, hashing=hashing) for item in body]
    try:
        if tag == "$tuple":
            return tuple(items)
        if tag == "$set":
            return set(items)
        if tag == "$frozenset":
            return frozenset(items)
        if tag == "$complex" and len(items) == 2 and all(type(x) in (int, float) for x in items):
            return complex(items[0], items[1])
        if tag == "$dict" and all(type(pair) is list and len(pair) == 2 for pair in items):
            if not hashing and any(type(key) is not str for key, _ in items):
                raise WireError("a key that is not a string is not decoded here")
            return dict((key, value) for key, value in items)
    except TypeError as error:  # an unhashable key or member
        raise WireError("unhashable key or member") from error
    raise WireError(f"bad {tag}")


def dumps(tree: object) -> bytes:
    """One line of compact JSON."""
    return json.dumps(tree, separators=(",", ":")).encode() + b"\n"


def loads(raw: bytes, max_bytes: int) -> object:
    """Parse one JSON message of at most ``max_bytes`` (raises :class:`WireError` otherwise)."""
    if len(raw) > max_bytes:
        raise WireError(f"message larger than {max_bytes} bytes")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise WireError("not JSON") from error
