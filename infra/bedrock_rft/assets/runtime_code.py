"""``runtime_code()``: the Lambda code asset of every function in this package.

The asset holds the allow-listed subpackages of ``rft_runtime`` (found through
``rft_runtime.__file__``, so a pip-installed copy works too: same files, same hash), optionally a
pinned boto3/botocore copied from the environment that runs the synth, optionally compiled packages
for the Lambda's platform (``native_packages``: arm64, Python 3.14 wheels that ``make setup``
downloads, hash-checked, from ``requirements-lambda.txt`` and unpacks into
:data:`LAMBDA_PACKAGES_DIR`), and optionally extra files (a user's grader module). Why vendor boto3:
the managed Lambda runtime's boto3 may predate the RFT API (``REINFORCEMENT_FINE_TUNING``,
``rftConfig``, custom-model deployments); the copy is exactly the version pinned in
``requirements.txt``. Function code comes first on ``sys.path`` in Lambda, so the copy wins over
the runtime's.

Built by *local* bundling (a ``jsii``-implemented ``ILocalBundling`` that copies files), never with
Docker. botocore's data folder is trimmed to :data:`BOTOCORE_SERVICES` plus its top-level files
(endpoints, partitions, retry and default-config JSON) -- about 4 MB instead of 30 MB.

Determinism: the asset hash is computed here from the relative paths and contents of exactly the
files that are copied (``__pycache__``, ``*.pyc`` and dot-folders never are), so two synths on any
machines with the same pinned packages give the same hash.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

import rft_runtime

#: ``rft_runtime`` subpackages each kind of function imports: an allow-list, so CLI-only folders
#: (``cli``, ``datasets``, and any new one) never ship in a Lambda. The reward handler imports
#: ``rewards`` and, for ``code_tests``, the runner client; the code runner imports ``runner`` and the
#: sandbox worker under ``rewards``; the lifecycle handlers only ``lifecycle``.
#: tests/infra/test_asset_contents.py follows every handler's imports and checks they stay inside.
REWARD_PACKAGES = ("rewards", "runner")
RUNNER_PACKAGES = ("rewards", "runner")
LIFECYCLE_PACKAGES = ("lifecycle",)
#: The promotion gate's functions: the gate and batch steps (``promotion``), the statistics, report
#: and Converse code they share with ``rft compare`` (``evaluation``, which reads JSONL and builds
#: grader payloads with ``rewards`` helpers) and the lifecycle's clients, state record and retries.
PROMOTION_PACKAGES = ("promotion", "evaluation", "lifecycle", "rewards")
#: Default of :func:`runtime_code`: every subpackage that runs in Lambda.
LAMBDA_PACKAGES = ("lifecycle", "rewards", "runner")

#: Top-level modules copied when ``vendor_boto3`` is set: boto3 and its runtime dependencies.
VENDORED_MODULES = ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "urllib3", "six")
#: Distributions whose licence files travel with the copies.
VENDORED_DISTRIBUTIONS = ("boto3", "botocore", "jmespath", "s3transfer", "python-dateutil", "urllib3", "six")
#: botocore/boto3 service models kept in the asset: the services the lifecycle calls (``lambda``:
#: the grader pre-flight and the gate's grading; ``bedrock-runtime``: the gate's Converse calls).
#: ``tests/infra/shipped`` checks this against the clients the code creates.
BOTOCORE_SERVICES = (
    "bedrock",
    "bedrock-runtime",
    "s3",
    "ssm",
    "sns",
    "events",
    "stepfunctions",
    "sts",
    "lambda",
)

#: Where ``make setup`` unpacks the wheels of ``requirements-lambda.txt`` (the repository's build/).
LAMBDA_PACKAGES_DIR = Path(__file__).resolve().parents[3] / "build" / "lambda-packages"

_SKIP_DIRS = frozenset({"__pycache__"})
_SKIP_SUFFIXES = frozenset({".pyc", ".pyo"})
_LICENCE_PREFIXES = ("LICENSE", "LICENCE", "NOTICE", "COPYING", "AUTHORS")


def _walk(root: Path) -> Iterable[Path]:
    """Files under ``root`` in sorted order, without caches, compiled files and dot-folders."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).parts
        if any(part in _SKIP_DIRS or part.startswith(".") for part in relative[:-1]):
            continue
        if path.is_file() and path.suffix not in _SKIP_SUFFIXES and path.name not in _SKIP_DIRS:
            yield path


