"""A seccomp filter for the process that runs model code: the kernel, not Python, refuses the calls.

Installed by the worker's first stage (:mod:`.sandbox_worker`) before it re-executes itself into
the interpreter that runs model code; filters are inherited across ``execve`` and cannot be removed,
so an interpreter started with ``os.execv`` (no audit hook) is bound by it too. Standard library
only (``ctypes``), loaded by file path. Linux on x86_64 and aarch64; elsewhere
:func:`install` returns False and the worker refuses to run code.

Refused with ``EPERM`` (``ENOSYS`` for ``clone3``, so the C library falls back to ``clone`` for
threads):

- network: ``socket``, ``socketpair``, ``connect``, ``bind``, ``listen``, ``accept``/``accept4``,
  ``sendto``, ``sendmsg``, ``sendmmsg``, ``io_uring_setup`` (io_uring could do the same I/O without
  these calls);
- signals to anyone (``kill``, ``tkill``, ``tgkill``, ``rt_sigqueueinfo``, ``rt_tgsigqueueinfo``),
  ``pidfd_open``/``pidfd_send_signal``/``pidfd_getfd``: no process can be stopped or killed, the
  grader and sibling samples included;
- new processes: ``fork``, ``vfork``, ``clone`` without ``CLONE_THREAD`` (threads still work), and
  leaving the process group (``setsid``, ``setpgid``), so the group kill reaches everything;
- ``ptrace``, ``process_vm_readv``/``process_vm_writev``, ``unshare``, ``setns``, ``bpf``,
  ``perf_event_open``, ``userfaultfd``, ``keyctl``.

A call from another ABI than the filter's (x32 numbers on x86_64, a foreign architecture) is
refused too (``EPERM`` / process killed).
"""

from __future__ import annotations

import os
import platform
import sys

_ARCHES = {
    # machine: (AUDIT_ARCH_*, {name: number})
    "x86_64": (
        0xC000003E,
        {
            "socket": 41,
            "connect": 42,
            "accept": 43,
            "sendto": 44,
            "sendmsg": 46,
            "bind": 49,
            "listen": 50,
            "socketpair": 53,
            "fork": 57,
            "vfork": 58,
            "kill": 62,
            "ptrace": 101,
            "setpgid": 109,
            "setsid": 112,
            "rt_sigqueueinfo": 129,
            "tkill": 200,
            "tgkill": 234,
            "unshare": 272,
            "accept4": 288,
            "rt_tgsigqueueinfo": 297,
            "perf_event_open": 298,
            "sendmmsg": 307,
            "setns": 308,
            "process_vm_readv": 310,
            "process_vm_writev": 311,
            "bpf": 321,
            "userfaultfd": 323,
            "keyctl": 250,
            "pidfd_send_signal": 424,
            "io_uring_setup": 425,
            "pidfd_open": 434,
            "pidfd_getfd": 438,
            "clone": 56,
            "clone3": 435,
        },
    ),
    "aarch64": (
        0xC00000B7,
        {
            "socket": 198,
            "socketpair": 199,
            "bind": 200,
            "listen": 201,
            "accept": 202,
            "connect": 203,
            "sendto": 206,
            "sendmsg": 211,
            "kill": 129,
            "tkill": 130,
            "tgkill": 131,
            "rt_sigqueueinfo": 138,
            "ptrace": 117,
            "setpgid": 154,
            "setsid": 157,
            "unshare": 97,
            "keyctl": 219,
            "rt_tgsigqueueinfo": 240,
            "perf_event_open": 241,
            "accept4": 242,
            "setns": 268,
            "sendmmsg": 269,
            "process_vm_readv": 270,
            "process_vm_writev": 271,
            "bpf": 280,
            "userfaultfd": 282,
            "pidfd_send_signal": 424,
            "io_uring_setup": 425,
            "pidfd_open": 434,
            "pidfd_getfd": 438,
            "clone": 220,
            "clone3": 435,
        },
    ),
}
_LOAD_WORD, _JUMP_EQUAL, _JUMP_GREATER_EQUAL, _JUMP_SET, _RETURN = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _ERRNO, _KILL_PROCESS = 0x7FFF0000, 0x00050000, 0x80000000
_EPERM, _ENOSYS = 1, 38
_CLONE_THREAD = 0x00010000
_X32_SYSCALL_BIT = 0x40000000
_NR, _ARCH, _ARG0_LOW = 0, 4, 16  # offsets in struct seccomp_data (little-endian)


