"""Reward-hack canaries for assert-style ``code_tests`` suites: the solution must not grade itself.

Assert tests run in the solution's namespace. Before the rewrite, ``assert add(1, 2) == 3`` passed for
any ``add`` returning an object with a rigged ``__eq__``. Each canary below scores 1.0 on a naive
harness; each must score below 1 here, while honest solutions keep their Python-semantics score.
"""

from __future__ import annotations

import textwrap

import pytest

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.core import Sample
from rft_runtime.rewards.sandbox import run_judge
from rft_runtime.rewards.templates import code_tests

FAST = {"timeout_seconds": 10, "cpu_seconds": 3, "memory_mb": 256}
ADD_TESTS = "assert add(1, 2) == 3\nassert add(-1, 1) == 0\nassert add(2, 2) == 4"


def score(code, tests, **options):
    response = f"```python\n{textwrap.dedent(code).strip()}\n```"
    return catalogue.build_grader("code_tests", {**FAST, **options}).score(Sample(response, tests))


def statuses(code, *tests, setup=()):
    steps = [{"kind": "setup", "source": s} for s in setup] + [{"kind": "test", "source": t} for t in tests]
    verdicts = []

    def judge(*args, **kwargs):
        verdicts.append(run_judge(*args, **kwargs))
        return verdicts[-1]

    grader = code_tests.Grader(catalogue.parse("code_tests", FAST), judge=judge)
    suite = code_tests.Suite("asserts", steps, None, None)
    result = grader._run_prepared((suite, textwrap.dedent(code)), None)
    assert result.error in (None, "not-plain-data", "memory-limit"), result
    return verdicts[-1].statuses


def test_honest_solutions_keep_their_scores():
    assert score("def add(a, b):\n    return a + b", ADD_TESTS).value == 1.0
    wrong = score("def add(a, b):\n    return a * b", ADD_TESTS)
    assert wrong.value == pytest.approx(1 / 3) and wrong.error is None  # 2 * 2 == 4 still holds
    assert score("def add(a, b):\n    return 0", ADD_TESTS).value == pytest.approx(1 / 3)


RIGGED = {
    "rigged __eq__": """
        class E:
            __eq__ = lambda self, other: True
        def add(a, b):
            return E()
    """,
    "rigged __eq__ on the class of the expected value's side (reflected)": """
        class E:
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            __hash__ = object.__hash__
        def add(a, b):
            return E()
    """,
    "int subclass": """
        class I(int):
            def __eq__(self, other): return True
            __hash__ = int.__hash__
        def add(a, b):
            return I(7)
    """,
    "str subclass": """
        class S(str):
            def __eq__(self, other): return True
            __hash__ = str.__hash__
        def add(a, b):
            return S("nope")
    """,
    "list subclass": """
        class L(list):
            def __eq__(self, other): return True
            def __iter__(self): return iter([3])
        def add(a, b):
            return L()
    """,
    "object whose __class__ claims int": """
        class Fake:
            __class__ = property(lambda self: int)
            def __eq__(self, other): return True
            def __index__(self): return 3
        def add(a, b):
            return Fake()
    """,
    "rebinding json and builtins": """
        import builtins, json
        json.dumps = lambda *a, **k: "3"
        json.loads = lambda *a, **k: 3
        json._default_encoder.encode = lambda o: "3"
        builtins.isinstance = lambda *a: True
        builtins.type = lambda *a: int
        builtins.AssertionError = type("Never", (Exception,), {})
        class E:
            __eq__ = lambda self, other: True
        def add(a, b):
            return E()
    """,
    "rigged __eq__ installed on the comparison partner's module": """
        import operator
        operator.eq = lambda a, b: True
        class E:
            __eq__ = lambda self, other: True
        def add(a, b):
            return E()
    """,
}


