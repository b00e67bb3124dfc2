"""Deterministic identity of a training run: fingerprint, names and idempotency tokens.

Everything here is derived from two values: the pipeline name (lowercase letters, digits and
single hyphens, at most 24 characters) and the *fingerprint*, a SHA-256 over the training inputs
only (dataset identity, reward identity, base model, hyperparameters). Tags and descriptions never
feed it, so cosmetic edits never retrain; any changed input gives a new fingerprint and so a new
job. The one exception is the deployment's idempotency token, which also carries the workflow
execution and a per-execution attempt number (see :meth:`RunNames.deployment_request_token`). The
patterns below are the botocore 1.44.5 service-model patterns (a test pins them to the
installed service model) and every produced name is checked against them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Version of the fingerprint recipe; bump only together with a migration note (it retrains).
FINGERPRINT_SCHEMA = 1

PIPELINE_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
PIPELINE_NAME_MAX = 24
FINGERPRINT = re.compile(r"[0-9a-f]{64}")

#: botocore ``CreateModelCustomizationJob.jobName`` (1-63).
JOB_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9\+\-\.])*")
#: botocore ``customModelName`` and ``modelDeploymentName`` (1-63).
MODEL_NAME = re.compile(r"([0-9a-zA-Z][_-]?){1,63}")
#: botocore ``clientRequestToken`` (1-256).
REQUEST_TOKEN = re.compile(r"[a-zA-Z0-9]([-a-zA-Z0-9]{0,254}[a-zA-Z0-9])?")
#: Step Functions execution names: 1-80 characters, letters, digits, '-' and '_'.
EXECUTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def fingerprint(training_inputs: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``training_inputs`` plus the recipe version."""
    return _sha256(canonical_json({"fingerprintSchema": FINGERPRINT_SCHEMA, "inputs": training_inputs}))


def check_pipeline_name(name: str) -> list[str]:
    """Problems with a pipeline name (empty list when valid)."""
    if not PIPELINE_NAME.fullmatch(name or "") or len(name) > PIPELINE_NAME_MAX:
        return [
            f"pipeline name {name!r} must be lowercase letters, digits and single hyphens, "
            f"at most {PIPELINE_NAME_MAX} characters"
        ]
    return []


def _checked(value: str, pattern: re.Pattern[str], maximum: int, what: str) -> str:
    if not pattern.fullmatch(value) or len(value) > maximum:
        raise ValueError(f"{what} {value!r} does not match {pattern.pattern} (max {maximum})")
    return value


@dataclass(frozen=True)
class RunNames:
    """Every name and token of the run identified by ``(pipeline, fingerprint)``.

    ``job_name`` and ``custom_model_name`` carry the first 12 hex digits of the fingerprint; the
    deployment name is per pipeline (one stable deployment ARN that each new model is swapped into).
    """

    pipeline: str
    fingerprint: str

    def __post_init__(self) -> None:
        problems = check_pipeline_name(self.pipeline)
        if not FINGERPRINT.fullmatch(self.fingerprint or ""):
            problems.append(f"fingerprint {self.fingerprint!r} is not a 64-digit lowercase hex SHA-256")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def short(self) -> str:
        """First 12 hex digits of the fingerprint (48 bits): the run's short id."""
        return self.fingerprint[:12]

    @property
    def job_name(self) -> str:
        return _checked(f"rft-{self.pipeline}-{self.short}", JOB_NAME, 63, "jobName")

    @property
    def custom_model_name(self) -> str:
        return _checked(f"rft-{self.pipeline}-{self.short}", MODEL_NAME, 63, "customModelName")

    @property
    def model_name_prefix(self) -> str:
        """Prefix shared by every custom model this pipeline trains."""
        return f"rft-{self.pipeline}-"

    @property
    def job_request_token(self) -> str:
        return _checked(f"rft-{self.pipeline}-{self.fingerprint[:40]}", REQUEST_TOKEN, 256, "token")

    @property
    def deployment_name(self) -> str:
        return deployment_name(self.pipeline)

    @property
    def candidate_deployment_name(self) -> str:
        """The run's temporary deployment the promotion gate evaluates (removed in every outcome)."""
        return candidate_deployment_name(self.pipeline, self.short)

    @property
    def provisioned_model_name(self) -> str:
        return provisioned_model_name(self.pipeline)

    def deployment_request_token(self, execution: str, attempt: int = 1) -> str:
        """``clientRequestToken`` of CreateCustomModelDeployment number ``attempt`` of ``execution``.

        Bedrock silently ignores a create whose token it has seen before, so the token must not be
        per fingerprint alone: after a stack is destroyed and re-deployed with the same inputs, after
        a Failed deployment is deleted and re-created, or after an out-of-band delete, a token reused
        from an earlier create would create nothing. A step retried with the same input (same
        execution, same attempt) sends the same token and stays idempotent.
        """
        return self._create_token("deploy", execution, attempt)

    def provisioned_request_token(self, execution: str, attempt: int = 1) -> str:
        """``clientRequestToken`` of CreateProvisionedModelThroughput number ``attempt`` of
        ``execution``; per execution and attempt for the reasons of :meth:`deployment_request_token`."""
        return self._create_token("pt", execution, attempt)

    def _create_token(self, kind: str, execution: str, attempt: int) -> str:
        if not execution or attempt < 1:
            raise ValueError(f"{kind} token needs the execution ARN (or name) and an attempt >= 1")
        digest = _sha256(f"{self.fingerprint}|{execution}|{attempt}")[:32]
        return _checked(
            f"rft-{self.pipeline}-{kind}-{self.short}-{digest}", REQUEST_TOKEN, 256, f"{kind} token"
        )

    @property
    def run_physical_id(self) -> str:
        """PhysicalResourceId of the launcher's run resource: changes exactly when the inputs do."""
        return f"rft-run-{self.pipeline}-{self.fingerprint[:16]}"

    @property
    def execution_prefix(self) -> str:
        """Common prefix of every execution launched for these inputs."""
        return f"{self.pipeline}-{self.fingerprint[:16]}-"

    def execution_name(self, request_id: str) -> str:
        """Step Functions execution name for the CloudFormation request ``request_id``.

        ``<pipeline>-<fingerprint[:16]>-<sha256(request_id)[:8]>``: a replay of one request maps to
        one execution (StartExecution then reports it exists and the launcher adopts it). Another
        request for the same inputs (a rollback, a ``git revert``, a re-created stack) gets a fresh
        execution, because Standard execution names stay taken for 90 days and a closed execution
        cannot be restarted; that execution adopts the job by its fingerprint-derived name, so it
        never trains again and only brings the deployment back to this run's model.
        """
        suffix = _sha256(request_id)[:8]
        return _checked(f"{self.execution_prefix}{suffix}", EXECUTION_NAME, 80, "execution name")