def _data_kept(module: str, relative: tuple[str, ...]) -> bool:
    """Trim ``botocore/data`` and ``boto3/data`` to the services in :data:`BOTOCORE_SERVICES`."""
    if module not in ("botocore", "boto3") or len(relative) < 2 or relative[0] != "data":
        return True
    if len(relative) == 2:  # top-level data files (endpoints.json, partitions.json, _retry.json, ...)
        return True
    return relative[1] in BOTOCORE_SERVICES


def _vendored_files() -> list[tuple[str, Path]]:
    files: list[tuple[str, Path]] = []
    for module in VENDORED_MODULES:
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"runtime_code(vendor_boto3=True): {module} is not installed where synth runs")
        origin = Path(spec.origin)
        if origin.name != "__init__.py":  # a single-file module (six.py)
            files.append((origin.name, origin))
            continue
        package = origin.parent
        for path in _walk(package):
            relative = path.relative_to(package).parts
            if _data_kept(module, relative):
                files.append(("/".join((module, *relative)), path))
    for name in VENDORED_DISTRIBUTIONS:
        dist = importlib.metadata.distribution(name)
        for entry in dist.files or ():
            parts = PurePosixPath(str(entry)).parts
            if not parts or not parts[0].endswith(".dist-info"):
                continue
            keep = (
                parts[-1] == "METADATA"
                or parts[-1].upper().startswith(_LICENCE_PREFIXES)
                or "licenses" in parts
            )
            if keep:
                files.append(("/".join(parts), Path(str(dist.locate_file(entry)))))
    return files


def missing_native_packages(names: Iterable[str], root: Path = LAMBDA_PACKAGES_DIR) -> list[str]:
    """The packages of ``names`` that are not unpacked under ``root`` (``make setup`` not run)."""
    return [name for name in names if not (root / name / "__init__.py").is_file()]


def _native_files(names: Iterable[str], root: Path) -> list[tuple[str, Path]]:
    """The files of each unpacked package of ``names`` under ``root`` and its dist-info's METADATA and
    licence files; packages that are not there are left out (see :func:`missing_native_packages`)."""
    files: list[tuple[str, Path]] = []
    for name in names:
        if missing_native_packages([name], root):
            continue
        files += [("/".join((name, *p.relative_to(root / name).parts)), p) for p in _walk(root / name)]
        for info in sorted(root.glob(f"{name}-*.dist-info")):
            for path in _walk(info):
                relative = path.relative_to(info).parts
                if (
                    relative[-1] == "METADATA"
                    or relative[0] == "licenses"
                    or relative[-1].startswith(_LICENCE_PREFIXES)
                ):
                    files.append(("/".join((info.name, *relative)), path))
    return files


