"""Parsing an LLM judge's ``model_id``: ids and the three ARN kinds the stack can grant."""

from __future__ import annotations

import pytest

from bedrock_rft.config.judge_models import ModelRef, judge_problems, parse_model_id, reward_judge_problems


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("amazon.nova-pro-v1:0", ModelRef(kind="foundation-model", name="amazon.nova-pro-v1:0")),
        ("us.amazon.nova-pro-v1:0", ModelRef(kind="inference-profile", name="us.amazon.nova-pro-v1:0")),
        (
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0",
            ModelRef(
                kind="foundation-model",
                name="amazon.nova-pro-v1:0",
                arn="arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0",
                partition="aws",
                region="us-east-1",
                account="",
            ),
        ),
        (
            "arn:aws-us-gov:bedrock:us-gov-west-1:111122223333:inference-profile/us-gov.anthropic.m-v1:0",
            ModelRef(
                kind="inference-profile",
                name="us-gov.anthropic.m-v1:0",
                arn="arn:aws-us-gov:bedrock:us-gov-west-1:111122223333:inference-profile/us-gov.anthropic.m-v1:0",
                partition="aws-us-gov",
                region="us-gov-west-1",
                account="111122223333",
            ),
        ),
        (
            "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3",
            ModelRef(
                kind="application-inference-profile",
                name="a1b2c3",
                arn="arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3",
                partition="aws",
                region="us-east-1",
                account="111122223333",
            ),
        ),
    ],
)
def test_ids_and_arns_are_told_apart(model_id, expected):
    assert parse_model_id(model_id) == expected


def test_a_profile_routes_to_the_model_without_its_geography_prefix():
    arn = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.amazon.nova-2-lite-v1:0"
    assert parse_model_id(arn).routed_model == "amazon.nova-2-lite-v1:0"
    assert parse_model_id("eu.amazon.nova-pro-v1:0").routed_model == "amazon.nova-pro-v1:0"
    assert parse_model_id("amazon.nova-pro-v1:0").routed_model is None


@pytest.mark.parametrize(
    "model_id",
    [
        "arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc",
        "arn:aws:bedrock:us-east-1::foundation-model/a/b",
        "arn:aws:s3:::bucket/key",
        "arn:aws:bedrock:::foundation-model/amazon.nova-pro-v1:0",
    ],
)
def test_other_arns_are_refused_with_the_allowed_forms(model_id):
    with pytest.raises(ValueError, match="allowed: arn:<partition>:bedrock:<region>::foundation-model/"):
        parse_model_id(model_id)


def test_checks_needing_the_stacks_region_are_skipped_without_one():
    arn = "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0"
    assert judge_problems(arn, judge_region=None, stack_region=None, in_isolated_vpc=True) == []
    assert judge_problems(arn, judge_region="us-west-2", stack_region=None, in_isolated_vpc=True) == []
    assert [
        o for o, _ in judge_problems(arn, judge_region=None, stack_region="us-east-1", in_isolated_vpc=False)
    ] == ["model_id"]


def test_every_judge_of_a_reward_is_checked_and_named_by_its_path_under_either_key():
    """One rule for the config (``reward.options``) and the reward construct (``options``)."""
    far = "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0"
    options = {
        "graders": [
            {"template": "math_answer"},
            {"template": "llm_judge", "options": {"model_id": far, "preset": "reasoning"}},
            {"template": "llm_judge", "options": {"model_id": "amazon.nova-pro-v1:0", "region": "eu-west-1"}},
        ]
    }
    found = {
        key: reward_judge_problems(
            "composite", options, key=key, stack_region="us-east-1", in_isolated_vpc=True
        )
        for key in ("reward.options", "options")
    }
    assert [path for path, _ in found["options"]] == [
        "options.graders[1].options.model_id",
        "options.graders[2].options.region",
    ]
    assert [path for path, _ in found["reward.options"]] == [f"reward.{path}" for path, _ in found["options"]]
    assert [m for _, m in found["options"]] == [m for _, m in found["reward.options"]]
    assert (
        reward_judge_problems(
            "math_answer", {}, key="options", stack_region="us-east-1", in_isolated_vpc=True
        )
        == []
    )