def deployment_name(pipeline: str) -> str:
    """The pipeline's one on-demand deployment name."""
    return _checked(f"rft-{pipeline}", MODEL_NAME, 63, "modelDeploymentName")


def candidate_deployment_name(pipeline: str, short: str) -> str:
    """The candidate deployment of ``pipeline``'s run whose fingerprint starts with ``short`` (12 hex)."""
    return _checked(f"rft-{pipeline}-candidate-{short}", MODEL_NAME, 63, "modelDeploymentName")


def own_candidate_deployment(pipeline: str) -> re.Pattern[str]:
    """Exactly the candidate deployment names of ``pipeline``: ``demo`` never matches ``demo-dev``'s."""
    return re.compile(rf"rft-{re.escape(pipeline)}-candidate-[0-9a-f]{{12}}")


def execution_candidate(pipeline: str, execution: str) -> str | None:
    """The candidate deployment name of the run an execution of ``pipeline`` evaluates, read from
    the execution's name (``<pipeline>-<fingerprint[:16]>-<8 hex>``, see
    :meth:`RunNames.execution_name`; ``execution`` is the name or its ARN). None when the name is
    not of that form (e.g. started by hand)."""
    name = execution.rpartition(":")[2]
    found = re.fullmatch(rf"{re.escape(pipeline)}-([0-9a-f]{{16}})-[0-9a-f]{{8}}", name)
    return candidate_deployment_name(pipeline, found.group(1)[:12]) if found else None


def provisioned_model_name(pipeline: str) -> str:
    """The pipeline's one Provisioned Throughput name (``provisioned`` mode)."""
    return _checked(f"rft-{pipeline}", MODEL_NAME, 63, "provisionedModelName")


def own_model_name(pipeline: str) -> re.Pattern[str]:
    """Exactly the custom-model names of ``pipeline`` (``rft-<pipeline>-<12 hex>``): pipeline
    ``demo`` never matches the models of ``demo-x``, which share the listing prefix."""
    return re.compile(rf"rft-{re.escape(pipeline)}-[0-9a-f]{{12}}")


def pipeline_physical_id(pipeline: str) -> str:
    """PhysicalResourceId of the pipeline resource (owner of the deployment): stable per pipeline."""
    return f"rft-pipeline-{pipeline}"


def state_parameter_name(pipeline: str) -> str:
    """SSM parameter holding the pipeline's state record (JSON)."""
    return f"/bedrock-rft/{pipeline}/state"


def wait_parameter_name(pipeline: str) -> str:
    """SSM parameter where the waiting workflow parks its task token for the job-event signal."""
    return f"/bedrock-rft/{pipeline}/job-wait"


def execution_arn(state_machine_arn: str, execution_name: str) -> str:
    """Execution ARN from the state machine ARN and the execution name (the documented format)."""
    prefix, sep, name = state_machine_arn.rpartition(":stateMachine:")
    if not sep:
        raise ValueError(f"not a state machine ARN: {state_machine_arn!r}")
    return f"{prefix}:execution:{name}:{execution_name}"
