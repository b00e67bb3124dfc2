"""Trusted side of the code sandbox: start the worker that runs model code, bound it, read its values.

Local grading (``rft grade``, ``check-grader``) runs model code this way on the grading machine; in
the stack, the runner function does (:mod:`rft_runtime.runner`). Either way the worker
(:mod:`.sandbox_worker`) only ever returns plain values; tests and verdicts stay on this side.

Isolation, this side:

- **Scrubbed environment.** The worker gets only ``PATH``, ``LANG``, ``HOME`` and ``TMPDIR``; no
  ``AWS_*`` variable.
- **Non-dumpable parent.** Before spawning, ``prctl(PR_SET_DUMPABLE, 0)``: this process's
  ``/proc/<pid>/environ`` and memory are then readable only with ``CAP_SYS_PTRACE``, which the worker
  never has. When that fails while credentials are in the environment, no code is run.
- **Own process group, wall-clock timeout.** ``SIGKILL`` goes to the whole group when time is up;
  the worker cannot leave the group (kernel filter).
- **Fresh work directory** (deleted afterwards with :func:`remove_tree`, whatever the code did to
  its permissions or depth; owned by uid 65534 when this side runs as root, as the worker then
  drops to that uid); stdin/stdout are unnamed temporary files, so nothing the
  worker writes grows this process's memory beyond ``output_bytes``; more than that is the
  ``output-limit`` tag.
- **Isolated interpreter**: ``python -I -S -B``.

This is not a security boundary on a developer machine: the worker runs as the same user as the
grader (or ``nobody`` under root) and can read what that user can read. The kernel filter stops it
from sending anything anywhere or signalling any process; grade untrusted code locally only in a
throwaway container or VM.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from rft_runtime.rewards import sandbox_seccomp, sandbox_wire

WORKER = Path(__file__).with_name("sandbox_worker.py")
JUDGE = Path(__file__).with_name("sandbox_judge.py")
_PR_SET_DUMPABLE = 4
_NOBODY = 65534
#: Environment variables that hold credentials (Lambda sets the first two).
CREDENTIAL_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN")
#: What local grading prints once: running model code here is not isolated from this machine.
LOCAL_WARNING = (
    "note: code_tests runs model code on this machine; local grading is not a security boundary "
    "(no network or signals, but files readable by this user are readable); grade untrusted code "
    "in a throwaway container"
)


class Limits(NamedTuple):
    """Resource limits of one run (defaults in parentheses)."""

    wall_seconds: float = 10.0
    cpu_seconds: int = 5
    memory_mb: int = 512
    output_bytes: int = 1 << 20
    open_files: int = 64


class Completed(NamedTuple):
    """How a child process ended: ``returncode`` (negative: killed by that signal), ``timed_out``
    (we killed it), its bounded ``stdout`` (``overflowed``: it wrote more than the bound), the tail of
    its ``stderr``, and ``seconds`` taken."""

    returncode: int
    timed_out: bool
    stdout: bytes
    stderr: bytes
    seconds: float
    overflowed: bool = False


class Run(NamedTuple):
    """What the worker reported: ``error`` tag (None when it ran), ``load`` status letter, and one
    result per call or input: ``{"v": plain value}``, ``{"ref": 1}`` or ``{"error": letter}``."""

    error: str | None
    load: str
    results: list[dict]


def call(name: str, *args: Any, **kwargs: Any) -> dict:
    """A call of the code's global ``name`` for a job (arguments must be plain data)."""
    return {"name": name, "args": sandbox_wire.encode(list(args)), "kwargs": sandbox_wire.encode(kwargs)}


def protect_parent() -> bool:
    """Make this process non-dumpable (see module docstring). True when it worked (Linux only)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def child_environment(workdir: str) -> dict[str, str]:
    """The whole environment a child gets: nothing inherited from the parent."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": workdir, "TMPDIR": workdir}