@pytest.mark.parametrize("name", list(RIGGED))
def test_rigged_results_do_not_pass_assert_tests(name):
    result = score(RIGGED[name], ADD_TESTS)
    assert result.value == 0.0, (name, result)
    assert result.error in ("not-plain-data", "crash", None)


def test_rigged_results_fail_with_a_clear_status():
    rigged = "class E:\n    __eq__ = lambda s, o: True\ndef add(a, b): return E()"
    assert statuses(rigged, "assert add(1, 2) == 3", "assert add(1, 2) != 3", "assert add(0, 0)") == "NNN"
    assert score(rigged, ADD_TESTS).error == "not-plain-data"


@pytest.mark.parametrize(
    ("hack", "tests"),
    [
        # truthiness: `assert f(x)` and `assert not f(x)` with a rigged __bool__
        (
            "class B:\n    __bool__ = lambda s: True\ndef is_even(n): return B()",
            "assert is_even(2)\nassert not is_even(3)",
        ),
        (
            "class B:\n    __bool__ = lambda s: False\ndef is_even(n): return B()",
            "assert is_even(2)\nassert not is_even(3)",
        ),
        # HumanEval-style float tests: rigged arithmetic returning a plain 0.0
        (
            "class Z:\n    __sub__ = __rsub__ = lambda s, o: 0.0\ndef mean(xs): return Z()",
            "assert abs(mean([1, 2]) - 1.5) < 1e-6\nassert abs(mean([2, 2]) - 2.0) < 1e-6",
        ),
        # ... or a rigged __abs__ / __neg__ / ordering
        (
            "class Z:\n    __sub__ = lambda s, o: s\n    __abs__ = lambda s: 0.0\n"
            "    __lt__ = __gt__ = lambda s, o: True\ndef mean(xs): return Z()",
            "assert abs(mean([1, 2]) - 1.5) < 1e-6\nassert 1.4 < mean([1, 2]) < 1.6",
        ),
        # rebinding the builtins the tests use (module-level or in builtins)
        (
            "import builtins\nbuiltins.abs = lambda x: 0\ndef mean(xs): return 99.0",
            "assert abs(mean([1, 2]) - 1.5) < 1e-6\nassert abs(mean([2, 2]) - 2.0) < 1e-6",
        ),
        (
            "def abs(x): return 0\ndef all(xs): return True\ndef mean(xs): return 99.0",
            "assert abs(mean([1, 2]) - 1.5) < 1e-6\nassert all(mean(x) == 2 for x in [[2, 2]])",
        ),
        (
            "import math\nmath.isclose = lambda *a, **k: True\ndef mean(xs): return 99.0",
            "import math\nassert math.isclose(mean([1, 2]), 1.5)\nassert math.isclose(mean([2, 2]), 2.0)",
        ),
        # rigged membership and reflected comparisons
        (
            "class C:\n    __contains__ = lambda s, x: True\n    __eq__ = lambda s, o: True\n"
            "def evens(n): return C()",
            "assert 4 in evens(5)\nassert evens(5) == [0, 2, 4]",
        ),
    ],
)
def test_other_universal_hacks_do_not_pass(hack, tests):
    assert score(hack, tests).value == 0.0


def test_test_snippets_are_checked_too():
    rigged = "class E:\n    __eq__ = __ne__ = lambda s, o: s is o\ndef add(a, b): return E()"
    snippets = [
        "if add(1, 2) != 3:\n    raise AssertionError",
        "def check(candidate):\n    assert candidate(1, 2) == 3\ncheck(add)",
        "for a, b, c in [(1, 2, 3), (2, 2, 4)]:\n    assert add(a, b) == c",
    ]
    assert score(rigged, snippets).value == 0.0
    assert score("def add(a, b):\n    return a + b", snippets).value == 1.0
    # HumanEval style, the checker defined in setup and called from a test
    humaneval = "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(0, 0) == 0\n"
    humaneval += "assert check(add) is None"
    assert score(rigged, humaneval).value == 0.0
    assert score("def add(a, b):\n    return a + b", humaneval).value == 1.0


