"""The reward Lambda's entry point: ``rft_runtime.rewards.handler.handler``.

Configuration (read from the environment at the first invocation, not at import):

- ``RFT_REWARD_TEMPLATE``: template name (default ``custom`` when ``RFT_REWARD_CODE_PATH`` is set).
- ``RFT_REWARD_OPTIONS``: the template options as a JSON object (default ``{}``).
- ``RFT_REWARD_CODE_PATH``: the user's grader file for ``custom`` (overrides ``options.path``;
  relative paths resolve against ``LAMBDA_TASK_ROOT``).
- ``RFT_PIPELINE``: the ``Pipeline`` metric dimension (default ``"default"``).
- ``RFT_METRICS_NAMESPACE``: the metric namespace (default ``"BedrockRFT"``).
- ``RFT_PASS_THRESHOLD``: the reward counted as a pass in ``PassRate`` (default 0.5).

The grader is built once per container and reused. The handler never raises: if the grader cannot
be built, every sample scores 0 with error tag ``config-error`` and the reason is logged. Each batch
prints one CloudWatch EMF line (see :mod:`rft_runtime.rewards.metrics`). Slow graders get the
Lambda's remaining time minus a safety margin as their deadline.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from rft_runtime.rewards.batch import grade_event
from rft_runtime.rewards.core import Grader

_LOG = logging.getLogger(__name__)
DEFAULT_NAMESPACE = "BedrockRFT"
DEFAULT_PASS_THRESHOLD = 0.5
#: Kept free of the Lambda's remaining time, to return the scores before the Lambda times out.
SAFETY_MARGIN_SECONDS = 5.0


def _print_line(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class RewardHandler:
    """A Lambda handler bound to one grader configuration (built lazily, once).

    Arguments left as None are read from the environment at the first call (module docstring).
    ``deps`` are passed to the grader (test seams such as a Bedrock ``client``); ``emit`` receives
    each EMF line (default: print to stdout).
    """

    def __init__(
        self,
        template: str | None = None,
        options: Mapping[str, Any] | None = None,
        *,
        pipeline: str | None = None,
        namespace: str | None = None,
        code_path: str | None = None,
        pass_threshold: float | None = None,
        emit: Callable[[str], None] = _print_line,
        environ: Mapping[str, str] | None = None,
        **deps: Any,
    ) -> None:
        self._given = (template, options, pipeline, namespace, code_path, pass_threshold)
        self._environ = environ
        self._emit = emit
        self._deps = deps
        self._lock = threading.Lock()
        self._grader: Grader | None = None
        self.template = template or ""
        self.pipeline = pipeline or "default"
        self.namespace = namespace or DEFAULT_NAMESPACE
        self.pass_threshold = DEFAULT_PASS_THRESHOLD if pass_threshold is None else pass_threshold

    def _configure(self) -> None:
        """Resolve the configuration and build the grader (once; retried while it fails)."""
        import json

        from rft_runtime.rewards.catalogue import build_grader
        from rft_runtime.rewards.options import OptionsError

        env = os.environ if self._environ is None else self._environ
        template, options, pipeline, namespace, code_path, threshold = self._given
        code_path = code_path or env.get("RFT_REWARD_CODE_PATH") or None
        self.template = template or env.get("RFT_REWARD_TEMPLATE") or ("custom" if code_path else "")
        self.pipeline = pipeline or env.get("RFT_PIPELINE") or "default"
        self.namespace = namespace or env.get("RFT_METRICS_NAMESPACE") or DEFAULT_NAMESPACE
        if threshold is None:
            try:
                threshold = float(env.get("RFT_PASS_THRESHOLD", DEFAULT_PASS_THRESHOLD))
            except ValueError:
                threshold = DEFAULT_PASS_THRESHOLD
        self.pass_threshold = threshold
        try:
            if options is None:
                options = json.loads(env.get("RFT_REWARD_OPTIONS") or "{}")
            if code_path and isinstance(options, Mapping):
                options = {**options, "path": code_path}
            self._grader = build_grader(self.template, options, **self._deps)
        except OptionsError as problem:
            _LOG.error("reward grader %r not built: %s", self.template, "; ".join(problem.problems))
        except Exception:
            _LOG.exception("reward grader %r not built", self.template)

    def grader(self) -> Grader | None:
        """The grader (building it on first use); None when the configuration is broken."""
        with self._lock:
            if self._grader is None:
                self._configure()
            return self._grader

    def __call__(self, event: object, context: object = None) -> list[dict[str, Any]]:
        """Grade Bedrock's batch ``event``; returns one result per item, in order (never raises)."""
        try:
            grader = self.grader()
            outcome = grade_event(grader, event, name=self.template or "reward", deadline=_deadline(context))
        except Exception:
            _LOG.exception("reward batch failed outside the graders")
            return _fallback(event)
        self._publish(outcome.values, outcome.errors, outcome.latency_ms)
        return outcome.results

    def _publish(self, values: list[float], errors: Mapping[str, int], latency_ms: float) -> None:
        """Emit the batch's EMF line; metric trouble is logged, never raised."""
        import json

        from rft_runtime.rewards.metrics import emf_document

        try:
            document = emf_document(
                namespace=self.namespace,
                pipeline=self.pipeline,
                template=self.template or "unknown",
                values=values,
                errors=errors,
                latency_ms=latency_ms,
                pass_threshold=self.pass_threshold,
                timestamp_ms=int(time.time() * 1000),
            )
            self._emit(json.dumps(document, separators=(",", ":")))
        except Exception:
            _LOG.exception("reward metrics not emitted")


def _deadline(context: object) -> float | None:
    """``time.monotonic()`` instant by which the batch must be done, from the Lambda context."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return None
    try:
        seconds = float(remaining()) / 1000.0
    except Exception:
        return None
    return time.monotonic() + max(0.0, seconds - min(SAFETY_MARGIN_SECONDS, seconds * 0.1))


def _fallback(event: object) -> list[dict[str, Any]]:
    """Zero scores for every item when grading itself failed (an internal error)."""
    try:
        return grade_event(None, event, name="reward", unavailable_tag="internal-error").results
    except Exception:
        return []


def make_handler(
    template: str | None = None, options: Mapping[str, Any] | None = None, **kwargs: Any
) -> RewardHandler:
    """A Lambda handler for ``template`` / ``options`` (None: from the environment at first call).

    Keyword arguments are those of :class:`RewardHandler` (``pipeline``, ``namespace``,
    ``code_path``, ``pass_threshold``, ``emit``, ``environ``) plus grader dependencies.
    """
    return RewardHandler(template, options, **kwargs)


#: The default handler Lambda invokes; its grader is configured from the environment on first use.
handler = make_handler()