def spawn(argv: Sequence[str], *, stdin: bytes, limits: Limits, workdir: str) -> Completed:
    """Run ``argv`` in ``workdir`` with a scrubbed environment in its own process group.

    The group is killed with SIGKILL after ``limits.wall_seconds`` (and once more on exit, for any
    stray member). At most ``limits.output_bytes`` of stdout and 4 KB of stderr are read back.
    """
    started = time.monotonic()
    with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        given.write(stdin)
        given.seek(0)
        process = subprocess.Popen(
            list(argv),
            stdin=given,
            stdout=out,
            stderr=err,
            cwd=workdir,
            env=child_environment(workdir),
            close_fds=True,
            process_group=0,
        )
        timed_out = False
        try:
            process.wait(timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(process.pid)
            process.wait()
        written = out.seek(0, os.SEEK_END)
        out.seek(0)
        stdout = out.read(limits.output_bytes)
        err.seek(max(0, err.seek(0, os.SEEK_END) - 4096))
        stderr = err.read()
    return Completed(
        process.returncode,
        timed_out,
        stdout,
        stderr,
        time.monotonic() - started,
        written > limits.output_bytes,
    )


def _kill_group(group: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)


def _signal_tag(returncode: int) -> str:
    """The error tag for a child killed by a signal."""
    tags = {
        getattr(signal, "SIGXCPU", None): "cpu-limit",
        getattr(signal, "SIGXFSZ", None): "output-limit",
        signal.SIGKILL: "killed",
        signal.SIGSEGV: "crash",
    }
    return tags.get(-returncode, "crash")


def run_code(
    code: str,
    *,
    calls: Sequence[Mapping[str, Any]] = (),
    inputs: Sequence[str] | None = None,
    limits: Limits | None = None,
) -> Run:
    """Run ``code`` in a fresh worker: each of ``calls`` in order (see :func:`call`), or, with
    ``inputs``, the code as a program once per stdin text. Never raises for anything the code does.

    Error tags: ``timeout``, ``cpu-limit``, ``output-limit``, ``killed``, ``crash`` (no readable
    report), ``sandbox-error`` (the kernel filter or the privilege drop could not be set up, or this
    process holds AWS credentials and cannot be made non-dumpable: the code is then not run).
    """
    limits = limits or Limits()
    if not protect_parent() and any(name in os.environ for name in CREDENTIAL_VARIABLES):
        return Run("sandbox-error", "", [])
    job = {
        "code": code,
        "mode": "calls" if inputs is None else "program",
        "calls": list(calls),
        "inputs": list(inputs or ()),
        "limits": {
            "cpu_seconds": limits.cpu_seconds,
            "memory_bytes": limits.memory_mb << 20,
            "output_bytes": limits.output_bytes,
            "open_files": limits.open_files,
        },
    }
    workdir = os.path.realpath(tempfile.mkdtemp(prefix="rft-sandbox-"))
    try:
        if os.geteuid() == 0 and sandbox_seccomp.reachable_by_others(
            *sandbox_seccomp.interpreter_paths(), str(WORKER.parent), workdir
        ):
            os.chown(workdir, _NOBODY, _NOBODY)  # the worker drops to nobody (see sandbox_worker)
        argv = [sys.executable, "-I", "-S", "-B", str(WORKER)]
        completed = spawn(argv, stdin=sandbox_wire.dumps(job), limits=limits, workdir=workdir)
    finally:
        remove_tree(workdir)
    return parse_run(completed, limits.output_bytes)


_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def remove_tree(path: str, *, keep_top: bool = False) -> None:
    """Delete ``path`` and everything under it (only its contents with ``keep_top``), after the
    process that wrote there has ended. Model code can make ``shutil.rmtree`` leave files behind for
    the next sample: directories it ``chmod``-ed to 0 (same owner, no root to override), or a tree
    deeper than the recursion limit (Python 3.11). So: one directory descriptor open at a time (any
    depth), each directory listed once (a wide tree costs linear time), each subdirectory given back
    to its owner (mode 700) before it is read, symbolic links
    removed and never followed. Never raises; what cannot be removed (another user's file) stays."""
    try:
        if not keep_top and not stat.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)
            return
        if not keep_top:
            os.chmod(path, stat.S_IRWXU)
        current = os.open(path, _DIRECTORY)
    except OSError:
        return
    names: list[str] = []  # the path from ``path`` down to ``current``
    pending: list[list[str]] = []  # per level: subdirectories not yet removed (each listed once)
    try:
        pending.append(_clear_files(current))
        while True:
            child = _enter_next_subdirectory(current, pending[-1])
            if child is not None:
                os.close(current)  # the way back up is "..": only one descriptor stays open
                current, name = child
                names.append(name)
                pending.append(_clear_files(current))
                continue
            if not names:
                break
            parent = os.open("..", _DIRECTORY, dir_fd=current)
            os.close(current)
            current = parent
            pending.pop()
            with contextlib.suppress(OSError):  # what is left in it (another user's file) stays
                os.rmdir(names.pop(), dir_fd=current)
    except OSError:
        return
    finally:
        with contextlib.suppress(OSError):
            os.close(current)
    if not keep_top:
        with contextlib.suppress(OSError):
            os.rmdir(path)


