"""What a synthesized stack costs: standing monthly cost, what a training run adds per hour, and
what one promotion-gate evaluation adds.

Read from the CloudFormation template (resource counts, AZs of interface endpoints, function
memory) with the public us-east-1 list prices in :data:`PRICES` (each with its source page and the
date the figures were taken, :data:`PRICES_TAKEN`). Free tiers are ignored, so this is an upper
bound for a small account. Where no public figure exists (Bedrock RFT training, custom-model
storage of Nova models) the line says "see pricing" instead of guessing.

The per-hour figures of a run model the steady state of the job wait: one poll every
``JOB_POLL_MAX_SECONDS`` (15 min), each poll ``CheckJob`` -> ``JobStatus`` -> ``AwaitJobEvent``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rft_runtime.lifecycle.training_job import JOB_POLL_MAX_SECONDS
from rft_runtime.promotion.handlers import BATCH_CONNECTIONS
from rft_runtime.rewards.judge_budget import JUDGE_CALLS_METADATA

#: When the prices below were taken from the pages they cite (re-check before relying on them).
PRICES_TAKEN = "2026-12-05"
HOURS_PER_MONTH = 730

_PRIVATELINK = "https://aws.amazon.com/privatelink/pricing/"
_KMS = "https://aws.amazon.com/kms/pricing/"
_CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/"
_STEP_FUNCTIONS = "https://aws.amazon.com/step-functions/pricing/"
_LAMBDA = "https://aws.amazon.com/lambda/pricing/"
BEDROCK_PRICING = "https://aws.amazon.com/bedrock/pricing/"


@dataclass(frozen=True)
class Price:
    """A list price in USD per ``unit``, from ``source``."""

    usd: float
    unit: str
    source: str


PRICES = {
    "interface_endpoint_hour": Price(0.01, "endpoint-AZ-hour", _PRIVATELINK),
    "kms_key_month": Price(1.00, "customer managed key-month", _KMS),
    "kms_request": Price(0.03 / 10_000, "request ($0.03 per 10,000)", _KMS),
    "dashboard_month": Price(3.00, "dashboard-month", _CLOUDWATCH),
    "alarm_month": Price(0.10, "standard alarm-month", _CLOUDWATCH),
    "log_ingest_gb": Price(0.50, "GB ingested", _CLOUDWATCH),
    "log_storage_gb_month": Price(0.03, "GB-month stored", _CLOUDWATCH),
    "state_transition": Price(0.025 / 1000, "state transition ($0.025 per 1,000)", _STEP_FUNCTIONS),
    "lambda_request": Price(0.20 / 1_000_000, "request ($0.20 per million)", _LAMBDA),
    # every function of the package runs on arm64 (Graviton), priced below x86's $0.0000166667
    "lambda_gb_second": Price(0.0000133334, "GB-second (arm64)", _LAMBDA),
}

#: Steady-state job wait: polls per hour, states entered per poll, lifecycle invocations per poll.
POLLS_PER_HOUR = 3600 / JOB_POLL_MAX_SECONDS
TRANSITIONS_PER_POLL = 3
INVOCATIONS_PER_POLL = 2
#: Assumed billed duration of one lifecycle step (control-plane calls only) and of one grader call.
STEP_SECONDS = 1.0
GRADER_SECONDS = 1.0
#: Execution-history log (level ALL, with data): events per state entered, bytes per event.
LOG_EVENTS_PER_TRANSITION = 2
LOG_BYTES_PER_EVENT = 2048
#: KMS requests per hour of a run: the state machine's data key (reused 5 min) plus one per
#: Lambda invocation (an upper bound: a warm container decrypts its environment only once).
STATE_MACHINE_KEY_REQUESTS_PER_HOUR = 12
GB = 1024**3
#: The promotion gate, per evaluation of :data:`GATE_PROMPTS` validation prompts at one sample
#: (both models answer each prompt): assumed seconds of one Converse call (the batch function waits
#: on the model, ``BATCH_CONNECTIONS`` calls at a time, and is billed by its wall time; long
#: reasoning answers take longer), prompts per Map batch
#: (``gate_states.items_per_batch`` at one sample), states entered per batch (its child execution
#: plus the Map Run's bookkeeping) and by the gate's own steps (candidate polls, summary, swap).
GATE_PROMPTS = 100
CONVERSE_SECONDS = 10.0
GATE_PROMPTS_PER_BATCH = 8
TRANSITIONS_PER_BATCH = 3
GATE_TRANSITIONS = 40


@dataclass(frozen=True)
class CostLine:
    """One item: what it is, how much (``usd`` None = no public figure), how it was computed."""

    item: str
    usd: float | None
    basis: str


def _resources(template: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    return [r for r in template.get("Resources", {}).values() if r.get("Type") == kind]


def _function_memory(template: Mapping[str, Any], handler_suffix: str) -> int | None:
    for function in _resources(template, "AWS::Lambda::Function"):
        properties = function.get("Properties", {})
        if str(properties.get("Handler", "")).endswith(handler_suffix):
            return int(properties.get("MemorySize", 128))
    return None


@dataclass(frozen=True)
class Serving:
    """How the stack serves its model, read from the run spec: ``mode`` (``on_demand``,
    ``provisioned`` or ``none``), ``model_units`` and ``commitment`` (provisioned mode)."""

    mode: str = "on_demand"
    model_units: int | None = None
    commitment: str = "none"


def _text_parts(value: Any) -> list[str]:
    """Every string inside ``value`` in order (a ``Fn::Join`` spec holds the JSON in pieces)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [part for item in value.values() for part in _text_parts(item)]
    if isinstance(value, list):
        return [part for item in value for part in _text_parts(item)]
    return []


