"""The synth summary's cost table: counts from the template, list prices with sources, figures
checked against values computed by hand."""

from __future__ import annotations

import pytest

from bedrock_rft.tools import cost_estimate
from bedrock_rft.tools.cost_estimate import PRICES, cost_table, run_per_hour, standing_monthly

LIFECYCLE = "rft_runtime.lifecycle.handlers"
TEMPLATE = {
    "Resources": {
        "BedrockRuntime": {"Type": "AWS::EC2::VPCEndpoint",
                           "Properties": {"VpcEndpointType": "Interface", "SubnetIds": ["a", "b"]}},
        "Sts": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Interface",
                                                                "SubnetIds": ["a", "b", "c"]}},
        "S3": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Gateway"}},
        "Key": {"Type": "AWS::KMS::Key"},
        "Dashboard": {"Type": "AWS::CloudWatch::Dashboard"},
        "Alarm1": {"Type": "AWS::CloudWatch::Alarm"},
        "Alarm2": {"Type": "AWS::CloudWatch::Alarm"},
        "Logs": {"Type": "AWS::Logs::LogGroup"},
        "Machine": {"Type": "AWS::StepFunctions::StateMachine"},
        "Lifecycle": {"Type": "AWS::Lambda::Function",
                      "Properties": {"Handler": f"{LIFECYCLE}.lifecycle_handler", "MemorySize": 512}},
        "Grader": {"Type": "AWS::Lambda::Function",
                   "Properties": {"Handler": "rft_runtime.rewards.handler.handler", "MemorySize": 2048}},
    }
}  # fmt: skip


def _by_item(lines) -> dict:
    return {line.item: line for line in lines}


def test_standing_cost_counts_endpoint_azs_keys_dashboards_and_alarms():
    lines = _by_item(standing_monthly(TEMPLATE))
    assert lines["interface VPC endpoints"].usd == pytest.approx(5 * 730 * 0.01)  # 5 endpoint-AZs
    assert lines["gateway VPC endpoints (S3)"].usd == 0
    assert lines["KMS customer managed keys"].usd == pytest.approx(1.00)
    assert lines["CloudWatch dashboards"].usd == pytest.approx(3.00)
    assert lines["CloudWatch alarms"].usd == pytest.approx(0.20)
    assert lines["trained custom models kept"].usd is None  # no public figure: "see pricing"
    assert "standing monthly cost: $40.70 " in "\n".join(cost_table(TEMPLATE))  # 36.50 + 1 + 3 + 0.20


def test_a_run_hour_is_priced_from_the_poll_cycle_and_the_function_memory():
    lines = _by_item(run_per_hour(TEMPLATE))
    # 4 polls an hour (15 min), 3 states each, 2 lifecycle invocations each
    assert lines["Step Functions state transitions"].usd == pytest.approx(12 * 0.000025)
    lambda_usd = 8 * 0.0000002 + 8 * 1.0 * 0.5 * 0.0000133334  # 8 x 1 s x 0.5 GB, arm64
    assert lines["Lambda (lifecycle steps)"].usd == pytest.approx(lambda_usd)
    assert lines["CloudWatch Logs (execution history)"].usd == pytest.approx(12 * 2 * 2048 / 1024**3 * 0.50)
    assert lines["KMS requests"].usd == pytest.approx((12 + 8) * 0.000003)
    assert (
        "$0.0269 per 1,000 calls of 1 s at 2048 MB"
        in lines["reward function (per 1,000 grader calls, not per hour)"].basis
    )  # 1000 x (0.0000002 + 2 GB x 1 s x 0.0000133334)
    assert lines["Bedrock RFT training"].usd is None


def test_the_table_states_totals_date_and_every_source():
    text = "\n".join(cost_table(TEMPLATE))
    assert f"list prices taken {cost_estimate.PRICES_TAKEN}" in text
    assert "a run adds per hour of training: $0.0004" in text  # 0.0003 + 0.0000549 + 0.0000229 + 0.00006
    for price in PRICES.values():
        assert price.source.startswith("https://aws.amazon.com/")
    assert "Bedrock RFT training: see pricing (https://aws.amazon.com/bedrock/pricing/)" in text


def test_a_stack_without_a_vpc_or_dashboard_lists_only_what_it_has():
    lines = _by_item(standing_monthly({"Resources": {"Key": {"Type": "AWS::KMS::Key"}}}))
    assert set(lines) == {
        "KMS customer managed keys",
        "on-demand model deployment",
        "trained custom models kept",
    }


def _with_run(spec_pieces: list) -> dict:
    run = {"Type": "Custom::RftTrainingRun", "Properties": {"Spec": {"Fn::Join": ["", spec_pieces]}}}
    return {"Resources": {**TEMPLATE["Resources"], "Run": run}}


def test_provisioned_mode_prices_its_units_as_see_pricing_and_says_they_bill_unused():
    template = _with_run(
        ['{"deploymentMode":"provisioned","jobRequest":{"roleArn":"', {"Ref": "Role"}, '"},'
         '"modelUnits":2,"commitment":"none"}']
    )  # fmt: skip
    lines = _by_item(standing_monthly(template))
    line = lines["Provisioned Throughput (2 model units, no commitment)"]
    assert line.usd is None and "see pricing" in line.basis and "whether used or not" in line.basis
    assert "on-demand model deployment" not in lines
    assert not any("WARNING" in text for text in cost_table(template))


def test_a_commitment_prints_a_warning_line_in_the_table():
    template = _with_run(['{"deploymentMode":"provisioned","modelUnits":1,"commitment":"SixMonths"}'])
    (warning,) = [text for text in cost_table(template) if "WARNING" in text]
    assert "'SixMonths'" in warning and "cannot be deleted before its term ends" in warning


def test_on_demand_and_train_only_modes_are_read_from_the_run_spec():
    on_demand = _by_item(standing_monthly(_with_run(['{"deploymentMode":"on_demand"}'])))
    assert on_demand["on-demand model deployment"].usd is None
    train_only = _by_item(standing_monthly(_with_run(['{"deploymentMode":"none"}'])))
    assert not [item for item in train_only if "deployment" in item or "Provisioned" in item]


def test_a_gate_evaluation_is_priced_per_hundred_prompts_from_the_batch_function():
    gated = {
        "Resources": {
            **TEMPLATE["Resources"],
            "Batch": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Handler": "rft_runtime.promotion.handlers.batch_handler", "MemorySize": 256},
            },
        }
    }
    lines = _by_item(cost_estimate.evaluation_per_run(gated))
    # 100 prompts x 2 models = 200 calls of 10 s, 4 at a time in one batch function (billed by its
    # wall time): 500 s x 0.25 GB; 100 / 8 = 12.5 batch invocations
    lambda_usd = 200 * 10 / 4 * 0.25 * 0.0000133334 + 12.5 * 0.0000002
    assert lines["Lambda (evaluation batches)"].usd == pytest.approx(lambda_usd)
    assert lines["Step Functions state transitions"].usd == pytest.approx((40 + 3 * 12.5) * 0.000025)
    assert lines["Bedrock tokens of both models and the candidate deployment"].usd is None
    text = "\n".join(cost_table(gated))
    assert (
        "a promotion-gate evaluation adds per 100 validation prompts at one sample: $0.0036" in text
    )  # 0.001669 + 0.001938
    assert "200 Converse calls x 10 s, 4 at a time, at 256 MB" in text
    assert cost_estimate.evaluation_per_run(TEMPLATE) == []  # no gate, no lines
    assert "promotion-gate" not in "\n".join(cost_table(TEMPLATE))
