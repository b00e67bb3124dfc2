"""Attacks tried in the audit of issue 8, beyond its list: what a sample leaves behind for the next
one, and values that make the trusted side do quadratic work.

- A sample that ``chmod``-s its own directories to 0 made ``shutil.rmtree`` (same owner, no root to
  override, as in Lambda) leave them in the runner's ``/tmp``: the next sample in that execution
  environment could read what it left (directory names are enough to carry data).
- A directory tree deeper than the recursion limit made ``shutil.rmtree`` raise on Python 3.11: the
  sample was tagged ``grader-exception`` and its tree stayed behind.
- A function-mode result holding a set (or a dict) of integers that all hash alike took the grader
  quadratic time to decode (built cheaply in the worker from an ``int`` subclass that hashes them
  apart; written as plain integers), although a set never equals a JSON expected value.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from rft_runtime.rewards import catalogue, sandbox_wire
from rft_runtime.rewards.core import Sample
from rft_runtime.rewards.sandbox import remove_tree
from rft_runtime.rewards.sandbox_seccomp import reachable_by_others

LAMBDA_DIR = Path(__file__).resolve().parents[3] / "lambda"
ADD = {"name": "add", "args": [1, 2], "kwargs": {"$dict": []}}

#: Leaves what the previous cleanup could not delete: unreadable directories and a tree 1,100 levels
#: deep (past the recursion limit).
LEAVE_BEHIND = """
import os
top = os.getcwd()
os.makedirs("keep/inner")
open("keep/inner/hidden-test-input-42", "w").write("x")
for _ in range(1100):
    os.mkdir("d")
    os.chdir("d")
os.chdir(top)
os.chmod("keep/inner", 0)
os.chmod("keep", 0)
def add(a, b):
    return a + b
"""
#: Lists everything the sample can see in the runner's scratch directory.
LOOK_AROUND = """
import os
def add(a, b):
    return sorted(os.listdir(os.path.dirname(os.getcwd())))
"""
RUN_EVENTS = """
import json, sys
from rft_runtime.runner.handler import handler
for event in json.loads(sys.stdin.read()):
    print(json.dumps(handler(event)))
