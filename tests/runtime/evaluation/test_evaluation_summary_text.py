"""The text form of a baseline names the prompts that teach nothing, not only their share."""

from __future__ import annotations

from rft_runtime.evaluation import summary
from rft_runtime.evaluation.grading import Graded


def _baseline_text(scores: dict[str, list[float]]) -> str:
    report = summary.baseline("base", Graded(scores), samples=2, threshold=0.5)
    return summary.baseline_text(report)


def test_the_text_names_each_kind_of_prompt_that_teaches_nothing():
    text = _baseline_text({"solved": [1.0, 1.0], "hard": [0.0, 0.0], "half": [0.5, 0.5], "mixed": [0.0, 1.0]})
    assert "prompts that teach nothing at 2 samples: 3 of 4" in text
    assert "  always 0 (1): hard" in text and "  always 1 (1): solved" in text
    assert "  another constant (1): half" in text
    assert "mixed" not in text


def test_a_long_list_of_ids_is_cut_and_says_how_many_more():
    text = _baseline_text({f"q{n}": [1.0, 1.0] for n in range(25)})
    line = next(line for line in text.splitlines() if line.startswith("  always 1"))
    assert (
        line
        == "  always 1 (25): "
        + ", ".join(f"q{n}" for n in range(10))
        + ", and 15 more (--format json lists all)"
    )
    assert "  always 0 (" not in text


def test_one_sample_per_prompt_lists_no_prompts():
    report = summary.baseline("base", Graded({"a": [1.0], "b": [0.0]}), samples=1, threshold=0.5)
    assert "teach nothing at" not in summary.baseline_text(report)