def serving(template: Mapping[str, Any]) -> Serving | None:
    """The serving mode of the template's training run (None: the template has no run)."""
    runs = _resources(template, "Custom::RftTrainingRun")
    if not runs:
        return None
    spec = "".join(_text_parts(runs[0].get("Properties", {}).get("Spec")))
    mode = re.search(r'"deploymentMode":"(\w+)"', spec)
    units = re.search(r'"modelUnits":(\d+)', spec)
    commitment = re.search(r'"commitment":"(\w+)"', spec)
    return Serving(
        mode=mode.group(1) if mode else "on_demand",
        model_units=int(units.group(1)) if units else None,
        commitment=commitment.group(1) if commitment else "none",
    )


def _serving_lines(template: Mapping[str, Any]) -> list[CostLine]:
    how = serving(template) or Serving()
    if how.mode == "none":
        return []
    if how.mode != "provisioned":
        return [
            CostLine(
                "on-demand model deployment",
                None,
                f"see pricing ({BEDROCK_PRICING}): no charge at idle, per token served",
            )
        ]
    term = "no commitment" if how.commitment == "none" else f"commitment {how.commitment}"
    return [
        CostLine(
            f"Provisioned Throughput ({how.model_units} model units, {term})",
            None,
            f"see pricing ({BEDROCK_PRICING}): no public price for a Nova 2 Lite custom model is known "
            "here; billed per model unit and hour whether used or not, from the first run's deployment",
        )
    ]


def commitment_warning(template: Mapping[str, Any]) -> str:
    """A warning line for a committed Provisioned Throughput (empty without one)."""
    how = serving(template)
    if how is None or how.mode != "provisioned" or how.commitment == "none":
        return ""
    return (
        f"    WARNING: [deployment] commitment = {how.commitment!r}: the Provisioned Throughput cannot be "
        "deleted before its term ends and bills every hour until then, used or not (stack delete keeps it)"
    )


def _line(item: str, count: float, price_key: str, per: str = "") -> CostLine:
    price = PRICES[price_key]
    usd = count * price.usd
    basis = f"{count:g} x ${price.usd:g} per {price.unit}{per} ({price.source})"
    return CostLine(item, usd, basis)


