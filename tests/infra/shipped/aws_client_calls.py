"""Which AWS clients a Lambda handler's code can create, and which operations it calls on them.

Read from the code (``ast``), never from a hand list, so a new client or call is seen at once:

- **Reachable modules**: the handler's module and every module of the same top-level package it
  imports, at module level or inside functions, followed transitively. ``import_module(f"pkg.{x}")``
  counts as importing every module under ``pkg``.
- **Services**: ``client("name")`` / ``boto3.client("name")`` / ``session.client(service_name=...)``
  calls with a literal name; a ``client(variable)`` call is resolved through a dict literal of
  ``identifier -> "service"`` in the same module (e.g. ``{"sfn": "stepfunctions"}``), whose keys
  then name clients everywhere (``clients.sfn``, a parameter called ``sfn``). A ``client(...)``
  call that cannot be resolved is reported as a problem, so the analysis cannot silently miss one.
- **Client expressions**: a name or attribute whose last identifier is such a key, a name the
  module assigns from a literal client call or from a function / method returning a client.
- **Operations**: attributes read on a client expression (``ssm.get_parameter(...)``,
  ``retry.call(clients.ssm.get_parameter, ...)`` and ``self._lambda(5).invoke(...)`` alike), except
  botocore's own client members.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: Members every botocore client has that are not service operations.
CLIENT_MEMBERS = frozenset(
    {"meta", "exceptions", "get_paginator", "get_waiter", "can_paginate", "close", "waiter_names"}
)


@dataclass
class ClientCalls:
    """``services``: service -> operations called (python names); ``problems``: unresolved calls."""

    services: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    problems: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)


def _module_file(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(tree: ast.AST, module: str, is_package: bool, top: str, root: Path) -> set[str]:
    """Modules of package ``top`` that ``module`` imports anywhere in its body."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                base_parts = parts if is_package else parts[:-1]
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name == "import_module" and node.args and isinstance(node.args[0], ast.JoinedStr):
                head = node.args[0].values[0] if node.args[0].values else None
                if isinstance(head, ast.Constant) and isinstance(head.value, str):
                    package = head.value.rstrip(".")
                    folder = root.joinpath(*package.split("."))
                    found.update(
                        f"{package}.{path.stem}" for path in folder.glob("*.py") if path.stem != "__init__"
                    )
    with_parents = set()
    for name in found:
        parts = name.split(".")
        with_parents.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return {name for name in with_parents if name.split(".")[0] == top and _module_file(root, name)}


def reachable_modules(root: Path, entry_modules: Iterable[str]) -> dict[str, ast.Module]:
    """Parsed modules reachable from ``entry_modules`` inside ``root`` (an asset folder)."""
    pending = list(entry_modules)
    parsed: dict[str, ast.Module] = {}
    while pending:
        module = pending.pop()
        if module in parsed:
            continue
        path = _module_file(root, module)
        if path is None:
            raise FileNotFoundError(f"module {module} is not in {root}")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        parsed[module] = tree
        top = module.split(".")[0]
        pending.extend(_imported(tree, module, path.name == "__init__.py", top, root) - set(parsed))
    return parsed


def _last_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literal_service(call: ast.Call) -> tuple[bool, str | None]:
    """(is a ``client(...)`` call, its literal service name or None)."""
    if _last_name(call.func) != "client":
        return False, None
    argument = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg == "service_name":
            argument = keyword.value
    if argument is None:
        return False, None  # e.g. ``self.client()``: a getter, not a client factory
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return True, argument.value
    return True, None


def _service_maps(tree: ast.Module) -> dict[str, str]:
    """``identifier -> service`` from dict literals whose values are all strings."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Dict)
            and node.keys
            and all(
                isinstance(k, ast.Constant) and isinstance(k.value, str) and k.value.isidentifier()
                for k in node.keys
            )
        ) and all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in node.values):
            found.update({k.value: v.value for k, v in zip(node.keys, node.values, strict=True)})
    return found


def analyse(root: Path, entry_modules: Iterable[str]) -> ClientCalls:
    """The clients and operations of the code reachable from ``entry_modules`` under ``root``."""
    modules = reachable_modules(root, entry_modules)
    result = ClientCalls(modules=sorted(modules))
    shared_names: dict[str, str] = {}
    for module, tree in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                is_client, service = _literal_service(node)
                if not is_client or service:
                    if service:
                        result.services[service]
                    continue
                mapping = _service_maps(tree)
                if not mapping:
                    result.problems.append(
                        f"{module}:{node.lineno}: client(...) with a service name that cannot be read "
                        "from the code (use a literal or a dict of identifier -> service in the module)"
                    )
                    continue
                shared_names.update(mapping)
                for service in mapping.values():
                    result.services[service]
    for tree in modules.values():
        names = dict(shared_names)
        returning = _local_client_names(tree, names)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr not in CLIENT_MEMBERS:
                service = _client_service(node.value, names, returning)
                if service:
                    result.services[service].add(node.attr)
    return result


def _local_client_names(tree: ast.Module, names: dict[str, str]) -> dict[str, str]:
    """Add names assigned from client-returning expressions to ``names``; return the functions
    that return clients (function name -> service)."""
    returning: dict[str, str] = {}
    for _ in range(4):  # a few rounds reach a fixed point for getter chains
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Return) and inner.value is not None:
                        service = _client_service(inner.value, names, returning)
                        if service:
                            returning[node.name] = service
            elif isinstance(node, ast.Assign):
                service = _client_service(node.value, names, returning)
                if service:
                    for target in node.targets:
                        name = _last_name(target)
                        if name:
                            names[name] = service
    return returning


def _client_service(value: ast.expr, names: dict[str, str], returning: dict[str, str]) -> str | None:
    if isinstance(value, ast.Call):
        is_client, service = _literal_service(value)
        if is_client:
            return service
        return returning.get(_last_name(value.func) or "")
    name = _last_name(value)
    return names.get(name) if name else None
