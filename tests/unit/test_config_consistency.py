"""Config rules that span keys: Region, zones and keys agree; limits the stack itself adds to;
LLM-judge models the reward function can actually reach; the key of an external dataset bucket."""

from __future__ import annotations

import pytest

from bedrock_rft.config import ConfigError, load_environment_file

MINIMAL = """
name = "unit"
region = "us-east-1"
[dataset]
training = "{data}/arithmetic_train.jsonl"
[reward]
template = "math_answer"
"""
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
PRO_ARN = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"


def _problems(path) -> tuple[dict[str, str], ConfigError]:
    with pytest.raises(ConfigError) as caught:
        load_environment_file(path)
    return {p.key: p.message for p in caught.value.problems}, caught.value


def _judge(model_id: str, *, extra: str = "", top: str = "", network: str = "") -> str:
    return (
        top
        + MINIMAL.replace('template = "math_answer"', 'template = "llm_judge"')
        + f'[reward.options]\nmodel_id = "{model_id}"\n{extra}'
        + (f"[network]\n{network}\n" if network else "")
    )


# --- Region, zones, key ---------------------------------------------------------------------------


def test_region_other_than_where_rft_runs_is_a_problem_naming_the_allowed_one(make_environment):
    path = make_environment("region", MINIMAL.replace('region = "us-east-1"', 'region = "eu-west-1"'))
    problems, error = _problems(path)
    assert problems == {"region": "eu-west-1 does not offer reinforcement fine-tuning; allowed: us-east-1"}
    assert f"{path}:3: region: eu-west-1 does not offer" in str(error)


def test_us_east_1_is_accepted(make_environment):
    config = load_environment_file(make_environment("ok", MINIMAL))
    assert config.region == "us-east-1"


def test_zones_must_belong_to_the_configured_region(make_environment):
    path = make_environment(
        "zones",
        MINIMAL + '[network]\navailability_zones = ["us-east-1a", "us-west-2b"]\n',
    )
    problems, _ = _problems(path)
    assert set(problems) == {"network.availability_zones[1]"}
    assert (
        "'us-west-2b' is not a zone of the configured region us-east-1"
        in problems["network.availability_zones[1]"]
    )
    assert "allowed: us-east-1a, us-east-1b" in problems["network.availability_zones[1]"]


def test_a_pipeline_without_a_region_is_a_problem_naming_the_key(make_environment):
    path = make_environment("noregion", MINIMAL.replace('region = "us-east-1"\n', ""))
    problems, error = _problems(path)
    assert set(problems) == {"region"}
    assert (
        problems["region"].startswith("missing: a pipeline trains")
        and "allowed: us-east-1" in problems["region"]
    )
    assert f"{path}: region: missing" in str(error)  # no line: the key is absent


def test_existing_key_must_be_in_the_stacks_region_and_account(make_environment):
    path = make_environment(
        "key",
        'account = "111122223333"\n'
        + MINIMAL
        + f'[encryption]\nkms_key_arn = "arn:aws:kms:us-west-2:444455556666:key/{KEY_ID}"\n',
    )
    _, error = _problems(path)
    messages = [p.message for p in error.problems if p.key == "encryption.kms_key_arn"]
    assert len(messages) == 2
    assert any("in region us-west-2, but the stack's region is us-east-1" in m for m in messages)
    assert any("in account 444455556666, but the stack's account is 111122223333" in m for m in messages)


def test_existing_key_of_the_stacks_region_and_account_is_accepted(make_environment):
    arn = f"arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}"
    path = make_environment(
        "key",
        'account = "111122223333"\n' + MINIMAL + f'[encryption]\nkms_key_arn = "{arn}"\n',
    )
    assert load_environment_file(path).encryption.kms_key_arn == arn


# --- tags and description -------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["bedrock-rft:pipeline", "bedrock-rft:promoted", "Bedrock-RFT:keep"])
def test_the_package_s_own_tag_keys_are_reserved(make_environment, key):
    # one config line could otherwise mark every model promoted (adopted by promote_from) or held
    path = make_environment("tags", MINIMAL + f'[tags]\n"{key}" = "gate"\n')
    problems, _ = _problems(path)
    assert "are the package's own" in problems[f"tags.{key}"]


def _description(make_environment, text: str):
    return make_environment("desc", f'description = "{text}"\n' + MINIMAL)


def test_longest_ascii_description_fits_and_one_more_character_does_not(make_environment):
    prefix = len("bedrock-rft pipeline unit: ")
    longest = "d" * (512 - prefix)
    config = load_environment_file(_description(make_environment, longest))
    assert len(config.stack_description) == 512
    problems, error = _problems(_description(make_environment, longest + "d"))
    assert "513 characters (UTF-16 units)" in problems["description"]
    assert f"at most {512 - prefix} ASCII characters" in problems["description"]
    assert ":1: description: too long" in str(error)


def test_description_is_measured_in_utf8_bytes_too(make_environment):
    # 400 three-byte characters: within CDK's 512 characters, beyond CloudFormation's 1024 bytes.
    problems, _ = _problems(_description(make_environment, "\u8a9e" * 400))
    assert "1227 bytes (UTF-8)" in problems["description"]
    assert "at most 1024 bytes (CloudFormation)" in problems["description"]


