"""The checks of ``rft doctor``: read-only calls, one function per check, each with its fix.

Every check returns a :class:`CheckResult`; a refused or failed read (access denied, throttling)
makes the check ``unknown`` with the reason, never ``pass``. Missing credentials propagate (the
command reports them once).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

from rft_runtime.doctor.clients import DoctorClients
from rft_runtime.doctor.needs import LAMBDA_UNRESERVED_MINIMUM, MIN_BOOTSTRAP_VERSION, DeployNeeds, Judge

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
BOOTSTRAP_STACK = "CDKToolkit"
#: CloudFormation states in which the bootstrap stack can serve a deploy.
USABLE_STACK_STATUSES = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)
#: Service Quotas names (``bedrock``) that bound what a run needs, and what each one limits.
QUOTA_PATTERNS = (
    (re.compile(r"customization job", re.IGNORECASE), "concurrent model customization jobs"),
    (re.compile(r"custom model deployment", re.IGNORECASE), "custom model deployments"),
)
#: The Service Quotas name (``bedrock``) bounding no-commitment Provisioned Throughput of custom models.
NO_COMMITMENT_UNITS = re.compile(
    r"no-commitment provisioned throughputs? across custom models", re.IGNORECASE
)
_CREDENTIAL_ERRORS = (NoCredentialsError, PartialCredentialsError)


@dataclass(frozen=True)
class CheckResult:
    """``name``, ``status`` (:data:`PASS`, :data:`FAIL` or :data:`UNKNOWN`), what was found, the fix."""

    name: str
    status: str
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def _unknown(name: str, action: str, exc: Exception) -> CheckResult:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        why = f"{error.get('Code')}: {error.get('Message')}"
    else:
        why = str(exc)
    return CheckResult(
        name, UNKNOWN, f"could not check ({why})", f"allow {action} to the caller, then run again"
    )


def guarded(name: str, action: str, body: Callable[[], CheckResult]) -> CheckResult:
    """``body()``; an AWS error other than missing credentials makes the check ``unknown``."""
    try:
        return body()
    except _CREDENTIAL_ERRORS:
        raise
    except (ClientError, BotoCoreError) as exc:
        return _unknown(name, action, exc)


def check_identity(needs: DeployNeeds, clients: DoctorClients) -> CheckResult:
    """The caller's account is the config's ``account`` (when set)."""
    identity = clients.get("sts", needs.region).get_caller_identity()
    account = identity["Account"]
    if needs.account and needs.account != account:
        return CheckResult(
            "credentials",
            FAIL,
            f"credentials of account {account}, but the config binds the pipeline to {needs.account}",
            f"use credentials of account {needs.account} (e.g. AWS_PROFILE)",
        )
    return CheckResult("credentials", PASS, f"account {account} ({identity['Arn']})")


def check_bootstrap(needs: DeployNeeds, clients: DoctorClients) -> CheckResult:
    """The ``CDKToolkit`` stack exists in the Region, is usable and is version 6 or newer."""
    name, fix = "cdk-bootstrap", f"run `npx --no-install cdk bootstrap aws://ACCOUNT/{needs.region}`"
    try:
        (stack,) = clients.get("cloudformation", needs.region).describe_stacks(StackName=BOOTSTRAP_STACK)[
            "Stacks"
        ]
    except ClientError as exc:
        if "does not exist" in str(exc.response.get("Error", {}).get("Message", "")):
            return CheckResult(name, FAIL, f"no {BOOTSTRAP_STACK} stack in {needs.region}", fix)
        raise
    status = stack["StackStatus"]
    outputs = {o["OutputKey"]: o.get("OutputValue") for o in stack.get("Outputs", [])}
    version = int(outputs.get("BootstrapVersion") or 0)
    if status not in USABLE_STACK_STATUSES:
        return CheckResult(name, FAIL, f"{BOOTSTRAP_STACK} is {status}", fix)
    if version < MIN_BOOTSTRAP_VERSION:
        return CheckResult(
            name,
            FAIL,
            f"{BOOTSTRAP_STACK} version {version}; the templates need {MIN_BOOTSTRAP_VERSION}+",
            fix,
        )
    return CheckResult(name, PASS, f"{BOOTSTRAP_STACK} version {version} ({status})")


def check_lambda_concurrency(needs: DeployNeeds, clients: DoctorClients) -> CheckResult:
    """Reserving the stack's concurrency leaves Lambda's 100 unreserved executions.

    An update replaces what the deployed stack reserves already, so that is counted back first
    (:func:`reserved_by_deployed_stack`)."""
    limits = clients.get("lambda", needs.region).get_account_settings()["AccountLimit"]
    total, unreserved = limits["ConcurrentExecutions"], limits["UnreservedConcurrentExecutions"]
    held = reserved_by_deployed_stack(needs, clients) if needs.reserved_concurrency else 0
    need = needs.reserved_concurrency
    left = unreserved + held - need
    reward = needs.reward_reserved_concurrency or 0
    runner = f", code runner {needs.runner_reserved_concurrency}" if needs.runner_reserved_concurrency else ""
    counted_back = f" (+{held} its deployed stack {needs.stack_name} reserves now)" if held else ""
    detail = (
        f"account limit {total}, unreserved now {unreserved}{counted_back}; the stack reserves {need} "
        f"(reward {reward}{runner}), leaving {left}"
    )
    if need == 0 or left >= LAMBDA_UNRESERVED_MINIMUM:
        return CheckResult("lambda-concurrency", PASS, detail)
    return CheckResult(
        "lambda-concurrency",
        FAIL,
        f"{detail}; Lambda must keep {LAMBDA_UNRESERVED_MINIMUM} unreserved",
        f"ask Service Quotas for a Lambda 'Concurrent executions' limit of at least "
        f"{total + LAMBDA_UNRESERVED_MINIMUM - left}, or set [reward] reserved_concurrency = 0 (unreserved) "
        "or lower",
    )


def reserved_by_deployed_stack(needs: DeployNeeds, clients: DoctorClients) -> int:
    """The concurrency the functions of the deployed ``needs.stack_name`` reserve now (0 when the
    stack does not exist or ``stack_name`` is None)."""
    if not needs.stack_name:
        return 0
    cloudformation = clients.get("cloudformation", needs.region)
    functions: list[str] = []
    try:
        for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=needs.stack_name):
            functions += [
                r["PhysicalResourceId"]
                for r in page["StackResourceSummaries"]
                if r["ResourceType"] == "AWS::Lambda::Function" and r.get("PhysicalResourceId")
            ]
    except ClientError as exc:
        if "does not exist" in str(exc.response.get("Error", {}).get("Message", "")):
            return 0
        raise
    lambda_client = clients.get("lambda", needs.region)
    return sum(_reserved(lambda_client, name) for name in functions)


def _reserved(lambda_client: Any, function: str) -> int:
    """What ``function`` reserves now; 0 when it no longer exists (deleted outside CloudFormation)."""
    try:
        answer = lambda_client.get_function_concurrency(FunctionName=function)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return 0
        raise
    return int(answer.get("ReservedConcurrentExecutions", 0))


def check_rft_region(needs: DeployNeeds, clients: DoctorClients) -> CheckResult:
    """The base model exists and is active in the Region, and the service documents RFT there."""
    name = "rft-region"
    if needs.region not in needs.rft_regions:
        return CheckResult(
            name,
            FAIL,
            f"RFT is documented only in {', '.join(needs.rft_regions)}, not {needs.region}",
            f'set region = "{needs.rft_regions[0]}" in the environment file',
        )
    details = clients.get("bedrock", needs.region).get_foundation_model(modelIdentifier=needs.base_model)[
        "modelDetails"
    ]
    status = (details.get("modelLifecycle") or {}).get("status", "ACTIVE")
    if status != "ACTIVE":
        return CheckResult(
            name, FAIL, f"{needs.base_model} is {status} in {needs.region}", "choose an active base_model"
        )
    return CheckResult(name, PASS, f"{needs.base_model} is active in {needs.region}, where RFT is offered")


def check_on_demand_deployment(needs: DeployNeeds, clients: DoctorClients) -> CheckResult:
    """Custom-model deployments can be listed in the Region (the on-demand API is there)."""
    if not needs.deploys:
        return CheckResult("on-demand-deployment", PASS, "not needed: deployment mode is none")
    clients.get("bedrock", needs.region).list_custom_model_deployments(maxResults=1)
    return CheckResult(
        "on-demand-deployment", PASS, f"custom-model deployments are available in {needs.region}"
    )


def _availability(bedrock: Any, model: str) -> list[str]:
    """What stops ``model`` from being used (empty when it can be)."""
    out = bedrock.get_foundation_model_availability(modelId=model)
    problems = []
    if out.get("authorizationStatus") != "AUTHORIZED":
        problems.append(f"not authorized ({out.get('authorizationStatus')})")
    if out.get("entitlementAvailability") != "AVAILABLE":
        problems.append("no entitlement (model access not granted)")
    if out.get("regionAvailability") != "AVAILABLE":
        problems.append("not offered in this Region")
    agreement = (out.get("agreementAvailability") or {}).get("status")
    if agreement not in (None, "AVAILABLE"):
        problems.append(f"agreement {agreement}")
    return problems


def check_model_access(name: str, model: str, region: str, clients: DoctorClients) -> CheckResult:
    """The caller's account may use foundation model ``model`` in ``region``."""
    problems = _availability(clients.get("bedrock", region), model)
    if problems:
        return CheckResult(
            name,
            FAIL,
            f"{model} in {region}: {'; '.join(problems)}",
            f"request access to {model} in the Bedrock console (Model access) in {region}",
        )
    return CheckResult(name, PASS, f"{model} is available to this account in {region}")


