"""Native code in the sandbox: only the interpreter's own extension modules load.

A C extension runs outside every audit hook. Before this guard, ``ExtensionFileLoader`` loaded
``_ctypes`` under another dotted name (or, as root, from CPython's extension cache without any audit
event), and a solution could load a ``.so`` written to its work directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap

import pytest

from rft_runtime.rewards.sandbox import Limits, call, run_code
from rft_runtime.rewards.sandbox_wire import decode

LOADER = """
import importlib.machinery, importlib.util, os, sys

def dynload(stem):
    folder = [p for p in sys.path if p.endswith("lib-dynload")][0]
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.startswith(stem + ".")][0]

def load(name, path):
    try:
        loader = importlib.machinery.ExtensionFileLoader(name, path)
        spec = importlib.util.spec_from_file_location(name, path, loader=loader)
        module = loader.create_module(spec)
        return "loaded " + type(module).__name__
    except BaseException as problem:
        return type(problem).__name__ + ": " + str(problem)
"""


def probe(body: str) -> list:
    code = LOADER + textwrap.dedent(body)
    run = run_code(code, calls=[call("probe")], limits=Limits(wall_seconds=10))
    assert run.error is None and run.load == "O" and "v" in run.results[0], run
    return decode(run.results[0]["v"])


def blocked(outcome: str) -> bool:
    return outcome.startswith(("ImportError: sandbox:", "PermissionError: sandbox:"))


def test_ctypes_cannot_be_loaded_by_file():
    outcomes = probe(
        """
        def probe():
            path = dynload("_ctypes")
            found = [load(name, path) for name in ("_ctypes", "x._ctypes", "ctypes._ctypes")]
            import _imp
            spec = importlib.util.spec_from_file_location("y._ctypes", path)
            try:
                _imp.create_dynamic(spec)
                found.append("loaded")
            except BaseException as problem:
                found.append(type(problem).__name__ + ": " + str(problem))
            return found
        """
    )
    assert all(blocked(outcome) for outcome in outcomes), outcomes


def test_native_code_written_by_the_solution_does_not_load():
    outcomes = probe(
        """
        def probe():
            original = dynload("_bisect")
            copy = os.path.join(os.getcwd(), os.path.basename(original))
            with open(original, "rb") as source, open(copy, "wb") as target:
                target.write(source.read())
            with open("evil.so", "wb") as fake:
                fake.write(b"\\x7fELF" + b"\\0" * 60)
            sys.path.insert(0, os.getcwd())
            found = [load("_bisect", copy), load("evil", "evil.so"), load("x._bisect", copy)]
            sys.modules.pop("_bisect", None)
            try:
                import _bisect
                found.append("imported " + str(_bisect.__file__ == copy))
            except BaseException as problem:
                found.append(type(problem).__name__ + ": " + str(problem))
            return found
        """
    )
    assert all(blocked(outcome) for outcome in outcomes[:3]), outcomes
    # the interpreter's own _bisect was already loaded or loads from lib-dynload, never the copy
    assert outcomes[3] in ("imported False",) or blocked(outcomes[3]), outcomes


def test_the_interpreters_own_extensions_still_load():
    outcomes = probe(
        """
        def probe():
            import array, bisect, decimal, statistics, unicodedata
            found = [
                array.array("i", [3, 1]).tolist(),
                bisect.bisect([1, 2, 3], 2),
                str(decimal.Decimal("1.1") + decimal.Decimal("2.2")),
                statistics.mean([1, 2, 3]),
                unicodedata.name("a"),
            ]
            found.append(load("_csv", dynload("_csv")))
            return found
        """
    )
    assert outcomes == [[3, 1], 2, "3.3", 2, "LATIN SMALL LETTER A", "loaded module"]


def test_path_checks_read_str_subclasses_by_their_content():
    outcome = probe(
        """
        class Sneaky(str):
            def startswith(self, *a): return False
            def partition(self, sep): return ("harmless", "", "")
            def __getitem__(self, index): return Sneaky(str.__getitem__(self, index))
        def probe():
            try:
                with open(Sneaky("/proc/self/status")) as handle:
                    return ["read", handle.read(10)]
            except PermissionError as problem:
                return ["denied", str(problem)]
        """
    )
    assert outcome[0] == "denied", outcome


CONSTRUCTOR = r"""
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void ran(void) {
    int fd = open(MARKER, O_WRONLY | O_CREAT, 0600);
    if (fd >= 0) close(fd);
}
"""


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build a shared object")
def test_a_shared_object_constructor_never_runs(tmp_path):
    marker = tmp_path / "constructor-ran"
    source = tmp_path / "evil.c"
    source.write_text(CONSTRUCTOR.replace("MARKER", json.dumps(str(marker))))
    built = tmp_path / "evil.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(built), str(source)], check=True, timeout=60)
    outcomes = probe(
        f"""
        def probe():
            with open({str(built)!r}, "rb") as source, open("evil.so", "wb") as target:
                target.write(source.read())
            return [load("evil", "evil.so"), load("x.evil", {str(built)!r})]
        """
    )
    assert all(blocked(outcome) for outcome in outcomes), outcomes
    assert not marker.exists()
