"""Lambda assets carry only what runs in Lambda: each handler's imports stay inside its allow-list,
and CLI-only code (the ``rft`` command, the dataset converter) never ships."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import rft_runtime
from bedrock_rft.assets.runtime_code import (
    LIFECYCLE_PACKAGES,
    PROMOTION_PACKAGES,
    REWARD_PACKAGES,
    runtime_files,
)

RUNTIME = Path(rft_runtime.__file__).resolve().parent
HANDLERS = {
    "rft_runtime.rewards.handler": REWARD_PACKAGES,
    "rft_runtime.lifecycle.handlers": LIFECYCLE_PACKAGES,
    "rft_runtime.promotion.handlers": PROMOTION_PACKAGES,
}


def _module_file(module: str) -> Path | None:
    parts = module.split(".")[1:]
    for candidate in (RUNTIME.joinpath(*parts).with_suffix(".py"), RUNTIME.joinpath(*parts, "__init__.py")):
        if parts and candidate.is_file():
            return candidate
    return None


def _imports(module: str, path: Path) -> list[str]:
    """Absolute names of every ``rft_runtime`` import in ``path``, also those inside functions."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return [name for name in names if name.startswith("rft_runtime.")]


def _imported_subpackages(start: str) -> set[str]:
    """Every ``rft_runtime`` subpackage reachable from module ``start`` by any import."""
    seen: set[str] = set()
    pending = [start]
    while pending:
        module = pending.pop()
        path = _module_file(module)
        if module in seen or path is None:
            continue
        seen.add(module)
        pending += _imports(module, path)
    return {module.split(".")[1] for module in seen}


@pytest.mark.parametrize("handler", sorted(HANDLERS))
def test_each_handler_imports_only_its_allow_listed_subpackages(handler):
    used = _imported_subpackages(handler)
    assert used and used <= set(HANDLERS[handler]), f"{handler} imports {sorted(used)}"


def test_the_import_walk_reaches_lazy_imports():
    # rft validate imports the datasets code at the top and the reward catalogue inside a function
    assert _imported_subpackages("rft_runtime.cli.validate") == {"cli", "datasets", "rewards"}


@pytest.mark.parametrize("packages", [REWARD_PACKAGES, LIFECYCLE_PACKAGES, PROMOTION_PACKAGES])
def test_no_cli_or_dataset_converter_ships(packages):
    files = [relative for relative, _ in runtime_files(vendor_boto3=False, packages=packages)]
    assert "rft_runtime/__init__.py" in files
    shipped = {relative.split("/")[1] for relative in files if relative.count("/") >= 2}
    assert shipped == set(packages)
    assert not [f for f in files if f.startswith(("rft_runtime/cli/", "rft_runtime/datasets/"))]


def test_everything_under_rewards_ships_in_the_reward_asset():
    files = {relative for relative, _ in runtime_files(vendor_boto3=False, packages=REWARD_PACKAGES)}
    on_disk = {
        "/".join(("rft_runtime", *path.relative_to(RUNTIME).parts))
        for path in (RUNTIME / "rewards").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert on_disk and on_disk <= files


def test_an_unknown_package_is_refused():
    with pytest.raises(ValueError, match="no rft_runtime subpackage 'nope'"):
        runtime_files(vendor_boto3=False, packages=("rewards", "nope"))


def test_every_template_imports_with_only_the_reward_asset(tmp_path):
    for relative, source in runtime_files(vendor_boto3=False, packages=REWARD_PACKAGES):
        target = tmp_path.joinpath(*relative.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    probe = (
        "import sys; sys.path[:0] = [sys.argv[1]];"
        "from rft_runtime.rewards import catalogue, handler;"
        "[catalogue.template_module(name) for name in catalogue.TEMPLATE_NAMES];"
        "assert handler.__file__.startswith(sys.argv[1]); print('ok')"
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    command = [sys.executable, "-I", "-c", probe, str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_the_promotion_asset_holds_exactly_what_its_handlers_import():
    """No package in the gate's allow-list is dead weight: each is reached from its handlers."""
    assert _imported_subpackages("rft_runtime.promotion.handlers") == set(PROMOTION_PACKAGES)
