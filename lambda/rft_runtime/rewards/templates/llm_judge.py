"""``llm_judge`` (RLAIF): a Bedrock model grades each response against a rubric (Converse API).

Options:

- ``model_id`` (required): the judge's model or inference-profile id (the CDK construct grants
  ``bedrock:InvokeModel`` on exactly this model). Prefer a model other than the one being trained.
- ``region`` (default: the Lambda's Region).
- ``preset`` (default ``"instruction_following"`` when no ``rubric``): ``instruction_following``,
  ``summarization``, ``reasoning``, ``rag_faithfulness`` (see :mod:`rft_runtime.rewards.judge_prompts`);
  or ``rubric``: your own grading criteria (give one of the two).
- ``max_concurrency`` (default 8): judge calls in flight per batch.
- ``timeout_seconds`` (default 60): read timeout of one call.
- ``max_attempts`` (default 4): tries per sample; throttling, unavailable or not-ready models and
  timeouts back off exponentially with full jitter (0.5 s base, 8 s cap).
- ``batch_budget_seconds`` (default 600): samples not judged by then score 0 with
  ``judge-budget-exhausted`` (the Lambda's remaining time also bounds the batch).
- ``max_candidate_chars`` (default 8000): longer responses are cut before judging.
- ``max_tokens`` (default 300): the judge's output budget. Temperature is always 0.
- ``context_field`` (default ``"context"``): a metadata field passed as ``<context>`` when present.
- ``include_reasoning`` (default false): also show the judge the removed reasoning.

Dataset fields: none required; ``reference_answer`` is shown to the judge when present. Score:
judge score / 10; component ``judge``. Error tags: ``judge-unparseable``, ``judge-refused``,
``judge-out-of-range``, ``judge-throttled``, ``judge-timeout``, ``judge-error``,
``judge-budget-exhausted`` (all score 0).

Example::

    {"template": "llm_judge", "options": {"model_id": "us.amazon.nova-pro-v1:0", "preset": "summarization"}}
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rft_runtime.rewards import judge_prompts
from rft_runtime.rewards.concurrency import batch_deadline, run_bounded
from rft_runtime.rewards.core import Sample, Score, failed
from rft_runtime.rewards.options import BOOLEAN, choice, number, option, predicate, text

NAME = "llm_judge"
RETRYABLE = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "ModelNotReadyException",
        "InternalServerException",
        "ModelTimeoutException",
    }
)
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0
_REFUSED_STOPS = frozenset({"content_filtered", "guardrail_intervened"})


@dataclass(frozen=True)
class Options:
    """Options of ``llm_judge`` (defaults in the module docstring)."""

    model_id: str = option(
        rule=predicate(
            "a Bedrock model id, inference-profile id or ARN (no spaces, at most 2048 characters)",
            lambda v: isinstance(v, str) and 0 < len(v) <= 2048 and not any(c.isspace() for c in v),
        )
    )
    region: str | None = option(None, rule=text(optional=True, max_length=40))
    preset: str | None = option(None, rule=choice(*judge_prompts.PRESETS))
    rubric: str | None = option(None, rule=text(optional=True, max_length=20_000))
    max_concurrency: int = option(8, rule=number(1, 64, integer=True))
    timeout_seconds: float = option(60.0, rule=number(1.0, 900.0))
    max_attempts: int = option(4, rule=number(1, 10, integer=True))
    batch_budget_seconds: float = option(600.0, rule=number(1.0, 900.0))
    max_candidate_chars: int = option(8000, rule=number(100, 200_000, integer=True))
    max_tokens: int = option(300, rule=number(16, 4096, integer=True))
    context_field: str = option("context", rule=text(max_length=200))
    include_reasoning: bool = option(False, rule=BOOLEAN)

    def problems(self) -> list[str]:
        """``preset`` and ``rubric`` exclude each other."""
        if self.preset is not None and self.rubric is not None:
            return ["give either option 'preset' or option 'rubric', not both"]
        return []

    @property
    def rubric_text(self) -> str:
        """The rubric in use: ``rubric``, else the preset's (default ``instruction_following``)."""
        return self.rubric or judge_prompts.PRESETS[self.preset or "instruction_following"]