def runtime_files(
    *,
    vendor_boto3: bool,
    extra_files: Mapping[str, Path] | None = None,
    packages: Sequence[str] = LAMBDA_PACKAGES,
    native_packages: Sequence[str] = (),
    packages_dir: Path = LAMBDA_PACKAGES_DIR,
) -> list[tuple[str, Path]]:
    """``(asset-relative path, source file)`` for every file of the asset, sorted by path.

    ``packages``: the ``rft_runtime`` subpackages to copy (with ``rft_runtime/__init__.py``).
    Default :data:`LAMBDA_PACKAGES`. ``native_packages`` (default none) are copied from
    ``packages_dir`` (default :data:`LAMBDA_PACKAGES_DIR`) when unpacked there, else left out.
    Raises ``ValueError`` naming every unknown package and every bad ``extra_files`` entry
    (absolute or ``..`` paths, missing sources, clashes with packaged files).
    """
    package = Path(rft_runtime.__file__).resolve().parent
    unknown = [name for name in packages if not (package / name / "__init__.py").is_file()]
    if unknown:
        raise ValueError(f"runtime_code packages: no rft_runtime subpackage {', '.join(map(repr, unknown))}")
    files = [("rft_runtime/__init__.py", package / "__init__.py")]
    for name in sorted(set(packages)):
        files += [
            ("/".join(("rft_runtime", name, *p.relative_to(package / name).parts)), p)
            for p in _walk(package / name)
        ]
    if vendor_boto3:
        files += _vendored_files()
    files += _native_files(native_packages, packages_dir)
    taken = {relative for relative, _ in files}
    problems: list[str] = []
    for relative, source in sorted((extra_files or {}).items()):
        pure = PurePosixPath(relative)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in relative:
            problems.append(f"{relative!r}: must be a relative POSIX path inside the asset")
        elif not Path(source).is_file():
            problems.append(f"{relative!r}: source {source} is not a file")
        elif pure.as_posix() in taken:
            problems.append(f"{relative!r}: clashes with a packaged file")
        else:
            files.append((pure.as_posix(), Path(source)))
            taken.add(pure.as_posix())
    if problems:
        raise ValueError("runtime_code extra_files: " + "; ".join(problems))
    return sorted(files)


def content_hash(files: Iterable[tuple[str, Path]]) -> str:
    """SHA-256 over each file's relative path and content hash (order-independent input, sorted)."""
    digest = hashlib.sha256()
    for relative, source in sorted(files):
        digest.update(relative.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(source.read_bytes()).digest())
    return digest.hexdigest()


@jsii.implements(cdk.ILocalBundling)
class _CopyFiles:
    """Local bundling: copy the listed files into CDK's output folder (no Docker)."""

    def __init__(self, files: list[tuple[str, Path]]) -> None:
        self._files = files

    def try_bundle(self, output_dir: str, *, image: cdk.DockerImage, **_options: object) -> bool:
        out = Path(output_dir)
        for relative, source in self._files:
            target = out.joinpath(*relative.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        return True


def runtime_code(
    *,
    vendor_boto3: bool,
    extra_files: Mapping[str, Path] | None = None,
    packages: Sequence[str] = LAMBDA_PACKAGES,
    native_packages: Sequence[str] = (),
) -> lambda_.Code:
    """Lambda code with ``packages`` of ``rft_runtime`` (+ pinned boto3) + native packages +
    ``extra_files``.

    Keyword arguments:
        vendor_boto3: copy boto3, botocore (service data trimmed to :data:`BOTOCORE_SERVICES`) and
            their dependencies from the synth environment into the asset.
        extra_files: asset-relative POSIX path -> source file, e.g. a user's grader module.
            Default: none.
        packages: the ``rft_runtime`` subpackages the function imports. Default
            :data:`LAMBDA_PACKAGES`; the reward function uses :data:`REWARD_PACKAGES`, the
            lifecycle functions :data:`LIFECYCLE_PACKAGES`.
        native_packages: compiled packages (arm64, Python 3.14) to copy from
            :data:`LAMBDA_PACKAGES_DIR` when ``make setup`` unpacked them there. Default: none.

    Each call returns a new ``Code`` object (no module-level cache); identical inputs give the same
    asset hash, so CDK stages and uploads one copy however many functions use it.
    """
    files = runtime_files(
        vendor_boto3=vendor_boto3, extra_files=extra_files, packages=packages, native_packages=native_packages
    )
    package = Path(rft_runtime.__file__).resolve().parent
    return lambda_.Code.from_asset(
        str(package),
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        asset_hash=content_hash(files),
        bundling=cdk.BundlingOptions(
            # never pulled: local bundling always succeeds
            image=cdk.DockerImage.from_registry("public.ecr.aws/sam/build-python3.14"),
            local=_CopyFiles(files),
        ),
    )
