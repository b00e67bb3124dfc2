"""A small interpreter for the subset of Amazon States Language the lifecycle workflow uses.

It runs the *synthesized* definition: Pass (Parameters, intrinsic ``States.Format``), Task (Lambda
invoke with the payload as Parameters, ``lambda:invoke.waitForTaskToken`` with ``Payload``,
``TimeoutSecondsPath``), Retry (ErrorEquals, MaxAttempts; no real sleeping), Catch, ResultPath,
Choice (StringEquals, IsPresent, Or, And, Not), Wait, Succeed (OutputPath), Fail (Error/Cause and paths),
and a Distributed Map whose Map Run is the caller's ``run_map`` (given the resolved ItemReader,
ItemSelector, ItemBatcher and ResultWriter; its answer goes through ResultSelector, ResultPath,
Retry and Catch like a Task's). Lambda errors surface as the exception's class name, as in Lambda.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

WAIT_FOR_TOKEN = "arn:aws:states:::lambda:invoke.waitForTaskToken"


class StatesError(Exception):
    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


def get_path(data: Any, path: str, context: dict) -> Any:
    if path.startswith("$$."):
        data, path = context, "$" + path[2:]
    if path == "$":
        return data
    for part in path[2:].split("."):
        if not isinstance(data, dict) or part not in data:
            raise StatesError("States.Runtime", f"path {path} not found")
        data = data[part]
    return data


def set_path(data: Any, path: str | None, value: Any) -> Any:
    if path is None:  # ResultPath null: discard the result
        return data
    if path == "$":
        return value
    data = copy.deepcopy(data)
    target = data
    parts = path[2:].split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value
    return data


_FORMAT = re.compile(r"States\.Format\('([^']*)',\s*(.+)\)")


def resolve(template: Any, data: Any, context: dict) -> Any:
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if key.endswith(".$"):
                match = _FORMAT.fullmatch(value)
                if match:
                    args = [str(get_path(data, a.strip(), context)) for a in match.group(2).split(",")]
                    text = match.group(1)
                    for arg in args:
                        text = text.replace("{}", arg, 1)
                    out[key[:-2]] = text
                else:
                    out[key[:-2]] = get_path(data, value, context)
            else:
                out[key] = resolve(value, data, context)
        return out
    if isinstance(template, list):
        return [resolve(v, data, context) for v in template]
    return template


def _choice(rule: dict, data: Any, context: dict) -> bool:
    if "Or" in rule:
        return any(_choice(r, data, context) for r in rule["Or"])
    if "And" in rule:
        return all(_choice(r, data, context) for r in rule["And"])
    if "Not" in rule:
        return not _choice(rule["Not"], data, context)
    if "IsPresent" in rule:
        try:
            get_path(data, rule["Variable"], context)
        except StatesError:
            return rule["IsPresent"] is False
        return rule["IsPresent"] is True
    if "StringEquals" in rule:
        try:
            return get_path(data, rule["Variable"], context) == rule["StringEquals"]
        except StatesError:
            return False
    raise NotImplementedError(rule)


def _matches(error: str, names: list[str]) -> bool:
    return error in names or ("States.ALL" in names and error != "States.Runtime")


@dataclass
class Outcome:
    status: str  # SUCCEEDED or FAILED
    output: Any = None
    error: str = ""
    cause: str = ""
    trace: list[str] = field(default_factory=list)
    timeouts: list[int] = field(default_factory=list)
    waits: list[int] = field(default_factory=list)


def run(
    definition: dict,
    execution_input: dict,
    *,
    execution_arn: str,
    execution_started: str,
    invoke: Callable[[dict], Any],
    on_token: Callable[[str, int], tuple[str, Any]],
    observe: Callable[[str], None] = lambda _name: None,
    run_map: Callable[[dict], Any] | None = None,
    max_transitions: int = 500,
) -> Outcome:
    """Run to a terminal state. ``on_token(token, timeout_seconds)`` decides a parked task's fate:
    ``("success", output)`` (someone called SendTaskSuccess) or ``("timeout", None)``."""
    outcome = Outcome(status="RUNNING")
    data: Any = execution_input
    name = definition["StartAt"]
    tokens = 0
    for _ in range(max_transitions):
        state = definition["States"][name]
        outcome.trace.append(name)
        context = {"Execution": {"Id": execution_arn, "StartTime": execution_started}}
        kind = state["Type"]
        nxt = state.get("Next")
        if kind == "Pass":
            result = resolve(state["Parameters"], data, context) if "Parameters" in state else data
            data = set_path(data, state.get("ResultPath", "$"), result)
        elif kind in ("Task", "Map"):
            attempts: dict[int, int] = {}
            while True:
                try:
                    tokens += 1
                    context["Task"] = {"Token": f"token-{tokens}"}
                    if kind == "Map":
                        result = _call(run_map or _no_map, _map_run(state, data, context))
                        if "ResultSelector" in state:
                            result = resolve(state["ResultSelector"], result, context)
                    elif state["Resource"] == WAIT_FOR_TOKEN:
                        payload = resolve(state["Parameters"], data, context)["Payload"]
                        timeout = int(get_path(data, state["TimeoutSecondsPath"], context))
                        outcome.timeouts.append(timeout)
                        _call(invoke, payload)
                        verdict, result = on_token(context["Task"]["Token"], timeout)
                        if verdict == "timeout":
                            raise StatesError("States.Timeout", "task timed out")
                    else:
                        result = _call(invoke, resolve(state.get("Parameters", {}), data, context))
                    data = set_path(data, state.get("ResultPath", "$"), result)
                    break
                except StatesError as err:
                    retrier = next(
                        (
                            i
                            for i, r in enumerate(state.get("Retry", []))
                            if _matches(err.error, r["ErrorEquals"])
                        ),
                        None,
                    )
                    if retrier is not None and attempts.get(retrier, 0) < state["Retry"][retrier].get(
                        "MaxAttempts", 3
                    ):
                        attempts[retrier] = attempts.get(retrier, 0) + 1
                        outcome.trace.append(f"{name}:retry:{err.error}")
                        continue
                    catcher = next(
                        (c for c in state.get("Catch", []) if _matches(err.error, c["ErrorEquals"])), None
                    )
                    if catcher is None:
                        return _failed(outcome, err.error, err.cause)
                    data = set_path(
                        data, catcher.get("ResultPath", "$"), {"Error": err.error, "Cause": err.cause}
                    )
                    nxt = catcher["Next"]
                    outcome.trace.append(f"{name}:catch:{err.error}")
                    break
        elif kind == "Choice":
            nxt = next(
                (c["Next"] for c in state["Choices"] if _choice(c, data, context)), state.get("Default")
            )
            if nxt is None:
                return _failed(outcome, "States.NoChoiceMatched", name)
        elif kind == "Wait":
            outcome.waits.append(int(get_path(data, state["SecondsPath"], context)) if "SecondsPath" in state
                                 else int(state["Seconds"]))  # fmt: skip
        elif kind == "Succeed":
            outcome.status = "SUCCEEDED"
            outcome.output = get_path(data, state.get("OutputPath", "$"), context)
            observe(name)
            return outcome
        elif kind == "Fail":
            error = (
                get_path(data, state["ErrorPath"], context)
                if "ErrorPath" in state
                else state.get("Error", "")
            )
            cause = (
                get_path(data, state["CausePath"], context)
                if "CausePath" in state
                else state.get("Cause", "")
            )
            observe(name)
            return _failed(outcome, error, cause)
        else:
            raise NotImplementedError(kind)
        observe(name)
        if state.get("End"):
            outcome.status, outcome.output = "SUCCEEDED", data
            return outcome
        name = nxt
    raise AssertionError(f"more than {max_transitions} transitions: {outcome.trace[-20:]}")


def _map_run(state: dict, data: Any, context: dict) -> dict:
    """What a Map Run starts from: the reader's, batcher's and writer's settings, paths resolved."""
    reader, batcher, writer = state["ItemReader"], state.get("ItemBatcher", {}), state["ResultWriter"]
    return {
        "reader": {**reader.get("ReaderConfig", {}), **resolve(reader["Parameters"], data, context)},
        "itemSelector": state.get("ItemSelector"),
        "maxItemsPerBatch": batcher.get("MaxItemsPerBatch"),
        "batchInput": resolve(batcher.get("BatchInput", {}), data, context),
        "writer": resolve(writer["Parameters"], data, context),
        "toleratedFailureCount": state.get("ToleratedFailureCount", 0),
    }


def _no_map(_run: dict) -> Any:
    raise NotImplementedError("this definition has a Map state: pass run_map")


def _call(invoke: Callable[[dict], Any], payload: dict) -> Any:
    try:
        return json.loads(json.dumps(invoke(payload), default=str))
    except Exception as exc:  # Lambda reports errorType = class name, errorMessage = str(exc)
        cause = json.dumps({"errorMessage": str(exc), "errorType": type(exc).__name__})
        raise StatesError(type(exc).__name__, cause) from exc


def _failed(outcome: Outcome, error: str, cause: str) -> Outcome:
    outcome.status, outcome.error, outcome.cause = "FAILED", error, cause
    return outcome