# --- LLM judge model ids --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model_id",
    [
        PRO_ARN,
        "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-pro-v1:0",
        "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6",
        "us.amazon.nova-pro-v1:0",
    ],
)
def test_judge_arns_and_ids_of_the_stacks_region_load(make_environment, model_id):
    config = load_environment_file(make_environment("judge", _judge(model_id)))
    assert config.reward.options["model_id"] == model_id


@pytest.mark.parametrize(
    ("model_id", "fragment"),
    [
        ("arn:aws:bedrock:us-east-1:111122223333:custom-model-deployment/abc123", "not an ARN the judge"),
        ("arn:aws:bedrock:us-east-1:111122223333:foundation-model/amazon.nova-pro-v1:0", "has an account"),
        ("arn:aws:bedrock:us-east-1::inference-profile/us.amazon.nova-pro-v1:0", "needs a 12-digit account"),
        ("arn:aws:bedrock:us-east-1:111122223333:inference-profile/amazon.nova-pro-v1:0", "geography"),
    ],
)
def test_judge_arns_that_cannot_be_granted_are_config_problems(make_environment, model_id, fragment):
    problems, _ = _problems(make_environment("judge", _judge(model_id)))
    assert set(problems) == {"reward.options.model_id"}
    assert fragment in problems["reward.options.model_id"]
    assert (
        "allowed: arn:<partition>:bedrock:<region>::foundation-model/<model-id>"
        in problems["reward.options.model_id"]
    )


def test_judge_arn_in_another_region_than_the_judge_calls_is_a_problem(make_environment):
    arn = PRO_ARN.replace("us-east-1", "us-west-2")
    problems, _ = _problems(make_environment("judge", _judge(arn)))
    assert problems == {
        "reward.options.model_id": f"{arn!r} is in Region us-west-2, but the judge calls bedrock-runtime in "
        "us-east-1 (the stack's Region); allowed: an ARN in us-east-1"
    }


def test_judge_region_other_than_the_stacks_is_refused_in_the_isolated_vpc(make_environment):
    path = make_environment("judge", _judge(PRO_ARN, extra='region = "us-west-2"\n'))
    problems, error = _problems(path)
    assert "the reward function runs in the isolated VPC" in problems["reward.options.region"]
    assert "allowed: 'us-east-1' or no region option" in problems["reward.options.region"]
    # the ARN is in us-east-1 but the judge would call us-west-2: reported as well
    assert "calls bedrock-runtime in us-west-2 (option region)" in problems["reward.options.model_id"]
    region_line = path.read_text().splitlines().index('region = "us-west-2"') + 1
    assert f"{path}:{region_line}: reward.options.region:" in str(error)


def test_judge_region_other_than_the_stacks_is_fine_without_a_vpc(make_environment):
    arn = PRO_ARN.replace("us-east-1", "us-west-2")
    path = make_environment(
        "judge",
        _judge(arn, extra='region = "us-west-2"\n', network='vpc = "none"'),
    )
    assert load_environment_file(path).reward.options["region"] == "us-west-2"


def test_judge_inside_a_composite_is_checked_and_named_by_its_place(make_environment):
    text = (
        MINIMAL.replace('template = "math_answer"', 'template = "composite"')
        + "[reward.options]\n"
        + 'graders = [{ template = "math_answer", name = "exact" },\n'
        + '  { template = "llm_judge", options = { model_id = "us.amazon.nova-pro-v1:0", '
        + 'region = "eu-west-1" } }]\n'
    )
    problems, error = _problems(make_environment("composite", text))
    assert set(problems) == {"reward.options.graders[1].options.region"}
    graders_line = next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith("graders"))
    assert f":{graders_line}: reward.options.graders[1].options.region:" in str(error)


# --- key of an external dataset bucket ------------------------------------------------------------

EXTERNAL = """
name = "unit"
region = "us-east-1"
[dataset]
training_s3_uri = "s3://team-data/rft/train.jsonl"
source_kms_key_arn = "{key}"
[reward]
template = "math_answer"
"""


def test_source_bucket_key_is_loaded_for_an_external_source(make_environment):
    arn = f"arn:aws:kms:us-east-1:444455556666:key/{KEY_ID}"
    config = load_environment_file(make_environment("ext", EXTERNAL.replace("{key}", arn)))
    assert config.dataset.source_kms_key_arn == arn


def test_source_bucket_key_must_be_a_key_arn(make_environment):
    problems, _ = _problems(make_environment("ext", EXTERNAL.replace("{key}", "alias/team-data")))
    assert "is not a KMS key ARN" in problems["dataset.source_kms_key_arn"]


def test_source_bucket_key_without_an_external_source_is_a_problem(make_environment):
    arn = f"arn:aws:kms:us-east-1:444455556666:key/{KEY_ID}"
    path = make_environment("ext", MINIMAL.replace("[reward]", f'source_kms_key_arn = "{arn}"\n[reward]'))
    problems, _ = _problems(path)
    assert (
        "allowed with training_s3_uri, validation_s3_uri or [dataset.invocation_logs]"
        in problems["dataset.source_kms_key_arn"]
    )
