"""``code_tests`` and its sandbox: scoring, malformed input, reward hacks, credentials, network, limits."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.core import Sample
from rft_runtime.rewards.sandbox import Limits, Run, Verdict, call, run_code
from rft_runtime.rewards.sandbox_wire import decode
from rft_runtime.rewards.templates.code_tests import extract_code, parse_tests

FAST = {"timeout_seconds": 5, "cpu_seconds": 2, "memory_mb": 256}
ADD = "```python\ndef add(a, b):\n    return a + b\n```"
ADD_TESTS = "assert add(1, 2) == 3\nassert add(-1, 1) == 0\nassert add(2, 2) == 4"


def score(response, tests, **options):
    return catalogue.build_grader("code_tests", {**FAST, **options}).score(Sample(response, tests))


def test_assert_tests_score_the_fraction_passed():
    assert score(ADD, ADD_TESTS).value == 1.0
    wrong = "```python\ndef add(a, b):\n    return a * b\n```"
    result = score(wrong, ADD_TESTS)
    assert result.value == pytest.approx(1 / 3)  # 2 * 2 == 4 still passes
    assert dict(result.components) == {"passed": pytest.approx(1 / 3), "compiled": 1.0}
    assert score(ADD, ["assert add(1, 1) == 2", "assert add(0, 0) == 1"]).value == 0.5
    setup_between = "x = add(1, 1)\nassert x == 2\ny = x + 1\nassert add(y, 0) == 3"
    assert score(ADD, setup_between).value == 1.0


def test_function_io_tests_are_compared_in_the_parent():
    tests = [
        {"input": [1, 2], "output": 3},
        {"input": [0.1, 0.2], "output": 0.3},
        {"input": [[1], [2]], "output": [1, 2]},
    ]
    assert score(ADD, tests, entry_point="add").value == 1.0
    apps = {"inputs": [[1, 1], [2, 3]], "outputs": [2, 6], "fn_name": "add"}
    assert score(ADD, apps).value == 0.5
    assert score(ADD, json.dumps(tests), entry_point="add").value == 1.0


def test_program_io_tests():
    program = "```python\nimport sys\nn = int(sys.stdin.readline())\nprint(n * 2)\nprint('done')   \n```"
    tests = [
        {"input": "3\n", "output": "6\ndone"},
        {"input": "5", "output": ["10", "done"]},
        {"input": "x", "output": "x"},
    ]
    assert score(program, tests).value == pytest.approx(2 / 3)
    exits = "```python\nimport sys\nprint(1)\nsys.exit(0)\n```"
    assert score(exits, [{"input": "", "output": "1"}]).value == 1.0


@pytest.mark.parametrize(
    ("response", "tests", "tag"),
    [
        ("", ADD_TESTS, "no-code"),
        ("```python\ndef add(a, b) return\n```", ADD_TESTS, "syntax-error"),
        ("```python\nraise RuntimeError('at import')\n```", ADD_TESTS, "solution-error"),
        (ADD, None, "bad-reference"),
        (ADD, "x = 1", "bad-reference"),
        (ADD, "assert (", "bad-reference"),
        (ADD, [1, 2], "bad-reference"),
        (ADD, [{"input": 1, "output": 1}], "no-entry-point"),
    ],
)
def test_malformed_inputs(response, tests, tag):
    options = {"entry_point": "missing"} if tag == "no-entry-point" else {}
    result = score(response, tests, **options)
    assert (result.value, result.error) == (0.0, tag)


def test_code_too_long():
    assert score("x = 1\n" * 100, "assert x == 1", max_code_bytes=100).error == "code-too-long"


def test_code_extraction():
    assert extract_code("Here:\n```python\na = 1\n```\nand\n```py\nb = 2\n```") == "a = 1\n\nb = 2"
    assert extract_code("```\nc = 3\n```") == "c = 3"
    assert extract_code("```python\nd = 4\n(truncated") == "d = 4\n(truncated"
    assert extract_code("e = 5") == "e = 5"
    assert parse_tests({"tests": ["assert 1"]}, None).count == 1


@pytest.mark.parametrize(
    "hack",
    [
        # an object equal to everything defeats `assert f(x) == y`, but not JSON-compared outputs
        "class Any:\n    def __eq__(self, other): return True\ndef add(a, b): return Any()",
        # forged report lines on every inherited descriptor
        "import os\n"
        "for fd in range(1, 20):\n"
        '    try: os.write(fd, b\'0\' * 32 + b\' O111\\n["3","0","4"]\\n\')\n'
        "    except OSError: pass\n"
        "def add(a, b): return None",
        # rebinding what a naive harness uses
        "import builtins, json\n"
        "builtins.exec = lambda *a, **k: None\n"
        "json.dumps = lambda *a, **k: '3'\n"
        "def add(a, b): return 0",
        # leaving early
        "import os\nos._exit(0)",
    ],
)
def test_reward_hacks_do_not_pass_function_tests(hack):
    tests = [{"input": [1, 2], "output": 3}, {"input": [-1, 1], "output": 0}, {"input": [2, 2], "output": 4}]
    assert score(f"```python\n{hack}\n```", tests, entry_point="add").value < 1.0


def test_rebinding_builtins_cannot_pass_assert_tests():
    hack = (
        "import builtins\n"
        "builtins.exec = lambda *a, **k: None\n"
        "builtins.compile = lambda *a, **k: None\n"
        "def add(a, b): return 0"
    )
    # only `add(-1, 1) == 0` holds for a function returning 0: the rebinding gains nothing
    assert score(f"```python\n{hack}\n```", ADD_TESTS).value == pytest.approx(1 / 3)


def test_introspection_is_blocked_but_stdlib_still_works():
    code = textwrap.dedent(
        """
        import sys, gc, collections, dataclasses, warnings, enum, typing
        import bisect, decimal, fractions, functools, heapq, inspect, itertools, math, re, statistics, string
        Point = collections.namedtuple("Point", "x y")
        @dataclasses.dataclass
        class Box:
            size: int
        warnings.warn("fine")
        def frames():
            try:
                sys._getframe(1)
                return "frame"
            except ValueError:
                pass
            try:
                gc.get_objects()
                return "gc"
            except ValueError:
                return "blocked"
        def check():
            return [Point(1, 2).x, Box(3).size, frames()]
        """
    )
    run = run_code(code, calls=[call("check")], limits=Limits(wall_seconds=5))
    assert run.error is None and decode(run.results[0]["v"]) == [1, 3, "blocked"]


def test_network_is_blocked():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        code = (
            "import socket\n"
            "def dial():\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'x')\n"
            "    return 'connected'"
        )
        result = score(f"```python\n{code}\n```", [{"input": [], "output": "connected"}], entry_point="dial")
        assert result.value == 0.0
        raw = f"import _socket\ns = _socket.socket()\ns.connect(('127.0.0.1', {port}))"
        assert run_code(raw).load == "L"
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()


def test_processes_and_signals_are_blocked():
    for code in (
        "import subprocess\nsubprocess.run(['true'])",
        "import os\nos.system('true')",
        "import os\nos.fork()",
        "import os, signal\nos.kill(os.getppid(), signal.SIGTERM)",
        "import ctypes",
        "import _posixsubprocess",
        "open('/tmp/rft-sandbox-escape.txt', 'w').write('x')",
        "import os\nos.remove('/etc/hostname')",
    ):
        assert run_code(code, limits=Limits(wall_seconds=5)).load == "L", code
    assert not os.path.exists("/tmp/rft-sandbox-escape.txt")
    inside = "open('scratch.txt', 'w').write('ok')\nassert open('scratch.txt').read() == 'ok'"
    assert run_code(inside).load == "O"


def test_infinite_loops_are_killed():
    busy = score("```python\nwhile True:\n    pass\n```", ADD_TESTS, timeout_seconds=10, cpu_seconds=1)
    assert (busy.value, busy.error) == (0.0, "cpu-limit")
    sleeper = score("```python\nimport time\ntime.sleep(60)\n```", ADD_TESTS, timeout_seconds=1)
    assert (sleeper.value, sleeper.error) == (0.0, "timeout")
    in_test = score(ADD, "assert add(1, 2) == 3\nwhile True: pass", timeout_seconds=1, cpu_seconds=5)
    assert (in_test.value, in_test.error) == (0.0, "judge-timeout")  # the tests run on the trusted side


def test_memory_bombs_are_contained():
    bomb = score("```python\nx = bytearray(4 * 1024 ** 3)\n```", ADD_TESTS)
    assert (bomb.value, bomb.error) == (0.0, "memory-limit")
    grows = (
        "```python\ndef add(a, b):\n    hoard = []\n    while True:\n        hoard.append(' ' * 10 ** 7)\n```"
    )
    assert score(grows, [{"input": [1, 2], "output": 3}], entry_point="add").error == "memory-limit"


def test_output_floods_are_bounded():
    flood = "```python\nimport sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n```"
    result = score(flood, [{"input": "", "output": "x"}], timeout_seconds=3, max_output_bytes=4096)
    assert result.value == 0.0 and result.error in ("cpu-limit", "timeout", "output-limit", "memory-limit")


PROBE = """
import os
def probe():
    found = {"env": {k: v for k, v in os.environ.items() if "AWS" in k}}
    for name, path in (("self", "/proc/self/environ"), ("parent", "/proc/%d/environ" % os.getppid())):
        try:
            with open(path, "rb") as handle:
                found[name] = handle.read().decode("latin-1")
        except Exception as problem:
            found[name] = "denied: " + type(problem).__name__
    return found