def supported() -> bool:
    """Whether this machine has a filter (Linux on x86_64 or aarch64)."""
    return platform.system() == "Linux" and platform.machine() in _ARCHES


def program(machine: str) -> list[tuple[int, int, int, int]]:
    """The BPF program as ``(code, jump_true, jump_false, k)`` instructions for ``machine``."""
    arch, numbers = _ARCHES[machine]
    refused = {name: number for name, number in numbers.items() if name not in ("clone", "clone3")}
    steps = [
        (_LOAD_WORD, 0, 0, _ARCH),
        (_JUMP_EQUAL, 1, 0, arch),
        (_RETURN, 0, 0, _KILL_PROCESS),
        (_LOAD_WORD, 0, 0, _NR),
    ]
    if machine == "x86_64":
        steps += [(_JUMP_GREATER_EQUAL, 0, 1, _X32_SYSCALL_BIT), (_RETURN, 0, 0, _ERRNO | _EPERM)]
    for number in sorted(refused.values()):
        steps += [(_JUMP_EQUAL, 0, 1, number), (_RETURN, 0, 0, _ERRNO | _EPERM)]
    steps += [(_JUMP_EQUAL, 0, 1, numbers["clone3"]), (_RETURN, 0, 0, _ERRNO | _ENOSYS)]
    steps += [
        (_JUMP_EQUAL, 0, 4, numbers["clone"]),
        (_LOAD_WORD, 0, 0, _ARG0_LOW),
        (_JUMP_SET, 1, 0, _CLONE_THREAD),
        (_RETURN, 0, 0, _ERRNO | _EPERM),
        (_RETURN, 0, 0, _ALLOW),
        (_RETURN, 0, 0, _ALLOW),
    ]
    return steps


def install() -> bool:
    """Set no-new-privileges and install the filter on this process (and its future children).

    True when the kernel accepted it. Loads ``ctypes``: call it only in a process that re-executes
    itself before running model code.
    """
    if not supported():
        return False
    try:
        import ctypes
    except ImportError:
        return False

    class Instruction(ctypes.Structure):
        _fields_ = [
            ("code", ctypes.c_ushort),
            ("jt", ctypes.c_ubyte),
            ("jf", ctypes.c_ubyte),
            ("k", ctypes.c_uint32),
        ]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Instruction))]

    steps = program(platform.machine())
    instructions = (Instruction * len(steps))(*(Instruction(*step) for step in steps))
    compiled = Program(len(steps), instructions)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return False
        return libc.prctl(22, 2, ctypes.byref(compiled), 0, 0) == 0  # PR_SET_SECCOMP, FILTER
    except (OSError, AttributeError):
        return False


def reachable_by_others(*paths: str) -> bool:
    """Whether every path (and each directory above it) is readable and searchable by any user, so
    an interpreter dropped to ``nobody`` can still start and import from them."""
    for path in paths:
        current = os.path.realpath(path)
        while True:
            try:
                mode = os.stat(current).st_mode
            except OSError:
                return False
            if not mode & 0o004 or (os.path.isdir(current) and not mode & 0o001):
                return False
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
    return True


def interpreter_paths() -> tuple[str, ...]:
    """The interpreter and its standard library (what a dropped-privilege re-exec must read)."""
    return (sys.executable, os.path.dirname(os.__file__))


def drop_capabilities() -> bool:
    """Root that cannot switch to ``nobody``: set no-new-privileges and drop every capability."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return False
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        return libc.capset(header, (ctypes.c_uint32 * 6)()) == 0
    except (ImportError, OSError, AttributeError):
        return False


def active() -> bool:
    """Whether this process runs under a seccomp filter with no-new-privileges (from ``/proc``)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
    except OSError:
        return False
    filtered = fields.get("Seccomp", "").strip() == "2" and fields.get("NoNewPrivs", "").strip() == "1"
    capabilities = ("CapInh", "CapPrm", "CapEff", "CapAmb")
    try:
        powerless = all(int(fields.get(name, "0").strip(), 16) == 0 for name in capabilities)
    except ValueError:
        return False
    return filtered and powerless
