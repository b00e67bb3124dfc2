"""``code_tests``: run the generated Python against the row's tests in a sandbox; score = fraction passed.

The code is the response's fenced Python blocks (```python / ```py / unlabeled, joined in order), or
the whole answer when there is no fence. Tests come from ``metadata[tests_field]`` when
``tests_field`` is set, else from ``metadata["tests"]`` when present, else from the reference:

- assert statements (a string): each top-level ``assert`` is a test; other statements are setup;
- a list of strings: each string is one test snippet;
- a list of ``{"input", "output"}`` (or ``{"inputs": [...], "outputs": [...]}``, APPS style, where
  ``fn_name`` sets the entry point): with ``entry_point`` each input is passed to that function (a
  list is spread as arguments) and the JSON result compared with ``output`` (numbers to 1e-6,
  except that an integer ``output`` must be met exactly);
  without it the code runs as a program with ``input`` on stdin and its printed text (trailing
  whitespace ignored) compared with ``output``. Expected outputs never enter the sandbox.

Untrusted code computes, trusted code judges. The code runs in a worker process
(:mod:`rft_runtime.rewards.sandbox_worker`; in the stack, inside the code runner function named by
``RFT_CODE_RUNNER_FUNCTION``) that only ever returns plain values (:mod:`.sandbox_wire`): results of
calls, or printed text. Expected outputs are compared here. Assert tests are evaluated by a judge
process on this side (:mod:`rft_runtime.rewards.sandbox_judge`): names the tests use without defining
are the model's functions, called through the worker with plain arguments; a value that is not
plain data fails the test, tagged ``not-plain-data``. The worker never sees a test or an expected
value, so nothing it does to itself can pass a test. Comparisons follow Python: ``1 == 1.0`` holds,
``(1, 2) == [1, 2]`` and ``0.1 + 0.2 == 0.3`` do not. Still gameable: outputs hard-coded for examples
shown in the prompt; keep the hidden tests in the dataset row only.

Options: ``entry_point`` (default null), ``timeout_seconds`` (wall, default 10), ``cpu_seconds``
(default 5), ``memory_mb`` (default 512), ``max_output_bytes`` (default 1048576),
``max_code_bytes`` (default 65536), ``max_concurrency`` (sandboxes at once, default 2),
``batch_budget_seconds`` (default 600; samples not started by then score 0 with
``code-budget-exhausted``), ``tests_field`` (default null).

Components: ``passed`` (fraction), ``compiled``. Error tags: ``no-code``, ``code-too-long``,
``syntax-error``, ``solution-error``, ``no-entry-point``, ``memory-limit``, ``timeout``,
``cpu-limit``, ``output-limit``, ``killed``, ``crash``, ``sandbox-error``, ``bad-reference``,
``judge-timeout``/``judge-error`` (the tests themselves did not finish), ``runner-error`` (the runner
function could not be invoked); with a
partial score: ``memory-limit`` or ``not-plain-data`` (an assert checked a value that is not plain data).

Example::

    {"template": "code_tests", "options": {"entry_point": "solve", "timeout_seconds": 5}}
    # reference_answer: [{"input": [2, 3], "output": 5}, {"input": [0, 0], "output": 0}]
"""

from __future__ import annotations

import ast
import contextlib
import json
import logging
import math
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from rft_runtime.rewards import sandbox_wire
from rft_runtime.rewards.concurrency import batch_deadline, run_bounded
from rft_runtime.rewards.core import Sample, Score, failed
from rft_runtime.rewards.options import number, option, text
from rft_runtime.rewards.sandbox import Limits, Run, Verdict, call, run_code, run_judge

