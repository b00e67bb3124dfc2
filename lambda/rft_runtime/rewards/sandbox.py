"""Parent side of the code sandbox: start an isolated Python child, bound it, read its report.

Isolation, parent side (the child adds its own, see :mod:`rft_runtime.rewards.sandbox_child`):

- **Scrubbed environment.** The child gets only ``PATH``, ``LANG``, ``HOME`` and ``TMPDIR``; no
  ``AWS_*`` variable, so the Lambda's credentials are not in its environment.
- **Non-dumpable parent.** Before spawning, the parent calls ``prctl(PR_SET_DUMPABLE, 0)``: Lambda's
  credentials stay in the parent's ``/proc/<pid>/environ``, which a same-user child could otherwise
  read; a non-dumpable process's ``/proc`` files are readable only with ``CAP_SYS_PTRACE``, which
  the child never has (as root it drops every capability before running user code). When that call
  fails while credentials are in the environment, no code is run (fail closed). Side effect: other
  processes of the same user (Lambda extensions) can no longer read this process's ``/proc`` files
  such as ``environ``, ``fd`` or ``maps``.
- **Own process group, wall-clock timeout.** ``SIGKILL`` goes to the whole group when time is up.
- **Fresh working directory** (deleted afterwards); stdin/stdout/stderr are unnamed temporary files,
  so nothing the child writes can grow the parent's memory beyond ``output_bytes``.
- **Isolated interpreter**: ``python -I -S -B`` (no site-packages, no user site, no env variables).
  As root, the child drops its capabilities and re-executes itself, so ``ctypes`` is never loaded
  in the process that runs the code.

Child side: an audit hook (network, processes, introspection, ``/proc``, writes outside the work
directory, native extensions other than the interpreter's own) and, for assert tests, checks
compiled into the tests so the solution's objects cannot grade themselves; see
:mod:`rft_runtime.rewards.sandbox_child`.

For defence in depth, deploy code graders in their own Lambda whose role can only write logs, with
no network route (the reward-function construct's VPC without NAT).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

CHILD = Path(__file__).with_name("sandbox_child.py")
_PR_SET_DUMPABLE = 4
#: Environment variables that hold credentials (Lambda sets the first two).
CREDENTIAL_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN")


class Limits(NamedTuple):
    """Resource limits of one run (defaults in parentheses)."""

    wall_seconds: float = 10.0
    cpu_seconds: int = 5
    memory_mb: int = 512
    output_bytes: int = 1 << 20
    open_files: int = 64


class Completed(NamedTuple):
    """How a child process ended: ``returncode`` (negative: killed by that signal), ``timed_out``
    (we killed it), its bounded ``stdout`` and the tail of its ``stderr``, and ``seconds`` taken."""

    returncode: int
    timed_out: bool
    stdout: bytes
    stderr: bytes
    seconds: float


class Report(NamedTuple):
    """The child's report: ``error`` tag (None when the tests ran), the solution's ``load`` status
    letter, one status letter per test, and the raw outputs (function and program modes)."""

    error: str | None
    load: str
    statuses: str
    outputs: list[Any] | None


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
        out.seek(0)
        stdout = out.read(limits.output_bytes)
        err.seek(max(0, err.seek(0, os.SEEK_END) - 4096))
        stderr = err.read()
    return Completed(process.returncode, timed_out, stdout, stderr, time.monotonic() - started)


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


def run_python(
    code: str,
    *,
    mode: str,
    steps: Sequence[Any],
    entry_point: str | None = None,
    limits: Limits | None = None,
) -> Report:
    """Run ``code`` against ``steps`` in a sandboxed child and return its :class:`Report`.

    ``mode``: ``"asserts"`` (steps are ``{"kind": "setup"|"test", "source"}``, rewritten in the child
    so comparisons run on plain data; test status ``N`` when a checked value is not), ``"function"``
    (steps are inputs for ``entry_point``) or ``"program"`` (steps are stdin texts). Error tags:
    ``timeout``, ``cpu-limit``, ``output-limit``, ``killed``, ``crash`` (no report: the child died or
    exited early), ``sandbox-error`` (privileges could not be dropped, or this process holds AWS
    credentials in its environment and cannot be made non-dumpable: the code is then not run).
    """
    limits = limits or Limits()
    if not protect_parent() and any(name in os.environ for name in CREDENTIAL_VARIABLES):
        return Report("sandbox-error", "", "", None)
    nonce = secrets.token_hex(16)
    job = {
        "nonce": nonce,
        "code": code,
        "mode": mode,
        "steps": list(steps),
        "entry_point": entry_point,
        "limits": {
            "cpu_seconds": limits.cpu_seconds,
            "memory_bytes": limits.memory_mb << 20,
            "output_bytes": limits.output_bytes,
            "open_files": limits.open_files,
        },
    }
    workdir = tempfile.mkdtemp(prefix="rft-sandbox-")
    try:
        argv = [sys.executable, "-I", "-S", "-B", str(CHILD)]
        completed = spawn(
            argv, stdin=json.dumps(job).encode(), limits=limits, workdir=os.path.realpath(workdir)
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return parse_report(completed, nonce)


def parse_report(completed: Completed, nonce: str) -> Report:
    """Read the child's report from its stdout (only a line carrying ``nonce`` counts)."""
    if completed.timed_out:
        return Report("timeout", "", "", None)
    if completed.returncode < 0:
        return Report(_signal_tag(completed.returncode), "", "", None)
    marker = nonce.encode() + b" "
    lines = completed.stdout.split(b"\n")
    found = [i for i, line in enumerate(lines) if line.startswith(marker)]
    if not found:
        return Report("crash", "", "", None)
    statuses = lines[found[-1]][len(marker) :].decode("ascii", "replace")
    if statuses[:1] == "P":
        return Report("sandbox-error", "P", "", None)
    outputs = None
    if found[-1] + 1 < len(lines) and lines[found[-1] + 1]:
        try:
            outputs = json.loads(lines[found[-1] + 1])
        except ValueError:
            return Report("crash", statuses[:1], statuses[1:], None)
    return Report(None, statuses[:1], statuses[1:], outputs)
