"""The catalogue API the CDK app and the dataset validator call at synth time."""

from __future__ import annotations

import pytest

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.options import OptionsError

MINIMAL = {
    "math_answer": {},
    "format_check": {"constraints": [{"type": "length", "max_words": 10}]},
    "string_match": {},
    "text_similarity": {},
    "code_tests": {},
    "llm_judge": {"model_id": "anthropic.claude-3-haiku-20240307-v1:0"},
    "composite": {"graders": [{"template": "math_answer"}]},
}


def test_names_are_stable():
    assert catalogue.TEMPLATE_NAMES == (
        "math_answer",
        "format_check",
        "string_match",
        "text_similarity",
        "code_tests",
        "llm_judge",
        "composite",
        "custom",
    )


@pytest.mark.parametrize("name", sorted(MINIMAL))
def test_every_template_builds_from_minimal_options(name):
    assert catalogue.validate_options(name, MINIMAL[name]) == []
    grader = catalogue.build_grader(name, MINIMAL[name])
    assert grader.name == name and callable(grader.score)
    assert isinstance(catalogue.required_dataset_fields(name, MINIMAL[name]), tuple)
    module = catalogue.template_module(name)
    assert module.__doc__ and "Example" in module.__doc__


def test_unknown_template():
    [message] = catalogue.validate_options("maths", {})
    assert message == f"unknown reward template 'maths'; choose one of: {', '.join(catalogue.TEMPLATE_NAMES)}"
    with pytest.raises(ValueError, match="unknown reward template"):
        catalogue.required_dataset_fields("maths", {})
    with pytest.raises(OptionsError):
        catalogue.build_grader("maths", {})
    assert catalogue.validate_options(None, {})[0].startswith("unknown reward template None")  # type: ignore[arg-type]


def test_unknown_keys_with_suggestions_and_all_problems_at_once():
    problems = catalogue.validate_options(
        "math_answer", {"tolerence": 0.1, "fallback": "guess", "abs_tolerance": "0"}
    )
    assert problems == [
        "math_answer: unknown option 'tolerence' (did you mean 'tolerance'?); allowed options: tolerance, "
        "abs_tolerance, fallback, budget_ms",
        "math_answer: option 'abs_tolerance' = '0' is invalid; allowed: a number >= 0",
        "math_answer: option 'fallback' = 'guess' is invalid; allowed: one of 'single', 'none'",
    ]


@pytest.mark.parametrize("options", [[], "x", 3])
def test_options_must_be_an_object(options):
    assert catalogue.validate_options("math_answer", options) == [
        f"math_answer: options must be an object, got {options!r}"
    ]


def test_none_means_no_options():
    assert catalogue.validate_options("math_answer", None) == []  # type: ignore[arg-type]


def test_invalid_options_raise_value_errors_for_required_fields():
    with pytest.raises(ValueError, match="model_id"):
        catalogue.required_dataset_fields("llm_judge", {})


@pytest.mark.parametrize(
    ("name", "options", "grader", "runner"),
    [
        ("code_tests", {}, 10, 20),  # default max_concurrency 2
        ("code_tests", {"max_concurrency": 4}, 10, 40),
        ("code_tests", {"max_concurrency": 4}, 0, 0),  # unreserved stays unreserved
        ("math_answer", {}, 10, 0),  # no runner
        (
            "composite",
            {
                "graders": [
                    {"template": "code_tests", "options": {"max_concurrency": 3}},
                    {"template": "code_tests", "options": {"max_concurrency": 5}},
                    {"template": "math_answer"},
                ]
            },
            10,
            50,  # parts run one after another: the widest counts
        ),
    ],
)
def test_the_code_runner_reserves_what_one_grader_at_full_load_calls_at_once(name, options, grader, runner):
    assert catalogue.code_runner_concurrency(name, options, grader) == runner
