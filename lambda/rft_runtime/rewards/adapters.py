"""The same graders outside Bedrock: TRL's ``GRPOTrainer`` and OpenAI's python-grader shape.

- :func:`to_trl_reward_func`: ``reward_funcs=[to_trl_reward_func(grader)]``. TRL calls it with
  keyword arguments ``prompts``, ``completions`` (strings, or message lists in the conversational
  format) and one list per dataset column (``reference_answer`` among them); it returns one float
  per completion.
- :func:`to_openai_grade`: ``grade(sample, item) -> float`` where ``sample["output_text"]`` is the
  model output and ``item`` the dataset row (``item["reference_answer"]``; other keys become
  metadata, ``item["messages"]`` the prompt).

Both extract the final answer exactly as the Lambda does (reasoning removed) and score 0 on errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rft_runtime.rewards.core import EMPTY, Grader, Sample, clamp01, safe_score, score_all
from rft_runtime.rewards.text import BadContent, final_answer

#: Keyword arguments TRL passes that are not dataset columns.
TRL_RESERVED = frozenset(
    {"prompts", "completions", "completion_ids", "completions_ids", "trainer_state", "log_extra"}
)


def _completion_content(completion: object) -> object:
    """The generated content of a TRL completion: a string, or the last message of a list."""
    if isinstance(completion, list) and completion and isinstance(completion[-1], Mapping):
        return completion[-1].get("content", "")
    return completion


def _prompt_messages(prompt: object) -> list[Mapping[str, Any]]:
    """A TRL prompt as messages: a message list stays as is, a string becomes one user turn."""
    if isinstance(prompt, list):
        return [m for m in prompt if isinstance(m, Mapping)]
    if isinstance(prompt, str):
        return [{"role": "user", "content": prompt}]
    return []


def make_sample(
    content: object, reference: object, messages: Sequence[Mapping[str, Any]], metadata: Mapping[str, Any]
) -> Sample:
    """A :class:`Sample` from raw generated ``content`` (reasoning removed; bad content gives "")."""
    try:
        response, reasoning = final_answer(content)
    except BadContent:
        response, reasoning = "", ""
    return Sample(response, reference, list(messages), metadata, "", reasoning)


def to_trl_reward_func(
    grader: Grader, *, reference_column: str = "reference_answer"
) -> Callable[..., list[float]]:
    """A TRL reward function backed by ``grader`` (its ``__name__`` is ``<grader>_reward``)."""

    def reward(
        prompts: Sequence[object] | None = None, completions: Sequence[object] = (), **columns: Any
    ) -> list[float]:
        rows = {k: v for k, v in columns.items() if k not in TRL_RESERVED and isinstance(v, (list, tuple))}
        samples = []
        for index, completion in enumerate(completions):
            metadata = {name: values[index] for name, values in rows.items() if index < len(values)}
            prompt = prompts[index] if prompts is not None and index < len(prompts) else None
            samples.append(
                make_sample(
                    _completion_content(completion),
                    metadata.get(reference_column),
                    _prompt_messages(prompt),
                    metadata,
                )
            )
        return [clamp01(score.value) for score in score_all(grader, samples)]

    reward.__name__ = f"{getattr(grader, 'name', 'grader')}_reward"
    return reward


def to_openai_grade(grader: Grader) -> Callable[[Mapping[str, Any], Mapping[str, Any]], float]:
    """An OpenAI python-grader ``grade(sample, item) -> float`` backed by ``grader``."""

    def grade(sample: Mapping[str, Any], item: Mapping[str, Any]) -> float:
        item = item if isinstance(item, Mapping) else EMPTY
        content = sample.get("output_text", "") if isinstance(sample, Mapping) else ""
        messages = item.get("messages")
        built = make_sample(
            content,
            item.get("reference_answer"),
            messages if isinstance(messages, list) else [],
            {k: v for k, v in item.items() if k != "messages"},
        )
        return clamp01(safe_score(grader, built).value)

    return grade
