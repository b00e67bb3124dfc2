"""Exceptions raised by the lifecycle code.

Step Functions sees a Lambda exception as an error whose name is the exception's class name, so
these names are part of the workflow's contract (its Retry and Catch clauses match them). Rename
one only together with ``bedrock_rft.lifecycle.workflow``.
"""

from __future__ import annotations


class LifecycleError(Exception):
    """Base class of every error raised on purpose by the lifecycle code."""


class TransientAwsError(LifecycleError):
    """Throttling, 5xx or a connection problem that outlived the in-process retries.

    The workflow retries the whole step later (minutes, not seconds) before giving up.
    """


class QuotaExceeded(LifecycleError):
    """A Bedrock service quota stops the call (for example concurrent customization jobs).

    Never retried blindly: raise the quota or wait for other jobs, then redeploy.
    """


class InvalidRequest(LifecycleError):
    """The service rejected the request (validation, access denied, conflict it cannot adopt)."""


class PreflightFailed(LifecycleError):
    """A training or validation object is missing or unreadable before any money is spent."""


class Superseded(LifecycleError):
    """A newer run owns the pipeline; this one must not touch the shared deployment."""


class PublishFailed(LifecycleError):
    """The state record, the event or the notification could not be published."""


class SpecError(LifecycleError):
    """The run specification handed over by the construct is malformed."""
