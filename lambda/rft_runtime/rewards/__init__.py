"""Reward-function runtime: the graders behind the reward Lambda, ``rft grade`` and other trainers.

Standard library only; boto3 is imported lazily, and only by the ``llm_judge`` template and the
code runner client.

- :mod:`.core`: :class:`Sample` in, :class:`Score` out, the grader protocol.
- :mod:`.handler`: the Lambda entry point (``handler``, ``make_handler``); :mod:`.batch` the Bedrock
  batch contract; :mod:`.metrics` the CloudWatch EMF line.
- :mod:`.catalogue`: template names, option validation, dataset needs, grader construction;
  :mod:`.templates`: one module per template.
- :mod:`.adapters`: TRL and OpenAI calling conventions; :mod:`.probes` and :mod:`.local`: the
  ``rft check-grader`` and ``rft grade`` plumbing.
- Helpers: :mod:`.payload` (event items), :mod:`.text` (final answer, references), :mod:`.numeric`,
  :mod:`.similarity`, :mod:`.jsonschema_lite`, :mod:`.judge_prompts`, :mod:`.sandbox` (trusted
  side of running model code), :mod:`.sandbox_worker` (the untrusted side), :mod:`.sandbox_judge`
  (assert tests), :mod:`.sandbox_wire` (plain data between them), :mod:`.sandbox_seccomp` (kernel
  filter), :mod:`.concurrency`, :mod:`.memo`, :mod:`.options`.
"""

from rft_runtime.rewards.core import Grader, Sample, Score

__all__ = ["Grader", "Sample", "Score"]
