"""``promote_from``: an environment that serves the model another environment trained and approved.

The synth-time half: the promoting environment's training inputs must equal the source's, key by
key (so the run it would adopt is the run with the same fingerprint), both environments must be in
the same Region, and accounts must be known to be the same. Every difference is a :class:`Problem`
on the ``promote_from`` key naming the differing keys with both values.

Cross-account promotion is refused here, with the reason: Bedrock's documented path for a custom
model is to share it through AWS RAM (both accounts in one AWS Organization) and copy it into the
receiving account (``CreateModelCopyJob``, with the receiver's own KMS key), but the Bedrock User
Guide's tables of models that can be shared ("Supported Regions and models for model sharing") and
copied ("... for model copy") do not list Nova 2 Lite, the base model RFT trains, so the path is
not known to work for RFT models and is not built (README "GitOps", "Cross-account"). Cross-Region
promotion is refused for the same reason (and RFT runs in one Region). At run time the promoting
pipeline finds the source's model by name in its own account and Region
(:mod:`rft_runtime.lifecycle.adoption`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bedrock_rft.config.errors import ConfigError, Problem
from bedrock_rft.config.schema import PipelineConfig, PromotionSource

#: An environment name: the stem of ``environments/<name>.toml``.
ENVIRONMENT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KEY = "promote_from"


def _content(path: Path | None) -> str | None:
    """SHA-256 of a file's bytes (the identity of a dataset or grader file), None without one."""
    if path is None:
        return None
    try:
        return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    except OSError:
        return f"unreadable {path}"


def training_inputs(config: PipelineConfig) -> dict[str, Any]:
    """The values a run's fingerprint is made of, by TOML key (files by content, not by path)."""
    dataset, reward = config.dataset, config.reward
    options = dict(reward.options)
    code = options.pop("path", None)
    inputs: dict[str, Any] = {
        "base_model": config.base_model,
        "dataset.training": _content(dataset.training_file),
        "dataset.training_s3_uri": dataset.training_s3_uri,
        "dataset.invocation_logs": None if dataset.invocation_logs is None else repr(dataset.invocation_logs),
        "dataset.validation": _content(dataset.validation_file),
        "dataset.validation_s3_uri": dataset.validation_s3_uri,
        "reward.template": reward.template,
        "reward.code": _content(Path(code)) if code else None,
        "retrain_nonce": config.retrain_nonce,
    }
    inputs.update({f"reward.options.{name}": value for name, value in options.items()})
    inputs.update(
        {f"hyperparameters.{name}": value for name, value in config.hyperparameters.to_api().items()}
    )
    return inputs


def promotion_source(source: PipelineConfig) -> PromotionSource:
    """What the promoting pipeline's run needs to find the source's model at run time."""
    return PromotionSource(pipeline=source.name, account=source.account, region=source.region)


def promotion_problems(
    config: PipelineConfig, load: Callable[[str], PipelineConfig], own_name: str
) -> list[Problem]:
    """Problems of ``config.promote_from``; ``load(name)`` loads a sibling environment file and
    ``own_name`` is this file's environment name. Empty when there is nothing to promote."""
    source_name = config.promote_from
    if not source_name:
        return []
    if not ENVIRONMENT_NAME.fullmatch(source_name):
        return [Problem(KEY, f"{source_name!r} must be an environment name (the file name without .toml)")]
    if source_name == own_name:
        return [Problem(KEY, "an environment cannot promote from itself")]
    try:
        source = load(source_name)
    except ConfigError as error:
        return [Problem(KEY, f"the source environment {source_name!r} is not valid:\n{error}")]
    if source.promote_from:
        return [
            Problem(
                KEY,
                f"{source_name!r} promotes from {source.promote_from!r} itself; promote from "
                f"{source.promote_from!r} directly (the environment that trains)",
            )
        ]
    problems: list[Problem] = []
    ours, theirs = training_inputs(config), training_inputs(source)
    differing = [k for k in sorted(set(ours) | set(theirs)) if ours.get(k) != theirs.get(k)]
    if differing:
        shown = "; ".join(f"{k}: {source_name} {theirs.get(k)!r}, here {ours.get(k)!r}" for k in differing)
        problems.append(
            Problem(
                KEY,
                f"training inputs differ from {source_name!r}, so its run is not this one "
                f"(different fingerprint): {shown}. Make them equal, or remove promote_from to train here",
            )
        )
    if not source.evaluation.gate_on(source.dataset, source.deployment):
        problems.append(
            Problem(
                KEY,
                f"{source_name!r} runs no promotion gate, so none of its models is ever marked promoted "
                "and this environment would wait for one until its workflow times out. Give "
                f"{source_name}.toml a dataset.validation file and a deployment the gate can measure "
                "(README: Promotion gate), and do not set [evaluation] gate = false there",
            )
        )
    if config.region != source.region:
        problems.append(
            Problem(
                KEY,
                f"cross-Region promotion ({source.region} -> {config.region}) is not supported: RFT "
                "trains in one Region and this package does not copy models between Regions",
            )
        )
    if bool(config.account) != bool(source.account):
        problems.append(
            Problem(
                KEY,
                f"set account in both {source_name}.toml and this file (or in neither): otherwise "
                "whether the model must cross accounts is unknown at synth",
            )
        )
    elif config.account and config.account != source.account:
        problems.append(
            Problem(
                KEY,
                f"cross-account promotion ({source.account} -> {config.account}) is not supported yet: "
                "Bedrock's path is to share the custom model through AWS RAM (both accounts in one AWS "
                "Organization) and copy it into this account with CreateModelCopyJob, but Bedrock's "
                "documented shareable and copyable models do not include Nova 2 Lite, the model RFT "
                "trains, so this package does not run that path. Train here instead (remove "
                "promote_from), or put both environments in one account; README 'GitOps' lists the "
                "manual share-and-copy steps to try where the service allows them",
            )
        )
    return problems
