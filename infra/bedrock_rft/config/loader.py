"""Load ``environments/<env>.toml`` into a :class:`PipelineConfig`, reporting every problem at once.

Unknown keys are errors (a typo must never be silently ignored). Hyperparameter ranges and enums,
name patterns and tag limits come from the botocore service model; reward options are checked by
the reward catalogue itself. Relative paths are resolved against the config file's folder.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bedrock_rft.config import service_model
from bedrock_rft.config.aws_ids import ACCOUNT_ID, REGION_NAME
from bedrock_rft.config.errors import ConfigError, Problem
from bedrock_rft.config.judge_models import judge_problems
from bedrock_rft.config.locator import key_lines, line_of
from bedrock_rft.config.schema import (
    CDK_MAX_DESCRIPTION_LENGTH,
    DEFAULT_BASE_MODEL,
    MAX_REWARD_OPTIONS_BYTES,
    MAX_STACK_DESCRIPTION_BYTES,
    PIPELINE_TAG_KEY,
    RFT_REGIONS,
    DatasetConfig,
    DeploymentConfig,
    EncryptionConfig,
    Hyperparameters,
    InvocationLogsSource,
    NetworkConfig,
    PipelineConfig,
    RewardConfig,
)
from bedrock_rft.units import LOG_RETENTION_DAYS
from rft_runtime.lifecycle import names

_KMS_KEY_ARN = re.compile(
    r"^arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):key/[a-zA-Z0-9-]{36}$"
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_AZ = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$")
#: Tags a config may set. AWS allows 50 per resource; the most tagged resources, the VPC's subnets,
#: also get CDK's ``Name``, ``aws-cdk:subnet-name`` and ``aws-cdk:subnet-type`` plus the stack's
#: ``bedrock-rft:pipeline`` (auto-delete buckets get ``aws-cdk:auto-delete-objects``, the flow-log
#: role ``Name``). tests/infra/test_config_limits.py synthesizes this many and counts.
MAX_CONFIG_TAGS = 46
#: Lambda limits for the reward function.
LAMBDA_TIMEOUT_MAX_SECONDS = 900
LAMBDA_MEMORY_MB = (128, 10240)

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

    def known_keys(self, key: str, table: Mapping[str, Any], allowed: set[str]) -> None:
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

    def choice(self, key: str, choices: tuple[str, ...], *, default: str) -> str:
        value = self.value(key, str, default=default)
        if value not in choices:
            self.problem(key, f"{_show(value)} is not allowed; choose one of: {', '.join(choices)}")
            return default
        return value

    def bounded_int(self, key: str, *, default: int, low: int, high: int | None = None) -> int:
        value = self.value(key, int, default=default)
        if value is None:
            return default
        if value < low or (high is not None and value > high):
            allowed = f"from {low} to {high}" if high is not None else f"at least {low}"
            self.problem(key, f"{value} is out of range; allowed: {allowed}")
        return value

    def file(self, key: str, *, suffix: str | None = None) -> Path | None:
        raw = self.value(key, str, default=None)
        if raw is None:
            return None
        resolved = (self.path.parent / raw).resolve()
        if not resolved.is_file():
            self.problem(key, f"file {raw!r} not found (resolved to {resolved})")
            return None
        if suffix and resolved.suffix != suffix:
            self.problem(key, f"{raw!r} must be a {suffix} file")
        return resolved

    def _lookup(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
        return node


_TYPE_WORDS = {"str": "a string", "int": "an integer", "bool": "true or false", "int or float": "a number"}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_pattern(reader: _Reader, key: str, value: str, rule: service_model.FieldRule, what: str) -> None:
    if rule.maximum is not None and len(value) > rule.maximum:
        reader.problem(key, f"{what} {_show(value)} is longer than {int(rule.maximum)} characters")
    if rule.minimum is not None and len(value) < rule.minimum:
        reader.problem(key, f"{what} {_show(value)} is shorter than {int(rule.minimum)} characters")
    if rule.pattern and not re.fullmatch(rule.pattern, value):
        reader.problem(key, f"{what} {_show(value)} does not match the API pattern {rule.pattern}")


def _read_hyperparameters(reader: _Reader) -> Hyperparameters:
    table = reader.table("hyperparameters")
    rules = service_model.rft_hyperparameter_rules()
    reader.known_keys("hyperparameters", table, set(rules))
    defaults = Hyperparameters()
    values: dict[str, Any] = {}
    for name, rule in rules.items():
        key = f"hyperparameters.{name}"
        default = getattr(defaults, name)
        if rule.enum:
            values[name] = reader.choice(key, rule.enum, default=default)
            continue
        kind: type | tuple[type, ...] = (int, float) if rule.type_name == "float" else int
        value = reader.value(key, kind, default=default)
        if value is None:
            value = default
        low = rule.minimum if rule.minimum is not None else 1
        if value < low or (rule.maximum is not None and value > rule.maximum):
            allowed = f"from {low:g} to {rule.maximum:g}" if rule.maximum is not None else f"at least {low:g}"
            reader.problem(key, f"{value!r} is out of range; allowed: {allowed}")
        values[name] = float(value) if rule.type_name == "float" else value
    return Hyperparameters(**values)


def _read_filters(reader: _Reader, key: str, raw: Any) -> dict[str, Any] | None:
    """Check a ``RequestMetadataFilters`` union: one of equals / notEquals / andAll / orAll."""
    if raw is None:
        return None
    max_filters, key_rule, value_rule = service_model.request_metadata_filter_rules()
    base_members = ("equals", "notEquals")
    union_members = (*base_members, "andAll", "orAll")

    def check_pair_map(where: str, mapping: Any) -> None:
        if not isinstance(mapping, dict) or len(mapping) != 1:
            reader.problem(where, f"must be a table with exactly one key = value, got {_show(mapping)}")
            return
        ((name, value),) = mapping.items()
        if not isinstance(value, str):
            reader.problem(where, f"value of {name!r} must be a string, got {_show(value)}")
            return
        _check_pattern(reader, where, name, key_rule, "metadata key")
        _check_pattern(reader, where, value, value_rule, "metadata value")

    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in union_members:
        reader.problem(
            key,
            f"must set exactly one of {', '.join(union_members)} (AND and OR cannot be combined), "
            f"got {_show(raw)}",
        )
        return None
    ((member, body),) = raw.items()
    where = f"{key}.{member}"
    if member in base_members:
        check_pair_map(where, body)
    elif not isinstance(body, list) or not 1 <= len(body) <= max_filters:
        reader.problem(where, f"must be a list of 1 to {max_filters} filters, got {_show(body)}")
    else:
        for index, item in enumerate(body):
            item_key = f"{where}[{index}]"
            if not isinstance(item, dict) or len(item) != 1 or next(iter(item)) not in base_members:
                reader.problem(
                    item_key,
                    f"each filter must be {{equals = ...}} or {{notEquals = ...}}, got {_show(item)}",
                )
                continue
            check_pair_map(item_key, next(iter(item.values())))
    return raw


def _s3_uri_ok(uri: str) -> bool:
    rule = service_model.s3_uri_rule()
    return bool(re.fullmatch(rule.pattern, uri)) and len(uri) <= (rule.maximum or 1024)


def _read_dataset(reader: _Reader) -> DatasetConfig:
    table = reader.table("dataset", required=True)
    reader.known_keys(
        "dataset",
        table,
        {
            "training",
            "training_s3_uri",
            "invocation_logs",
            "validation",
            "validation_s3_uri",
            "source_kms_key_arn",
        },
    )
    sources = [name for name in ("training", "training_s3_uri", "invocation_logs") if name in table]
    if len(sources) != 1 and "dataset" in reader.data:
        reader.problem(
            "dataset",
            "set exactly one training source: training (local JSONL file), training_s3_uri, or "
            f"[dataset.invocation_logs]; found {len(sources)}"
            + (f" ({', '.join(sources)})" if sources else ""),
        )
    training_file = reader.file("dataset.training", suffix=".jsonl")
    validation_file = reader.file("dataset.validation", suffix=".jsonl")
    uris = {}
    for name in ("training_s3_uri", "validation_s3_uri"):
        uri = reader.value(f"dataset.{name}", str, default=None)
        if uri is not None and (not _s3_uri_ok(uri) or uri.endswith("/")):
            reader.problem(
                f"dataset.{name}",
                f"{_show(uri)} must be an s3://bucket/key URI of one object, matching the API pattern "
                f"{service_model.s3_uri_rule().pattern}",
            )
            uri = None
        uris[name] = uri
    if validation_file and uris["validation_s3_uri"]:
        reader.problem("dataset", "set at most one of validation and validation_s3_uri")
    logs = None
    logs_table = reader.table("dataset.invocation_logs")
    if logs_table:
        reader.known_keys(
            "dataset.invocation_logs",
            logs_table,
            {"s3_uri", "use_prompt_response", "request_metadata_filters"},
        )
        uri = reader.value("dataset.invocation_logs.s3_uri", str)
        if uri is not None and not _s3_uri_ok(uri):
            reader.problem(
                "dataset.invocation_logs.s3_uri", f"{_show(uri)} must be an s3://bucket/prefix URI"
            )
        filters = _read_filters(
            reader,
            "dataset.invocation_logs.request_metadata_filters",
            logs_table.get("request_metadata_filters"),
        )
        logs = InvocationLogsSource(
            s3_uri=uri or "s3://invalid",
            use_prompt_response=reader.value(
                "dataset.invocation_logs.use_prompt_response", bool, default=False
            ),
            request_metadata_filters=filters,
        )
    source_key = reader.value("dataset.source_kms_key_arn", str, default=None)
    if source_key is not None:
        if not _KMS_KEY_ARN.match(source_key):
            reader.problem(
                "dataset.source_kms_key_arn",
                f"{_show(source_key)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)",
            )
            source_key = None
        elif not ({"training_s3_uri", "validation_s3_uri", "invocation_logs"} & set(table)):
            reader.problem(
                "dataset.source_kms_key_arn",
                "is the key of an existing S3 source, but none is configured; allowed with "
                "training_s3_uri, validation_s3_uri or [dataset.invocation_logs] (local files go to the "
                "pipeline's own bucket)",
            )
    return DatasetConfig(
        training_file=training_file,
        training_s3_uri=uris["training_s3_uri"],
        invocation_logs=logs,
        validation_file=validation_file,
        validation_s3_uri=uris["validation_s3_uri"],
        source_kms_key_arn=source_key,
    )


def _read_reward(reader: _Reader) -> RewardConfig:
    table = reader.table("reward", required=True)
    reader.known_keys(
        "reward",
        table,
        {"template", "options", "code", "timeout_seconds", "memory_mb", "reserved_concurrency"},
    )
    options = dict(reader.table("reward.options"))
    code = reader.file("reward.code", suffix=".py")
    if "code" in table:
        template = reader.value("reward.template", str, default="custom")
        if template != "custom":
            reader.problem(
                "reward.code", f"a code file means template 'custom'; remove template = {template!r}"
            )
        if "path" in options:
            reader.problem("reward.options.path", "set the file with reward.code only")
        if code is not None:
            options["path"] = str(code)
    else:
        template = reader.value("reward.template", str) if "reward" in reader.data else None
    if template is not None and (template != "custom" or code is not None):
        from rft_runtime.rewards import catalogue  # the runtime validates its own options

        for message in catalogue.validate_options(template, options):
            reader.problem(
                "reward.options" if template in catalogue.TEMPLATE_NAMES else "reward.template", message
            )
    encoded = json.dumps(options, sort_keys=True, separators=(",", ":"), default=str).encode()
    if len(encoded) > MAX_REWARD_OPTIONS_BYTES:
        reader.problem(
            "reward.options",
            f"take {len(encoded)} bytes as JSON; the reward Lambda's environment allows about "
            f"{MAX_REWARD_OPTIONS_BYTES} (move a long rubric into a custom grader file)",
        )
    concurrency = reader.value("reward.reserved_concurrency", int, default=100)
    if concurrency is not None and concurrency < 0:
        reader.problem(
            "reward.reserved_concurrency", f"{concurrency} is out of range; allowed: 0 (unreserved) or more"
        )
    return RewardConfig(
        template=template or "",
        options=options,
        timeout_seconds=reader.bounded_int(
            "reward.timeout_seconds", default=300, low=1, high=LAMBDA_TIMEOUT_MAX_SECONDS
        ),
        memory_mb=reader.bounded_int(
            "reward.memory_mb", default=1024, low=LAMBDA_MEMORY_MB[0], high=LAMBDA_MEMORY_MB[1]
        ),
        reserved_concurrency=concurrency or None,
    )


def _read_deployment(reader: _Reader) -> DeploymentConfig:
    table = reader.table("deployment")
    reader.known_keys("deployment", table, {"mode", "retain_models", "notification_emails"})
    emails = reader.value("deployment.notification_emails", list, default=[])
    for index, email in enumerate(emails or []):
        if not isinstance(email, str) or not _EMAIL.match(email):
            reader.problem(
                f"deployment.notification_emails[{index}]", f"{_show(email)} is not an email address"
            )
    return DeploymentConfig(
        mode=reader.choice("deployment.mode", ("on_demand", "none"), default="on_demand"),
        retain_models=reader.value("deployment.retain_models", bool, default=True),
        notification_emails=tuple(e for e in emails or [] if isinstance(e, str)),
    )


def _read_network(reader: _Reader, region: str | None) -> NetworkConfig:
    table = reader.table("network")
    reader.known_keys("network", table, {"vpc", "max_azs", "availability_zones", "flow_log_retention_days"})
    zones = reader.value("network.availability_zones", list, default=[]) or []
    for index, zone in enumerate(zones):
        if not isinstance(zone, str) or not _AZ.match(zone):
            reader.problem(
                f"network.availability_zones[{index}]", f"{_show(zone)} is not a zone name like us-east-1a"
            )
        elif region and not re.fullmatch(re.escape(region) + "[a-z]", zone):
            reader.problem(
                f"network.availability_zones[{index}]",
                f"{_show(zone)} is not a zone of the configured region {region}; "
                f"allowed: {region}a, {region}b, ...",
            )
    max_azs = reader.bounded_int("network.max_azs", default=2, low=2, high=6)
    if zones and len(zones) < max_azs:
        reader.problem("network.availability_zones", f"lists {len(zones)} zones; max_azs is {max_azs}")
    retention = reader.value("network.flow_log_retention_days", int, default=365)
    _check_retention(reader, "network.flow_log_retention_days", retention)
    return NetworkConfig(
        vpc=reader.choice("network.vpc", ("create", "none"), default="create"),
        max_azs=max_azs,
        availability_zones=tuple(zones),
        flow_log_retention_days=retention or 365,
    )


def _check_retention(reader: _Reader, key: str, days: int | None) -> None:
    if days is not None and days not in LOG_RETENTION_DAYS:
        reader.problem(
            key,
            f"{days} is not a CloudWatch Logs retention; allowed: {', '.join(map(str, LOG_RETENTION_DAYS))}",
        )


def _read_encryption(reader: _Reader, region: str | None, account: str | None) -> EncryptionConfig:
    table = reader.table("encryption")
    reader.known_keys("encryption", table, {"kms_key_arn", "log_retention_days", "retain_data"})
    arn = reader.value("encryption.kms_key_arn", str, default=None)
    match = _KMS_KEY_ARN.match(arn) if arn is not None else None
    if arn is not None and match is None:
        reader.problem(
            "encryption.kms_key_arn",
            f"{_show(arn)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)",
        )
    if match is not None and region and match["region"] != region:
        reader.problem(
            "encryption.kms_key_arn",
            f"the key is in region {match['region']}, but the stack's region is {region}; allowed: a key in "
            f"{region} (the buckets, logs and trained model are encrypted with it there)",
        )
    if match is not None and account and match["account"] != account:
        reader.problem(
            "encryption.kms_key_arn",
            f"the key is in account {match['account']}, but the stack's account is {account}; allowed: a key "
            f"of account {account}",
        )
    retention = reader.value("encryption.log_retention_days", int, default=365)
    _check_retention(reader, "encryption.log_retention_days", retention)
    return EncryptionConfig(
        kms_key_arn=arn,
        log_retention_days=retention or 365,
        retain_data=reader.value("encryption.retain_data", bool, default=True),
    )


def _read_tags(reader: _Reader) -> dict[str, str]:
    table = reader.table("tags")
    _, key_rule, value_rule = service_model.tag_rules()
    if len(table) > MAX_CONFIG_TAGS:
        reader.problem(
            "tags",
            f"{len(table)} tags; at most {MAX_CONFIG_TAGS} allowed (AWS takes 50 tags per resource; CDK adds "
            f"up to 3 of its own, on the VPC's subnets, and the stack adds {PIPELINE_TAG_KEY})",
        )
    tags: dict[str, str] = {}
    for name, value in table.items():
        key = f"tags.{name}"
        if not isinstance(value, str):
            reader.problem(key, f"must be a string, got {_show(value)}")
            continue
        _check_pattern(reader, key, name, key_rule, "tag key")
        _check_pattern(reader, key, value, value_rule, "tag value")
        if name.lower().startswith("aws:"):
            reader.problem(key, "tag keys starting with 'aws:' are reserved")
        if name == PIPELINE_TAG_KEY:
            reader.problem(key, f"{PIPELINE_TAG_KEY} is set by the stack (pipeline name); use another key")
        tags[name] = value
    return tags


def _read_nonce(reader: _Reader) -> str:
    nonce = reader.value("retrain_nonce", str, default="")
    if nonce and not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", nonce):
        reader.problem("retrain_nonce", f"{_show(nonce)} must be 1-64 letters, digits, '.', '_' or '-'")
    return nonce or ""


def _read_pipeline(reader: _Reader) -> PipelineConfig:
    reader.known_keys(
        "",
        reader.data,
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
            "network",
            "encryption",
            "tags",
            "retrain_nonce",
        },
    )
    name = reader.value("name", str)
    if name is not None:
        for message in names.check_pipeline_name(name):
            reader.problem("name", message)
    base_model = reader.value("base_model", str, default=DEFAULT_BASE_MODEL)
    rule = service_model.create_job_rules()["baseModelIdentifier"]
    if base_model is not None:
        _check_pattern(reader, "base_model", base_model, rule, "model id")
    account = reader.value("account", str, default=None)
    if account is not None and not ACCOUNT_ID.match(account):
        reader.problem("account", f"{_show(account)} must be a 12-digit AWS account id")
    region = reader.value("region", str, default=None)
    if region is not None and not REGION_NAME.match(region):
        reader.problem("region", f"{_show(region)} is not an AWS Region name like us-east-1")
        region = None
    elif region is not None and region not in RFT_REGIONS:
        reader.problem(
            "region",
            f"{region} does not offer reinforcement fine-tuning; allowed: {', '.join(RFT_REGIONS)}",
        )
    if account is not None and not ACCOUNT_ID.match(account):
        account = None
    config = PipelineConfig(
        name=name or "",
        description=reader.value("description", str, default=""),
        base_model=base_model or DEFAULT_BASE_MODEL,
        account=account,
        region=region,
        dataset=_read_dataset(reader),
        reward=_read_reward(reader),
        hyperparameters=_read_hyperparameters(reader),
        deployment=_read_deployment(reader),
        network=_read_network(reader, region),
        encryption=_read_encryption(reader, region, account),
        tags=_read_tags(reader),
        retrain_nonce=_read_nonce(reader),
        source_file=reader.path,
    )
    _check_description(reader, config)
    _check_combinations(reader, config)
    return config


def _check_description(reader: _Reader, config: PipelineConfig) -> None:
    """The stack description (prefix + ``description``) must fit CloudFormation and CDK."""
    text = config.stack_description
    size, length = len(text.encode("utf-8")), len(text.encode("utf-16-le")) // 2
    if size <= MAX_STACK_DESCRIPTION_BYTES and length <= CDK_MAX_DESCRIPTION_LENGTH:
        return
    prefix = len(f"bedrock-rft pipeline {config.name}: ")
    reader.problem(
        "description",
        f"too long: the stack description 'bedrock-rft pipeline {config.name}: <description>' takes {size} "
        f"bytes (UTF-8) and {length} characters (UTF-16 units); allowed: at most "
        f"{MAX_STACK_DESCRIPTION_BYTES} bytes (CloudFormation) and {CDK_MAX_DESCRIPTION_LENGTH} characters "
        f"(CDK), i.e. a description of at most {CDK_MAX_DESCRIPTION_LENGTH - prefix} ASCII characters with "
        "this name",
    )


def _check_combinations(reader: _Reader, config: PipelineConfig) -> None:
    """Rules that span sections."""
    from rft_runtime.rewards import catalogue

    if config.reward.template in catalogue.TEMPLATE_NAMES and not reader.problems:
        used = {name for name, _ in catalogue.graders_in_use(config.reward.template, config.reward.options)}
        if "code_tests" in used and config.network.vpc == "none":
            reader.problem(
                "network.vpc",
                "the reward runs generated code (code_tests), which must have no network path: "
                'use vpc = "create" (the grader then gets a security group with no egress)',
            )
    template, options = config.reward.template, config.reward.options
    if template in ("llm_judge", "composite") and not catalogue.validate_options(template, options):
        for key, judge in _judges(template, options, "reward.options"):
            for option, message in judge_problems(
                str(judge["model_id"]),
                judge_region=judge.get("region"),
                stack_region=config.region,  # None when unset or not a Region name
                in_isolated_vpc=config.network.vpc == "create",
            ):
                reader.problem(f"{key}.{option}", message)


def _judges(template: str, options: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
    """``(dotted key of its options, options)`` of every ``llm_judge``, also inside ``composite``."""
    if template == "llm_judge":
        return [(key, options)]
    if template != "composite":
        return []
    found = []
    for index, entry in enumerate(options.get("graders", ())):
        sub_key = f"{key}.graders[{index}].options"
        found.extend(_judges(str(entry["template"]), entry.get("options", {}), sub_key))
    return found


def load_environment_file(path: Path | str) -> PipelineConfig:
    """Load one environment file.

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
    if reader.problems:
        raise ConfigError(path, sorted(reader.problems, key=lambda p: (p.line or 0, p.key)))
    return config


def load_environment(name: str, environments_dir: Path | str) -> PipelineConfig:
    """Load ``<environments_dir>/<name>.toml``; an unknown name lists the environments that exist."""
    folder = Path(environments_dir)
    path = folder / f"{name}.toml"
    if not path.is_file():
        available = sorted(p.stem for p in folder.glob("*.toml"))
        raise ConfigError(
            path,
            [
                Problem(
                    key="env", message=f"no environment {name!r}; available: {', '.join(available) or 'none'}"
                )
            ],
        )
    return load_environment_file(path)