def required_fields(options: Options) -> tuple[str, ...]:
    """None: the judge reads the prompt (and the reference when present)."""
    return ()


def make_client(options: Options) -> Any:
    """A ``bedrock-runtime`` client with our timeouts and botocore's own retries off (we retry)."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=min(10.0, options.timeout_seconds),
        read_timeout=options.timeout_seconds,
        retries={"total_max_attempts": 1, "mode": "standard"},
    )
    return boto3.client("bedrock-runtime", region_name=options.region, config=config)


class Grader:
    """Asks the judge model about each sample, concurrently, within a time budget."""

    name = NAME

    def __init__(
        self,
        options: Options,
        *,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        **deps: Any,
    ) -> None:
        self.options = options
        self._client = client
        self._client_lock = threading.Lock()
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._system = [{"text": judge_prompts.system_prompt(options.rubric_text)}]

    def client(self) -> Any:
        """The Bedrock runtime client, created on first use."""
        with self._client_lock:
            if self._client is None:
                self._client = make_client(self.options)
            return self._client

    def request(self, sample: Sample) -> dict[str, Any]:
        """The Converse request for one sample."""
        options = self.options
        prompt = judge_prompts.user_prompt(
            sample.messages,
            sample.response,
            reference=sample.reference,
            context=sample.metadata.get(options.context_field),
            reasoning=sample.reasoning if options.include_reasoning else "",
            max_chars=options.max_candidate_chars,
        )
        return {
            "modelId": options.model_id,
            "system": self._system,
            "messages": [{"role": "user", "content": [{"text": prompt}]}],
            "inferenceConfig": {"temperature": 0.0, "maxTokens": options.max_tokens},
        }

    def score(self, sample: Sample, deadline: float | None = None) -> Score:
        """The judge's score / 10 (0 with a tag when the judgement fails)."""
        if deadline is None:
            deadline = self._clock() + self.options.batch_budget_seconds
        if not sample.response.strip():
            return Score(0.0, {"judge": 0.0}, "empty-response")
        response = self._converse(self.request(sample), deadline)
        if isinstance(response, str):
            return failed(response)
        if response.get("stopReason") in _REFUSED_STOPS:
            return failed("judge-refused")
        content = response.get("output", {}).get("message", {}).get("content", [])
        text = "".join(block.get("text", "") for block in content if isinstance(block, dict))
        verdict = judge_prompts.parse_verdict(text)
        if verdict.score is None:
            return failed(verdict.tag or "judge-unparseable")
        value = verdict.score / 10.0
        return Score(value, {"judge": value})

    def _converse(self, request: dict[str, Any], deadline: float) -> dict[str, Any] | str:
        """The Converse response, or an error tag after retries / when the deadline comes."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client()
        tag = "judge-error"
        for attempt in range(self.options.max_attempts):
            if self._clock() >= deadline:
                return "judge-budget-exhausted"
            try:
                return client.converse(**request)
            except ClientError as problem:
                code = problem.response.get("Error", {}).get("Code", "")
                if code not in RETRYABLE:
                    return "judge-error"
                tag = "judge-throttled" if "Throttl" in code or "TooMany" in code else "judge-error"
            except BotoCoreError:
                tag = "judge-timeout"
            delay = self._rng.uniform(0.0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt))
            if attempt + 1 < self.options.max_attempts:
                if self._clock() + delay >= deadline:
                    return "judge-budget-exhausted"
                self._sleep(delay)
        return tag

    def score_many(self, samples: Sequence[Sample], *, deadline: float | None = None) -> list[Score]:
        """Judge a batch on up to ``max_concurrency`` threads within ``batch_budget_seconds``."""
        until = batch_deadline(self.options.batch_budget_seconds, deadline, self._clock)
        if samples:
            self.client()
        return run_bounded(
            lambda sample: self.score(sample, until),
            samples,
            max_workers=self.options.max_concurrency,
            deadline=until,
            exhausted_tag="judge-budget-exhausted",
            clock=self._clock,
        )
