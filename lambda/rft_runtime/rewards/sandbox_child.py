"""Child side of the code sandbox: run untrusted Python against tests, report through a private channel.

Started by :mod:`rft_runtime.rewards.sandbox` as ``python -I -S -B sandbox_child.py`` with a scrubbed
environment, in its own process group and a fresh temporary directory. The runtime never imports it.

Before any untrusted code runs, in this order:

1. when running as root (containers, CI): no-new-privileges is set and every capability dropped
   (through ``ctypes``), then the child re-executes itself, so the process that runs user code never
   had ``ctypes`` loaded (CPython would otherwise hand the cached ``_ctypes`` back to
   ``ExtensionFileLoader`` without any audit event); the new process checks ``/proc/self/status``;
2. resource limits: CPU seconds, address space, file size, open files, no new processes, no cores;
3. the job is read from stdin and stdin is closed (it is an unnamed file: nothing to reopen);
4. stdout is kept on a private descriptor and fds 1 and 2 are pointed at ``/dev/null``;
5. assert-style tests are parsed and rewritten (see below) and compiled;
6. an audit hook blocks sockets, new processes and signals to others, ``ctypes``, frame and
   object-graph introspection (``sys._getframe``, ``tb_frame``, ``gc.get_objects``, tracing,
   ``__code__``/``__defaults__``), reads under ``/proc``, writes outside the working directory, and
   loading native extensions other than the interpreter's own (``lib-dynload``; the test, ``ctypes``,
   subprocess and sub-interpreter modules excluded): ``ExtensionFileLoader``/``_imp.create_dynamic``
   on a ``.so`` the code wrote, or on ``_ctypes`` under another name, fails before ``dlopen``.

Assert-style tests (``mode: "asserts"``) would otherwise let the solution grade itself: they run
in its namespace, so ``return Anything()`` with ``__eq__ = lambda s, o: True`` passed every
``assert f(x) == y``. Each step is therefore rewritten with :mod:`ast` before the solution runs:

- every ``assert`` (in setup and test steps, nested functions included) becomes "raise
  ``AssertionError`` unless the condition holds", where ``and``/``or``/``not`` are kept and each
  other condition must be plain data (below) whose truth is taken by the harness;
- inside asserts, and anywhere in test steps: comparisons (``==``, ``!=``, ``<``, ``in``...; chains
  evaluate all operands first), arithmetic (``abs(f(x) - 1.5) < 1e-6``) and unary ``-``/``+``/``~``
  are done by the harness on plain copies of the operands; ``is``/``is not`` stay identity tests;
- builtin names the tests do not bind themselves (``abs``, ``all``, ``len``, ``isinstance``...) and
  ``math.*``/``cmath.*`` attributes are compiled in as constants captured before the solution runs,
  so rebinding ``builtins.abs``, ``math.isclose`` or defining ``all`` in the solution changes nothing.

Plain data: ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``bytes`` and ``list``,
``tuple``, ``dict``, ``set``, ``frozenset`` of plain data (depth at most 64). Values of subclasses of
these (``IntEnum``, ``namedtuple``, ``Counter``, or a rigged ``int`` subclass) are copied to the base
type by the base type's own C methods (``int.__index__``, ``list.copy``, ``dict.items``...), so none of
their methods runs; anything else (``Fraction``, ``Decimal``, user classes) fails the test with status
``N``. The comparison is then Python's own on these exact builtin values, which runs no user code:
``1 == 1.0``, ``(1, 2) != [1, 2]``, ``0.1 + 0.2 != 0.3`` and ``nan != nan`` as in plain Python. The
checks are done here, not in the parent: they need the live values (ordering, ``in``, arithmetic),
and the plain copies are fresh builtin objects the solution never sees. The helpers are referenced
from the compiled tests as constants (not names the solution could rebind), have an empty globals
dict and keep what they use in default arguments, which the audit hook keeps unreadable/unwritable.

Job (JSON on stdin): ``{"nonce", "code", "mode": "asserts"|"function"|"program", "steps",
"entry_point", "limits": {"cpu_seconds", "memory_bytes", "output_bytes", "open_files"}}``.

Report (stdout): ``"<nonce> <statuses>\\n"`` then, for ``function`` and ``program``, one JSON line with
the outputs. The first status is the solution's: ``O`` loaded, ``S`` syntax error, ``L`` raised,
``M`` out of memory, ``T`` no such entry point, ``P`` privileges could not be dropped. Then one per
test: ``1`` passed, ``0`` assertion failed, ``N`` a checked value was not plain data, ``E`` raised,
``M`` out of memory. The audit hook is not a security boundary by itself (the parent adds a scrubbed
environment, a non-dumpable parent and OS limits); it keeps casual reward hacks, such as forging
this report, from working.
"""

