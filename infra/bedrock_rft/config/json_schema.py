"""The JSON Schema of ``environments/<env>.toml``, generated from the loader's keys and the rules.

Editors that read JSON Schema for TOML (Taplo / "Even Better TOML") complete keys and flag bad
values when a file starts with ``#:schema ../infra/bedrock_rft/config/environment.schema.json``.
The shipped file is :data:`SCHEMA_FILE`; ``python -m bedrock_rft.tools.write_schema`` rewrites it
and the test suite checks it is current. The schema expresses what JSON Schema can: keys, types,
ranges and enums from the botocore model, name, tag and URI patterns, Lambda limits, the Region,
exactly one training source. Checks it cannot express (files exist, reward options, zones against
the Region, the stack description's length) are left to the loader, which runs every rule.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bedrock_rft.config import promotion, rules, service_model
from bedrock_rft.config.loader import FILE_KEYS
from bedrock_rft.config.schema import (
    DEFAULT_BASE_MODEL,
    RFT_REGIONS,
    DeploymentConfig,
    EncryptionConfig,
    EvaluationConfig,
    NetworkConfig,
    RewardConfig,
)
from bedrock_rft.units import LOG_RETENTION_DAYS
from rft_runtime.lifecycle import names
from rft_runtime.lifecycle.bedrock_calls import PACKAGE_TAG_PREFIX

#: The schema file shipped with the package.
SCHEMA_FILE = Path(__file__).with_name("environment.schema.json")


def _any_case_prefix(prefix: str) -> str:
    """A regular expression for names starting with ``prefix`` in any letter case."""
    return "^" + "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in prefix)


def _anchored(pattern: str) -> str:
    """A Python ``fullmatch`` pattern as a JSON Schema ``pattern`` (which searches)."""
    return f"^(?:{pattern})$"


def _text(rule: service_model.FieldRule, description: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "description": description}
    if rule.minimum is not None:
        schema["minLength"] = int(rule.minimum)
    if rule.maximum is not None:
        schema["maxLength"] = int(rule.maximum)
    if rule.pattern:
        schema["pattern"] = _anchored(rule.pattern)
    return schema


def _table(key: str, properties: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    if set(properties) != set(FILE_KEYS[key]):  # every key the loader accepts, and no other
        raise RuntimeError(f"schema of table {key!r} out of step with the loader: {sorted(properties)}")
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "properties": properties,
        **extra,
    }


def _integer(low: int, high: int | None, description: str, *, default: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": low, "default": default}
    schema["description"] = description
    if high is not None:
        schema["maximum"] = high
    return schema


def _retention(default: int) -> dict[str, Any]:
    return {"enum": list(LOG_RETENTION_DAYS), "default": default, "description": "CloudWatch Logs retention"}


def _hyperparameters() -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name, rule in service_model.rft_hyperparameter_rules().items():
        if rule.enum:
            properties[name] = {"enum": list(rule.enum)}
            continue
        schema: dict[str, Any] = {"type": "number" if rule.type_name == "float" else "integer"}
        schema["minimum"] = rule.minimum if rule.minimum is not None else 1
        if rule.maximum is not None:
            schema["maximum"] = rule.maximum
        properties[name] = schema
    return {
        "type": "object",
        "description": "RFT hyperparameters (names and ranges of the Bedrock API)",
        "additionalProperties": False,
        "properties": properties,
    }


def _dataset() -> dict[str, Any]:
    s3_object = {
        **_text(service_model.s3_uri_rule(), "an existing s3://bucket/key object"),
        "not": {"pattern": "/$"},
    }
    jsonl = {"type": "string", "pattern": r"\.jsonl$", "description": "local JSONL file (relative path)"}
    logs = _table(
        "dataset.invocation_logs",
        {
            "s3_uri": _text(service_model.s3_uri_rule(), "s3:// prefix of the invocation logs"),
            "use_prompt_response": {"type": "boolean", "default": False},
            "request_metadata_filters": {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "additionalProperties": False,
                "properties": {name: {} for name in ("equals", "notEquals", "andAll", "orAll")},
            },
        },
        "Bedrock model invocation logs",
        required=["s3_uri"],
    )
    return _table(
        "dataset",
        {
            "training": jsonl,
            "training_s3_uri": s3_object,
            "invocation_logs": logs,
            "validation": jsonl,
            "validation_s3_uri": s3_object,
            "source_kms_key_arn": {"type": "string", "pattern": rules.KMS_KEY_ARN.pattern},
        },
        "where the prompts come from: exactly one of training, training_s3_uri, invocation_logs",
        oneOf=[{"required": [name]} for name in ("training", "training_s3_uri", "invocation_logs")],
        **{"not": {"required": ["validation", "validation_s3_uri"]}},
    )


def _reward() -> dict[str, Any]:
    from rft_runtime.rewards import catalogue

    defaults = RewardConfig(template="")
    return _table(
        "reward",
        {
            "template": {"enum": list(catalogue.TEMPLATE_NAMES)},
            "options": {"type": "object", "description": "the template's options (see README)"},
            "code": {"type": "string", "pattern": r"\.py$", "description": "your grader (template custom)"},
            "timeout_seconds": _integer(
                *rules.LAMBDA_TIMEOUT_SECONDS, "grader timeout", default=defaults.timeout_seconds
            ),
            "memory_mb": _integer(*rules.LAMBDA_MEMORY_MB, "grader memory", default=defaults.memory_mb),
            "reserved_concurrency": _integer(
                0,
                None,
                "0 = unreserved; N needs an account limit of N + 100 or more",
                default=defaults.reserved_concurrency,
            ),
            "max_judge_calls": {
                "type": "integer",
                "minimum": 1,
                "description": "synth fails when one run's LLM judge calls exceed it (default: no bound)",
            },
        },
        "the reward (grader) function",
        anyOf=[{"required": ["template"]}, {"required": ["code"]}],
    )


def _provisioned_only() -> dict[str, Any]:
    """``model_units`` required with mode ``provisioned``; it and a commitment other than ``none``
    allowed only there (the rule of ``rules._check_provisioned``)."""
    provisioned = {"properties": {"mode": {"const": "provisioned"}}, "required": ["mode"]}
    committed = {"properties": {"commitment": {"not": {"const": "none"}}}, "required": ["commitment"]}
    return {
        "if": provisioned,
        "then": {"required": ["model_units"]},
        "else": {"not": {"anyOf": [{"required": ["model_units"]}, committed]}},
    }


def _tags() -> dict[str, Any]:
    _, key_rule, value_rule = service_model.tag_rules()
    return {
        "type": "object",
        "description": f"tags of every resource and of the job and model (at most {rules.MAX_CONFIG_TAGS})",
        "maxProperties": rules.MAX_CONFIG_TAGS,
        "propertyNames": {
            **_text(key_rule, "tag key"),
            "not": {
                "anyOf": [{"pattern": _any_case_prefix(prefix)} for prefix in ("aws:", PACKAGE_TAG_PREFIX)]
            },
        },
        "additionalProperties": _text(value_rule, "tag value"),
    }


def environment_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an environment file."""
    network, encryption, deployment = NetworkConfig(), EncryptionConfig(), DeploymentConfig()
    evaluation = EvaluationConfig()
    properties = {
        "name": {
            "type": "string",
            "pattern": _anchored(names.PIPELINE_NAME.pattern),
            "maxLength": names.PIPELINE_NAME_MAX,
            "description": "pipeline name; stack Rft-<name>",
        },
        "description": {"type": "string", "default": ""},
        "base_model": {
            **_text(service_model.create_job_rules()["baseModelIdentifier"], "base model id or ARN"),
            "default": DEFAULT_BASE_MODEL,
        },
        "account": {"type": "string", "pattern": rules.ACCOUNT_ID.pattern},
        "region": {"enum": list(RFT_REGIONS), "description": "a Region where Bedrock offers RFT"},
        "dataset": _dataset(),
        "reward": _reward(),
        "hyperparameters": _hyperparameters(),
        "deployment": _table(
            "deployment",
            {
                "mode": {"enum": list(rules.DEPLOYMENT_MODES), "default": deployment.mode},
                "retain_models": {"type": "boolean", "default": deployment.retain_models},
                "notification_emails": {
                    "type": "array",
                    "items": {"type": "string", "pattern": rules.EMAIL.pattern},
                },
                "keep_models": _integer(
                    *rules.KEEP_MODELS,
                    "keep this many newest models; delete older unused ones (0: never)",
                    default=deployment.keep_models,
                ),
                "model_units": {
                    "type": "integer",
                    "minimum": 1,
                    "description": 'model units of the Provisioned Throughput (mode "provisioned" only)',
                },
                "commitment": {
                    "enum": list(rules.COMMITMENTS),
                    "default": deployment.commitment,
                    "description": "Provisioned Throughput term; a committed one cannot be deleted "
                    "before it ends",
                },
            },
            "what happens after training",
            **_provisioned_only(),
        ),
        "limits": _table(
            "limits",
            {
                "max_training_hours": {
                    "type": "number",
                    "minimum": rules.MAX_TRAINING_HOURS[0],
                    "maximum": rules.MAX_TRAINING_HOURS[1],
                    "description": "stop the job after this many hours of training (default: no limit)",
                },
            },
            "bounds on what one run may spend",
        ),
        "evaluation": _table(
            "evaluation",
            {
                "gate": {
                    "type": "boolean",
                    "description": "evaluate the new model against the serving one before it serves "
                    "(default: on with dataset.validation and deployment mode on_demand or provisioned)",
                },
                "min_improvement": {
                    "type": "number",
                    "minimum": rules.MIN_IMPROVEMENT[0],
                    "maximum": rules.MIN_IMPROVEMENT[1],
                    "default": evaluation.min_improvement,
                    "description": "paired mean reward delta the new model must reach (0: not worse)",
                },
                "samples_per_prompt": _integer(
                    *rules.SAMPLES_PER_PROMPT,
                    "responses per prompt and model",
                    default=evaluation.samples_per_prompt,
                ),
                "max_prompts": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "evaluate at most this many validation rows (default: all)",
                },
            },
            "the promotion gate",
        ),
        "network": _table(
            "network",
            {
                "vpc": {"enum": list(rules.VPC_CHOICES), "default": network.vpc},
                "max_azs": _integer(*rules.MAX_AZS, "zones of the created VPC", default=network.max_azs),
                "availability_zones": {
                    "type": "array",
                    "items": {"type": "string", "pattern": rules.AVAILABILITY_ZONE.pattern},
                },
                "flow_log_retention_days": _retention(network.flow_log_retention_days),
            },
            "the VPC of the job and the grader",
        ),
        "encryption": _table(
            "encryption",
            {
                "kms_key_arn": {"type": "string", "pattern": rules.KMS_KEY_ARN.pattern},
                "log_retention_days": _retention(encryption.log_retention_days),
                "retain_data": {"type": "boolean", "default": encryption.retain_data},
            },
            "the key and the retention of stateful resources",
        ),
        "tags": _tags(),
        "retrain_nonce": {"type": "string", "pattern": "^(?:" + rules.RETRAIN_NONCE.pattern + ")?$"},
        "promote_from": {
            "type": "string",
            "pattern": promotion.ENVIRONMENT_NAME.pattern,
            "description": "serve this environment's approved model instead of training (equal inputs)",
        },
    }
    description = "environments/<env>.toml: one RFT pipeline (README: Configuration reference)"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "bedrock-rft environment file",
        **_table("", properties, description, required=["name", "region", "dataset", "reward"]),
    }


def schema_text() -> str:
    """The schema as the shipped file holds it (sorted keys, 2-space indent, final newline)."""
    return json.dumps(environment_schema(), indent=2, sort_keys=True) + "\n"
