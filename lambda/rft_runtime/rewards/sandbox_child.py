"""Child side of the code sandbox: run untrusted Python against tests, report through a private channel.

Started by :mod:`rft_runtime.rewards.sandbox` as ``python -I -S -B sandbox_child.py`` with a scrubbed
environment, in its own process group and a fresh temporary directory. The runtime never imports it.

Before any untrusted code runs, in this order:

1. resource limits: CPU seconds, address space, file size, open files, no new processes, no cores;
2. the job is read from stdin and stdin is closed (it is an unnamed file: nothing to reopen);
3. when running as root (containers, CI): all capabilities are dropped and no-new-privileges set,
   so root cannot read other processes' memory or environment either;
4. stdout is kept on a private descriptor and fds 1 and 2 are pointed at ``/dev/null``;
5. an audit hook blocks sockets, new processes and signals to others, ``ctypes``, frame and
   object-graph introspection (``sys._getframe``, ``tb_frame``, ``gc.get_objects``, tracing), reads
   under ``/proc`` and writes outside the working directory.

Job (JSON on stdin): ``{"nonce", "code", "mode": "asserts"|"function"|"program", "steps",
"entry_point", "limits": {"cpu_seconds", "memory_bytes", "output_bytes", "open_files"}}``.

Report (stdout): ``"<nonce> <statuses>\\n"`` then, for ``function`` and ``program``, one JSON line with
the outputs. The first status is the solution's: ``O`` loaded, ``S`` syntax error, ``L`` raised,
``M`` out of memory, ``T`` no such entry point, ``P`` privileges could not be dropped. Then one per
test: ``1`` passed, ``0`` assertion failed, ``E`` raised, ``M`` out of memory. The audit hook is not a
security boundary by itself (the parent adds a scrubbed environment, a non-dumpable parent and OS
limits); it keeps casual reward hacks, such as forging this report, from working.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import resource
import sys

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
_BLOCKED_MODULES = frozenset({"ctypes", "_ctypes", "_posixsubprocess", "_xxsubinterpreters", "_interpreters"})
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
_PATH_TYPES = (str, bytes, os.PathLike)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


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


def _drop_root() -> bool:
    """As root: set no-new-privileges and drop every capability. True when done (or not root)."""
    if os.geteuid() != 0:
        return True
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        empty = (ctypes.c_uint32 * 6)()
        return libc.capset(header, empty) == 0
    finally:
        for name in [n for n in sys.modules if n == "_ctypes" or n == "ctypes" or n.startswith("ctypes.")]:
            del sys.modules[name]


def _install_guard(workdir: str) -> None:
    """Install the audit hook described in the module docstring."""
    realpath, fsdecode, fspath = os.path.realpath, os.fsdecode, os.fspath
    inside = workdir.rstrip("/") + "/"

    def resolve(path: object) -> str | None:
        if isinstance(path, int):
            return None
        try:
            return realpath(fsdecode(fspath(path)))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    def outside(path: object) -> bool:
        resolved = resolve(path)
        return resolved is not None and resolved != workdir and not resolved.startswith(inside)

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
            if args[0].partition(".")[0] in _BLOCKED_MODULES:
                raise ImportError(f"sandbox: importing {args[0]} is not allowed")
        elif event in _INTROSPECTION:
            raise ValueError(f"sandbox: {event} is not allowed")
        elif event in _BLOCKED_EVENTS or event.startswith(("socket.", "ctypes.")):
            raise PermissionError(f"sandbox: {event} is not allowed")
        elif event in _PATH_EVENTS and any(
            outside(a) for a in args if isinstance(a, (str, bytes, os.PathLike))
        ):
            raise PermissionError(f"sandbox: {event} outside {workdir} is not allowed")

    sys.addaudithook(guard)


def main() -> None:
    """Run one job; see the module docstring."""
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
    if not _drop_root():
        write(report, tag + b"P\n")
        exit_now(0)
    run = _RUNNERS[job["mode"]]
    builtins.exit = builtins.quit = sys.exit  # absent without the site module
    _install_guard(os.path.realpath(os.getcwd()))
    # The harness module stays out of reach: user code gets fresh modules as __main__ / solution.
    sys.modules.pop("__main__", None)
    statuses, outputs = run(job)
    write(report, tag + to_bytes(statuses) + b"\n" + (outputs if outputs is not None else b""))
    exit_now(0)


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


def _outcome(error, none=None, failed=AssertionError, memory=MemoryError, isinstance=isinstance) -> int:
    """The status byte of one test."""
    if error is none:
        return 49  # "1"
    if isinstance(error, failed):
        return 48  # "0"
    return 77 if isinstance(error, memory) else 69  # "M" / "E"


def _run_asserts(job: dict, compile=compile, exec=exec, base=BaseException, bytearray=bytearray):
    """Steps ``{"kind": "setup"|"test", "source"}`` run in order in the solution's namespace."""
    compiled = _compile(job["code"])
    steps = [(step["kind"] == "test", step["source"]) for step in job["steps"]]
    count = sum(1 for is_test, _ in steps if is_test)
    namespace = _namespace("solution")
    status = b"S" if compiled is None else _execute(compiled, namespace)
    statuses = bytearray(status)
    if status != b"O":
        statuses.extend(b"E" * count)
        return statuses, None
    for is_test, source in steps:
        error = None
        try:
            exec(compile(source, "<test>", "exec"), namespace)
        except base as raised:
            error = raised
        if is_test:
            statuses.append(_outcome(error))
    return statuses, None


def _run_function(
    job: dict, base=BaseException, memory=MemoryError, dumps=json.dumps, callable=callable, list_type=list
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


def _run_program(job: dict, wrapper=io.TextIOWrapper, buffer=io.BytesIO, dumps=json.dumps):
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