from __future__ import annotations

import ast
import builtins
import cmath
import io
import json
import math
import operator
import os
import resource
import sys
import warnings
from importlib.machinery import EXTENSION_SUFFIXES

_BLOCKED_EVENTS = frozenset(
    {
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "os.startfile",
        "pty.spawn",
        "os.kill",
        "os.killpg",
        "signal.pthread_kill",
        "sys.settrace",
        "sys.setprofile",
        "sys.monitoring.register_callback",
        "sys.remote_exec",
    }
)
#: Raised as ValueError: the stdlib falls back gracefully (namedtuple, warnings, typing).
#: ``sys._getframemodulename`` stays allowed: it yields a module name, never a frame.
_INTROSPECTION = frozenset(
    {
        "sys._getframe",
        "sys._current_frames",
        "sys._current_exceptions",
        "object.__getattr__",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
    }
)
#: Never imported, under any dotted name or file name (as a module name component or file stem).
_BLOCKED_MODULES = frozenset(
    {
        "ctypes",
        "_ctypes",
        "_posixsubprocess",
        "_xxsubinterpreters",
        "_interpreters",
        "_xxinterpchannels",
        "_interpchannels",
        "_interpqueues",
        "_xxtestfuzz",
        "xxlimited",
        "xxlimited_35",
    }
)
_PATH_EVENTS = frozenset(
    {
        "os.mkdir",
        "os.rename",
        "os.remove",
        "os.rmdir",
        "os.truncate",
        "os.chmod",
        "os.chown",
        "os.utime",
        "os.symlink",
        "os.link",
        "os.chflags",
        "os.setxattr",
        "os.removexattr",
        "shutil.rmtree",
    }
)
_MODULE_TYPE = type(sys)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_REEXEC_FLAG = "--unprivileged"


def _set_limits(limits: dict) -> None:
    """Apply the resource limits (never above the current hard limits)."""
    cpu = int(limits["cpu_seconds"])
    wanted = {
        "RLIMIT_CPU": (cpu, cpu + 1),
        "RLIMIT_AS": (int(limits["memory_bytes"]),) * 2,
        "RLIMIT_FSIZE": (int(limits["output_bytes"]),) * 2,
        "RLIMIT_NOFILE": (int(limits["open_files"]),) * 2,
        "RLIMIT_NPROC": (0, 0),
        "RLIMIT_CORE": (0, 0),
    }
    for name, (soft, hard) in wanted.items():
        number = getattr(resource, name, None)
        if number is None:
            continue
        _, current = resource.getrlimit(number)
        if current != resource.RLIM_INFINITY:
            soft, hard = min(soft, current), min(hard, current)
        resource.setrlimit(number, (soft, hard))


def _unprivileged() -> bool:
    """Not root, or root with no capability left and no-new-privileges set (read from /proc)."""
    if os.geteuid() != 0:
        return True
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        capabilities = ("CapInh", "CapPrm", "CapEff", "CapAmb")
        empty = all(int(fields.get(name, "0").strip(), 16) == 0 for name in capabilities)
        return empty and fields.get("NoNewPrivs", "0").strip() == "1"
    except (OSError, ValueError):
        return False


