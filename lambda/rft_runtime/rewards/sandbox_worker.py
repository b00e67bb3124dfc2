"""The untrusted side of the code sandbox: load model code, run the calls it is asked for, report values.

Started by :mod:`rft_runtime.rewards.sandbox` as ``python -I -S -B sandbox_worker.py`` with a scrubbed
environment, in its own process group and a fresh work directory; never imported by the runtime.
Nothing here decides a score: the process receives the model's code and plain arguments, never a
test, an expected value or a comparison, and everything it writes is read by the trusted side as
plain data (:mod:`.sandbox_wire`) and nothing else. So rewriting this harness from inside (its
globals, its report, its frames) can only change the values it reports, which the model's functions
could have returned anyway.

Stage 1 (before any model code exists): as root, drop to uid/gid 65534 (``nobody``) when the
interpreter is readable by any user, else drop every capability (root without capabilities still
owns root's files: see the README's safety notes); install the
seccomp filter of :mod:`.sandbox_seccomp` (no network, no signals, no new processes, no leaving the
process group, no ptrace); re-execute itself, so the process that runs model code never had
``ctypes`` loaded. Stage 2 refuses to run (report ``{"load": "P"}``) unless the filter is active and
no capability is left. Then: resource limits (CPU seconds, address space, file size = the output bound,
open files, no processes, no cores), the job read from stdin and stdin closed, fds 1/2 pointed at
``/dev/null`` (the report goes to a private duplicate), ``os.pidfd_open`` and
``signal.pidfd_send_signal`` removed, and an audit hook whose configuration lives in a closure that
no module global reaches. The hook is defence in depth only (the kernel filter is the boundary for
network and signals): it refuses sockets, processes, ``exec``, signals, ``ctypes``, frame and
object-graph introspection, ``code.__new__``, reads under ``/proc``, listing ``/proc`` or a
directory descriptor, opening any directory (no ``dir_fd`` base to escape from: the kernel reads
that base, this hook never sees it; ``open(folder, mode, opener=...)`` inside the work directory,
as ``tempfile.NamedTemporaryFile`` does, makes no descriptor but the opener's, which is checked),
writing, creating, removing or linking anything but a path
strictly below the work directory, named without ``..`` (so neither a changed working directory
nor a moved relative link can carry it out), changing to a directory outside it, and native
extensions other than the interpreter's own.

Job (JSON on stdin): ``{"code", "mode": "calls"|"program", "calls", "inputs", "limits":
{"cpu_seconds", "memory_bytes", "output_bytes", "open_files"}}``. ``calls``: ``{"name", "args",
"kwargs"}`` (a global of the code) or ``{"on": n, "attr", "args", "kwargs"}`` (a method of the object
call ``n`` returned); arguments are encoded plain values, where ``{"$ref": n}`` is call ``n``'s
object. ``inputs``: stdin texts, the code run as ``__main__`` once per text.

Report (one JSON line): ``{"load": status, "results": [...]}``; ``load``: ``O`` loaded, ``S`` syntax
error, ``L`` raised, ``M`` out of memory, ``P`` the sandbox could not be set up. One result per call
or input: ``{"v": value}`` (encoded plain value; printed text in program mode), ``{"ref": 1}`` (an
object kept for later calls), or ``{"error": "E"}`` raised, ``"M"`` out of memory, ``"O"`` the value
is larger than the output bound, ``"U"`` no such name.
"""

from __future__ import annotations

import builtins
import importlib.util
import io
import json
import os
import resource
import signal
import sys
from importlib.machinery import EXTENSION_SUFFIXES

_STAGE_TWO = "--run"
_NOBODY = 65534
_HERE = os.path.dirname(os.path.abspath(__file__))


