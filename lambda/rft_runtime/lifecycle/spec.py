"""The run specification: what the construct asks the launcher and the workflow to do.

The construct serializes it into the custom resource property ``Spec`` (one JSON string, so
numbers and booleans keep their JSON types; CloudFormation would turn plain property values into
strings). The launcher parses it, validates it and hands it to the workflow as execution input.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rft_runtime.lifecycle.errors import SpecError
from rft_runtime.lifecycle.names import RunNames, check_pipeline_name

SPEC_SCHEMA = 1
CUSTOMIZATION_TYPE = "REINFORCEMENT_FINE_TUNING"
ON_DEMAND, PROVISIONED, NO_DEPLOYMENT = "on_demand", "provisioned", "none"
DEPLOYMENT_MODES = (ON_DEMAND, PROVISIONED, NO_DEPLOYMENT)
#: Modes that serve a model, so the promotion gate has something to decide (``none`` trains only).
SERVING_MODES = (ON_DEMAND, PROVISIONED)
#: Provisioned Throughput terms: ``none`` (no commitment, hourly) or botocore's ``CommitmentDuration``.
COMMITMENTS = ("none", "OneMonth", "SixMonths")

#: Members of the ``CreateModelCustomizationJob`` request the construct may set in ``jobRequest``.
JOB_REQUEST_KEYS = frozenset(
    {
        "roleArn",
        "baseModelIdentifier",
        "trainingDataConfig",
        "validationDataConfig",
        "outputDataConfig",
        "customizationConfig",
        "vpcConfig",
        "customModelKmsKeyId",
        "jobTags",
        "customModelTags",
    }
)
_REQUIRED_JOB_KEYS = ("roleArn", "baseModelIdentifier", "trainingDataConfig", "outputDataConfig")
_COPY_KEYS = ("sourceBucket", "sourceKey", "targetKey")
#: Members of ``promoteFrom``: the source pipeline's name, account and Region.
PROMOTE_FROM_KEYS = ("pipeline", "account", "region")
#: Members of ``evaluation`` (the promotion gate's settings) that must be non-empty strings when the
#: gate is on: the validation object's key in the dataset bucket (the Map reads it), the key prefix
#: the Map writes its results under, and the reward function version to grade with.
EVALUATION_TEXT_KEYS = ("validationKey", "resultPrefix", "rewardFunction")
#: Most responses per prompt and model the gate asks for. A Map batch (at least one prompt) makes
#: 2 x samples Converse calls, 4 at a time, inside one Lambda invocation (15 minutes at most): 16
#: calls leave about 3.5 minutes per reasoning response of up to ``inferenceMaxTokens``.
MAX_GATE_SAMPLES = 8


@dataclass(frozen=True)
class RunSpec:
    """One training run (and its deployment) of one pipeline.

    ``job_request``: the ``CreateModelCustomizationJob`` members other than names, token and type.
    ``deployment_mode``: ``on_demand``, ``provisioned`` or ``none``. ``preflight_uris``: ``s3://``
    objects that must exist before the job starts (those in ``dataset_bucket``; others are
    reported as unchecked).
    ``retain_models``: keep trained models when the pipeline is deleted. ``staging_copies``:
    ``{"sourceBucket", "sourceKey", "targetKey"}`` server-side copies (CDK file asset -> key in
    ``dataset_bucket``) that pre-flight makes before checking the objects. ``max_training_hours``:
    stop the job once it has trained this long (default None: no limit but the workflow's own).
    ``keep_models``: after a success, keep this pipeline's newest N models and delete older ones
    that nothing uses (default 0: never prune; see :mod:`rft_runtime.lifecycle.model_pruning`).
    ``promote_from``: ``{"pipeline", "account", "region"}`` of the pipeline whose promoted model of
    the same fingerprint this run adopts instead of training (default None: train here; see
    :mod:`rft_runtime.lifecycle.adoption`).
    ``model_units`` / ``commitment``: the Provisioned Throughput of ``provisioned`` mode (units
    required there, None elsewhere; commitment default ``none``; see
    :mod:`rft_runtime.lifecycle.provisioned`).
    ``evaluation``: the promotion gate (default ``{"gate": False}``: no gate). With ``gate`` true:
    ``minImprovement`` (float in [-1, 1]), ``samplesPerPrompt`` (1..:data:`MAX_GATE_SAMPLES`),
    ``maxPrompts`` (int or null), ``maxTokens`` (int), ``reasoningEffort`` (str or null) and the
    strings of :data:`EVALUATION_TEXT_KEYS` (see :mod:`rft_runtime.promotion`).
    """

    pipeline: str
    fingerprint: str
    job_request: dict[str, Any]
    deployment_mode: str = "on_demand"
    deployment_tags: list[dict[str, str]] = field(default_factory=list)
    preflight_uris: list[str] = field(default_factory=list)
    dataset_bucket: str = ""
    retain_models: bool = True
    staging_copies: list[dict[str, str]] = field(default_factory=list)
    max_training_hours: float | None = None
    keep_models: int = 0
    promote_from: dict[str, str] | None = None
    model_units: int | None = None
    commitment: str = "none"
    evaluation: dict[str, Any] = field(default_factory=lambda: {"gate": False})

    @property
    def gate(self) -> bool:
        """Whether the promotion gate decides if the new model serves."""
        return self.evaluation.get("gate") is True

    @property
    def names(self) -> RunNames:
        return RunNames(self.pipeline, self.fingerprint)

    def create_job_request(self) -> dict[str, Any]:
        """Complete ``CreateModelCustomizationJob`` keyword arguments."""
        names = self.names
        return {
            **self.job_request,
            "jobName": names.job_name,
            "customModelName": names.custom_model_name,
            "clientRequestToken": names.job_request_token,
            "customizationType": CUSTOMIZATION_TYPE,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the workflow's ``$.spec``)."""
        return {
            "schema": SPEC_SCHEMA,
            "pipeline": self.pipeline,
            "fingerprint": self.fingerprint,
            "jobRequest": self.job_request,
            "deploymentMode": self.deployment_mode,
            "deploymentTags": self.deployment_tags,
            "preflightUris": self.preflight_uris,
            "datasetBucket": self.dataset_bucket,
            "retainModels": self.retain_models,
            "stagingCopies": self.staging_copies,
            "maxTrainingHours": self.max_training_hours,
            "keepModels": self.keep_models,
            # only when set: a pipeline that trains keeps the spec (and the template) it had
            **({"promoteFrom": self.promote_from} if self.promote_from else {}),
            **provisioned_members(self.deployment_mode, self.model_units, self.commitment),
            "evaluation": self.evaluation,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSpec:
        """Parse and validate; raises :class:`SpecError` listing every problem at once."""
        problems: list[str] = []
        if data.get("schema") != SPEC_SCHEMA:
            problems.append(f"schema must be {SPEC_SCHEMA}, got {data.get('schema')!r}")
        job = data.get("jobRequest")
        if not isinstance(job, dict):
            problems.append("jobRequest must be an object")
            job = {}
        unknown = sorted(set(job) - JOB_REQUEST_KEYS)
        if unknown:
            problems.append(f"jobRequest has unsupported members {unknown}")
        missing = [k for k in _REQUIRED_JOB_KEYS if not job.get(k)]
        if missing:
            problems.append(f"jobRequest lacks {missing}")
        grader = (
            job.get("customizationConfig", {})
            .get("rftConfig", {})
            .get("graderConfig", {})
            .get("lambdaGrader")
        )
        if not isinstance(grader, dict) or not grader.get("lambdaArn"):
            problems.append(
                "jobRequest.customizationConfig.rftConfig.graderConfig.lambdaGrader.lambdaArn missing"
            )
        mode = data.get("deploymentMode", "on_demand")
        if mode not in DEPLOYMENT_MODES:
            problems.append(f"deploymentMode must be one of {DEPLOYMENT_MODES}, got {mode!r}")
        for key in ("deploymentTags", "preflightUris", "stagingCopies"):
            if not isinstance(data.get(key, []), list):
                problems.append(f"{key} must be a list")
        copies = data.get("stagingCopies", []) or []
        for index, copy in enumerate(copies if isinstance(copies, list) else []):
            if not isinstance(copy, dict) or not all(
                isinstance(copy.get(k), str) and copy.get(k) for k in _COPY_KEYS
            ):
                problems.append(f"stagingCopies[{index}] needs non-empty {', '.join(_COPY_KEYS)}")
        if copies and not data.get("datasetBucket"):
            problems.append("stagingCopies need datasetBucket (the copies' target bucket)")
        limit = data.get("maxTrainingHours")
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int | float) or limit <= 0
        ):
            problems.append(f"maxTrainingHours must be a positive number or null, got {limit!r}")
            limit = None
        keep = data.get("keepModels", 0)
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
            problems.append(f"keepModels must be an integer >= 0, got {keep!r}")
            keep = 0
        promote_from = _promote_from(data.get("promoteFrom"), str(data.get("pipeline", "")), problems)
        units, commitment = provisioned_problems(data, str(mode), problems)
        evaluation = data.get("evaluation", {"gate": False})
        problems += evaluation_problems(evaluation)
        spec = None
        try:
            spec = cls(
                pipeline=str(data.get("pipeline", "")),
                fingerprint=str(data.get("fingerprint", "")),
                job_request=job,
                deployment_mode=str(mode),
                deployment_tags=list(data.get("deploymentTags", []) or []),
                preflight_uris=[str(u) for u in data.get("preflightUris", []) or []],
                dataset_bucket=str(data.get("datasetBucket", "")),
                retain_models=_as_bool(data.get("retainModels", True)),
                staging_copies=[dict(c) for c in copies] if isinstance(copies, list) else [],
                max_training_hours=limit,
                keep_models=keep,
                promote_from=promote_from,
                model_units=units,
                commitment=commitment,
                evaluation=dict(evaluation) if isinstance(evaluation, dict) else {"gate": False},
            )
            spec.names.job_name  # noqa: B018 - validates pipeline and fingerprint
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
        if problems or spec is None:
            raise SpecError("invalid run spec: " + "; ".join(problems))
        return spec

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        try:
            data = json.loads(text)
        except (TypeError, json.JSONDecodeError) as exc:
            raise SpecError(f"run spec is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise SpecError("run spec must be a JSON object")
        return cls.from_dict(data)


def _promote_from(value: Any, pipeline: str, problems: list[str]) -> dict[str, str] | None:
    """``promoteFrom`` checked (None when absent); problems are appended to ``problems``."""
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(value.get(k), str) and value[k] for k in PROMOTE_FROM_KEYS
    ):
        problems.append(f"promoteFrom must be an object with non-empty {', '.join(PROMOTE_FROM_KEYS)}")
        return None
    found = [f"promoteFrom.pipeline: {p}" for p in check_pipeline_name(value["pipeline"])]
    if value["pipeline"] == pipeline:
        found.append("promoteFrom.pipeline: a pipeline cannot promote from itself")
    problems.extend(found)
    return None if found else {k: value[k] for k in PROMOTE_FROM_KEYS}