def _drop_root() -> bool:
    """As root: set no-new-privileges and drop every capability. True when done.

    Uses ``ctypes``; the caller re-executes the child afterwards so ``_ctypes`` is not loaded in the
    process that runs user code.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return False
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        empty = (ctypes.c_uint32 * 6)()
        return libc.capset(header, empty) == 0
    except (ImportError, OSError, AttributeError):
        return False


def _extension_dirs() -> frozenset[str]:
    """Where the interpreter's own native modules live: ``lib-dynload`` on ``sys.path``, and the
    directories of extension modules already loaded."""
    found = {
        os.path.realpath(p) for p in sys.path if isinstance(p, str) and os.path.basename(p) == "lib-dynload"
    }
    for module in list(sys.modules.values()):
        origin = getattr(module, "__file__", None)
        if isinstance(origin, str) and origin.endswith(tuple(EXTENSION_SUFFIXES)):
            found.add(os.path.dirname(os.path.realpath(origin)))
    return frozenset(found)


def _blocked_module(name: str) -> bool:
    """A module name (or file stem) that is never loaded: see ``_BLOCKED_MODULES``, and ``_test*``."""
    return any(part in _BLOCKED_MODULES or part.startswith("_test") for part in name.split("."))


def _install_guard(workdir: str, protected: frozenset[int]) -> None:
    """Install the audit hook described in the module docstring. ``protected``: ids of the harness
    functions whose ``__code__``/``__defaults__`` may not be replaced."""
    realpath, fsdecode, fspath = os.path.realpath, os.fsdecode, os.fspath
    basename, dirname = os.path.basename, os.path.dirname
    str_copy, bytes_copy, kind_of, subclass = str.__str__, bytes.__bytes__, type, issubclass
    inside = workdir.rstrip("/") + "/"
    extension_dirs = _extension_dirs()
    blocked = _blocked_module

    def exact(path: object) -> object:
        """str/bytes subclasses as exact copies (their overridden methods must not answer for them)."""
        kind = kind_of(path)
        if subclass(kind, str):
            return str_copy(path)
        if subclass(kind, bytes):
            return bytes_copy(path)
        return path

    def resolve(path: object) -> str | None:
        if isinstance(path, int):
            return None
        try:
            return realpath(fsdecode(fspath(exact(path))))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    def outside(path: object) -> bool:
        resolved = resolve(path)
        return resolved is not None and resolved != workdir and not resolved.startswith(inside)

    def check_import(name: object, filename: object) -> None:
        name = exact(name)
        if kind_of(name) is not str or blocked(name):
            raise ImportError(f"sandbox: importing {name!r} is not allowed")
        if filename is None:
            return
        filename = exact(filename)
        resolved = resolve(filename) if kind_of(filename) in (str, bytes) else None
        if resolved is None or dirname(resolved) not in extension_dirs:
            raise ImportError(f"sandbox: loading native code from {filename!r} is not allowed")
        if blocked(basename(resolved).partition(".")[0]):
            raise ImportError(f"sandbox: loading {resolved} is not allowed")

    def guard(event: str, args: tuple) -> None:
        if event == "open":
            resolved = resolve(args[0])
            if resolved is not None and (resolved == "/proc" or resolved.startswith("/proc/")):
                raise PermissionError(f"sandbox: reading {resolved} is not allowed")
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            writing = bool(flags & _WRITE_FLAGS) or any(c in str(args[1] or "") for c in "wax+")
            if writing and outside(args[0]):
                raise PermissionError(f"sandbox: writing outside {workdir} is not allowed")
        elif event == "import":
            # ("name", None, sys.path, ...) for imports; ("name", "path/to/ext.so", None, ...) when an
            # extension module is about to be dlopen-ed (import statement, ExtensionFileLoader, _imp).
            check_import(args[0], args[1] if len(args) > 1 else None)
        elif event in _INTROSPECTION:
            raise ValueError(f"sandbox: {event} is not allowed")
        elif event in _BLOCKED_EVENTS or event.startswith(("socket.", "ctypes.")):
            raise PermissionError(f"sandbox: {event} is not allowed")
        elif event == "object.__setattr__" and id(args[0]) in protected:
            raise PermissionError("sandbox: the harness is read-only")
        elif event in _PATH_EVENTS and any(
            outside(a) for a in args if isinstance(a, (str, bytes, os.PathLike))
        ):
            raise PermissionError(f"sandbox: {event} outside {workdir} is not allowed")

    sys.addaudithook(guard)


def main() -> None:
    """Run one job; see the module docstring."""
    if not _unprivileged():
        if sys.argv[1:] != [_REEXEC_FLAG] and _drop_root():
            # stdin is still unread; the new interpreter inherits it and the dropped privileges.
            os.execv(
                sys.executable, [sys.executable, "-I", "-S", "-B", os.path.abspath(__file__), _REEXEC_FLAG]
            )
        job = json.loads(sys.stdin.buffer.read())
        os.write(1, job["nonce"].encode() + b" P\n")
        os._exit(0)
    job = json.loads(sys.stdin.buffer.read())
    _set_limits(job["limits"])
    os.close(0)
    null = os.open(os.devnull, os.O_RDWR)
    if null != 0:
        os.dup2(null, 0)
    report = os.dup(1)
    os.dup2(null, 1)
    os.dup2(null, 2)
    write, exit_now, to_bytes = os.write, os._exit, bytes
    tag = job["nonce"].encode() + b" "
    run = _RUNNERS[job["mode"]]
    builtins.exit = builtins.quit = sys.exit  # absent without the site module
    prepared = _prepare_steps(job) if job["mode"] == "asserts" else None
    _install_guard(os.path.realpath(os.getcwd()), _PROTECTED)
    # The harness module stays out of reach: user code gets fresh modules as __main__ / solution.
    sys.modules.pop("__main__", None)
    statuses, outputs = run(job, prepared)
    write(report, tag + to_bytes(statuses) + b"\n" + (outputs if outputs is not None else b""))
    exit_now(0)


# ---------------------------------------------------------------------------------------------------
# Assert rewriting (runs before any untrusted code) and the checks it compiles in.


class _NotPlain(AssertionError):
    """A value checked by a rewritten test is not plain data (status ``N``)."""


_UNSET = object()
_COMPARE_OPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot)
_COMPARE_FUNCS = (operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge)
_IN, _NOT_IN, _IS, _IS_NOT = 6, 7, 8, 9
_BINARY_OPS = (
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.MatMult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.LShift,
    ast.RShift,
    ast.BitOr,
    ast.BitXor,
    ast.BitAnd,
)
_BINARY_FUNCS = (
    operator.add,
    operator.sub,
    operator.mul,
    operator.matmul,
    operator.truediv,
    operator.floordiv,
    operator.mod,
    operator.pow,
    operator.lshift,
    operator.rshift,
    operator.or_,
    operator.xor,
    operator.and_,
)
_UNARY_OPS = (ast.USub, ast.UAdd, ast.Invert)
_UNARY_FUNCS = (operator.neg, operator.pos, operator.invert)
_FUNCTION_TYPE = type(_set_limits)


def _seal(function):
    """``function`` rebuilt with an empty globals dict (no builtins): it can only use its arguments,
    and a leaked reference would not lead to the harness module's globals."""
    return _FUNCTION_TYPE(function.__code__, {"__builtins__": {}}, function.__name__, function.__defaults__)


