"""What the promotion gate's batch function may call for the base model (no synth: resolved ARNs)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from bedrock_rft.lifecycle.promotion_gate import base_model_grant

pytestmark = pytest.mark.synth

ACCOUNT = "123456789012"
CUSTOM = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:custom-model/amazon.nova-2-lite-v1:0:256k/abc123"


def _resolved(region: str | None, base_model: str) -> tuple:
    stack = cdk.Stack(cdk.App(), "Gate", env=cdk.Environment(account=ACCOUNT, region=region))
    grant = base_model_grant(stack, base_model)
    return stack.resolve(list(grant.direct)), stack.resolve(list(grant.routed)), stack.resolve(grant.profile)


@pytest.mark.parametrize(
    "region, base_model, geography",
    [
        ("us-east-1", "amazon.nova-2-lite-v1:0:256k", "us"),
        ("eu-west-1", "amazon.nova-2-lite-v1:0:256k", "eu"),
        (
            "ap-northeast-1",
            "arn:aws:bedrock:ap-northeast-1::foundation-model/amazon.nova-2-lite-v1:0:256k",
            "apac",
        ),
    ],
)
def test_the_training_id_is_granted_as_its_geography_profile_and_the_model_only_through_it(
    region, base_model, geography
):
    direct, routed, profile = _resolved(region, base_model)
    expected = {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                f":bedrock:{region}:{ACCOUNT}:inference-profile/{geography}.amazon.nova-2-lite-v1:0",
            ],
        ]
    }
    assert (direct, profile) == ([expected], expected)
    assert routed == [
        {
            "Fn::Join": [
                "",
                ["arn:", {"Ref": "AWS::Partition"}, ":bedrock:*::foundation-model/amazon.nova-2-lite-v1:0"],
            ]
        }
    ]


def test_a_custom_model_base_is_granted_as_it_is_with_nothing_routed():
    assert _resolved("us-east-1", CUSTOM) == ([CUSTOM], [], None)
