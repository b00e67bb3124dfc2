"""Every response of one model to every prompt: from the response store, else from Converse.

Missing responses are requested on a thread pool of ``concurrency`` workers under one
:class:`~rft_runtime.evaluation.throttle.AdaptiveLimit`; each reply is written to the store as soon
as it arrives, so an interruption (Ctrl-C, a refused request) loses at most the calls in flight.
A request refused for a reason other than throttling or a transient fault stops the run: the
remaining requests are cancelled and the error propagates.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TextIO

from rft_runtime.evaluation import converse, throttle
from rft_runtime.evaluation.converse import InferenceSettings, Reply
from rft_runtime.evaluation.progress import Progress
from rft_runtime.evaluation.prompts import Prompt
from rft_runtime.evaluation.store import ResponseStore, make_key

#: Default number of Converse calls in flight.
DEFAULT_CONCURRENCY = 4


@dataclass
class Collected:
    """``replies[prompt id]`` lists the samples in order; ``called`` of them were requested in this
    run, ``reused`` came from the store; ``throttles`` counts throttled attempts."""

    replies: dict[str, list[Reply]] = field(default_factory=dict)
    called: int = 0
    reused: int = 0
    throttles: int = 0

    def texts(self) -> dict[str, list[str]]:
        return {prompt_id: [r.text for r in replies] for prompt_id, replies in self.replies.items()}

    def tokens(self) -> dict[str, int]:
        """Converse usage summed over every response (reused ones included: what a fresh run pays)."""
        every = [r for replies in self.replies.values() for r in replies]
        return {
            "inputTokens": sum(r.input_tokens for r in every),
            "outputTokens": sum(r.output_tokens for r in every),
        }


def collect(
    client: Any,
    model: str,
    prompts: Sequence[Prompt],
    *,
    samples: int,
    settings: InferenceSettings,
    store: ResponseStore,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress_stream: TextIO = sys.stderr,
    show_progress: bool = False,
    sleep: Callable[[float], None] | None = None,
    store_model: str | None = None,
) -> Collected:
    """The responses of ``model`` to ``samples`` samples of every prompt (see the module docstring).
    ``store_model`` is the model part of their store keys (default: ``model``; see
    :func:`rft_runtime.evaluation.runs.store_identity`)."""
    result = Collected()
    keyed = store_model or model
    missing: list[tuple[Prompt, int]] = []
    for prompt in prompts:
        for index in range(samples):
            if store.get(make_key(keyed, prompt.digest, index, settings)) is None:
                missing.append((prompt, index))
    result.reused = len(prompts) * samples - len(missing)
    if missing:
        limit = throttle.AdaptiveLimit(concurrency)
        bar = Progress(f"{model[-40:]}", len(missing), progress_stream, enabled=show_progress)
        extra = {} if sleep is None else {"sleep": sleep}

        stop = threading.Event()

        def fetch(job: tuple[Prompt, int]) -> None:
            if stop.is_set():  # an earlier request failed: start no new paid call
                return
            prompt, index = job
            kwargs = converse.request(model, prompt, settings)
            try:
                response = throttle.call_with_backoff(lambda: client.converse(**kwargs), limit, **extra)
            except BaseException:
                stop.set()
                raise
            store.put(make_key(keyed, prompt.digest, index, settings), converse.reply(response))
            bar.advance()

        try:
            with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="rft-converse") as pool:
                futures = [pool.submit(fetch, job) for job in missing]
                try:
                    done, _ = wait(futures, return_when=FIRST_EXCEPTION)
                    failed = next((f for f in done if f.exception() is not None), None)
                    if failed is not None:
                        raise failed.exception()  # type: ignore[misc]
                finally:  # a failure or Ctrl-C: nothing new starts; calls in flight finish and are stored
                    for future in futures:
                        future.cancel()
        finally:
            bar.finish()
        result.called = len(missing)
        result.throttles = limit.throttles
    for prompt in prompts:
        result.replies[prompt.id] = [
            store.responses[make_key(keyed, prompt.digest, index, settings)] for index in range(samples)
        ]
    return result