"""
RAW_READ = (
    "import os\n"
    "try:\n"
    "    print('read:' + open('/proc/%d/environ' % os.getppid(), 'rb').read().decode('latin-1'))\n"
    "except OSError as problem:\n"
    "    print('denied:' + type(problem).__name__)\n"
)
PARENT = """
import json, subprocess, sys, tempfile
from rft_runtime.rewards import sandbox
mode = sys.argv[1]
if mode == "control":
    out = subprocess.run([sys.executable, "-c", sys.argv[2]], capture_output=True, text=True).stdout
    print(json.dumps({"raw": out}))
else:
    report = sandbox.run_code(sys.argv[2], calls=[sandbox.call("probe")])
    with tempfile.TemporaryDirectory() as workdir:
        argv = [sys.executable, "-I", "-S", "-c", sys.argv[3]]
        raw = sandbox.spawn(argv, stdin=b"", limits=sandbox.Limits(), workdir=workdir)
    print(json.dumps({"report": report._asdict(), "raw": raw.stdout.decode()}))
"""
FAKE = {
    "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE1234",
    "AWS_SECRET_ACCESS_KEY": "fake-secret-do-not-leak",
    "AWS_SESSION_TOKEN": "fake-session-token-do-not-leak",
}


def run_parent(*args, drop_capabilities):
    """Run PARENT as a Lambda-like process: fake credentials in its initial environment; optionally
    as root without capabilities (Lambda functions run as an unprivileged user)."""
    prefix = []
    if drop_capabilities:
        prefix = ["setpriv", "--bounding-set", "-all", "--inh-caps", "-all"]
    env = {**os.environ, **FAKE, "PYTHONPATH": os.pathsep.join(sys.path)}
    completed = subprocess.run(
        [*prefix, sys.executable, "-c", PARENT, *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


lambda_like = pytest.mark.skipif(
    os.geteuid() == 0 and shutil.which("setpriv") is None, reason="needs setpriv to drop root's capabilities"
)


@pytest.mark.parametrize("drop_capabilities", [False, pytest.param(True, marks=lambda_like)])
def test_credentials_are_invisible_to_the_code(drop_capabilities):
    drop = drop_capabilities and os.geteuid() == 0
    result = run_parent("sandbox", PROBE, RAW_READ, drop_capabilities=drop)
    report = Run(**result["report"])
    assert report.error is None and "v" in report.results[0], report
    found = decode(report.results[0]["v"])
    assert found["env"] == {}
    assert found["self"].startswith("denied") and found["parent"].startswith("denied")
    for secret in FAKE.values():
        assert secret not in json.dumps(report.results)
    if drop or os.geteuid() != 0:
        # Without the audit hook, the OS alone (non-dumpable parent, no capabilities) refuses too.
        assert result["raw"].startswith("denied:"), result["raw"]


@lambda_like
def test_control_without_protection_the_parent_environment_leaks():
    result = run_parent("control", RAW_READ, drop_capabilities=os.geteuid() == 0)
    assert result["raw"].startswith("read:") and FAKE["AWS_SECRET_ACCESS_KEY"] in result["raw"]


def test_batch_budget_and_concurrency():
    calls = []

    def runner(code, **kwargs):
        calls.append(code)
        return Run(None, "O", [{"v": True}] * len(kwargs["calls"]))

    now = [0.0]
    grader = catalogue.template_module("code_tests").Grader(
        catalogue.parse("code_tests", {"batch_budget_seconds": 10, "max_concurrency": 1}),
        runner=runner,
        clock=lambda: now[0],
    )
    samples = [Sample(f"def x(): return {i}", "assert x() >= 0") for i in range(3)]
    assert [s.value for s in grader.score_many(samples)] == [1.0, 1.0, 1.0]
    now[0] = 0.0
    exhausted = grader.score_many(samples, deadline=-1.0)
    assert {s.error for s in exhausted} == {"code-budget-exhausted"}
    real = catalogue.build_grader("code_tests", {**FAST, "max_concurrency": 4})
    batch = [Sample(ADD, ADD_TESTS)] * 4 + [Sample("```python\nadd = None\n```", ADD_TESTS)]
    assert [s.value for s in real.score_many(batch)] == [1.0, 1.0, 1.0, 1.0, 0.0]


def test_batch_parses_every_suite_on_the_calling_thread(monkeypatch):
    """``ast.parse`` on several threads at once can raise SystemError on CPython 3.11 (gh-106905)."""
    import threading

    from rft_runtime.rewards.templates import code_tests

    parsing_threads = set()
    real_parse = code_tests.parse_tests

    def recording_parse(tests, entry_point):
        parsing_threads.add(threading.get_ident())
        return real_parse(tests, entry_point)

    monkeypatch.setattr(code_tests, "parse_tests", recording_parse)
    running_threads = set()

    def runner(code, **kwargs):
        running_threads.add(threading.get_ident())
        time.sleep(0.01)
        return Run(None, "O", [])

    def judge(steps, calls, results, **kwargs):
        return Verdict(None, "1" * len([s for s in steps if s["kind"] == "test"]), [])

    grader = code_tests.Grader(
        catalogue.parse("code_tests", {"max_concurrency": 8}), runner=runner, judge=judge
    )
    suite = "\n".join(f"assert [[[{i}]]] == [[[{i}]]]" for i in range(50))
    scores = grader.score_many([Sample(f"x = {i}", suite) for i in range(32)])
    assert [s.value for s in scores] == [1.0] * 32
    assert parsing_threads == {threading.get_ident()}
    assert running_threads - parsing_threads, "sandboxes still run on the pool"


def test_batch_keeps_each_samples_own_failure_and_never_raises(monkeypatch):
    from rft_runtime.rewards.templates import code_tests

    def runner(code, **kwargs):
        return Run(None, "O", [])

    grader = code_tests.Grader(catalogue.parse("code_tests", {"max_concurrency": 4}), runner=runner)
    batch = [Sample("x = 1", "assert x == 1"), Sample("x = 1", "no asserts here"), Sample("", "assert 1")]
    assert [(s.value, s.error) for s in grader.score_many(batch, deadline=-1.0)] == [
        (0.0, "code-budget-exhausted"),
        (0.0, "bad-reference"),
        (0.0, "no-code"),
    ]

    def exploding_parse(tests, entry_point):
        raise SystemError("AST constructor recursion depth mismatch")

    monkeypatch.setattr(code_tests, "parse_tests", exploding_parse)
    assert [s.error for s in grader.score_many(batch[:1] * 3)] == ["bad-reference"] * 3


def test_validation():
    problems = catalogue.validate_options(
        "code_tests", {"timeout_seconds": 0, "memory_mb": 1, "cpu_seconds": 1.5}
    )
    assert len(problems) == 3
    assert catalogue.required_dataset_fields("code_tests", {}) == ()  # checked per row
    assert catalogue.required_dataset_fields("code_tests", {"tests_field": "tests"}) == ("tests",)


def test_fails_closed_when_credentials_cannot_be_protected(monkeypatch):
    from rft_runtime.rewards import sandbox

    monkeypatch.setattr(sandbox, "protect_parent", lambda: False)
    real_spawn = sandbox.spawn

    def spawn(argv, **kwargs):
        assert str(sandbox.WORKER) not in argv, "must not start the code"
        return real_spawn(argv, **kwargs)

    monkeypatch.setattr(sandbox, "spawn", spawn)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token")
    assert sandbox.run_code("x = 1").error == "sandbox-error"
    assert score(ADD, ADD_TESTS).error == "sandbox-error"


def test_objects_kept_by_the_worker_are_usable_through_their_methods():
    code = """
        class Stack:
            def __init__(self, items):
                self.items = list(items)
            def merged(self, other, *, reverse=False):
                joined = self.items + other.items
                return joined[::-1] if reverse else joined
        """
    tests = (
        "a = Stack([1])\nb = Stack([2])\n"
        "assert a.merged(b) == [1, 2]\nassert a.merged(other=b, reverse=True) == [2, 1]"
    )
    result = score(f"```python\n{textwrap.dedent(code).strip()}\n```", tests)
    assert (result.value, result.error) == (1.0, None)
