"""Load ``environments/delivery.toml``: where the delivery pipeline lives, its source, and its stages.

Every problem is reported at once with file, line and key (the same :class:`ConfigError` and line
finder as environment files). Each stage names an environment file in the same folder; those are
loaded with :func:`bedrock_rft.config.load_environment`, so their own problems are reported too.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bedrock_rft.config import PipelineConfig, load_environment
from bedrock_rft.config.aws_ids import ACCOUNT_ID, REGION_NAME
from bedrock_rft.config.errors import ConfigError, Problem
from bedrock_rft.config.locator import key_lines, line_of
from bedrock_rft.config.rules import show

#: CodeConnections connection ARNs (the older ``codestar-connections`` service prefix is still valid).
CONNECTION_ARN = re.compile(
    r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[0-9a-f-]{36}$"
)
#: ``owner/name`` (GitHub, Bitbucket) or ``group/subgroup/name`` (GitLab).
REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")
PIPELINE_NAME = re.compile(r"^[A-Za-z0-9.@_-]{1,100}$")
#: CodeBuild's build timeout range, in minutes (the ``rft wait`` step's time limit).
BUILD_TIMEOUT_MINUTES = (5, 2160)
#: Minutes of a wait step's time limit kept for installing the CLI and reporting a timeout.
WAIT_SETUP_MINUTES = 10

FILE_KEYS = {
    "": frozenset({"name", "account", "region", "source", "stages"}),
    "source": frozenset({"connection_arn", "repository", "branch"}),
    "stages": frozenset({"environment", "approval", "confirm_broadening", "wait_timeout_minutes"}),
}


@dataclass(frozen=True, kw_only=True)
class SourceConfig:
    """The repository the pipeline builds: a CodeConnections ``connection_arn`` (GitHub, GitLab or
    Bitbucket), ``repository`` (``owner/name``) and ``branch`` (default ``main``)."""

    connection_arn: str
    repository: str
    branch: str = "main"


@dataclass(frozen=True, kw_only=True)
class StageConfig:
    """One deployment stage: the environment file ``environment`` (loaded as ``config``).

    ``approval``: a manual approval before the stage; ``confirm_broadening``: stop for approval when
    the stage's IAM or security groups broaden. Both default to False for the first stage and True
    for every later one. ``wait_timeout_minutes``: the time limit of the stage's ``rft wait`` step
    (a CodeBuild build timeout, 5-2160); default 480.
    """

    environment: str
    config: PipelineConfig
    approval: bool
    confirm_broadening: bool
    wait_timeout_minutes: int = 480


@dataclass(frozen=True, kw_only=True)
class DeliveryConfig:
    """A delivery file: the pipeline's ``name`` (default ``rft-delivery``), the ``account`` and
    ``region`` its stack deploys to (both required: CDK Pipelines needs an environment-bound stack),
    its ``source`` and its ``stages`` in release order (at least one)."""

    name: str = "rft-delivery"
    account: str
    region: str
    source: SourceConfig
    stages: tuple[StageConfig, ...]
    source_file: Path | None = None

    @property
    def stack_name(self) -> str:
        """CloudFormation stack name: ``RftDelivery-<name>``."""
        return f"RftDelivery-{self.name}"


_STAGE_KEY = re.compile(r"^stages\[(\d+)\](?:\.(\w+))?$")
_STAGE_HEADER = re.compile(r"^\s*\[\[\s*stages\s*\]\]")


def _stage_lines(text: str) -> list[dict[str, int]]:
    """Per ``[[stages]]`` table: its header line (key ``""``) and the line of each key in it."""
    stages: list[dict[str, int]] = []
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _STAGE_HEADER.match(line):
            stages.append({"": number})
            inside = True
        elif line.lstrip().startswith("["):
            inside = False  # another table ends the stage
        elif inside:
            for name in key_lines(line):
                stages[-1].setdefault(name, number)
    return stages


class _Problems:
    """Problems of one delivery file, each placed on its line."""

    def __init__(self, text: str) -> None:
        self.lines = key_lines(text)
        self.stage_lines = _stage_lines(text)
        self.found: list[Problem] = []

    def add(self, key: str, message: str) -> None:
        stage = _STAGE_KEY.match(key)
        if stage and int(stage.group(1)) < len(self.stage_lines):
            lines = self.stage_lines[int(stage.group(1))]
            line = lines.get(stage.group(2) or "", lines[""])
        else:
            line = line_of(self.lines, key)
        self.found.append(Problem(key=key, message=message, line=line))

    def known_keys(self, key: str, table: dict[str, Any], allowed: frozenset[str]) -> None:
        for name in table:
            if name not in allowed:
                where = f"{key}.{name}" if key else name
                self.add(where, f"unknown key {name!r}; allowed: {', '.join(sorted(allowed))}")

    def text(self, table: dict[str, Any], key: str, name: str, pattern: re.Pattern[str], allowed: str) -> str:
        value = table.get(name)
        where = f"{key}.{name}" if key else name
        if value is None:
            self.add(where, f"missing required key ({allowed})")
        elif not isinstance(value, str) or not pattern.fullmatch(value):
            self.add(where, f"{show(value)} is not {allowed}")
        return value if isinstance(value, str) else ""


def _read_source(problems: _Problems, data: dict[str, Any]) -> SourceConfig:
    source = data.get("source")
    if not isinstance(source, dict):
        problems.add("source", "missing required table [source] (connection_arn, repository, branch)")
        return SourceConfig(connection_arn="", repository="")
    problems.known_keys("source", source, FILE_KEYS["source"])
    branch = source.get("branch", "main")
    if not isinstance(branch, str) or not branch.strip():
        problems.add("source.branch", f"{show(branch)} must be a branch name")
    return SourceConfig(
        connection_arn=problems.text(
            source,
            "source",
            "connection_arn",
            CONNECTION_ARN,
            "a CodeConnections connection ARN (arn:aws:codeconnections:REGION:ACCOUNT:connection/ID)",
        ),
        repository=problems.text(source, "source", "repository", REPOSITORY, "a repository as owner/name"),
        branch=str(branch),
    )


def _flag(problems: _Problems, stage: dict[str, Any], key: str, name: str, default: bool) -> bool:
    value = stage.get(name, default)
    if not isinstance(value, bool):
        problems.add(f"{key}.{name}", f"must be true or false, got {show(value)}")
        return default
    return value


def _read_stage(
    problems: _Problems, folder: Path, index: int, stage: Any, seen: set[str]
) -> StageConfig | None:
    key = f"stages[{index}]"
    if not isinstance(stage, dict):
        problems.add(key, f"must be a table ([[stages]]), got {show(stage)}")
        return None
    problems.known_keys("stages", stage, FILE_KEYS["stages"])
    later = index > 0
    approval = _flag(problems, stage, key, "approval", later)
    confirm = _flag(problems, stage, key, "confirm_broadening", later)
    timeout = stage.get("wait_timeout_minutes", 480)
    low, high = BUILD_TIMEOUT_MINUTES
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not low <= timeout <= high:
        problems.add(f"{key}.wait_timeout_minutes", f"{show(timeout)} must be an integer {low}-{high}")
        timeout = 480
    environment = stage.get("environment")
    if not isinstance(environment, str) or not environment:
        problems.add(f"{key}.environment", "missing required key: the name of an environment file")
        return None
    if environment in seen:
        problems.add(f"{key}.environment", f"environment {environment!r} is listed twice")
        return None
    seen.add(environment)
    try:
        config = load_environment(environment, folder)
    except ConfigError as error:
        problems.add(f"{key}.environment", f"environment {environment!r} is not valid:\n{error}")
        return None
    if config.network.vpc == "create" and not config.network.availability_zones:
        problems.add(
            f"{key}.environment",
            f"environment {environment!r} creates a VPC: list network.availability_zones in "
            f"{environment}.toml, so the pipeline synthesizes its account-bound stack without lookups",
        )
        return None
    return StageConfig(
        environment=environment,
        config=config,
        approval=approval,
        confirm_broadening=confirm,
        wait_timeout_minutes=timeout,
    )


def _check_stage_names(problems: _Problems, stages: list[StageConfig]) -> None:
    names: dict[tuple[str, str | None, str | None], str] = {}
    for stage in stages:
        config = stage.config
        place = (config.name, config.account, config.region)
        if place in names:
            problems.add(
                "stages",
                f"environments {names[place]!r} and {stage.environment!r} deploy the same pipeline "
                f"name {config.name!r} to the same account and Region",
            )
        names[place] = stage.environment


def load_delivery_file(path: Path | str) -> DeliveryConfig:
    """Load a delivery file and the environment file of each stage.

    Raises :class:`ConfigError` listing every problem (file, line, key, bad value, what is allowed).
    """
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(path, [Problem(key="(file)", message=f"cannot read: {error}")]) from error
    problems = _Problems(text)
    problems.known_keys("", data, FILE_KEYS[""])
    name = data.get("name", "rft-delivery")
    if not isinstance(name, str) or not PIPELINE_NAME.fullmatch(name):
        problems.add("name", f"{show(name)} must be 1-100 letters, digits, '.', '@', '_' or '-'")
    account = problems.text(data, "", "account", ACCOUNT_ID, "a 12-digit account id")
    region = problems.text(data, "", "region", REGION_NAME, "a Region name such as us-east-1")
    source = _read_source(problems, data)
    raw_stages = data.get("stages")
    stages: list[StageConfig] = []
    if not isinstance(raw_stages, list) or not raw_stages:
        problems.add("stages", 'at least one [[stages]] table is required (environment = "dev")')
    else:
        seen: set[str] = set()
        for index, raw in enumerate(raw_stages):
            stage = _read_stage(problems, path.parent, index, raw, seen)
            if stage is not None:
                stages.append(stage)
        _check_stage_names(problems, stages)
    if problems.found:
        raise ConfigError(path, sorted(problems.found, key=lambda p: (p.line or 0, p.key)))
    return DeliveryConfig(
        name=str(name),
        account=account,
        region=region,
        source=source,
        stages=tuple(stages),
        source_file=path,
    )