def check_judge(index: int, judge: Judge, clients: DoctorClients) -> CheckResult:
    """An LLM judge's model (or inference profile and the model it routes to) can be used."""
    name = f"judge-{index}-access"
    if judge.kind == "foundation-model":
        return check_model_access(name, judge.foundation_model or judge.model_id, judge.region, clients)
    return check_profile_access(name, judge.model_id, judge.foundation_model, judge.region, clients)


def check_profile_access(
    name: str, profile_id: str, routed_model: str | None, region: str, clients: DoctorClients
) -> CheckResult:
    """Inference profile ``profile_id`` is active in ``region`` and the account may use the
    foundation model it routes to (``routed_model``; not checked when None, unknown)."""
    profile = clients.get("bedrock", region).get_inference_profile(inferenceProfileIdentifier=profile_id)
    if profile.get("status") != "ACTIVE":
        return CheckResult(name, FAIL, f"{profile_id} is {profile.get('status')}", "choose an active profile")
    if routed_model is None:
        return CheckResult(name, PASS, f"inference profile {profile_id} is active in {region}")
    return check_model_access(name, routed_model, region, clients)


def check_quotas(needs: DeployNeeds, clients: DoctorClients) -> CheckResult:
    """Bedrock's quotas on concurrent customization jobs and custom-model deployments are above 0."""
    name = "service-quotas"
    found: dict[str, list[tuple[str, float]]] = {what: [] for _, what in QUOTA_PATTERNS}
    paginator = clients.get("service-quotas", needs.region).get_paginator("list_service_quotas")
    for page in paginator.paginate(ServiceCode="bedrock"):
        for quota in page.get("Quotas", []):
            for pattern, what in QUOTA_PATTERNS:
                if pattern.search(quota.get("QuotaName", "")):
                    found[what].append((quota["QuotaName"], float(quota.get("Value", 0))))
    wanted = [what for _, what in QUOTA_PATTERNS if needs.deploys or "deployment" not in what]
    zero = [f"{q} = 0" for what in wanted for q, value in found[what] if value <= 0]
    missing = [what for what in wanted if not found[what]]
    listed = "; ".join(f"{q} = {value:g}" for what in wanted for q, value in found[what])
    if zero:
        return CheckResult(
            name, FAIL, "; ".join(zero), "request an increase in Service Quotas (service: Amazon Bedrock)"
        )
    if missing:
        return CheckResult(
            name,
            UNKNOWN,
            f"no quota found for {', '.join(missing)}" + (f" (found: {listed})" if listed else ""),
            "check Service Quotas > Amazon Bedrock in the console",
        )
    return CheckResult(name, PASS, listed)


