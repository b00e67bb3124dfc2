"""Lambda handler of the code runner: one sample's code in a fresh worker process, plain values back.

Event: ``{"code", "calls"}`` or ``{"code", "inputs"}``, and ``"limits"`` (the fields of
:class:`~rft_runtime.rewards.sandbox.Limits`). Answer: ``{"error", "load", "results"}`` as
:class:`~rft_runtime.rewards.sandbox.Run`. Never raises for anything the code does.

An execution environment that ran model code is not trusted for the next sample: each invocation
starts a fresh worker process (:func:`~rft_runtime.rewards.sandbox.run_code`), whose whole process
group is killed when it ends (the kernel filter keeps the worker from forking or leaving the group),
and the scratch directory (``/tmp`` in Lambda, see :func:`scratch_directory`) is emptied before and
after each sample, so nothing a sample wrote is there for the next. This handler runs no code of the
sample's and reads nothing from that directory. The runner's role grants nothing but attaching to
its subnets, which have no route, and its security group allows no egress.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from rft_runtime.rewards.sandbox import Limits, remove_tree, run_code


def scratch_directory(environ: Mapping[str, str] | None = None) -> str | None:
    """The directory emptied around each sample: ``RFT_RUNNER_SCRATCH`` when set, else, inside
    Lambda (``AWS_LAMBDA_FUNCTION_NAME`` set), ``/tmp``, which belongs to this function's execution
    environment alone. None elsewhere: on a shared machine nothing is deleted."""
    env = os.environ if environ is None else environ
    if env.get("RFT_RUNNER_SCRATCH"):
        return env["RFT_RUNNER_SCRATCH"]
    return "/tmp" if env.get("AWS_LAMBDA_FUNCTION_NAME") else None


def empty_scratch() -> None:
    """Delete everything in the scratch directory (files a previous sample may have left, also
    in directories it made unreadable or very deep: :func:`~rft_runtime.rewards.sandbox.remove_tree`)."""
    scratch = scratch_directory()
    if scratch is not None:
        remove_tree(scratch, keep_top=True)


def _limits(given: object) -> Limits:
    """The run's limits from the event (unknown keys ignored; defaults of :class:`Limits`)."""
    fields = given if isinstance(given, dict) else {}
    defaults = Limits()
    return Limits(
        **{name: type(getattr(defaults, name))(fields[name]) for name in Limits._fields if name in fields}
    )


def handler(event: dict, context: Any = None) -> dict:
    """Run one job (module docstring)."""
    empty_scratch()
    try:
        code = event["code"]
        inputs = event.get("inputs")
        run = run_code(
            str(code),
            calls=list(event.get("calls") or ()),
            inputs=list(inputs) if inputs is not None else None,
            limits=_limits(event.get("limits")),
        )
    except (KeyError, TypeError, ValueError):
        return {"error": "bad-request", "load": "", "results": []}
    finally:
        empty_scratch()
    return run._asdict()