def _load_sibling(name: str):
    """A stdlib-only sibling module of this file, loaded by path (no package on ``sys.path``)."""
    spec = importlib.util.spec_from_file_location(f"rft_sandbox_{name}", os.path.join(_HERE, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stage_one() -> None:
    """Drop root, install the kernel filter, re-execute into stage two (or report ``P``)."""
    kernel = _load_sibling("sandbox_seccomp")
    if os.geteuid() == 0:
        if kernel.reachable_by_others(*kernel.interpreter_paths(), _HERE, os.getcwd()):
            try:
                os.setgroups([])
                os.setresgid(_NOBODY, _NOBODY, _NOBODY)
                os.setresuid(_NOBODY, _NOBODY, _NOBODY)
            except OSError:
                _refuse()
        elif not kernel.drop_capabilities():
            _refuse()
    if kernel.install():
        # stdin is still unread; the new interpreter inherits it, the uid and the filter.
        os.execv(sys.executable, [sys.executable, "-I", "-S", "-B", os.path.abspath(__file__), _STAGE_TWO])
    _refuse()


def _refuse() -> None:
    os.write(1, b'{"load":"P","results":[]}\n')
    os._exit(0)


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


def _make_guard(workdir: str):
    """The audit hook (module docstring). Every setting is a local of this call: the returned hook
    is handed to ``sys.addaudithook`` and kept nowhere else, so model code cannot reach its cells."""
    blocked_events = frozenset(
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
            "code.__new__",
            "sys.addaudithook",
            "os.setns",
            "os.unshare",
        }
    )
    introspection = frozenset(
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
    blocked_modules = frozenset(
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
    path_events = frozenset(
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
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    realpath, fsdecode, fspath, isdir = os.path.realpath, os.fsdecode, os.fspath, os.path.isdir
    basename, dirname = os.path.basename, os.path.dirname
    str_copy, bytes_copy, kind_of, subclass, is_int, is_str = (
        str.__str__,
        bytes.__bytes__,
        type,
        issubclass,
        int,
        str,
    )
    inside = workdir.rstrip("/") + "/"
    extension_dirs = _extension_dirs()

    def blocked(name: str) -> bool:
        return any(part in blocked_modules or part.startswith("_test") for part in name.split("."))

    def exact(path: object) -> object:
        """str/bytes subclasses as exact copies (their overridden methods must not answer for them)."""
        kind = kind_of(path)
        if subclass(kind, str):
            return str_copy(path)
        if subclass(kind, bytes):
            return bytes_copy(path)
        return path

    def resolve(path: object) -> str | None:
        if isinstance(path, is_int):
            return None
        try:
            return realpath(fsdecode(fspath(exact(path))))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    def is_inside(resolved: str) -> bool:
        return resolved == workdir or resolved.startswith(inside)

    def climbs(path: object) -> bool:
        """Whether ``path`` names a parent (``..``): read against another base than the one checked
        here (a changed working directory, a moved symbolic link), it can lead out of the work
        directory, so nothing written, linked or entered may be named that way."""
        try:
            return ".." in fsdecode(fspath(exact(path))).split("/")  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return True

    def may_change(path: object) -> bool:
        """Whether model code may write, create, remove or link ``path``: strictly below the work
        directory (not the directory itself) and not climbing."""
        resolved = resolve(path)
        return resolved is not None and resolved.startswith(inside) and not climbs(path)

    def may_enter(path: object) -> bool:
        """Whether model code may make ``path`` its working directory (the work directory or below)."""
        resolved = resolve(path)
        return resolved is not None and is_inside(resolved) and not climbs(path)

    def under_proc(resolved: str | None) -> bool:
        return resolved is not None and (resolved == "/proc" or resolved.startswith("/proc/"))

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

    def check_open(args: tuple) -> None:
        resolved = resolve(args[0])
        if under_proc(resolved):
            raise PermissionError(f"sandbox: reading {resolved} is not allowed")
        named_with_mode = len(args) > 1 and kind_of(args[1]) is is_str  # io.open / FileIO, not os.open
        if named_with_mode and resolved is not None and is_inside(resolved) and isdir(resolved):
            # open(directory, mode[, opener]): no descriptor comes of it but the opener's, whose own
            # os.open is checked (tempfile.NamedTemporaryFile opens its folder this way); without an
            # opener it fails (IsADirectoryError)
            return
        flags = args[2] if len(args) > 2 and isinstance(args[2], is_int) else 0
        writing = bool(flags & write_flags) or any(c in str(args[1] or "") for c in "wax+")
        if writing and not isinstance(args[0], is_int) and not may_change(args[0]):
            raise PermissionError(f"sandbox: writing outside {workdir} (or through '..') is not allowed")
        if resolved is not None and isdir(resolved):
            # no directory descriptor at all: a dir_fd base is read by the kernel, never by this hook
            raise PermissionError(f"sandbox: opening the directory {resolved} is not allowed")

    def guard(event: str, args: tuple) -> None:
        if event == "open":
            check_open(args)
        elif event == "import":
            # ("name", None, sys.path, ...) for imports; ("name", "path/to/ext.so", None, ...) when an
            # extension module is about to be dlopen-ed (import statement, ExtensionFileLoader, _imp).
            check_import(args[0], args[1] if len(args) > 1 else None)
        elif event in introspection:
            raise ValueError(f"sandbox: {event} is not allowed")
        elif event in blocked_events or event.startswith(("socket.", "ctypes.")):
            raise PermissionError(f"sandbox: {event} is not allowed")
        elif (
            event in ("os.listdir", "os.scandir", "os.fwalk")
            and args
            and (isinstance(args[0], is_int) or under_proc(resolve(args[0])))
        ):
            raise PermissionError(f"sandbox: listing {args[0]!r} is not allowed")
        elif event in path_events and not all(
            may_change(a) for a in args if isinstance(a, (str, bytes, os.PathLike))
        ):
            raise PermissionError(f"sandbox: {event} outside {workdir} (or through '..') is not allowed")
        elif event == "os.chdir" and not (args and may_enter(args[0])):
            raise PermissionError(f"sandbox: leaving {workdir} is not allowed")

    return guard


def _remove_pidfd() -> None:
    """Take the pidfd functions away (no audit event guards them; the kernel filter refuses them too)."""
    posix = sys.modules.get("posix")
    for module, name in ((os, "pidfd_open"), (posix, "pidfd_open"), (signal, "pidfd_send_signal")):
        if module is not None and hasattr(module, name):
            delattr(module, name)


def main() -> None:
    """Run one job; see the module docstring."""
    if sys.argv[1:] != [_STAGE_TWO]:
        _stage_one()
    if not _load_sibling("sandbox_seccomp").active():
        _refuse()
    wire = _load_sibling("sandbox_wire")
    job = json.loads(sys.stdin.buffer.read())
    _set_limits(job["limits"])
    os.close(0)
    null = os.open(os.devnull, os.O_RDWR)
    if null != 0:
        os.dup2(null, 0)
    report = os.dup(1)
    os.dup2(null, 1)
    os.dup2(null, 2)
    builtins.exit = builtins.quit = sys.exit  # absent without the site module
    _remove_pidfd()
    sys.addaudithook(_make_guard(os.path.realpath(os.getcwd())))
    sys.modules.pop("__main__", None)
    if job["mode"] == "program":
        load, results = _run_program(job["code"], job["inputs"])
    else:
        load, results = _run_calls(job["code"], job["calls"], wire, int(job["limits"]["output_bytes"]))
    os.write(report, json.dumps({"load": load, "results": results}).encode() + b"\n")
    os._exit(0)


def _namespace(name: str) -> dict:
    """The globals of a fresh module registered as ``name`` (so pickle and dataclasses work)."""
    module = type(sys)(name)
    module.__builtins__ = builtins
    sys.modules[name] = module
    return module.__dict__


def _execute(code: str, namespace: dict) -> str:
    """Compile and run ``code``: ``O`` (ran; ``sys.exit(0)`` included), ``S``, ``M`` or ``L``."""
    try:
        compiled = compile(code, "<solution>", "exec")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return "S"
    try:
        exec(compiled, namespace)
    except SystemExit as exiting:
        return "O" if exiting.code in (None, 0) else "L"
    except MemoryError:
        return "M"
    except BaseException:
        return "L"
    return "O"


def _error(raised: BaseException) -> dict:
    return {"error": "M" if isinstance(raised, MemoryError) else "E"}


def _run_calls(code: str, calls: list, wire, output_bytes: int) -> tuple[str, list]:
    """Load the code as module ``solution`` and run each call in order (module docstring)."""
    namespace = _namespace("solution")
    load = _execute(code, namespace)
    if load != "O":
        return load, []
    kept: dict[int, object] = {}
    results: list[dict] = []

    def resolve(value):
        if isinstance(value, wire.Ref):
            return kept[value.call]
        if isinstance(value, (list, tuple)):
            return type(value)(resolve(item) for item in value)
        if isinstance(value, dict):
            return {key: resolve(item) for key, item in value.items()}
        return value

    for index, call in enumerate(calls):
        try:
            if "name" in call:
                if call["name"] not in namespace:
                    results.append({"error": "U"})
                    continue
                target = namespace[call["name"]]
            else:
                target = getattr(kept[call["on"]], call["attr"])
            args = resolve(wire.decode(call["args"]))
            kwargs = resolve(wire.decode(call["kwargs"]))
            value = target(*args, **kwargs)
        except BaseException as raised:
            results.append(_error(raised))
            continue
        try:
            encoded = wire.encode(value)
            size = len(json.dumps(encoded))
            results.append({"v": encoded} if size <= output_bytes else {"error": "O"})
        except wire.WireError:
            kept[index] = value
            results.append({"ref": 1})
        except BaseException as raised:
            results.append(_error(raised))
    return load, results


def _run_program(code: str, inputs: list) -> tuple[str, list]:
    """Run the code as ``__main__`` once per stdin text, capturing what it prints."""
    load = "O"
    results: list[dict] = []
    for stdin_text in inputs:
        captured = io.BytesIO()
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin_text.encode()), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(captured, encoding="utf-8", write_through=True)
        status = _execute(code, _namespace("__main__"))
        if status == "S":
            return "S", []
        try:
            printed = captured.getvalue()[:100_000].decode("utf-8", "replace")
        except ValueError:
            printed = ""
        results.append({"v": printed} if status == "O" else {"error": "M" if status == "M" else "E"})
    return load, results


if __name__ == "__main__":
    main()