def test_python_semantics_for_plain_values():
    code = """
        import collections, enum
        Point = collections.namedtuple("Point", "x y")
        class Color(enum.IntEnum):
            RED = 1
        def div(a, b): return a / b
        def pair(): return [1, 2]
        def point(): return Point(1, 2)
        def freq(xs): return collections.Counter(xs)
        def ordered(): return collections.OrderedDict(a=1)
        def red(): return Color.RED
        def nan(): return float("nan")
        def nested(): return {"k": [(1, 2.5), {3}, frozenset({"a"}), b"x", None, True, 1j]}
    """
    tests = [
        "assert div(2, 2) == 1",  # 1.0 == 1
        "assert div(1, 10) + div(2, 10) != 0.3",  # floats are exact, as in Python
        "assert abs(div(1, 10) + div(2, 10) - 0.3) < 1e-9",
        "assert pair() != (1, 2) and tuple(pair()) == (1, 2)",
        "assert point() == (1, 2) and point()[0] == 1",  # a namedtuple arrives as a plain tuple
        "assert freq([1, 1, 2]) == {1: 2, 2: 1}",
        "assert ordered() == {'a': 1}",
        "assert red() == 1 and red() in [1] and -red() == -1",
        "assert nan() != nan()",
        "assert nested() == {'k': [(1, 2.5), {3}, frozenset({'a'}), b'x', None, True, 1j]}",
        "assert sorted(pair(), reverse=True) == [2, 1] and len(pair()) == 2 and max(pair()) == 2",
        "assert pair() is not None and not []",
        "assert div(1, 4) <= 0.25 < 1 and 1 in pair()",
    ]
    assert statuses(code, *tests) == "1" * len(tests)


def test_values_that_are_not_plain_data_fail():
    code = """
        import fractions
        def half(): return fractions.Fraction(1, 2)
        def loop():
            a = []
            a.append(a)
            return a
        def deep():
            a = []
            for _ in range(200):
                a = [a]
            return a
    """
    tests = [
        "import fractions\nassert half() == fractions.Fraction(1, 2)",
        "assert loop() == loop()",
        "assert deep() == deep()",
        "assert half() is not None",  # identity needs no plain data
    ]
    assert statuses(code, *tests) == "NNN1"


def test_tests_that_bind_builtin_names_keep_them():
    code = "def add(a, b):\n    return a + b"
    setup = ["def sum(xs):\n    return 42", "from math import fsum as ceil"]
    tests = [
        "assert sum([1]) == 42",  # the setup's `sum`, not the builtin
        "max = lambda *a: -1\nassert max(1, 2) == -1",
        "assert ceil([0.5, 0.5]) == 1.0",
        "assert add(len([1]), 1) == 2",
    ]
    assert statuses(code, *tests, setup=setup) == "1111"


def test_assert_messages_and_errors_keep_their_meaning():
    code = "def add(a, b):\n    return a + b"
    tests = [
        "assert add(1, 2) == 4, f'got {add(1, 2)}'",
        "assert add(1, 'x') == 1",  # TypeError in the solution
        "assert add(1, 2) < 'a'",  # TypeError comparing plain values, as in Python
        "assert (",  # does not compile
        "x = 1\nassert x == 1",
    ]
    assert statuses(code, *tests) == "0EEE1"


def test_the_harness_stays_out_of_reach():
    # A test that hands a checked lambda to the solution: the helpers inside stay unreachable.
    code = """
        def probe(function):
            found = []
            for attribute in ("__code__", "__defaults__", "__globals__", "__closure__"):
                try:
                    value = getattr(function, attribute)
                    found.append(attribute if value else None)
                except Exception:
                    pass
            return found
    """
    # A function of the tests is not plain data: it never crosses to the worker (status N).
    tests = ["assert probe(lambda x: x == 1) == ['__globals__', None]"]
    assert statuses(code, *tests) == "N"