def standing_monthly(template: Mapping[str, Any]) -> list[CostLine]:
    """What the stack costs per month with no run in progress (730 hours)."""
    lines = []
    endpoints = _resources(template, "AWS::EC2::VPCEndpoint")
    interface = [e for e in endpoints if e.get("Properties", {}).get("VpcEndpointType") == "Interface"]
    endpoint_azs = sum(len(e["Properties"].get("SubnetIds") or []) for e in interface)
    if endpoint_azs:
        hours = endpoint_azs * HOURS_PER_MONTH
        per = f" ({endpoint_azs} endpoint-AZs x {HOURS_PER_MONTH} h)"
        lines.append(_line("interface VPC endpoints", hours, "interface_endpoint_hour", per))
    if len(endpoints) > len(interface):
        gateways = len(endpoints) - len(interface)
        lines.append(CostLine("gateway VPC endpoints (S3)", 0.0, f"{gateways} x no charge ({_PRIVATELINK})"))
    keys = len(_resources(template, "AWS::KMS::Key"))
    if keys:
        lines.append(_line("KMS customer managed keys", keys, "kms_key_month"))
    dashboards = len(_resources(template, "AWS::CloudWatch::Dashboard"))
    if dashboards:
        lines.append(_line("CloudWatch dashboards", dashboards, "dashboard_month"))
    alarms = len(_resources(template, "AWS::CloudWatch::Alarm"))
    if alarms:
        lines.append(_line("CloudWatch alarms", alarms, "alarm_month"))
    groups = _resources(template, "AWS::Logs::LogGroup")
    if groups:
        storage = PRICES["log_storage_gb_month"]
        lines.append(
            CostLine(
                f"log storage ({len(groups)} log groups)",
                None,
                f"${storage.usd:g} per {storage.unit} of what is kept; close to $0 at idle "
                f"({storage.source})",
            )
        )
    if _resources(template, "AWS::EC2::FlowLog"):
        ingest = PRICES["log_ingest_gb"]
        lines.append(
            CostLine(
                "VPC flow logs",
                None,
                f"${ingest.usd:g} per {ingest.unit}; close to $0 at idle ({ingest.source})",
            )
        )
    lines += _serving_lines(template)
    lines.append(
        CostLine(
            "trained custom models kept",
            None,
            f"see pricing ({BEDROCK_PRICING}): per model-month; [deployment] keep_models = N bounds "
            "the count (0, the default, keeps every model)",
        )
    )
    return lines


def run_per_hour(template: Mapping[str, Any]) -> list[CostLine]:
    """What one hour of a training run adds (job wait in its steady state)."""
    lines = []
    transitions = POLLS_PER_HOUR * TRANSITIONS_PER_POLL
    invocations = POLLS_PER_HOUR * INVOCATIONS_PER_POLL
    if _resources(template, "AWS::StepFunctions::StateMachine"):
        lines.append(_line("Step Functions state transitions", transitions, "state_transition"))
    memory = _function_memory(template, "lifecycle_handler")
    if memory is not None:
        gb_seconds = invocations * memory / 1024 * STEP_SECONDS
        requests = _line("", invocations, "lambda_request")
        compute = _line("", gb_seconds, "lambda_gb_second")
        lines.append(
            CostLine(
                "Lambda (lifecycle steps)",
                (requests.usd or 0) + (compute.usd or 0),
                f"{invocations:g} invocations x {STEP_SECONDS:g} s at {memory} MB: {requests.basis}; "
                f"{compute.basis}",
            )
        )
    log_gb = transitions * LOG_EVENTS_PER_TRANSITION * LOG_BYTES_PER_EVENT / GB
    per = f" ({transitions:g} states x {LOG_EVENTS_PER_TRANSITION} events x {LOG_BYTES_PER_EVENT} B)"
    lines.append(_line("CloudWatch Logs (execution history)", log_gb, "log_ingest_gb", per))
    kms_requests = STATE_MACHINE_KEY_REQUESTS_PER_HOUR + invocations
    lines.append(_line("KMS requests", kms_requests, "kms_request"))
    grader_memory = _function_memory(template, "rewards.handler.handler")
    if grader_memory is not None:
        per_thousand = 1000 * (
            PRICES["lambda_request"].usd
            + grader_memory / 1024 * GRADER_SECONDS * PRICES["lambda_gb_second"].usd
        )
        lines.append(
            CostLine(
                "reward function (per 1,000 grader calls, not per hour)",
                None,
                f"${per_thousand:.4f} per 1,000 calls of {GRADER_SECONDS:g} s at {grader_memory} MB "
                f"({_LAMBDA}); "
                "the number of calls per hour is set by the service's batch size and samples per prompt",
            )
        )
    lines.append(
        CostLine("Bedrock RFT training", None, f"see pricing ({BEDROCK_PRICING}): no public per-hour figure")
    )
    return lines


