"""Inequalities and the real line, read as the sets of numbers they describe.

An inequality in one variable is the interval (or union) of its solutions: ``x > 2`` is ``(2,\\infty)``,
``2 < x \\le 5`` is ``(2, 5]``, ``x \\ge -1`` is ``[-1, \\infty)``, ``x < 1 \\text{ or } x > 3`` is
``(-\\infty, 1) \\cup (3, \\infty)``, ``x \\in (2, \\infty)`` is ``(2, \\infty)``; ``\\mathbb{R}`` is
``(-\\infty, \\infty)``. The syntax tree of an inequality is ``("ineq", name, set)``, ``set`` an
interval (``("seq", open, close, (low, high))``) or a ``("union", parts)`` of them.

Readable forms (anything else does not parse, so it is never paid): the variable alone on one side
(``x > 2``, ``2 < x``), or alone in the middle of a chain whose two signs point the same way
(``2 < x \\le 5``, ``5 \\ge x > 2``), with no bound that uses the variable; ``or`` / ``\\cup`` only
between inequalities in the same variable. Strict signs give open ends, ``\\le`` / ``\\ge`` closed
ones: ``x > 2`` is not ``[2, \\infty)``. Two inequalities compare only in the same variable
(``y > 2`` is not ``x > 2``); against an interval the variable's name does not matter.
"""

from __future__ import annotations

import re
from typing import Any

Node = tuple[Any, ...]

#: Comparison signs as written (after :mod:`.latex`), longest first, and the names used here.
SIGNS = (("\\le", "\\le"), ("<=", "\\le"), ("\\ge", "\\ge"), (">=", "\\ge"), ("<", "<"), (">", ">"))
#: The argument of ``\\mathbb`` when it is the real line: ``{R}`` or ``R``, with no power or subscript.
_REALS = re.compile(r"\s*(?:\{\s*R\s*\}|R(?![A-Za-z]))(?!\s*[\^_])")
#: Whether each sign is strict.
STRICT = {"<": True, ">": True, "\\le": False, "\\ge": False}
_LESS = frozenset(["<", "\\le"])
_INFINITY: Node = ("const", "inf")
REAL_LINE: Node = ("seq", "(", ")", (("neg", _INFINITY), _INFINITY))


def real_line_end(text: str, position: int) -> int | None:
    """Where the argument ``{R}`` of a ``\\mathbb`` at ``text[position:]`` ends; None for any other
    set (``\\mathbb{Z}``) and for ``\\mathbb{R}^2`` or ``\\mathbb{R}_{>0}``, which are not the real line."""
    match = _REALS.match(text, position)
    return None if match is None else match.end()


def _uses(node: object, name: str) -> bool:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            if item[:2] == ("var", name):
                return True
            stack.extend(item)
    return False


def _interval(low: Node | None, low_strict: bool, high: Node | None, high_strict: bool) -> Node:
    """The interval between two bounds (None: unbounded, an open infinite end)."""
    opener = "(" if low is None or low_strict else "["
    closer = ")" if high is None or high_strict else "]"
    return (
        "seq",
        opener,
        closer,
        (("neg", _INFINITY) if low is None else low, _INFINITY if high is None else high),
    )


def _bounds(sign: str, bound: Node, variable_first: bool) -> Node:
    """``x <sign> bound`` (``variable_first``) or ``bound <sign> x`` as an interval."""
    upper = (sign in _LESS) == variable_first
    strict = STRICT[sign]
    return _interval(None, True, bound, strict) if upper else _interval(bound, strict, None, True)


def inequality(terms: list[Node], signs: list[str]) -> Node | None:
    """The ``("ineq", name, interval)`` of a chain ``terms[0] signs[0] terms[1] ...``, or None when it
    is not a readable form (see the module docstring)."""
    if len(terms) == 2:
        for index, variable_first in ((0, True), (1, False)):
            variable, bound = terms[index], terms[1 - index]
            if variable[0] == "var" and not _uses(bound, variable[1]):
                return ("ineq", variable[1], _bounds(signs[0], bound, variable_first))
        return None
    if len(terms) != 3 or terms[1][0] != "var" or (signs[0] in _LESS) != (signs[1] in _LESS):
        return None
    name = terms[1][1]
    if _uses(terms[0], name) or _uses(terms[2], name):
        return None
    if signs[0] in _LESS:  # low < x < high
        return ("ineq", name, _interval(terms[0], STRICT[signs[0]], terms[2], STRICT[signs[1]]))
    return ("ineq", name, _interval(terms[2], STRICT[signs[1]], terms[0], STRICT[signs[0]]))


def membership(name: str, sets: list[Node]) -> Node:
    """``x \\in A \\cup B`` as ``("ineq", "x", A \\cup B)``."""
    return ("ineq", name, sets[0] if len(sets) == 1 else ("union", tuple(sets)))


def join(parts: list[Node]) -> Node | None:
    """Inequalities joined by ``or`` / ``\\cup`` as one ``("ineq", name, ("union", sets))``; None
    when a part is no inequality or the variables differ (``x < 1 \\text{ or } y > 3``)."""
    if any(part[0] != "ineq" or part[1] != parts[0][1] for part in parts):
        return None
    sets: list[Node] = []
    for part in parts:
        sets.extend(part[2][1] if part[2][0] == "union" else (part[2],))
    return ("ineq", parts[0][1], ("union", tuple(sets)))


def solution_sets(gold: Node, answer: Node) -> tuple[Node, Node] | None:
    """The sets to compare for two answers at least one of which is an inequality: each
    inequality's set, the other answer as it is; None for inequalities in different variables."""
    if gold[0] == answer[0] == "ineq" and gold[1] != answer[1]:
        return None
    return (gold[2] if gold[0] == "ineq" else gold), (answer[2] if answer[0] == "ineq" else answer)