"""


def _interpreter_for(uid: int) -> str | None:
    """An interpreter (3.11 or later) that ``uid`` can run, with the runtime code readable too."""
    for candidate in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if candidate and (uid == os.geteuid() or reachable_by_others(candidate, str(LAMBDA_DIR))):
            version = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info >= (3, 11))"],
                capture_output=True,
                text=True,
                check=False,
            )
            if version.stdout.strip() == "True":
                return candidate
    return None


@pytest.fixture
def runner_scratch():
    """The stand-in for the runner's ``/tmp``: owned by the user the handler runs as, and reachable
    by it (under root, pytest's own temporary directories are not)."""
    uid = 65534 if os.geteuid() == 0 else os.geteuid()
    scratch = Path(tempfile.mkdtemp(prefix="rft-runner-env-", dir="/tmp" if os.geteuid() == 0 else None))
    os.chown(scratch, uid, uid)
    yield uid, scratch
    remove_tree(str(scratch))


def test_nothing_a_sample_leaves_in_the_runner_reaches_the_next_one(runner_scratch):
    """Two invocations in one execution environment, the handler and the worker as one user (as in
    Lambda; under root here the handler runs as ``nobody``)."""
    uid, scratch = runner_scratch
    python = _interpreter_for(uid)
    if python is None:
        pytest.skip(f"no interpreter that user {uid} can run")
    as_user = {"user": uid, "group": uid, "extra_groups": []} if os.geteuid() == 0 else {}
    events = [
        {"code": code, "calls": [ADD], "limits": {"wall_seconds": 60, "cpu_seconds": 20}}
        for code in (LEAVE_BEHIND, LOOK_AROUND)
    ]
    done = subprocess.run(
        [python, "-I", "-c", f"import sys; sys.path.insert(0, {str(LAMBDA_DIR)!r})\n{RUN_EVENTS}"],
        input=json.dumps(events),
        env={"PATH": "/usr/bin:/bin", "TMPDIR": str(scratch), "RFT_RUNNER_SCRATCH": str(scratch)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **as_user,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first == {"error": None, "load": "O", "results": [{"v": 3}]}
    seen = second["results"][0]["v"]
    assert len(seen) == 1 and seen[0].startswith("rft-sandbox-"), seen  # only its own work directory
    assert list(scratch.iterdir()) == []


def test_a_deep_unreadable_tree_costs_the_sample_nothing_and_stays_nowhere(tmp_path, monkeypatch):
    """Locally (``run_code``): the sample keeps its honest score, its sibling too, nothing is left."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    options = catalogue.parse(
        "code_tests", {"entry_point": "add", "timeout_seconds": 60, "cpu_seconds": 20, "max_concurrency": 2}
    )
    grader = catalogue.template_module("code_tests").Grader(options)
    tests = [{"input": [1, 2], "output": 3}, {"input": [2, 2], "output": 4}]
    honest = "def add(a, b):\n    return a + b"
    samples = [Sample(f"```python\n{textwrap.dedent(code)}\n```", tests) for code in (LEAVE_BEHIND, honest)]
    scores = grader.score_many(samples)
    assert [(s.value, s.error) for s in scores] == [(1.0, None), (1.0, None)]
    assert list(tmp_path.iterdir()) == []


def test_removing_a_tree_never_follows_a_link_out_of_it(tmp_path):
    """What a sample that got past the audit hook could plant: links to outside files and folders."""
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "folder" / "precious").write_text("keep me")
    (outside / "file").write_text("keep me")
    scratch = tmp_path / "scratch"
    (scratch / "locked").mkdir(parents=True)
    (scratch / "locked" / "to-folder").symlink_to(outside / "folder")
    (scratch / "to-file").symlink_to(outside / "file")
    (scratch / "to-folder").symlink_to(outside / "folder", target_is_directory=True)
    (scratch / "locked").chmod(0)
    modes = {path: path.stat().st_mode for path in (outside, outside / "folder", outside / "file")}
    remove_tree(str(scratch), keep_top=True)
    assert list(scratch.iterdir()) == []
    assert (outside / "folder" / "precious").read_text() == "keep me"
    assert (outside / "file").read_text() == "keep me"
    assert {path: path.stat().st_mode for path in modes} == modes  # not even made writable


COLLIDING = (1 << 61) - 1  # every multiple of it hashes to 0

#: Cheap to build in the worker (the subclass hashes each member apart), written as plain integers
#: that all hash alike wherever they are put back into a set.
HASH_FLOOD = f"""
class Apart(int):
    def __hash__(self):
        return int(self) // {COLLIDING}
def add(a, b):
    return {{Apart(k * {COLLIDING}) for k in range(1, 60001)}}
"""
#: Decodes a function-mode result the way the grader does, under a CPU budget that a quadratic
#: decode (about 100 s for this value) exceeds by far and a linear one (well under 1 s) does not.
BOUNDED_COMPARISON = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_CPU, (20, 21))
from rft_runtime.rewards.sandbox import Run
from rft_runtime.rewards.templates.code_tests import Suite, passed_outputs
results = json.loads(sys.stdin.read())
suite = Suite("function", [[1, 2]] * len(results), [[1, 2]] * len(results), "add")
print(json.dumps(passed_outputs(suite, Run(None, "O", results))))
"""


def test_a_value_built_to_collide_costs_the_grader_linear_time():
    members = [k * COLLIDING for k in range(1, 60001)]
    results = [
        {"v": {"$set": members}},
        {"v": {"$frozenset": members}},
        {"v": {"$dict": [[m, 0] for m in members]}},
        {"v": {"$dict": [[{"$tuple": [m]}, 0] for m in members]}},
    ]
    done = subprocess.run(
        [sys.executable, "-c", BOUNDED_COMPARISON],
        input=json.dumps(results),
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])  # -SIGXCPU: quadratic
    assert json.loads(done.stdout) == [[False] * 4, "1111"]


def test_the_flood_scores_zero_beside_an_honest_sample():
    options = catalogue.parse("code_tests", {"entry_point": "add", "max_output_bytes": 4 << 20})
    grader = catalogue.template_module("code_tests").Grader(options)
    tests = [{"input": [1, 2], "output": 3}]
    flood, honest = grader.score_many(
        [
            Sample(f"```python\n{code}\n```", tests)
            for code in (HASH_FLOOD, "def add(a, b):\n    return a + b")
        ]
    )
    assert flood.value == 0.0 and (honest.value, honest.error) == (1.0, None)


@pytest.mark.parametrize(
    "tree",
    [{"$set": [1]}, {"$frozenset": [1]}, {"$dict": [[1, 2]]}, [{"$dict": [[{"$tuple": []}, 0]]}]],
)
def test_without_hashing_sets_and_non_string_keys_are_refused(tree):
    assert sandbox_wire.decode(tree) is not None  # the judge still decodes them (own process, limits)
    with pytest.raises(sandbox_wire.WireError):
        sandbox_wire.decode(tree, hashing=False)
    assert sandbox_wire.decode({"$dict": [["a", {"$tuple": [1]}]]}, hashing=False) == {"a": (1,)}


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_removing_a_deep_tree_leaves_no_descriptor_open(tmp_path):
    """The runner's handler lives on in a warm environment: a descriptor kept per level of a tree a
    sample planted would pile up (1,100 levels here) until every later sample failed to open files."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    level = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(1100):  # one level at a time (os.makedirs recurses)
        os.mkdir("d", dir_fd=level)
        deeper = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=level)
        os.close(level)
        level = deeper
    os.close(level)
    before = _open_descriptors()
    remove_tree(str(scratch), keep_top=True)
    assert list(scratch.iterdir()) == []
    assert _open_descriptors() == before


def test_removing_a_wide_tree_lists_each_folder_once(tmp_path, monkeypatch):
    """A sample can make tens of thousands of folders in its CPU budget; the trusted side removes them
    with no time limit. Listing the parent again after each folder removed (every remaining entry read
    again) made that quadratic: 8,000 folders of one file each took 16.7 s of CPU against shutil's 0.8 s."""
    folders = 300
    scratch = tmp_path / "scratch"
    for index in range(folders):
        (scratch / str(index)).mkdir(parents=True)
        (scratch / str(index) / "file").write_text("x")
    (scratch / "0").chmod(0)
    listed = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda *args: listed.append(args) or real_scandir(*args))
    remove_tree(str(scratch), keep_top=True)
    assert list(scratch.iterdir()) == []
    assert len(listed) == folders + 1  # the top, then each folder once
