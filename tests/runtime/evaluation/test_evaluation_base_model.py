"""The one rule from the base model RFT trains from to the id Converse calls (its inference profile)."""

from __future__ import annotations

import pytest

from rft_runtime.evaluation.base_model import invocation_model_id

DEPLOYMENT = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/abcdef123456"


@pytest.mark.parametrize(
    "base_model, region, expected",
    [
        ("amazon.nova-2-lite-v1:0:256k", "us-east-1", "us.amazon.nova-2-lite-v1:0"),
        ("amazon.nova-2-lite-v1:0:256k", "us-west-2", "us.amazon.nova-2-lite-v1:0"),
        ("amazon.nova-2-lite-v1:0:256k", "eu-west-1", "eu.amazon.nova-2-lite-v1:0"),
        ("amazon.nova-2-lite-v1:0:256k", "ap-northeast-1", "apac.amazon.nova-2-lite-v1:0"),
        ("amazon.nova-2-lite-v1:0", "us-east-1", "us.amazon.nova-2-lite-v1:0"),  # no context window
        (
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-2-lite-v1:0:256k",
            "us-east-1",
            "us.amazon.nova-2-lite-v1:0",
        ),
        # already a profile, or an ARN that is invoked as it is: unchanged
        ("us.amazon.nova-2-lite-v1:0", "eu-west-1", "us.amazon.nova-2-lite-v1:0"),
        ("global.amazon.nova-2-lite-v1:0", "us-east-1", "global.amazon.nova-2-lite-v1:0"),
        (DEPLOYMENT, "ca-central-1", DEPLOYMENT),
        ("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123", "us-east-1", None),
        (
            "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-2-lite-v1:0:256k/abc",
            "us-east-1",
            None,
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-2-lite-v1:0",
            "us-east-1",
            None,
        ),
    ],
)
def test_a_training_id_becomes_the_geography_profile_and_anything_else_stays(base_model, region, expected):
    assert invocation_model_id(base_model, region) == (expected or base_model)


@pytest.mark.parametrize("region", ["ca-central-1", "us-gov-west-1", "sa-east-1", "", "useast1"])
def test_a_region_without_a_known_geography_is_a_clear_error(region):
    with pytest.raises(ValueError) as raised:
        invocation_model_id("amazon.nova-2-lite-v1:0:256k", region)
    assert str(raised.value) == (
        f"Region {region!r} has no known inference-profile geography for the base model; "
        "allowed: us-* -> us., eu-* -> eu., ap-* -> apac."
    )
