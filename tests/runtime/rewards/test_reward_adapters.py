"""TRL and OpenAI adapters call the graders with their own conventions."""

from __future__ import annotations

from rft_runtime.rewards import catalogue
from rft_runtime.rewards.adapters import to_openai_grade, to_trl_reward_func


def test_trl_standard_format():
    reward = to_trl_reward_func(catalogue.build_grader("math_answer", {}))
    assert reward.__name__ == "math_answer_reward"
    scores = reward(
        prompts=["What is 2+2?", "What is 3+3?", "What is 1+1?"],
        completions=["<think>hmm</think>#### 4", "#### 5", "#### 2 or 3"],
        completion_ids=[[1], [2], [3]],
        reference_answer=["4", "6", "2"],
        trainer_state=object(),
    )
    assert scores == [1.0, 0.0, 0.0]
    assert all(isinstance(s, float) for s in scores)


def test_trl_conversational_format_and_dataset_columns():
    reward = to_trl_reward_func(
        catalogue.build_grader("code_tests", {"entry_point": "f", "tests_field": "tests"})
    )
    completions = [[{"role": "assistant", "content": "```python\ndef f(x):\n    return x + 1\n```"}]]
    prompts = [[{"role": "user", "content": "Write f."}]]
    assert reward(prompts=prompts, completions=completions, tests=[[{"input": 1, "output": 2}]]) == [1.0]
    judge_free = to_trl_reward_func(catalogue.build_grader("string_match", {}), reference_column="label")
    assert judge_free(
        prompts=None, completions=["Yes.", [{"role": "assistant", "content": 5}]], label=["yes", "no"]
    ) == [
        1.0,
        0.0,
    ]


def test_openai_python_grader_shape():
    grade = to_openai_grade(catalogue.build_grader("math_answer", {}))
    assert grade({"output_text": "#### 12"}, {"reference_answer": "12"}) == 1.0
    assert grade({"output_text": "#### 13"}, {"reference_answer": "12"}) == 0.0
    assert grade({}, {}) == 0.0
    labels = to_openai_grade(catalogue.build_grader("string_match", {"mode": "labels", "labels": ["a", "b"]}))
    assert (
        labels(
            {"output_text": "b"}, {"reference_answer": "b", "messages": [{"role": "user", "content": "q"}]}
        )
        == 1.0
    )
