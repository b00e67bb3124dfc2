"""The ``tools`` field of a dataset row: OpenAI function specifications, checked when present.

Rule source: aws/nova-forge-sdk ``dataset_validator/rft_dataset_validator.py`` (its ``RFTTool``,
``RFTFunction`` and ``RFTFunctionParameters`` models and ``validate_tools``). When a row has
``tools``, it must be a non-empty list of ``{"type": "function", "function": {"name", "description",
"parameters"}}`` where ``name`` and ``description`` are non-blank strings, ``parameters`` is
``{"type": "object", "properties": {...}}`` with an optional ``required`` list of strings, and no two
tools share a name. Every problem is a ``bad-tools`` error naming the path, e.g. ``tools[1].function.name``.
"""

from __future__ import annotations

from rft_runtime.datasets import codes
from rft_runtime.datasets.report import IssueLog, preview

_TOOL_SHAPE = (
    'each tool is {"type": "function", "function": {"name": ..., "description": ..., '
    '"parameters": {"type": "object", "properties": {...}}}}'
)


def check_tools(tools: object, line: int, errors: IssueLog) -> None:
    """Record a ``bad-tools`` error at ``line`` for each problem of a row's ``tools`` value."""
    if type(tools) is not list or not tools:
        errors.add(line, codes.BAD_TOOLS, f"tools is {preview(tools)}; give a non-empty list: {_TOOL_SHAPE}")
        return
    seen: dict[str, int] = {}
    for index, tool in enumerate(tools):
        where = f"tools[{index}]"
        function = tool.get("function") if type(tool) is dict else None
        if type(tool) is not dict or tool.get("type") != "function" or type(function) is not dict:
            errors.add(line, codes.BAD_TOOLS, f"{where} is {preview(tool)}; {_TOOL_SHAPE}")
            continue
        for key in ("name", "description"):
            value = function.get(key)
            if type(value) is not str or not value.strip():
                errors.add(
                    line,
                    codes.BAD_TOOLS,
                    f"{where}.function.{key} is {preview(value)}; give a non-blank string",
                )
        problem = _parameters_problem(function.get("parameters"))
        if problem:
            errors.add(line, codes.BAD_TOOLS, f"{where}.function.parameters{problem}")
        name = function.get("name")
        if type(name) is str and name.strip():
            if name in seen:
                errors.add(
                    line,
                    codes.BAD_TOOLS,
                    f"{where}.function.name {name!r} repeats tools[{seen[name]}]; names are unique",
                )
            else:
                seen[name] = index


def _parameters_problem(parameters: object) -> str | None:
    """What is wrong with a function's ``parameters`` (to follow ``...parameters``), or None."""
    if type(parameters) is not dict or parameters.get("type") != "object":
        return f' is {preview(parameters)}; give {{"type": "object", "properties": {{...}}}}'
    if type(parameters.get("properties")) is not dict:
        return f".properties is {preview(parameters.get('properties'))}; give an object"
    required = parameters.get("required")
    if required is not None and (type(required) is not list or not all(type(r) is str for r in required)):
        return f".required is {preview(required)}; give a list of property names"
    return None