def _clear_files(directory: int) -> list[str]:
    """Unlink every non-directory in ``directory`` (symbolic links included, never followed); the
    names of its subdirectories, in the reverse of the order they are to be entered."""
    with os.scandir(directory) as entries:
        names = [entry.name for entry in entries]
    subdirectories = []
    for name in names:
        try:
            if stat.S_ISDIR(os.stat(name, dir_fd=directory, follow_symlinks=False).st_mode):
                subdirectories.append(name)
            else:
                os.unlink(name, dir_fd=directory)
        except OSError:
            continue
    return subdirectories


def _enter_next_subdirectory(directory: int, subdirectories: list[str]) -> tuple[int, str] | None:
    """Open (mode 700 first) the next of ``subdirectories`` of ``directory`` that can be opened, taking
    it off the list: its descriptor and name, or None when none is left."""
    while subdirectories:
        name = subdirectories.pop()
        try:
            status = os.stat(name, dir_fd=directory, follow_symlinks=False)
            if not stat.S_ISDIR(status.st_mode):
                continue
            os.chmod(name, stat.S_IRWXU, dir_fd=directory)  # a directory (lstat), whose writer has ended
            return os.open(name, _DIRECTORY, dir_fd=directory), name
        except OSError:
            continue
    return None


def parse_run(completed: Completed, max_bytes: int) -> Run:
    """The worker's report: its one JSON line, checked for shape (anything else is ``crash``)."""
    if completed.timed_out:
        return Run("timeout", "", [])
    if completed.overflowed:
        return Run("output-limit", "", [])
    if completed.returncode < 0:
        return Run(_signal_tag(completed.returncode), "", [])
    try:
        report = sandbox_wire.loads(completed.stdout.strip(), max_bytes)
    except sandbox_wire.WireError:
        # The file-size limit stops the report at max_bytes (Python ignores SIGXFSZ, so the writes
        # fail instead of killing the worker): an unreadable report that long is a flood.
        return Run("output-limit" if len(completed.stdout) >= max_bytes else "crash", "", [])
    return checked_run(report)


def checked_run(report: object) -> Run:
    """A worker's (or the runner's) report as a :class:`Run`, checked for shape (else ``crash``)."""
    if not isinstance(report, dict) or report.get("load") not in ("O", "S", "L", "M", "P"):
        return Run("crash", "", [])
    if report["load"] == "P":
        return Run("sandbox-error", "P", [])
    results = report.get("results")
    if not isinstance(results, list) or not all(isinstance(r, dict) and len(r) == 1 for r in results):
        return Run("crash", "", [])
    return Run(None, report["load"], results)


class Verdict(NamedTuple):
    """The judge's answer: ``error`` tag (None when it answered), one ``statuses`` letter per test,
    and the ``pending`` calls it needs results for."""

    error: str | None
    statuses: str
    pending: list[dict]


def run_judge(
    steps: Sequence[Mapping[str, str]],
    calls: Sequence[Mapping],
    results: Sequence[Mapping],
    *,
    final: bool,
    limits: Limits,
) -> Verdict:
    """Evaluate assert ``steps`` against the results of ``calls`` in a fresh judge process
    (:mod:`.sandbox_judge`), under the same wall, CPU and memory limits as the worker."""
    job = {
        "steps": list(steps),
        "calls": list(calls),
        "results": list(results),
        "final": final,
        "cpu_seconds": limits.cpu_seconds,
        "memory_bytes": max(limits.memory_mb, 256) << 20,
    }
    workdir = tempfile.mkdtemp(prefix="rft-judge-")
    try:
        argv = [sys.executable, "-I", "-S", "-B", str(JUDGE)]
        completed = spawn(argv, stdin=sandbox_wire.dumps(job), limits=limits, workdir=workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if completed.timed_out or completed.returncode != 0 or completed.overflowed:
        return Verdict("judge-timeout" if completed.timed_out else "judge-error", "", [])
    try:
        answer = sandbox_wire.loads(completed.stdout.strip(), limits.output_bytes)
        return Verdict(None, str(answer["statuses"]), list(answer["pending"]))
    except (sandbox_wire.WireError, KeyError, TypeError):
        return Verdict("judge-error", "", [])
