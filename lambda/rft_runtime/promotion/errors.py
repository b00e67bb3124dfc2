"""The promotion gate's own error (shared by the batch step and the checks of its output)."""

from __future__ import annotations

from rft_runtime.lifecycle.errors import LifecycleError


class EvaluationError(LifecycleError):
    """The evaluation cannot produce a trustworthy figure (bad input, a model or the grader failed)."""
