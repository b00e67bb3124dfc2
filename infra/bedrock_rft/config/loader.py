"""Load ``environments/<env>.toml`` into a :class:`PipelineConfig`, reporting every problem at once.

Unknown keys and wrong types are found here (a typo must never be silently ignored); every other
rule (ranges and enums from the botocore model, names, Region, tags, reward options, dataset sources)
lives in :mod:`bedrock_rft.config.rules`, shared with ``RftPipeline`` props, and is reported here with
the TOML key and line. Relative paths are resolved against the config file's folder.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Set
from dataclasses import replace
from pathlib import Path
from typing import Any

from bedrock_rft.config import service_model
from bedrock_rft.config.errors import ConfigError, Problem
from bedrock_rft.config.locator import key_lines, line_of
from bedrock_rft.config.promotion import promotion_problems, promotion_source
from bedrock_rft.config.rules import TOML_KEYS, config_problems, show
from bedrock_rft.config.schema import (
    DEFAULT_BASE_MODEL,
    DatasetConfig,
    DeploymentConfig,
    EncryptionConfig,
    EvaluationConfig,
    Hyperparameters,
    InvocationLogsSource,
    LimitsConfig,
    NetworkConfig,
    PipelineConfig,
    RewardConfig,
)

#: The keys each table of an environment file may hold (``""``: the top level; hyperparameter keys
#: come from the botocore model). The JSON Schema (:mod:`bedrock_rft.config.json_schema`) uses them.
FILE_KEYS: dict[str, frozenset[str]] = {
    "": frozenset(
        {
            "name",
            "description",
            "base_model",
            "account",
            "region",
            "dataset",
            "reward",
            "hyperparameters",
            "deployment",
            "limits",
            "evaluation",
            "network",
            "encryption",
            "tags",
            "retrain_nonce",
            "promote_from",
        }
    ),
    "dataset": frozenset(
        {
            "training",
            "training_s3_uri",
            "invocation_logs",
            "validation",
            "validation_s3_uri",
            "source_kms_key_arn",
        }
    ),
    "dataset.invocation_logs": frozenset({"s3_uri", "use_prompt_response", "request_metadata_filters"}),
    "reward": frozenset(
        {
            "template",
            "options",
            "code",
            "timeout_seconds",
            "memory_mb",
            "reserved_concurrency",
            "max_judge_calls",
        }
    ),
    "deployment": frozenset(
        {"mode", "retain_models", "notification_emails", "keep_models", "model_units", "commitment"}
    ),
    "limits": frozenset({"max_training_hours"}),
    "evaluation": frozenset({"gate", "min_improvement", "samples_per_prompt", "max_prompts"}),
    "network": frozenset({"vpc", "max_azs", "availability_zones", "flow_log_retention_days"}),
    "encryption": frozenset({"kms_key_arn", "log_retention_days", "retain_data"}),
}

#: The delivery pipeline's file in the environments folder (``bedrock_rft.delivery``): not an environment.
DELIVERY_FILE = "delivery.toml"

_MISSING = object()


class _Reader:
    """Typed access to the parsed TOML that records problems instead of stopping at the first."""

    def __init__(self, path: Path, data: dict[str, Any], text: str) -> None:
        self.path = path
        self.data = data
        self.lines = key_lines(text)
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(key=key, message=message, line=line_of(self.lines, key)))

    def table(self, key: str, *, required: bool = False) -> dict[str, Any]:
        value = self._lookup(key)
        if value is _MISSING:
            if required:
                self.problem(key, f"missing required table [{key}]")
            return {}
        if not isinstance(value, dict):
            self.problem(key, f"must be a table, got {_show(value)}")
            return {}
        return value

    def known_keys(self, key: str, table: Mapping[str, Any], allowed: Set[str]) -> None:
        for name in table:
            if name not in allowed:
                full = f"{key}.{name}" if key else name
                self.problem(full, f"unknown key {name!r}; allowed: {', '.join(sorted(allowed))}")

    def value(self, key: str, kind: type | tuple[type, ...], *, default: Any = _MISSING) -> Any:
        value = self._lookup(key)
        if value is _MISSING:
            if default is _MISSING:
                self.problem(key, "missing required key")
                return None
            return default
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            self.problem(key, f"must be a number, got {_show(value)}")
            return default if default is not _MISSING else None
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            self.problem(key, f"must be {_TYPE_WORDS.get(names, names)}, got {_show(value)}")
            return default if default is not _MISSING else None
        return value

    def path_value(self, key: str) -> Path | None:
        """A file path, resolved against the config file's folder (the rules check it exists)."""
        raw = self.value(key, str, default=None)
        return None if raw is None else (self.path.parent / raw).resolve()

    def _lookup(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
        return node


_TYPE_WORDS = {"str": "a string", "int": "an integer", "bool": "true or false", "int or float": "a number"}


_show = show


def _read_hyperparameters(reader: _Reader) -> Hyperparameters:
    table = reader.table("hyperparameters")
    rules = service_model.rft_hyperparameter_rules()
    reader.known_keys("hyperparameters", table, set(rules))
    defaults = Hyperparameters()
    values: dict[str, Any] = {}
    for name, rule in rules.items():
        default = getattr(defaults, name)
        kind: type | tuple[type, ...] = (
            str if rule.enum else (int, float) if rule.type_name == "float" else int
        )
        value = reader.value(f"hyperparameters.{name}", kind, default=default)
        value = default if value is None else value
        values[name] = float(value) if rule.type_name == "float" else value
    return Hyperparameters(**values)


def _read_dataset(reader: _Reader) -> DatasetConfig:
    table = reader.table("dataset", required=True)
    reader.known_keys("dataset", table, FILE_KEYS["dataset"])
    logs = None
    logs_table = reader.table("dataset.invocation_logs")
    if "invocation_logs" in table:
        reader.known_keys("dataset.invocation_logs", logs_table, FILE_KEYS["dataset.invocation_logs"])
        logs = InvocationLogsSource(
            s3_uri=reader.value("dataset.invocation_logs.s3_uri", str) or "",
            use_prompt_response=reader.value(
                "dataset.invocation_logs.use_prompt_response", bool, default=False
            ),
            request_metadata_filters=logs_table.get("request_metadata_filters"),
        )
    return DatasetConfig(
        training_file=reader.path_value("dataset.training"),
        training_s3_uri=reader.value("dataset.training_s3_uri", str, default=None),
        invocation_logs=logs,
        validation_file=reader.path_value("dataset.validation"),
        validation_s3_uri=reader.value("dataset.validation_s3_uri", str, default=None),
        source_kms_key_arn=reader.value("dataset.source_kms_key_arn", str, default=None),
    )


def _read_reward(reader: _Reader) -> RewardConfig:
    table = reader.table("reward", required=True)
    reader.known_keys("reward", table, FILE_KEYS["reward"])
    options = dict(reader.table("reward.options"))
    if "code" in table:
        template = reader.value("reward.template", str, default="custom")
        if template != "custom":
            reader.problem(
                "reward.code", f"a code file means template 'custom'; remove template = {template!r}"
            )
        if "path" in options:
            reader.problem("reward.options.path", "set the file with reward.code only")
        code = reader.path_value("reward.code")
        if code is not None:
            options["path"] = str(code)
    else:
        template = reader.value("reward.template", str) if "reward" in reader.data else None
    defaults = RewardConfig(template="")
    return RewardConfig(
        template=template or "",
        options=options,
        timeout_seconds=reader.value("reward.timeout_seconds", int, default=defaults.timeout_seconds),
        memory_mb=reader.value("reward.memory_mb", int, default=defaults.memory_mb),
        reserved_concurrency=reader.value(
            "reward.reserved_concurrency", int, default=defaults.reserved_concurrency
        ),
        max_judge_calls=reader.value("reward.max_judge_calls", int, default=None),
    )


def _read_deployment(reader: _Reader) -> DeploymentConfig:
    table = reader.table("deployment")
    reader.known_keys("deployment", table, FILE_KEYS["deployment"])
    defaults = DeploymentConfig()
    return DeploymentConfig(
        mode=reader.value("deployment.mode", str, default=defaults.mode),
        retain_models=reader.value("deployment.retain_models", bool, default=defaults.retain_models),
        notification_emails=tuple(reader.value("deployment.notification_emails", list, default=[]) or ()),
        keep_models=reader.value("deployment.keep_models", int, default=defaults.keep_models),
        model_units=reader.value("deployment.model_units", int, default=None),
        commitment=reader.value("deployment.commitment", str, default=defaults.commitment),
    )


def _read_limits(reader: _Reader) -> LimitsConfig:
    table = reader.table("limits")
    reader.known_keys("limits", table, FILE_KEYS["limits"])
    return LimitsConfig(
        max_training_hours=reader.value("limits.max_training_hours", (int, float), default=None)
    )


def _read_evaluation(reader: _Reader) -> EvaluationConfig:
    table = reader.table("evaluation")
    reader.known_keys("evaluation", table, FILE_KEYS["evaluation"])
    defaults = EvaluationConfig()
    return EvaluationConfig(
        gate=reader.value("evaluation.gate", bool, default=defaults.gate),
        min_improvement=reader.value(
            "evaluation.min_improvement", (int, float), default=defaults.min_improvement
        ),
        samples_per_prompt=reader.value(
            "evaluation.samples_per_prompt", int, default=defaults.samples_per_prompt
        ),
        max_prompts=reader.value("evaluation.max_prompts", int, default=defaults.max_prompts),
    )


def _read_network(reader: _Reader) -> NetworkConfig:
    table = reader.table("network")
    reader.known_keys("network", table, FILE_KEYS["network"])
    defaults = NetworkConfig()
    return NetworkConfig(
        vpc=reader.value("network.vpc", str, default=defaults.vpc),
        max_azs=reader.value("network.max_azs", int, default=defaults.max_azs),
        availability_zones=tuple(reader.value("network.availability_zones", list, default=[]) or ()),
        flow_log_retention_days=reader.value(
            "network.flow_log_retention_days", int, default=defaults.flow_log_retention_days
        ),
    )


def _read_encryption(reader: _Reader) -> EncryptionConfig:
    table = reader.table("encryption")
    reader.known_keys("encryption", table, FILE_KEYS["encryption"])
    defaults = EncryptionConfig()
    return EncryptionConfig(
        kms_key_arn=reader.value("encryption.kms_key_arn", str, default=None),
        log_retention_days=reader.value(
            "encryption.log_retention_days", int, default=defaults.log_retention_days
        ),
        retain_data=reader.value("encryption.retain_data", bool, default=defaults.retain_data),
    )


def _read_pipeline(reader: _Reader) -> PipelineConfig:
    reader.known_keys("", reader.data, FILE_KEYS[""])
    return PipelineConfig(
        name=reader.value("name", str) or "",
        description=reader.value("description", str, default=""),
        base_model=reader.value("base_model", str, default=DEFAULT_BASE_MODEL),
        account=reader.value("account", str, default=None),
        region=reader.value("region", str, default=None),
        dataset=_read_dataset(reader),
        reward=_read_reward(reader),
        hyperparameters=_read_hyperparameters(reader),
        deployment=_read_deployment(reader),
        limits=_read_limits(reader),
        evaluation=_read_evaluation(reader),
        network=_read_network(reader),
        encryption=_read_encryption(reader),
        tags=dict(reader.table("tags")),
        retrain_nonce=reader.value("retrain_nonce", str, default=""),
        promote_from=reader.value("promote_from", str, default=""),
        source_file=reader.path,
    )


def _related(key: str, other: str) -> bool:
    """``key`` and ``other`` are the same key, or one holds the other (``reward`` / ``reward.template``)."""
    return key == other or key.startswith(other + ".") or other.startswith(key + ".")


def _toml_key(prop_path: str, data: Mapping[str, Any]) -> str:
    """The TOML key of a rule's prop path (``dataset.training_file`` -> ``dataset.training``)."""
    for prop, key in TOML_KEYS.items():
        if prop_path == prop or prop_path.startswith(prop + "."):
            return key + prop_path[len(prop) :]
    reward = data.get("reward")
    if prop_path == "reward.options" and isinstance(reward, dict) and "code" in reward:
        return "reward.code"  # a custom grader's file: its problems name the key that set it
    return prop_path


def load_environment_file(path: Path | str, *, check_promotion: bool = True) -> PipelineConfig:
    """Load one environment file.

    With ``check_promotion`` (default True) a ``promote_from`` source is loaded from the same folder
    (without its own promotion check) and compared (:mod:`bedrock_rft.config.promotion`).
    Raises :class:`ConfigError` listing every problem (file, line, key, bad value, what is allowed).
    """
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [Problem(key="(file)", message=f"cannot read: {error}")]) from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        problem = Problem(
            key="(syntax)", message=f"not valid TOML: {error}", line=int(match.group(1)) if match else None
        )
        raise ConfigError(path, [problem]) from error
    reader = _Reader(path, data, text)
    config = _read_pipeline(reader)
    reported = {problem.key for problem in reader.problems}
    for problem in config_problems(config):  # the rules every pipeline shares, on the typed values
        key = _toml_key(problem.key, data)
        if not any(_related(key, seen) for seen in reported):  # a bad type is reported once, not twice
            reader.problem(key, problem.message)
    if check_promotion and not reader.problems:  # the source is compared only with a valid file

        def load_source(name: str) -> PipelineConfig:
            return load_environment(name, path.parent, check_promotion=False)

        for problem in promotion_problems(config, load_source, path.stem):
            reader.problem(problem.key, problem.message)
        if config.promote_from and not reader.problems:
            config = replace(config, promotion_source=promotion_source(load_source(config.promote_from)))
    if reader.problems:
        raise ConfigError(path, sorted(reader.problems, key=lambda p: (p.line or 0, p.key)))
    return config


def load_environment(
    name: str, environments_dir: Path | str, *, check_promotion: bool = True
) -> PipelineConfig:
    """Load ``<environments_dir>/<name>.toml``; an unknown name lists the environments that exist.

    ``check_promotion``: see :func:`load_environment_file` (default True).
    """
    folder = Path(environments_dir)
    path = folder / f"{name}.toml"
    if not path.is_file():
        available = sorted(p.stem for p in folder.glob("*.toml") if p.name != DELIVERY_FILE)
        raise ConfigError(
            path,
            [
                Problem(
                    key="env", message=f"no environment {name!r}; available: {', '.join(available) or 'none'}"
                )
            ],
        )
    return load_environment_file(path, check_promotion=check_promotion)
