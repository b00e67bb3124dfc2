"""Props checks and the training-inputs fingerprint of :class:`RftLifecycle`.

Checks are collected and raised together (one ``ValueError`` listing every problem, each message
starting with the prop it is about, e.g. ``tags: 191 tags; at most 190 ...``; hyperparameters,
notification emails, tag keys and values follow the same rules as environment files,
:mod:`bedrock_rft.config.rules`). Values that are CDK tokens are checked only where a token is
acceptable, and never fed raw into the fingerprint:
a token's text differs between synths, so its place is masked and the identities of the data and
the grader (:class:`~bedrock_rft.data.inputs.DatasetInputs`,
:class:`~bedrock_rft.reward.inputs.RewardInputs`, literal by rule) carry what tokenized values name.

:func:`training_inputs` lists the same inputs by name, readable (``rft plan`` shows them old -> new).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk

from bedrock_rft.config import service_model
from bedrock_rft.config.rules import EMAIL, hyperparameter_problems, tag_problems
from bedrock_rft.data.inputs import DatasetInputs
from bedrock_rft.reward.inputs import RewardInputs
from rft_runtime.lifecycle import names
from rft_runtime.lifecycle.spec import CUSTOMIZATION_TYPE, DEPLOYMENT_MODES, provisioned_problems

# CDK's string encodings of unresolved tokens (strings and string lists)
_TOKEN_TEXT = re.compile(r"\$\{Token\[[^\]]*\]\}|#\{Token\[[^\]]*\]\}")
#: Most caller tags: Bedrock allows 200 per resource and the pipeline adds its own.
MAX_TAGS = 190
#: Longest training-input value shown as it is; longer ones are shown by their SHA-256 and length.
MAX_INPUT_TEXT = 200


def mask_tokens(value: Any) -> Any:
    """``value`` with every unresolved CDK token replaced by ``"<token>"`` (recursively)."""
    if isinstance(value, str):
        return _TOKEN_TEXT.sub("<token>", value) if cdk.Token.is_unresolved(value) else value
    if isinstance(value, Mapping):
        return {str(k): mask_tokens(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_tokens(v) for v in value]
    if cdk.Token.is_unresolved(value):
        return "<token>"
    return value


def _holds_token(value: Any) -> bool:
    """Whether ``value`` is or contains (recursively) an unresolved CDK token."""
    if isinstance(value, Mapping):
        return any(_holds_token(k) or _holds_token(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_token(v) for v in value)
    return cdk.Token.is_unresolved(value)


def training_fingerprint(
    *,
    base_model_id: str,
    hyperparameters: Mapping[str, Any],
    training_data_config: Mapping[str, Any],
    validation_s3_uris: Sequence[str],
    dataset_fingerprint: str,
    reward_fingerprint: str,
    retrain_nonce: str,
) -> str:
    """SHA-256 over the training inputs only. Tags, descriptions, role, network, output location
    and KMS key are deliberately left out: changing them never retrains.

    ``dataset_fingerprint`` / ``reward_fingerprint``: :attr:`DatasetInputs.fingerprint` and
    :attr:`RewardInputs.fingerprint`."""
    return names.fingerprint(
        {
            "customizationType": CUSTOMIZATION_TYPE,
            "baseModel": base_model_id,
            "hyperParameters": dict(hyperparameters),
            "trainingData": mask_tokens(dict(training_data_config)),
            "validation": mask_tokens(list(validation_s3_uris)),
            "inputs": dataset_fingerprint,
            "reward": reward_fingerprint,
            "retrainNonce": retrain_nonce,
        }
    )


def training_inputs(
    *,
    base_model_id: str,
    hyperparameters: Mapping[str, Any],
    training_data: DatasetInputs,
    reward: RewardInputs,
    retrain_nonce: str,
) -> dict[str, str]:
    """The inputs :func:`training_fingerprint` covers, by name, as text: ``base_model``,
    ``hyperparameters.<name>``, the dataset's (:meth:`DatasetInputs.described`), the grader's
    (:meth:`RewardInputs.described`) and ``retrain_nonce``.

    Small and free of secrets by construction: file contents appear as ``sha256:<hex>``, values
    are literal config values, and a value longer than :data:`MAX_INPUT_TEXT` characters is shown
    as ``sha256:<hex> (<n> characters)``. Strings are kept as they are; other values as JSON.
    """
    named: dict[str, Any] = {"base_model": base_model_id}
    named.update({f"hyperparameters.{key}": value for key, value in sorted(hyperparameters.items())})
    named.update(training_data.described())
    named.update(reward.described())
    named["retrain_nonce"] = retrain_nonce
    return {name: _input_text(mask_tokens(value)) for name, value in named.items()}


def _input_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    if len(text) <= MAX_INPUT_TEXT:
        return text
    return f"sha256:{hashlib.sha256(text.encode()).hexdigest()} ({len(text)} characters)"


def _check_hyperparameters(hyperparameters: Mapping[str, Any]) -> list[str]:
    """Unknown names and tokens are refused here; types, ranges and enums are checked by the rule
    environment files and props use (:func:`bedrock_rft.config.rules.hyperparameter_problems`)."""
    known = service_model.rft_hyperparameter_rules()
    problems: list[str] = []
    unknown = sorted(set(hyperparameters) - set(known))
    if unknown:
        problems.append(f"hyperparameters: unknown keys {unknown}; RFT accepts {sorted(known)}")
    literal = {}
    for key, value in hyperparameters.items():
        if key in known and cdk.Token.is_unresolved(value):
            problems.append(
                f"hyperparameters.{key} must be a literal (it feeds the fingerprint), not a token"
            )
        elif key in known:
            literal[key] = value
    return problems + [f"{problem.key}: {problem.message}" for problem in hyperparameter_problems(literal)]


def _literal_text(value: Any, prop: str, problems: list[str]) -> None:
    if not isinstance(value, str) or not value:
        problems.append(f"{prop} must be a non-empty string")
    elif cdk.Token.is_unresolved(value):
        problems.append(
            f"{prop} must be known at synth time (it feeds names and the fingerprint), not a token"
        )


def check_props(
    *,
    pipeline_name: str,
    base_model_id: str,
    hyperparameters: Mapping[str, Any],
    training_data_config: Mapping[str, Any],
    validation_s3_uris: Sequence[str],
    output_s3_uri: str,
    dataset_identity: Mapping[str, Any],
    reward_template: str,
    deployment_mode: str,
    model_units: int | None,
    commitment: str,
    notification_emails: Sequence[str],
    tags: Mapping[str, str],
    dataset_copies: Sequence[Mapping[str, str]],
    has_vpc: bool,
    vpc_placement_given: bool,
    security_group_count: int,
) -> None:
    """Raise one ``ValueError`` listing every problem with the props."""
    problems: list[str] = []
    if cdk.Token.is_unresolved(pipeline_name):
        problems.append("pipeline_name must be a literal, not a token")
    else:
        problems += [f"pipeline_name: {problem}" for problem in names.check_pipeline_name(pipeline_name)]
    _literal_text(base_model_id, "base_model_id", problems)
    _literal_text(reward_template, "reward.template", problems)
    if not dataset_identity:
        problems.append("training_data.identity must name the data (file SHA-256s, S3 URIs or log source)")
    elif _holds_token(dataset_identity):
        problems.append("training_data.identity must be literal (it feeds the fingerprint), not hold tokens")
    if not isinstance(hyperparameters, Mapping):
        problems.append("hyperparameters must be a mapping in API form (RFTHyperParameters)")
    else:
        problems += _check_hyperparameters(hyperparameters)
    sources = [k for k in ("s3Uri", "invocationLogsConfig") if k in (training_data_config or {})]
    if len(sources) != 1 or len(training_data_config) != 1:
        problems.append(
            'training_data.training_data_config must hold exactly one of "s3Uri" or "invocationLogsConfig"'
        )
    if len(validation_s3_uris) > 10:
        problems.append(
            f"training_data.validation_s3_uris: at most 10 (Bedrock limit), got {len(validation_s3_uris)}"
        )
    labelled = [("output_s3_uri", output_s3_uri)]
    labelled += [(f"training_data.validation_s3_uris[{i}]", uri) for i, uri in enumerate(validation_s3_uris)]
    for prop, uri in labelled:
        if not isinstance(uri, str) or (not cdk.Token.is_unresolved(uri) and not uri.startswith("s3://")):
            problems.append(f"{prop}: {uri!r} is not an s3:// URI")
    if deployment_mode not in DEPLOYMENT_MODES:
        problems.append(f"deployment_mode must be one of {list(DEPLOYMENT_MODES)}, got {deployment_mode!r}")
    provisioned_problems(
        {"modelUnits": model_units, "commitment": commitment},
        deployment_mode,
        problems,
        units_name="model_units",
    )
    for email in notification_emails:
        if cdk.Token.is_unresolved(email):
            continue
        if not EMAIL.match(email):
            problems.append(f"notification_emails: {email!r} is not an email address")
    resolved = {
        key: value
        for key, value in tags.items()
        if not (cdk.Token.is_unresolved(key) or cdk.Token.is_unresolved(value))
    }
    reason = "Bedrock allows 200 per resource and the pipeline adds its own"
    if len(tags) > MAX_TAGS:
        problems.append(f"tags: {len(tags)} tags; at most {MAX_TAGS} allowed ({reason})")
    problems += [
        f"{problem.key}: {problem.message}"
        for problem in tag_problems(resolved, limit=MAX_TAGS, limit_reason=reason)
        if problem.key != "tags"  # the count, tokens included, is checked above
    ]
    for index, copy in enumerate(dataset_copies):
        missing = [k for k in ("sourceBucket", "sourceKey", "targetKey") if not copy.get(k)]
        if missing:
            problems.append(f"training_data.copies[{index}] lacks {missing}")
    if vpc_placement_given and not has_vpc:
        problems.append("vpc_subnets/security_groups need vpc")
    if security_group_count > 5:
        problems.append(f"security_groups: Bedrock accepts at most 5, got {security_group_count}")
    if problems:
        raise ValueError("RftLifecycle: " + "; ".join(problems))
