"""The training runs of a template and which of their inputs differ between two versions.

A run is found by what it is, never by logical id or construct path: a custom resource whose
properties say ``Kind = "run"`` and carry ``Fingerprint`` and ``Spec`` (the run specification the
lifecycle launcher reads, ``rft_runtime.lifecycle.spec``). Runs are keyed by their ``Pipeline``
property, so a stack may hold several pipelines.

The training inputs of a run are the ones it names itself: its property ``TrainingInputs``
(input name -> text, written by ``RftLifecycle``: base model, hyperparameters, dataset content
hashes or URIs, reward template, options and code hash, ``retrain_nonce``), which covers every
input of the fingerprint. Runs synthesized before that property existed are read from the
template instead: the base model and every hyperparameter (from the job request in ``Spec``), the
training and validation data (a staged local file by the content hash in its key
``datasets/<sha256>/<file>``, an S3 object or invocation-log prefix by URI), and the reward: the
grader Lambda the job request points to is followed through its version to the function, whose
environment holds the template and options. Two runs are compared by their named inputs when both
have them, else both by what the template shows. Whether a run retrains is decided by the
fingerprint alone (that is what the launcher compares); the inputs only explain it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from rft_runtime.gitops.intrinsics import referenced_resource, render
from rft_runtime.lifecycle.launcher import RUN
from rft_runtime.lifecycle.names import RunNames

#: Environment variables of the reward function (read by ``rft_runtime.rewards.handler``).
REWARD_TEMPLATE_VARIABLE = "RFT_REWARD_TEMPLATE"
REWARD_OPTIONS_VARIABLE = "RFT_REWARD_OPTIONS"
#: The run property that names every training input (``RftLifecycle.training_inputs``).
TRAINING_INPUTS_PROPERTY = "TrainingInputs"
#: Not visible in a template without named inputs: what can change a fingerprint when no input
#: read from the template changed.
HIDDEN_INPUTS = (
    "the grader source code (its asset also holds the rest of the runtime, so it is no proof) "
    "or retrain_nonce"
)
#: What can change a fingerprint when both runs name their inputs and none of them changed.
UNNAMED_INPUTS = "the package's fingerprint rules (an upgrade of bedrock-rft-cdk)"

_STAGED_KEY = re.compile(r"/datasets/([0-9a-f]{64})/([^/]+)$")
_FUNCTION_TYPES = ("AWS::Lambda::Function",)
_FOLLOWED_TYPES = ("AWS::Lambda::Version", "AWS::Lambda::Alias")


@dataclass(frozen=True)
class InputChange:
    """One training input (``name``, e.g. ``hyperparameters.batchSize``) from ``old`` to ``new``
    (``None`` when absent on that side)."""

    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class TrainingRun:
    """One run as synthesized: ``inputs`` maps input names to values read from the template;
    ``named`` is the run's own ``TrainingInputs`` (name -> text; None for runs synthesized before
    that property existed); ``reward_code`` is the reward function's code asset id (it changes
    with any runtime file, so it is not an input by itself); ``adopts_from``: the pipeline whose
    promoted model this run serves instead of training (``promote_from``; empty: it trains)."""

    pipeline: str
    fingerprint: str
    job_name: str
    deployment_mode: str
    deployment_name: str
    inputs: dict[str, Any] = field(default_factory=dict)
    reward_code: str = ""
    named: dict[str, str] | None = None
    adopts_from: str = ""


def _dataset(uri: str) -> str:
    match = _STAGED_KEY.search(uri)
    if match:
        return f"{match.group(2)} (content sha256 {match.group(1)[:12]})"
    return uri


def _data_inputs(job: dict[str, Any]) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    training = job.get("trainingDataConfig") or {}
    if "s3Uri" in training:
        inputs["dataset.training"] = _dataset(str(training["s3Uri"]))
    elif training:
        inputs["dataset.training"] = json.dumps(training, sort_keys=True)
    validators = (job.get("validationDataConfig") or {}).get("validators") or []
    if validators:
        inputs["dataset.validation"] = ", ".join(_dataset(str(v.get("s3Uri", ""))) for v in validators)
    return inputs


def _reward_function(resources: dict[str, Any], arn_text: str) -> dict[str, Any] | None:
    """The ``AWS::Lambda::Function`` resource behind ``arn_text`` (through versions and aliases)."""
    seen: set[str] = set()
    target = referenced_resource(arn_text)
    while target and target[0] not in seen:
        seen.add(target[0])
        resource = resources.get(target[0]) or {}
        kind = resource.get("Type")
        if kind in _FUNCTION_TYPES:
            return resource
        if kind not in _FOLLOWED_TYPES:
            return None
        target = referenced_resource(render((resource.get("Properties") or {}).get("FunctionName")))
    return None


def _reward_inputs(resources: dict[str, Any], job: dict[str, Any]) -> tuple[dict[str, Any], str]:
    grader = (((job.get("customizationConfig") or {}).get("rftConfig") or {}).get("graderConfig") or {}).get(
        "lambdaGrader"
    ) or {}
    arn = str(grader.get("lambdaArn", ""))
    function = _reward_function(resources, arn)
    if function is None:
        return {"reward.function": arn}, ""
    properties = function.get("Properties") or {}
    variables = (properties.get("Environment") or {}).get("Variables") or {}
    inputs: dict[str, Any] = {"reward.template": render(variables.get(REWARD_TEMPLATE_VARIABLE, ""))}
    try:
        options = json.loads(render(variables.get(REWARD_OPTIONS_VARIABLE, "{}")) or "{}")
    except json.JSONDecodeError:
        options = {"(unparsed)": render(variables.get(REWARD_OPTIONS_VARIABLE))}
    for key, value in options.items() if isinstance(options, dict) else [("", options)]:
        inputs[f"reward.options.{key}"] = value
    code = properties.get("Code") or {}
    return inputs, render(code.get("S3Key") or code.get("ZipFile") or code.get("ImageUri") or "")


def _is_run(resource: Any) -> bool:
    if not isinstance(resource, dict):
        return False
    kind = str(resource.get("Type", ""))
    properties = resource.get("Properties") or {}
    return (
        (kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource")
        and properties.get("Kind") == RUN
        and "Fingerprint" in properties
        and "Spec" in properties
    )


def training_runs(template: dict[str, Any]) -> dict[str, TrainingRun]:
    """Every training run in ``template``, by pipeline name."""
    resources = template.get("Resources") or {}
    runs: dict[str, TrainingRun] = {}
    for logical_id, resource in resources.items():
        if not _is_run(resource):
            continue
        properties = resource["Properties"]
        try:
            spec = json.loads(render(properties["Spec"]))
        except json.JSONDecodeError as error:
            raise ValueError(f"training run {logical_id}: property Spec is not JSON: {error}") from error
        job = spec.get("jobRequest") or {}
        rft = (job.get("customizationConfig") or {}).get("rftConfig") or {}
        inputs: dict[str, Any] = {"base_model": job.get("baseModelIdentifier")}
        for key, value in sorted((rft.get("hyperParameters") or {}).items()):
            inputs[f"hyperparameters.{key}"] = value
        inputs.update(_data_inputs(job))
        reward, code = _reward_inputs(resources, job)
        inputs.update(reward)
        pipeline = str(properties.get("Pipeline") or spec.get("pipeline") or logical_id)
        fingerprint = str(properties["Fingerprint"])
        names = RunNames(pipeline, fingerprint)
        named = properties.get(TRAINING_INPUTS_PROPERTY)
        runs[pipeline] = TrainingRun(
            pipeline=pipeline,
            fingerprint=fingerprint,
            job_name=names.job_name,
            deployment_mode=str(spec.get("deploymentMode", "on_demand")),
            deployment_name=names.deployment_name,
            inputs=inputs,
            reward_code=code,
            named={str(k): render(v) for k, v in named.items()} if isinstance(named, dict) else None,
            adopts_from=str((spec.get("promoteFrom") or {}).get("pipeline") or ""),
        )
    return runs


def _by_name(old: TrainingRun | None, new: TrainingRun | None) -> bool:
    """Whether every run present names its inputs (``TrainingInputs``)."""
    present = [run for run in (old, new) if run is not None]
    return bool(present) and all(run.named is not None for run in present)


def changed_inputs(old: TrainingRun | None, new: TrainingRun | None) -> list[InputChange]:
    """Inputs whose values differ, in the order the runs list them (``new`` first): the named
    inputs when both runs have them, else the inputs read from the templates."""
    by_name = _by_name(old, new)
    old_inputs = (old.named if by_name else old.inputs) if old else {}
    new_inputs = (new.named if by_name else new.inputs) if new else {}
    names = list(new_inputs) + [name for name in old_inputs if name not in new_inputs]
    return [
        InputChange(name, old_inputs.get(name), new_inputs.get(name))
        for name in names
        if old_inputs.get(name) != new_inputs.get(name)
    ]


def unseen_inputs(old: TrainingRun | None, new: TrainingRun | None) -> str:
    """What can have changed the fingerprint when :func:`changed_inputs` finds nothing."""
    return UNNAMED_INPUTS if _by_name(old, new) else HIDDEN_INPUTS