def _plain(
    value,
    plain,
    depth=0,
    type=type,
    issubclass=issubclass,
    int_copy=int.__index__,
    float_copy=float.__float__,
    complex_copy=complex.__complex__,
    str_copy=str.__str__,
    bytes_copy=bytes.__bytes__,
    list_copy=list.copy,
    tuple_slice=tuple.__getitem__,
    whole=slice(None),
    dict_items=dict.items,
    set_iter=set.__iter__,
    frozenset_iter=frozenset.__iter__,
    list=list,
    tuple=tuple,
    dict=dict,
    set=set,
    frozenset=frozenset,
    bool=bool,
    int=int,
    float=float,
    complex=complex,
    str=str,
    bytes=bytes,
    type_error=TypeError,
    not_plain=_NotPlain,
):
    """An exact-builtin copy of ``value`` when it is plain data (module docstring); raises
    :class:`_NotPlain` otherwise. Runs no method of ``value``: types are compared by identity and
    subclasses read through their base type's C methods."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is bytes or kind is complex:
        return value
    if depth > 64:
        raise not_plain("sandbox: value nested too deeply to compare")
    if issubclass(kind, str):
        return str_copy(value)
    if issubclass(kind, int):
        return int_copy(value)
    if issubclass(kind, float):
        return float_copy(value)
    if issubclass(kind, bytes):
        return bytes_copy(value)
    if issubclass(kind, complex):
        return complex_copy(value)
    depth = depth + 1
    if issubclass(kind, list) or issubclass(kind, tuple):
        items = list_copy(value) if issubclass(kind, list) else tuple_slice(value, whole)
        copied = []
        for item in items:
            copied.append(plain(item, plain, depth))
        return copied if issubclass(kind, list) else tuple(copied)
    try:
        if issubclass(kind, dict):
            mapping = {}
            for key, item in dict_items(value):
                mapping[plain(key, plain, depth)] = plain(item, plain, depth)
            return mapping
        if issubclass(kind, set) or issubclass(kind, frozenset):
            members = set()
            for item in set_iter(value) if issubclass(kind, set) else frozenset_iter(value):
                members.add(plain(item, plain, depth))
            return members if issubclass(kind, set) else frozenset(members)
    except type_error:  # a key or member whose plain copy is unhashable
        raise not_plain("sandbox: unhashable key in a set or dict") from None
    raise not_plain("sandbox: a checked value is not plain data")


_plain = _seal(_plain)


def _compare(codes, operands, plain=_plain, funcs=_COMPARE_FUNCS, contains=operator.contains, unset=_UNSET):
    """A comparison chain ``operands[0] codes[0] operands[1] ...`` on plain copies (``is`` links on
    the values themselves); True or False."""
    previous, previous_plain, index = operands[0], unset, 0
    for code in codes:
        index = index + 1
        current, current_plain = operands[index], unset
        if code == 8:  # _IS
            holds = previous is current
        elif code == 9:  # _IS_NOT
            holds = previous is not current
        else:
            if previous_plain is unset:
                previous_plain = plain(previous, plain)
            current_plain = plain(current, plain)
            if code == 6:  # _IN
                holds = contains(current_plain, previous_plain)
            elif code == 7:  # _NOT_IN
                holds = not contains(current_plain, previous_plain)
            else:
                holds = funcs[code](previous_plain, current_plain)
        if not holds:
            return False
        previous, previous_plain = current, current_plain
    return True


def _binary(code, left, right, plain=_plain, funcs=_BINARY_FUNCS):
    """``left <op> right`` on plain copies."""
    return funcs[code](plain(left, plain), plain(right, plain))


def _unary(code, operand, plain=_plain, funcs=_UNARY_FUNCS):
    """``<op> operand`` on a plain copy."""
    return funcs[code](plain(operand, plain))


def _truth(value, plain=_plain, bool=bool):
    """The truth of a plain copy of ``value``."""
    return bool(plain(value, plain))


_compare, _binary, _unary, _truth = _seal(_compare), _seal(_binary), _seal(_unary), _seal(_truth)
_PROTECTED = frozenset(id(f) for f in (_plain, _compare, _binary, _unary, _truth))
#: Builtins and module attributes as they are now, before any untrusted code.
_PRISTINE_BUILTINS = {name: value for name, value in vars(builtins).items() if not name.startswith("__")}
_PRISTINE_MODULES = {
    module.__name__: {name: value for name, value in vars(module).items() if not name.startswith("__")}
    for module in (math, cmath)
}


class _Rewriter(ast.NodeTransformer):
    """Rewrites one step (module docstring). ``constant(obj)`` makes a placeholder constant that is
    swapped for ``obj`` after compiling; ``strict``: checked operators everywhere (test steps)."""

    def __init__(self, constant, builtin_names: dict, modules: dict, strict: bool) -> None:
        self.constant, self.builtin_names, self.modules, self.strict = (
            constant,
            builtin_names,
            modules,
            strict,
        )
        self.asserts = 0

    def _checked(self) -> bool:
        return self.strict or self.asserts > 0

    def _call(self, helper, node: ast.AST, *args: ast.expr) -> ast.expr:
        return ast.copy_location(ast.Call(func=self.constant(helper), args=list(args), keywords=[]), node)

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if isinstance(node.ctx, ast.Load) and node.id in self.builtin_names:
            return ast.copy_location(self.constant(self.builtin_names[node.id]), node)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        owner = node.value
        if isinstance(node.ctx, ast.Load) and isinstance(owner, ast.Name) and owner.id in self.modules:
            attributes = self.modules[owner.id]
            if node.attr in attributes:
                return ast.copy_location(self.constant(attributes[node.attr]), node)
        return self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        node = self.generic_visit(node)
        if not self._checked():
            return node
        codes = tuple(_COMPARE_OPS.index(type(op)) for op in node.ops)
        operands = ast.Tuple(elts=[node.left, *node.comparators], ctx=ast.Load())
        return self._call(_compare, node, ast.Constant(codes), operands)

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        node = self.generic_visit(node)
        if not self._checked():
            return node
        code = ast.Constant(_BINARY_OPS.index(type(node.op)))
        return self._call(_binary, node, code, node.left, node.right)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        node = self.generic_visit(node)
        if not self._checked():
            return node
        if isinstance(node.op, ast.Not):
            return ast.copy_location(
                ast.UnaryOp(op=ast.Not(), operand=self._call(_truth, node, node.operand)), node
            )
        return self._call(_unary, node, ast.Constant(_UNARY_OPS.index(type(node.op))), node.operand)

    def visit_Assert(self, node: ast.Assert) -> ast.stmt:
        self.asserts += 1
        try:
            condition = self._condition(node.test)
        finally:
            self.asserts -= 1
        message = [self.visit(node.msg)] if node.msg is not None else []
        error = ast.Call(func=self.constant(AssertionError), args=message, keywords=[])
        fail = ast.Raise(exc=error, cause=None)
        return ast.copy_location(
            ast.If(test=ast.UnaryOp(op=ast.Not(), operand=condition), body=[fail], orelse=[]), node
        )

    def _condition(self, node: ast.expr) -> ast.expr:
        """A boolean context: ``and``/``or``/``not`` kept, comparisons checked, the rest ``_truth``."""
        if isinstance(node, ast.BoolOp):
            return ast.copy_location(
                ast.BoolOp(op=node.op, values=[self._condition(v) for v in node.values]), node
            )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=self._condition(node.operand)), node)
        visited = self.visit(node)
        return visited if isinstance(node, ast.Compare) else self._call(_truth, node, visited)


def _bindings(trees: list[ast.AST]) -> tuple[set[str], set[str]]:
    """Names the steps bind: (by anything but a plain ``import name``, by a plain ``import name``)."""
    other: set[str] = set()
    imported: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                other.add(node.id)
            elif isinstance(node, ast.arg):
                other.add(node.arg)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                other.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    plain = isinstance(node, ast.Import) and alias.asname is None
                    (imported if plain else other).add(alias.asname or alias.name.partition(".")[0])
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                other.update(node.names)
            elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
                other.add(node.name)
            elif isinstance(node, ast.MatchMapping) and node.rest:
                other.add(node.rest)
    return other, imported


def _substitute(code, table: dict):
    """``code`` (and nested code) with placeholder constants replaced by their objects."""

    def swap(value):
        if type(value) is str:
            return table.get(value, value)
        if type(value) is tuple:
            return tuple(swap(v) for v in value)
        if type(value) is frozenset:
            return frozenset(swap(v) for v in value)
        if isinstance(value, type(code)):
            return _substitute(value, table)
        return value

    return code.replace(co_consts=tuple(swap(c) for c in code.co_consts))


def _prepare_steps(job: dict) -> list:
    """``(is_test, code or None)`` per step: parsed, rewritten and compiled before the solution runs
    (None when a step does not compile; it then counts as raising)."""
    steps = [(step["kind"] == "test", step["source"]) for step in job["steps"]]
    trees: list[ast.Module | None] = []
    for _, source in steps:
        try:
            trees.append(ast.parse(source, "<test>"))
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            trees.append(None)
    other, imported = _bindings([tree for tree in trees if tree is not None])
    builtin_names = {
        name: value for name, value in _PRISTINE_BUILTINS.items() if name not in other | imported
    }
    modules = {name: attributes for name, attributes in _PRISTINE_MODULES.items() if name not in other}
    table: dict[str, object] = {}
    keys: dict[int, str] = {}
    prefix = f"\x00rft-sandbox:{job['nonce']}:"

    def constant(value: object) -> ast.Constant:
        key = keys.get(id(value))
        if key is None:
            key = keys[id(value)] = f"{prefix}{len(keys)}"
            table[key] = value
        return ast.Constant(key)

    prepared = []
    for (is_test, _), tree in zip(steps, trees, strict=True):
        code = None
        if tree is not None:
            try:
                tree = ast.fix_missing_locations(
                    _Rewriter(constant, builtin_names, modules, is_test).visit(tree)
                )
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # "'str' object is not callable": the placeholders
                    code = _substitute(compile(tree, "<test>", "exec"), table)
            except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
                code = None
        prepared.append((is_test, code))
    return prepared


# ---------------------------------------------------------------------------------------------------
# Everything below runs while (or after) untrusted code runs in this interpreter. The untrusted code
# can rebind builtins and module attributes, so each function binds what it uses as default
# arguments, evaluated once at definition time, before any untrusted code exists.


def _namespace(name: str, module_type=_MODULE_TYPE, modules=sys.modules, builtin_module=builtins) -> dict:
    """The globals of a fresh module registered as ``name`` (so pickle and dataclasses work)."""
    module = module_type(name)
    module.__builtins__ = builtin_module
    modules[name] = module
    return module.__dict__


def _compile(code: str, compile=compile, errors=(SyntaxError, ValueError, MemoryError, RecursionError)):
    """The compiled solution, or None when it does not compile."""
    try:
        return compile(code, "<solution>", "exec")
    except errors:
        return None


def _execute(
    compiled, namespace: dict, exec=exec, exit_type=SystemExit, memory=MemoryError, base=BaseException
):
    """Run compiled code: status ``O`` (ran; ``sys.exit(0)`` included), ``M`` (memory) or ``L`` (raised)."""
    try:
        exec(compiled, namespace)
    except exit_type as exiting:
        return b"O" if exiting.code in (None, 0) else b"L"
    except memory:
        return b"M"
    except base:
        return b"L"
    return b"O"


def _outcome(
    error,
    none=None,
    not_plain=_NotPlain,
    failed=AssertionError,
    memory=MemoryError,
    type=type,
    sub=issubclass,
) -> int:
    """The status byte of one test (by the error's real type: no method of it runs)."""
    if error is none:
        return 49  # "1"
    kind = type(error)
    if sub(kind, not_plain):
        return 78  # "N"
    if sub(kind, failed):
        return 48  # "0"
    return 77 if sub(kind, memory) else 69  # "M" / "E"


def _run_asserts(job: dict, prepared: list, exec=exec, base=BaseException, bytearray=bytearray, none=None):
    """Steps ``{"kind": "setup"|"test", "source"}``, prepared by :func:`_prepare_steps`, run in order in
    the solution's namespace."""
    compiled = _compile(job["code"])
    count = sum(1 for is_test, _ in prepared if is_test)
    namespace = _namespace("solution")
    status = b"S" if compiled is None else _execute(compiled, namespace)
    statuses = bytearray(status)
    if status != b"O":
        statuses.extend(b"E" * count)
        return statuses, None
    for is_test, code in prepared:
        error = None
        try:
            if code is none:
                raise SyntaxError("the test does not compile")
            exec(code, namespace)
        except base as raised:
            error = raised
        if is_test:
            statuses.append(_outcome(error))
    return statuses, None


def _run_function(
    job: dict, _prepared=None, base=BaseException, memory=MemoryError, dumps=json.dumps, list_type=list
):
    """Call ``entry_point`` once per input (a list is spread as positional arguments).

    Outputs are JSON-encoded here and compared with the expected ones by the parent, which never
    sends them: a result object with a rigged ``__eq__`` cannot pass.
    """
    compiled = _compile(job["code"])
    namespace = _namespace("solution")
    status = b"S" if compiled is None else _execute(compiled, namespace)
    function = namespace.get(job["entry_point"])
    if status == b"O" and not callable(function):
        status = b"T"
    statuses = bytearray(status)
    outputs: list = []
    for arguments in job["steps"] if status == b"O" else ():
        try:
            result = function(*arguments) if type(arguments) is list_type else function(arguments)
            outputs.append(dumps(result))
            statuses.append(49)
        except base as raised:
            outputs.append(None)
            statuses.append(77 if isinstance(raised, memory) else 69)
    if status != b"O":
        statuses.extend(b"E" * len(job["steps"]))
    return statuses, dumps(outputs).encode() + b"\n"


def _run_program(job: dict, _prepared=None, wrapper=io.TextIOWrapper, buffer=io.BytesIO, dumps=json.dumps):
    """Run the solution as ``__main__`` once per stdin text, capturing what it prints (stdout closed
    by the program counts as no output)."""
    compiled = _compile(job["code"])
    statuses = bytearray(b"S" if compiled is None else b"O")
    outputs: list = []
    for stdin_text in job["steps"] if compiled is not None else ():
        captured = buffer()
        sys.stdin = wrapper(buffer(stdin_text.encode()), encoding="utf-8")
        sys.stdout = wrapper(captured, encoding="utf-8", write_through=True)
        status = _execute(compiled, _namespace("__main__"))
        try:
            printed = captured.getvalue()[:100_000].decode("utf-8", "replace")
        except ValueError:
            printed = ""
        outputs.append(printed)
        statuses.append(49 if status == b"O" else 77 if status == b"M" else 69)
    if compiled is None:
        statuses.extend(b"E" * len(job["steps"]))
    return statuses, dumps(outputs).encode() + b"\n"


_RUNNERS = {"asserts": _run_asserts, "function": _run_function, "program": _run_program}

if __name__ == "__main__":
    main()