def check_provisioned_units(needs: DeployNeeds, clients: DoctorClients) -> CheckResult:
    """``mode = "provisioned"``: the account may buy the configured model units. Without a
    commitment, the Service Quotas limit on no-commitment model units across custom models must
    cover them; a commitment's units are granted only through AWS Support (no quota to read)."""
    name, units = "provisioned-model-units", needs.provisioned_units
    if needs.commitment != "none":
        return CheckResult(
            name,
            UNKNOWN,
            f"{units} model units with commitment {needs.commitment}: an account has none by default and "
            "they are not listed in Service Quotas",
            "request the model units for a commitment through the AWS Support Center before deploying",
        )
    paginator = clients.get("service-quotas", needs.region).get_paginator("list_service_quotas")
    found = [
        (quota["QuotaName"], float(quota.get("Value", 0)))
        for page in paginator.paginate(ServiceCode="bedrock")
        for quota in page.get("Quotas", [])
        if NO_COMMITMENT_UNITS.search(quota.get("QuotaName", ""))
    ]
    if not found:
        return CheckResult(
            name,
            UNKNOWN,
            "no Service Quotas entry for no-commitment model units across custom models",
            "check Service Quotas > Amazon Bedrock in the console",
        )
    quota, limit = found[0]
    if limit < units:
        return CheckResult(
            name,
            FAIL,
            f"{quota} = {limit:g}, the config asks for {units}",
            f"request an increase to at least {units} in Service Quotas (service: Amazon Bedrock), or "
            "lower [deployment] model_units",
        )
    return CheckResult(name, PASS, f"{quota} = {limit:g} >= {units}")