def provisioned_members(mode: str, model_units: int | None, commitment: str) -> dict[str, Any]:
    """The spec's ``modelUnits`` and ``commitment`` in provisioned mode; nothing in the others
    (their specs stay as they were before the mode existed)."""
    if mode != PROVISIONED:
        return {}
    return {"modelUnits": model_units, "commitment": commitment}


def provisioned_problems(
    data: Mapping[str, Any], mode: str, problems: list[str], *, units_name: str = "modelUnits"
) -> tuple[int | None, str]:
    """``(modelUnits, commitment)`` of ``data``, appending to ``problems`` what is wrong with them
    (the units named ``units_name``): an integer >= 1 in ``provisioned`` mode, absent otherwise."""
    units = data.get("modelUnits")
    if mode == PROVISIONED and (isinstance(units, bool) or not isinstance(units, int) or units < 1):
        problems.append(f"{units_name} must be an integer >= 1 in provisioned mode, got {units!r}")
        units = None
    elif mode != PROVISIONED and units is not None:
        problems.append(f"{units_name} is only for provisioned mode, got {units!r} in {mode} mode")
        units = None
    commitment = data.get("commitment") or "none"
    if commitment not in COMMITMENTS:
        problems.append(f"commitment must be one of {COMMITMENTS}, got {commitment!r}")
        commitment = "none"
    return units, str(commitment)


