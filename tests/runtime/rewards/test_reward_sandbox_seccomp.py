"""The seccomp program, run through a small BPF interpreter for both Lambda architectures, and the
kernel's answer on this machine."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from rft_runtime.rewards import sandbox_seccomp

ALLOW, EPERM, ENOSYS, KILL = 0x7FFF0000, 0x00050001, 0x00050026, 0x80000000
ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
NUMBERS = {
    "x86_64": {
        "read": 0,
        "socket": 41,
        "kill": 62,
        "clone": 56,
        "clone3": 435,
        "pidfd_open": 434,
        "setsid": 112,
    },
    "aarch64": {
        "read": 63,
        "socket": 198,
        "kill": 129,
        "clone": 220,
        "clone3": 435,
        "pidfd_open": 434,
        "setsid": 157,
    },
}


def evaluate(program, arch: int, nr: int, arg0: int = 0) -> int:
    """Run classic BPF over ``struct seccomp_data`` (nr, arch, ip, args) the way the kernel does."""
    data = {0: nr, 4: arch, 16: arg0 & 0xFFFFFFFF}
    accumulator, pc = 0, 0
    while True:
        code, jt, jf, k = program[pc]
        if code == 0x20:
            accumulator = data[k]
        elif code == 0x06:
            return k
        else:
            holds = {0x15: accumulator == k, 0x35: accumulator >= k, 0x45: bool(accumulator & k)}[code]
            pc += jt if holds else jf
        pc += 1


@pytest.mark.parametrize("machine", sorted(ARCH))
def test_the_program_refuses_what_it_says_and_allows_the_rest(machine):
    program = sandbox_seccomp.program(machine)
    arch, n = ARCH[machine], NUMBERS[machine]
    assert evaluate(program, arch, n["read"]) == ALLOW
    for name in ("socket", "kill", "pidfd_open", "setsid"):
        assert evaluate(program, arch, n[name]) == EPERM, name
    assert evaluate(program, arch, n["clone"], arg0=0x3D0F00) == ALLOW  # pthread_create's flags
    assert evaluate(program, arch, n["clone"], arg0=0x01200011) == EPERM  # fork's flags
    assert evaluate(program, arch, n["clone3"]) == ENOSYS
    assert evaluate(program, 0x40000003, n["read"]) == KILL  # another architecture (i386)
    if machine == "x86_64":
        assert evaluate(program, arch, 0x40000000 | 41) == EPERM  # x32 ABI


@pytest.mark.skipif(not sandbox_seccomp.supported(), reason=f"no filter for {platform.machine()}")
def test_the_kernel_enforces_it_after_exec():
    probe = (
        "import os, socket, threading\n"
        "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
        "for attempt in (socket.socket, lambda: os.kill(os.getppid(), 0), os.fork, os.setsid):\n"
        "    try:\n        attempt(); print('allowed')\n    except OSError as e:\n        print(e.errno)\n"
    )
    installer = (
        f"import os, sys; sys.path.insert(0, {str(Path(sandbox_seccomp.__file__).parent)!r})\n"
        "import sandbox_seccomp\nassert sandbox_seccomp.install()\n"
        f"os.execv(sys.executable, [sys.executable, '-c', {probe!r}])\n"
    )
    done = subprocess.run([sys.executable, "-c", installer], capture_output=True, text=True, timeout=30)
    assert done.stdout.split() == ["1", "1", "1", "1"], done.stderr