NAME = "code_tests"
_FENCE = re.compile(r"```[ \t]*(python3?|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)
_LOG = logging.getLogger(__name__)
_LOAD_TAGS = {"S": "syntax-error", "L": "solution-error", "M": "memory-limit"}
#: Rounds of calls an assert suite may take (a call whose arguments come from another call's result
#: needs one more round).
MAX_ROUNDS = 4


@dataclass(frozen=True)
class Options:
    """Options of ``code_tests`` (defaults in the module docstring)."""

    entry_point: str | None = option(None, rule=text(optional=True, max_length=200))
    timeout_seconds: float = option(10.0, rule=number(0.1, 900.0))
    cpu_seconds: int = option(5, rule=number(1, 900, integer=True))
    memory_mb: int = option(512, rule=number(64, 10240, integer=True))
    max_output_bytes: int = option(1 << 20, rule=number(1024, 1 << 26, integer=True))
    max_code_bytes: int = option(65536, rule=number(100, 1 << 20, integer=True))
    max_concurrency: int = option(2, rule=number(1, 64, integer=True))
    batch_budget_seconds: float = option(600.0, rule=number(1.0, 900.0))
    tests_field: str | None = option(None, rule=text(optional=True, max_length=200))


def required_fields(options: Options) -> tuple[str, ...]:
    """``tests_field`` when set; else none, since the tests may be in ``tests`` or ``reference_answer``
    (``catalogue.reference_check`` then checks that each row has tests in the field actually read)."""
    return (options.tests_field,) if options.tests_field else ()


class Suite(NamedTuple):
    """Tests ready to run: sandbox ``mode``, ``steps``, expected outputs (None for asserts), entry."""

    mode: str
    steps: list[Any]
    expected: list[Any] | None
    entry_point: str | None

    @property
    def count(self) -> int:
        """How many tests the suite holds."""
        if self.expected is not None:
            return len(self.expected)
        return sum(1 for step in self.steps if step["kind"] == "test")


def extract_code(response: str) -> str:
    """The Python in a response: its fenced blocks joined (Python-labelled ones when any), else all."""
    blocks = _FENCE.findall(response)
    if not blocks:
        return response.strip()
    labelled = [body for label, body in blocks if label]
    return "\n".join(labelled or [body for _, body in blocks]).strip()


def parse_tests(tests: object, entry_point: str | None) -> Suite | None:
    """The :class:`Suite` for a tests value (see the module docstring), or None when unusable."""
    if isinstance(tests, str) and tests.lstrip()[:1] in ("[", "{"):
        with contextlib.suppress(ValueError):
            tests = json.loads(tests)
    if isinstance(tests, str):
        return _assert_suite(tests)
    if isinstance(tests, Mapping):
        if "tests" in tests:
            return parse_tests(tests["tests"], entry_point)
        inputs, outputs = tests.get("inputs"), tests.get("outputs")
        if isinstance(inputs, list) and isinstance(outputs, list) and len(inputs) == len(outputs):
            entry = tests.get("fn_name") if isinstance(tests.get("fn_name"), str) else entry_point
            pairs = [{"input": i, "output": o} for i, o in zip(inputs, outputs, strict=True)]
            return parse_tests(pairs, entry)
        return None
    if not isinstance(tests, list) or not tests:
        return None
    if all(isinstance(test, str) for test in tests):
        return Suite("asserts", [{"kind": "test", "source": test} for test in tests], None, None)
    if all(isinstance(test, Mapping) and "input" in test and "output" in test for test in tests):
        inputs = [test["input"] for test in tests]
        expected = [test["output"] for test in tests]
        if entry_point:
            return Suite("function", inputs, expected, entry_point)
        return Suite("program", [_as_text(i) for i in inputs], [_as_text(o) for o in expected], None)
    return None


def _assert_suite(source: str) -> Suite | None:
    """Top-level asserts are tests, other statements setup; None when it does not parse or has none."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    steps = [
        {
            "kind": "test" if isinstance(node, ast.Assert) else "setup",
            "source": ast.get_source_segment(source, node),
        }
        for node in tree.body
    ]
    if not any(step["kind"] == "test" for step in steps):
        return None
    return Suite("asserts", steps, None, None)


def _as_text(value: object) -> str:
    """Program input/output as text: strings as is, lists of lines joined, other values as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "\n".join(value)
    return json.dumps(value)


def _printed(text: str) -> str:
    """Printed text compared loosely: trailing whitespace of lines and of the whole ignored."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def values_match(actual: object, expected: object) -> bool:
    """JSON values equal, with numbers compared to a relative 1e-6 (booleans are not numbers); an
    integer expected value must be met exactly (``3.0`` meets ``3``, ``999999000`` not ``999999937``)."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, int) and isinstance(actual, (int, float)):
        return actual == expected
    if isinstance(actual, (int, float)) and isinstance(expected, (int, float)):
        return math.isclose(actual, expected, rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(actual, list) and isinstance(expected, (list, tuple)):
        return len(actual) == len(expected) and all(map(values_match, actual, expected))
    if isinstance(actual, dict) and isinstance(expected, Mapping):
        return actual.keys() == expected.keys() and all(values_match(actual[k], expected[k]) for k in actual)
    return actual == expected


def _json_like(value: object) -> object:
    """A returned value as JSON would carry it (tuples as lists); sets and bytes stay as they are
    and so never equal a JSON expected value."""
    if isinstance(value, (list, tuple)):
        return [_json_like(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_like(item) for key, item in value.items()}
    return value


def passed_outputs(suite: Suite, run: Run) -> tuple[list[bool], str]:
    """Which input/output tests passed (compared here: expected values never reach the worker),
    and their status letters (``1`` ran, ``E`` raised, ``M`` out of memory)."""
    verdicts, statuses = [], []
    for index, expected in enumerate(suite.expected or []):
        result = run.results[index] if index < len(run.results) else {"error": "E"}
        if "v" not in result:
            verdicts.append(False)
            statuses.append("M" if result.get("error") == "M" else "E")
            continue
        statuses.append("1")
        if suite.mode == "program":
            printed = result["v"]
            verdicts.append(isinstance(printed, str) and _printed(printed) == _printed(expected))
        else:
            try:  # a set or a non-string key never equals a JSON value: not built (sandbox_wire)
                actual = _json_like(sandbox_wire.decode(result["v"], hashing=False))
            except sandbox_wire.WireError:
                verdicts.append(False)
                continue
            verdicts.append(values_match(actual, expected))
    return verdicts, "".join(statuses)


def code_runner(environ: Mapping[str, str] | None = None) -> Callable[..., Run]:
    """Where model code runs: the runner function named by ``RFT_CODE_RUNNER_FUNCTION`` (the stack
    sets it), else a local worker process (:func:`~rft_runtime.rewards.sandbox.run_code`)."""
    env = os.environ if environ is None else environ
    function = env.get("RFT_CODE_RUNNER_FUNCTION")
    if not function:
        return run_code
    from rft_runtime.runner.client import RemoteRunner

    return RemoteRunner(function)


def _entry_call(entry_point: str | None, arguments: object) -> dict:
    """The call of ``entry_point`` with one input (a list is spread as positional arguments)."""
    try:
        return call(str(entry_point), *(arguments if isinstance(arguments, list) else [arguments]))
    except sandbox_wire.WireError:
        return call(str(entry_point), None)


def _failure(run: Run) -> Score | None:
    """The zero score of a run that did not load the code, or None."""
    if run.error is not None:
        return Score(0.0, {"passed": 0.0, "compiled": 0.0}, run.error)
    if run.load != "O":
        compiled = 0.0 if run.load == "S" else 1.0
        return Score(0.0, {"passed": 0.0, "compiled": compiled}, _LOAD_TAGS.get(run.load, "crash"))
    if {"error": "O"} in run.results:
        return Score(0.0, {"passed": 0.0, "compiled": 1.0}, "output-limit")
    return None


def _scored(verdicts: Sequence[bool], statuses: str, count: int) -> Score:
    fraction = sum(verdicts) / count if count else 0.0
    tag = "memory-limit" if "M" in statuses else "not-plain-data" if "N" in statuses else None
    return Score(fraction, {"passed": fraction, "compiled": 1.0}, tag)


class Grader:
    """Runs each sample's code in the sandbox against its tests."""

    name = NAME

    def __init__(
        self,
        options: Options,
        *,
        runner: Callable[..., Run] | None = None,
        judge: Callable[..., Verdict] = run_judge,
        clock: Callable[[], float] = time.monotonic,
        environ: Mapping[str, str] | None = None,
        **deps: Any,
    ) -> None:
        self.options = options
        self._run = runner or code_runner(environ)
        self._judge = judge
        self._clock = clock

    def _tests(self, sample: Sample) -> object:
        field = self.options.tests_field
        if field is not None:
            return sample.reference if field == "reference_answer" else sample.metadata.get(field)
        return sample.metadata.get("tests", sample.reference)

    def score(self, sample: Sample, deadline: float | None = None) -> Score:
        """The fraction of tests the sample's code passes (0 with a tag when it cannot run)."""
        return self._run_prepared(self._prepare(sample), deadline)

    def _prepare(self, sample: Sample) -> tuple[Suite, str] | Score:
        """The sample's suite and code, or the failed score when either is unusable (never raises).

        Runs on the caller's thread: ``ast.parse`` from several threads at once can raise
        ``SystemError`` on CPython 3.11 (gh-106905), which would score a correct answer 0.
        """
        try:
            suite = parse_tests(self._tests(sample), self.options.entry_point)
        except Exception:
            _LOG.exception("reading the tests of sample %r raised", sample.id)
            return failed("bad-reference")
        if suite is None:
            return failed("bad-reference")
        code = extract_code(sample.response)
        if not code:
            return failed("no-code")
        try:
            size = len(code.encode())
        except UnicodeEncodeError:  # a lone surrogate: no runner can take it (and it must not fail the batch)
            return failed("bad-content")
        if size > self.options.max_code_bytes:
            return failed("code-too-long")
        return suite, code

    def _run_prepared(self, prepared: tuple[Suite, str] | Score, deadline: float | None) -> Score:
        if isinstance(prepared, Score):
            return prepared
        suite, code = prepared
        wall = self.options.timeout_seconds
        if deadline is not None:
            wall = max(0.5, min(wall, deadline - self._clock()))
        limits = Limits(
            wall_seconds=wall,
            cpu_seconds=self.options.cpu_seconds,
            memory_mb=self.options.memory_mb,
            output_bytes=self.options.max_output_bytes,
        )
        if suite.mode == "asserts":
            return self._judge_asserts(suite, code, limits)
        if suite.mode == "program":
            run = self._run(code, inputs=suite.steps, limits=limits)
        else:
            run = self._run(
                code, calls=[_entry_call(suite.entry_point, i) for i in suite.steps], limits=limits
            )
        failure = _failure(run)
        if failure is not None:
            return failure
        if suite.mode == "function" and run.results and run.results[0] == {"error": "U"}:
            return Score(0.0, {"passed": 0.0, "compiled": 1.0}, "no-entry-point")
        verdicts, statuses = passed_outputs(suite, run)
        return _scored(verdicts, statuses, suite.count)

    def _judge_asserts(self, suite: Suite, code: str, limits: Limits) -> Score:
        """Rounds of "judge asks for calls, a fresh worker makes them all" (see :mod:`.sandbox_judge`)."""
        calls: list[dict] = []
        results: list[dict] = []
        for round_number in range(MAX_ROUNDS + 1):
            final = round_number == MAX_ROUNDS
            verdict = self._judge(suite.steps, calls, results, final=final, limits=limits)
            if verdict.error is not None:
                return Score(0.0, {"passed": 0.0, "compiled": 1.0}, verdict.error)
            if not verdict.pending or final:
                break
            calls = calls + verdict.pending
            run = self._run(code, calls=calls, limits=limits)
            failure = _failure(run)
            if failure is not None:
                return failure
            if len(run.results) != len(calls):
                return Score(0.0, {"passed": 0.0, "compiled": 1.0}, "crash")
            results = run.results
        if not calls:  # no test calls the code: it must still load
            failure = _failure(self._run(code, calls=[], limits=limits))
            if failure is not None:
                return failure
        statuses = verdict.statuses[: suite.count]
        return _scored([status == "1" for status in statuses], statuses, suite.count)

    def score_many(self, samples: Sequence[Sample], *, deadline: float | None = None) -> list[Score]:
        """Score a batch on up to ``max_concurrency`` sandboxes within ``batch_budget_seconds``."""
        until = batch_deadline(self.options.batch_budget_seconds, deadline, self._clock)
        prepared = [self._prepare(sample) for sample in samples]
        runnable = [item for item in prepared if not isinstance(item, Score)]
        ran = iter(
            run_bounded(
                lambda item: self._run_prepared(item, until),
                runnable,
                max_workers=self.options.max_concurrency,
                deadline=until,
                exhausted_tag="code-budget-exhausted",
                clock=self._clock,
            )
        )
        return [item if isinstance(item, Score) else next(ran) for item in prepared]