def _number_in(value: Any, low: float, high: float, *, integer: bool) -> bool:
    kinds = (int,) if integer else (int, float)
    return not isinstance(value, bool) and isinstance(value, kinds) and low <= value <= high


def evaluation_problems(evaluation: Any) -> list[str]:
    """What is wrong with a spec's ``evaluation`` member (empty when valid or when the gate is off)."""
    if not isinstance(evaluation, dict) or not isinstance(evaluation.get("gate", False), bool):
        return ["evaluation must be an object with a boolean gate"]
    if not evaluation.get("gate"):
        return []
    problems = [
        f"evaluation.{key} must be a non-empty string"
        for key in EVALUATION_TEXT_KEYS
        if not isinstance(evaluation.get(key), str) or not evaluation.get(key)
    ]
    if not _number_in(evaluation.get("minImprovement"), -1.0, 1.0, integer=False):
        problems.append(
            f"evaluation.minImprovement must be a number in [-1, 1], got {evaluation.get('minImprovement')!r}"
        )
    if not _number_in(evaluation.get("samplesPerPrompt"), 1, MAX_GATE_SAMPLES, integer=True):
        problems.append(
            f"evaluation.samplesPerPrompt must be an integer in [1, {MAX_GATE_SAMPLES}], "
            f"got {evaluation.get('samplesPerPrompt')!r}"
        )
    limit = evaluation.get("maxPrompts")
    if limit is not None and not _number_in(limit, 1, 100_000_000, integer=True):
        problems.append(f"evaluation.maxPrompts must be a positive integer or null, got {limit!r}")
    if not _number_in(evaluation.get("maxTokens"), 1, 1_000_000, integer=True):
        problems.append(
            f"evaluation.maxTokens must be a positive integer, got {evaluation.get('maxTokens')!r}"
        )
    effort = evaluation.get("reasoningEffort")
    if effort is not None and not isinstance(effort, str):
        problems.append(f"evaluation.reasoningEffort must be a string or null, got {effort!r}")
    return problems


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"expected a boolean, got {value!r}")
