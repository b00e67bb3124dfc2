"""CloudFormation values as readable text, so a synthesized ``Fn::Join`` can be parsed as JSON.

``render`` turns ``{"Ref": "X"}`` into ``${X}``, ``{"Fn::GetAtt": ["X", "Arn"]}`` into
``${X.Arn}``, ``{"Fn::Sub": "..."}`` into its text and joins ``Fn::Join`` parts; anything else
becomes ``${Fn::Name}``. The result never contains a double quote or a backslash from an
intrinsic, so a JSON document built by ``Fn::Join`` stays valid JSON after rendering.
"""

from __future__ import annotations

import re
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}")


def render(value: Any) -> str:
    """``value`` (a CloudFormation string expression) as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((name, argument),) = value.items()
        if name == "Ref" and isinstance(argument, str):
            return "${" + argument + "}"
        if name == "Fn::GetAtt" and isinstance(argument, list) and len(argument) == 2:
            return "${" + f"{argument[0]}.{argument[1]}" + "}"
        if name == "Fn::Sub":
            text = argument if isinstance(argument, str) else argument[0]
            return str(text).replace('"', "").replace("\\", "")
        if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            separator, parts = argument
            return render(separator).join(render(part) for part in parts)
        return "${" + name + "}"
    return "${?}"


def referenced_resource(text: str) -> tuple[str, str] | None:
    """``(logical id, attribute)`` when ``text`` is exactly one rendered ``Ref``/``GetAtt``
    (attribute ``""`` for a ``Ref``), else None."""
    match = _PLACEHOLDER.fullmatch(text)
    return (match.group(1), match.group(2) or "") if match else None