def evaluation_per_run(template: Mapping[str, Any]) -> list[CostLine]:
    """What one promotion-gate evaluation adds (empty without the gate's batch function)."""
    memory = _function_memory(template, "promotion.handlers.batch_handler")
    if memory is None:
        return []
    calls = 2 * GATE_PROMPTS
    requests = _line("", GATE_PROMPTS / GATE_PROMPTS_PER_BATCH, "lambda_request")
    compute = _line("", calls * CONVERSE_SECONDS / BATCH_CONNECTIONS * memory / 1024, "lambda_gb_second")
    transitions = GATE_TRANSITIONS + TRANSITIONS_PER_BATCH * GATE_PROMPTS / GATE_PROMPTS_PER_BATCH
    return [
        CostLine(
            "Lambda (evaluation batches)",
            (requests.usd or 0) + (compute.usd or 0),
            f"{calls} Converse calls x {CONVERSE_SECONDS:g} s, {BATCH_CONNECTIONS} at a time, "
            f"at {memory} MB: {compute.basis}; {requests.basis}",
        ),
        _line("Step Functions state transitions", transitions, "state_transition"),
        CostLine(
            "Bedrock tokens of both models and the candidate deployment",
            None,
            f"see pricing ({BEDROCK_PRICING}): the figures report the tokens each evaluation used",
        ),
    ]


def _total(lines: list[CostLine]) -> float:
    return sum(line.usd for line in lines if line.usd is not None)


def cost_table(template: Mapping[str, Any]) -> list[str]:
    """The summary's cost lines for one template."""
    standing, hourly = standing_monthly(template), run_per_hour(template)
    out = [
        f"    standing monthly cost: ${_total(standing):.2f} (us-east-1 list prices taken {PRICES_TAKEN}, "
        "free tiers ignored)"
    ]
    out += [_format(line) for line in standing]
    warning = commitment_warning(template)
    if warning:
        out.append(warning)
    out.append(f"    a run adds per hour of training: ${_total(hourly):.4f}, plus the items priced per use")
    out += [_format(line) for line in hourly]
    evaluation = evaluation_per_run(template)
    if evaluation:
        out.append(
            f"    a promotion-gate evaluation adds per {GATE_PROMPTS} validation prompts at one sample: "
            f"${_total(evaluation):.4f}, plus Bedrock tokens"
        )
        out += [_format(line) for line in evaluation]
    judge_calls = template.get("Metadata", {}).get(JUDGE_CALLS_METADATA)
    if judge_calls:
        out.append(f"    {judge_calls}")
    return out


def _format(line: CostLine) -> str:
    if line.usd is None:
        return f"      {line.item}: {line.basis}"
    amount = f"{line.usd:.2f}" if line.usd >= 0.01 or line.usd == 0 else f"{line.usd:.6f}"
    return f"      {line.item}: ${amount} = {line.basis}"