def all_checks(needs: DeployNeeds, clients: DoctorClients) -> Iterator[CheckResult]:
    """Every check, in a fixed order; each read failure is that check's ``unknown``."""
    yield guarded("credentials", "sts:GetCallerIdentity", lambda: check_identity(needs, clients))
    yield guarded("cdk-bootstrap", "cloudformation:DescribeStacks", lambda: check_bootstrap(needs, clients))
    yield guarded(
        "lambda-concurrency",
        "lambda:GetAccountSettings, cloudformation:ListStackResources and lambda:GetFunctionConcurrency",
        lambda: check_lambda_concurrency(needs, clients),
    )
    yield guarded("rft-region", "bedrock:GetFoundationModel", lambda: check_rft_region(needs, clients))
    yield guarded(
        "on-demand-deployment",
        "bedrock:ListCustomModelDeployments",
        lambda: check_on_demand_deployment(needs, clients),
    )
    yield guarded(
        "base-model-access",
        "bedrock:GetFoundationModelAvailability",
        lambda: check_model_access("base-model-access", needs.base_model, needs.region, clients),
    )
    if needs.base_model_profile:
        yield guarded(
            "base-model-profile",
            "bedrock:GetInferenceProfile and bedrock:GetFoundationModelAvailability",
            lambda: check_profile_access(
                "base-model-profile", needs.base_model_profile, needs.profile_model, needs.region, clients
            ),
        )
    for index, judge in enumerate(needs.judges):
        yield guarded(
            f"judge-{index}-access",
            "bedrock:GetFoundationModelAvailability and bedrock:GetInferenceProfile",
            lambda index=index, judge=judge: check_judge(index, judge, clients),
        )
    yield guarded("service-quotas", "servicequotas:ListServiceQuotas", lambda: check_quotas(needs, clients))
    if needs.provisioned_units:
        yield guarded(
            "provisioned-model-units",
            "servicequotas:ListServiceQuotas",
            lambda: check_provisioned_units(needs, clients),
        )
