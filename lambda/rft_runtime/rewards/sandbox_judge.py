"""The trusted judge of assert-style tests: evaluates each assertion itself, calling the model's code
only through recorded calls whose plain results the worker returned.

Run by :mod:`rft_runtime.rewards.sandbox` as ``python -I -S -B sandbox_judge.py`` (its own process
with CPU, memory and wall-clock limits: a test that does heavy arithmetic on a value the model
returned, like ``2 ** f(x)``, can only exhaust this process, not the grader). It never sees the
model's code; the worker never sees the tests.

Names the tests load but do not bind (and that are not builtins) are the model's: each is a proxy.
Calling one with plain arguments looks the call up in the results of the previous round: a plain
value comes back as a fresh builtin object, an object the worker kept as a proxy whose methods are
calls too, an exception in the model's code as :class:`ModelError`. A call not yet made is recorded
and answered with a placeholder that absorbs every operation and is truthy, so one pass records
every call a test suite makes whose arguments are known; the caller runs them in a fresh worker (all
calls so far, in order, so objects are rebuilt the same way) and asks again, for at most a few
rounds. In the final round an unknown call raises instead.

Input (JSON on stdin): ``{"steps": [{"kind": "setup"|"test", "source"}], "calls": [...], "results":
[...], "final": bool, "memory_bytes", "cpu_seconds"}``. Output (one JSON line): ``{"statuses": "...",
"pending": [new calls]}``; one status per test: ``1`` passed, ``0`` assertion failed, ``N`` a value
checked or sent was not plain data, ``E`` raised (in the test or in the model's code), ``M`` the
model's code ran out of memory.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import json
import os
import resource
import sys


def _load_wire():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("rft_sandbox_wire", os.path.join(here, "sandbox_wire.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


wire = _load_wire()


class ModelError(Exception):
    """The model's code raised (or ran out of memory: ``memory`` is True)."""

    def __init__(self, memory: bool) -> None:
        super().__init__("the model's code raised")
        self.memory = memory


class NotPlain(Exception):
    """A value sent to or compared from the model's code is not plain data."""


class _Unknown(Exception):
    """The final round met a call that was never made."""


class Pending:
    """The answer to a call not made yet: absorbs every operation, truthy, iterates as empty."""

    def __bool__(self) -> bool:
        return True

    def __len__(self) -> int:
        return 0

    def __iter__(self):
        return iter(())

    def __index__(self) -> int:
        return 0

    def __hash__(self) -> int:
        return 0

    def _absorb(self, *args, **kwargs):
        return self

    __call__ = __getattr__ = __getitem__ = __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _absorb
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _absorb
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __pow__ = __rpow__ = __neg__ = __pos__ = _absorb
    __abs__ = __and__ = __or__ = __xor__ = __invert__ = __contains__ = __matmul__ = _absorb


class Session:
    """The calls known so far and their results; records new ones (module docstring)."""

    def __init__(self, calls: list, results: list, final: bool) -> None:
        self.known = {json.dumps(c, sort_keys=True): i for i, c in enumerate(calls)}
        self.results = results
        self.final = final
        self.pending: list[dict] = []

    def call(self, target: dict, args: tuple, kwargs: dict):
        try:
            encoded = {**target, "args": wire.encode(list(args)), "kwargs": wire.encode(kwargs)}
        except wire.WireError as error:
            if _holds_pending(args) or _holds_pending(kwargs.values()):
                return Pending()
            raise NotPlain(str(error)) from None
        key = json.dumps(encoded, sort_keys=True)
        index = self.known.get(key)
        if index is None or index >= len(self.results):
            if self.final:
                raise _Unknown(key)
            if key not in (json.dumps(p, sort_keys=True) for p in self.pending):
                self.pending.append(encoded)
            return Pending()
        return self._answer(index, self.results[index])

    def _answer(self, index: int, result: dict):
        if "v" in result:
            value = wire.decode(result["v"])
            if _holds_ref(value):
                raise wire.WireError("a reference inside a value")
            return value
        if "ref" in result:
            return RemoteObject(self, index)
        if result.get("error") == "U":
            raise NameError("the model's code does not define this name")
        raise ModelError(memory=result.get("error") == "M")


def _holds_pending(values) -> bool:
    return any(isinstance(v, Pending) for v in values)


def _holds_ref(value) -> bool:
    if isinstance(value, wire.Ref):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_holds_ref(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_ref(k) or _holds_ref(v) for k, v in value.items())
    return False


class RemoteFunction:
    """A global of the model's code; calling it is a recorded call."""

    def __init__(self, session: Session, target: dict) -> None:
        self._session, self._target = session, target

    def __call__(self, *args, **kwargs):
        named = {key: _as_ref(value) for key, value in kwargs.items()}
        return self._session.call(self._target, tuple(_as_ref(a) for a in args), named)


class RemoteObject:
    """An object the model's code returned and the worker kept: methods are recorded calls; it is
    not plain data, so comparing or testing it fails the test with status ``N``."""

    def __init__(self, session: Session, call: int) -> None:
        self._session, self._call = session, call

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return RemoteFunction(self._session, {"on": self._call, "attr": name})

    def _not_plain(self, *args):
        raise NotPlain("an object of the model's code is not plain data")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __len__ = __iter__ = _not_plain
    __hash__ = None  # type: ignore[assignment]


def _as_ref(value):
    return wire.Ref(value._call) if isinstance(value, RemoteObject) else value


def model_names(trees: list) -> set[str]:
    """Names the steps load but never bind, other than builtins: the model's globals."""
    bound: set[str] = set()
    loaded: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                bound.update((a.asname or a.name).partition(".")[0] for a in node.names)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                bound.update(node.names)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                bound.add(node.name)
    return loaded - bound - set(vars(builtins))


def _status(error: BaseException | None) -> str:
    if error is None:
        return "1"
    if isinstance(error, NotPlain | wire.WireError):
        return "N"
    if isinstance(error, AssertionError):
        return "0"
    return "M" if isinstance(error, ModelError) and error.memory else "E"


def judge(steps: list, calls: list, results: list, final: bool) -> dict:
    """Evaluate every step (module docstring); ``{"statuses", "pending"}``."""
    session = Session(calls, results, final)
    compiled = []
    for step in steps:
        try:
            tree = ast.parse(step["source"], "<test>")
            compiled.append((step["kind"] == "test", tree, compile(tree, "<test>", "exec")))
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            compiled.append((step["kind"] == "test", None, None))
    namespace: dict = {"__builtins__": builtins, "__name__": "tests"}
    for name in model_names([tree for _, tree, _ in compiled if tree is not None]):
        namespace[name] = RemoteFunction(session, {"name": name})
    statuses = []
    for is_test, _, code in compiled:
        error = None
        try:
            if code is None:
                raise SyntaxError("the test does not compile")
            exec(code, namespace)
        except _Unknown:
            error = RuntimeError("a call was never made")
        except Exception as raised:
            error = raised
        if is_test:
            statuses.append(_status(error))
    return {"statuses": "".join(statuses), "pending": session.pending}


def main() -> None:
    """Read the job from stdin, apply its limits, write the verdict to stdout."""
    job = json.loads(sys.stdin.buffer.read())
    cpu = int(job["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (int(job["memory_bytes"]),) * 2)
    sys.setrecursionlimit(2000)
    verdict = judge(job["steps"], job["calls"], job["results"], job["final"])
    sys.stdout.write(json.dumps(verdict) + "\n")


if __name__ == "__main__":
    main()
