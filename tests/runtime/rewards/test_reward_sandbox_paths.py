"""Writes outside the work directory, tried in the audit of issue 8 (local sandbox).

The audit hook checked a written path against the working directory, but ``os.open(path,
dir_fd=fd)`` reads ``path`` from the directory ``fd`` names, which the hook never sees: with the
work directory open as ``fd`` and the working directory 12 levels below it, ``"../" * 12 + path``
is inside by the hook's reading and ``/`` + path by the kernel's. That wrote any file the worker's
user could write (``~/.bashrc`` on a developer machine). Now no directory can be opened, and nothing
written, linked or entered may be named with ``..`` or lie outside.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.core import Sample
from rft_runtime.rewards.sandbox import call, remove_tree, run_code

DIR_FD_ESCAPE = """
import os
def add(a, b):
    work = os.getcwd()
    os.makedirs("a/b/c/d/e/f/g/h/i/j/k/l")
    os.chdir("a/b/c/d/e/f/g/h/i/j/k/l")
    base = os.open(work, os.O_RDONLY)
    fd = os.open("../" * 12 + "TARGET/escaped.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=base)
    os.write(fd, b"written outside")
    return a + b
"""


@pytest.fixture
def target():
    """A directory outside the sandbox that its user could write to."""
    folder = Path(tempfile.mkdtemp(prefix="rft-outside-"))
    folder.chmod(0o777)
    yield folder
    remove_tree(str(folder))


def test_a_directory_descriptor_is_no_base_for_writing_outside(target):
    options = catalogue.parse("code_tests", {"entry_point": "add", "timeout_seconds": 30})
    grader = catalogue.template_module("code_tests").Grader(options)
    code = DIR_FD_ESCAPE.replace("TARGET", str(target).lstrip("/"))
    tests = [{"input": [1, 2], "output": 3}]
    attack, honest = grader.score_many(
        [Sample(f"```python\n{c}\n```", tests) for c in (code, "def add(a, b):\n    return a + b")]
    )
    assert list(target.iterdir()) == []
    assert attack.value == 0.0 and (honest.value, honest.error) == (1.0, None)


PROBE = """
import os, tempfile
def probe():
    work = os.getcwd()
    steps = [
        ("write a file", lambda: open("out.txt", "w").write("x")),
        ("make directories", lambda: os.makedirs("a/b")),
        ("link downwards", lambda: os.symlink("a", "down")),
        ("enter and leave a subdirectory", lambda: (os.chdir("a"), os.chdir(work))),
        ("use a named temporary file", lambda: tempfile.NamedTemporaryFile("w").close()),
        ("use a temporary file in a subdirectory", lambda: tempfile.NamedTemporaryFile(dir="a").close()),
        ("write through ..", lambda: open("a/../up.txt", "w")),
        ("open the work directory", lambda: os.open(".", os.O_RDONLY)),
        ("open a subdirectory", lambda: os.open("a", os.O_RDONLY)),
        ("open the work directory with an opener", lambda: open(work, "rb", opener=os.open)),
        ("link upwards", lambda: os.symlink("../x", "up")),
        ("link to an absolute outside path", lambda: os.symlink("/etc", "etc")),
        ("change to /", lambda: os.chdir("/")),
        ("change through ..", lambda: os.chdir("a/../..")),
        ("change the work directory's mode", lambda: os.chmod(".", 0)),
        ("remove the work directory", lambda: os.rmdir(work)),
        ("move out", lambda: os.rename("a", "../moved")),
    ]
    outcome = {}
    for name, step in steps:
        try:
            step()
            outcome[name] = "done"
        except PermissionError as refused:
            outcome[name] = "refused" if "sandbox" in str(refused) else repr(refused)
        except Exception as error:
            outcome[name] = repr(error)
    return outcome
"""


def test_what_model_code_may_do_with_paths():
    run = run_code(PROBE, calls=[call("probe")])
    assert run.error is None, run
    outcome = run.results[0]["v"]["$dict"]
    done = [
        "write a file",
        "make directories",
        "link downwards",
        "enter and leave a subdirectory",
        "use a named temporary file",  # open(directory, mode, opener=...): the opener's open is checked
        "use a temporary file in a subdirectory",
    ]
    assert outcome == [[name, "done"] for name in done] + [
        [name, "refused"]
        for name in (
            "write through ..",
            "open the work directory",
            "open a subdirectory",
            "open the work directory with an opener",
            "link upwards",
            "link to an absolute outside path",
            "change to /",
            "change through ..",
            "change the work directory's mode",
            "remove the work directory",
            "move out",
        )
    ]


def test_no_work_directory_is_left_by_the_probe(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    run_code(PROBE, calls=[call("probe")])
    assert os.listdir(tmp_path) == []


SHIFTING_PATH = """
import os
class Shifting:
    '''A path that names the outside when first read and the work directory afterwards.'''
    def __init__(self):
        self.reads = 0
    def __fspath__(self):
        self.reads += 1
        return "TARGET/shifted.txt" if self.reads == 1 else "inside.txt"
def probe():
    outcome = []
    for write in (
        lambda: os.write(os.open(Shifting(), os.O_WRONLY | os.O_CREAT, 0o644), b"x"),
        lambda: open(Shifting(), "w").write("x"),
    ):
        try:
            write()
            outcome.append("written")
        except PermissionError:
            outcome.append("refused")
    return outcome
"""


def test_a_path_that_changes_between_readings_is_checked_as_opened(target):
    """Held before the audit too: the hook sees the path the call converted, not a second reading."""
    run = run_code(SHIFTING_PATH.replace("TARGET", str(target)), calls=[call("probe")])
    assert run.results == [{"v": ["refused", "refused"]}], run
    assert list(target.iterdir()) == []
