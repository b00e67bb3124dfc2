"""``custom``: validation without execution, loading, return shapes, exceptions, clamping."""

from __future__ import annotations

import math

import pytest

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.core import Sample, Score
from rft_runtime.rewards.handler import make_handler


def write(tmp_path, source, name="grader.py"):
    path = tmp_path / name
    path.write_text(source)
    return str(path)


@pytest.mark.parametrize(
    ("returned", "value", "components", "error"),
    [
        ("0.5", 0.5, {}, None),
        ("True", 1.0, {}, None),
        ("{'value': 0.25, 'components': {'a': 1.0}}", 0.25, {"a": 1.0}, None),
        ("{'score': 0.75, 'error': 'partial'}", 0.75, {}, "partial"),
        ("Score(0.6, {'b': 0.5})", 0.6, {"b": 0.5}, None),
        ("type('R', (), {'value': 0.4, 'components': {'c': 0.1}})()", 0.4, {"c": 0.1}, None),
        ("'high'", 0.0, {}, "bad-return"),
        ("{'value': 'x'}", 0.0, {}, "bad-return"),
        ("None", 0.0, {}, "bad-return"),
        ("float('nan')", 0.0, {}, "non-finite-score"),
    ],
)
def test_return_shapes(tmp_path, returned, value, components, error):
    source = f"from rft_runtime.rewards.core import Score\n\ndef score(sample):\n    return {returned}\n"
    grader = catalogue.build_grader("custom", {"path": write(tmp_path, source)})
    result = grader.score(Sample("x"))
    assert (result.value, dict(result.components), result.error) == (value, components, error)


def test_wrapped_with_the_batch_contract(tmp_path, item):
    source = (
        "def score(sample):\n"
        "    if sample.response == 'boom':\n"
        "        raise ValueError('user bug')\n"
        "    if sample.response == 'exit':\n"
        "        raise SystemExit(1)\n"
        "    return 5.0 if sample.response == 'big' else -1.0 if sample.response == 'neg' else 0.5\n"
    )
    handler = make_handler("custom", {"path": write(tmp_path, source)}, emit=lambda _: None)
    out = handler([item("boom"), item("exit"), item("big"), item("neg"), item("<think>x</think>fine")])
    assert [r["aggregate_reward_score"] for r in out] == [0.0, 0.0, 1.0, 0.0, 0.5]
    assert {"name": "error/user-exception", "value": 1.0, "type": "Metric"} in out[0]["metrics_list"]


def test_validation_parses_without_executing(tmp_path):
    marker = tmp_path / "ran"
    path = write(tmp_path, f"open({str(marker)!r}, 'w').write('x')\ndef score(sample):\n    return 1\n")
    assert catalogue.validate_options("custom", {"path": path}) == []
    assert not marker.exists()
    for source in ("score = lambda s: 1\n", "from math import floor as score\n", "score: object = max\n"):
        assert catalogue.validate_options("custom", {"path": write(tmp_path, source, "alt.py")}) == []


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("def grade(sample):\n    return 1\n", "defines no top-level 'score'"),
        ("def score(sample)\n", "does not parse"),
        ("class X:\n    def score(self):\n        return 1\n", "defines no top-level 'score'"),
    ],
)
def test_validation_problems(tmp_path, source, fragment):
    [problem] = catalogue.validate_options("custom", {"path": write(tmp_path, source)})
    assert fragment in problem and problem.startswith("custom: option 'path'")


def test_missing_file_and_wrong_suffix(tmp_path):
    assert "no such file" in catalogue.validate_options("custom", {"path": str(tmp_path / "absent.py")})[0]
    assert "ending in .py" in catalogue.validate_options("custom", {"path": write(tmp_path, "x", "g.txt")})[0]
    assert "is required" in catalogue.validate_options("custom", {})[0]


def test_relative_paths_resolve_against_the_task_root(tmp_path, monkeypatch):
    (tmp_path / "code").mkdir()
    write(tmp_path / "code", "def score(sample):\n    return 0.3\n")
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    grader = catalogue.build_grader("custom", {"path": "code/grader.py"})
    assert math.isclose(grader.score(Sample("x")).value, 0.3)


def test_load_failures_are_options_errors(tmp_path):
    from rft_runtime.rewards.options import OptionsError

    path = write(tmp_path, "raise RuntimeError('bad import')\ndef score(sample):\n    return 1\n")
    with pytest.raises(OptionsError, match="raised while loading: RuntimeError: bad import"):
        catalogue.build_grader("custom", {"path": path})
    assert catalogue.required_dataset_fields("custom", {"path": path}) == ()
    assert isinstance(Score(1.0), tuple)
