"""Training data in the stack: synth-time validation, content-addressed staging, other sources."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template

from bedrock_rft.application import build_app
from bedrock_rft.config import DatasetConfig, InvocationLogsSource
from bedrock_rft.data import DatasetError, DatasetRules, TrainingData
from bedrock_rft.security import CustomizationRole
from bedrock_rft.storage import DatasetBucket

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data"
TRAIN = SAMPLE / "arithmetic_train.jsonl"
RULES = DatasetRules(required_fields=("reference_answer",), max_prompt_tokens=1024)


def _data(dataset: DatasetConfig, rules: DatasetRules = RULES):
    stack = cdk.Stack(cdk.App(), "DataTest")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    storage = DatasetBucket(stack, "Storage", encryption_key=key)
    role = CustomizationRole(stack, "Customization", dataset_bucket=storage.bucket, encryption_key=key)
    data = TrainingData(stack, "Data", dataset=dataset, rules=rules, storage=storage, customization=role)
    return stack, data


def _role_statements(stack) -> dict[str, dict]:
    resources = Template.from_stack(stack).to_json()["Resources"]
    policy = next(r for r in resources.values() if r["Type"] == "AWS::IAM::ManagedPolicy")
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


def _broken_copy(tmp_path: Path, line: int, row: dict) -> Path:
    lines = TRAIN.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = json.dumps(row)
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_bad_row_fails_with_file_line_and_code(tmp_path):
    path = _broken_copy(
        tmp_path,
        7,
        {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]},
    )
    with pytest.raises(DatasetError) as caught:
        _data(DatasetConfig(training_file=path))
    message = str(caught.value)
    assert f"{path}:7: last-turn-not-user:" in message
    assert f"{path}:7: missing-field:" in message  # the reward template needs reference_answer


def test_prompt_longer_than_max_prompt_length_fails(tmp_path):
    path = _broken_copy(
        tmp_path, 3, {"messages": [{"role": "user", "content": "x " * 5000}], "reference_answer": "1"}
    )
    with pytest.raises(DatasetError, match=rf"{path.name}:3: prompt-too-long"):
        _data(DatasetConfig(training_file=path))


def test_too_few_prompts_fails(tmp_path):
    path = tmp_path / "small.jsonl"
    path.write_text("".join(TRAIN.read_text().splitlines(keepends=True)[:50]))
    with pytest.raises(DatasetError, match="too-few-rows"):
        _data(DatasetConfig(training_file=path))


def test_local_files_are_staged_content_addressed_and_never_deletable(tmp_path):
    stack, data = _data(
        DatasetConfig(training_file=TRAIN, validation_file=SAMPLE / "arithmetic_validation.jsonl")
    )
    digest = hashlib.sha256(TRAIN.read_bytes()).hexdigest()
    assert data.row_counts == {"training": 240, "validation": 40}
    assert data.staging[0].target_key == f"datasets/{digest}/training.jsonl"
    assert stack.resolve(data.training_data_config["s3Uri"])["Fn::Join"][1][-1] == (
        f"/datasets/{digest}/training.jsonl"
    )
    assert len(data.validation_s3_uris) == 1
    # one value for RftLifecycle: the same members, and the content named by its hash
    assert data.inputs.training_data_config == data.training_data_config
    assert list(data.inputs.copies) == data.staging and data.inputs.fingerprint == data.fingerprint
    assert data.inputs.described()["dataset.training"] == f"sha256:{digest}"
    assert data.inputs.described()["dataset.source"] == "file"
    resources = Template.from_stack(stack).to_json()["Resources"]
    assert not [r for r in resources.values() if r["Type"] == "Custom::CDKBucketDeployment"]
    assert not any("s3:DeleteObject" in json.dumps(r) for r in resources.values())


def test_fingerprint_follows_content_not_location(tmp_path):
    moved = tmp_path / "arithmetic_train.jsonl"
    shutil.copy(TRAIN, moved)
    _, original = _data(DatasetConfig(training_file=TRAIN))
    _, same = _data(DatasetConfig(training_file=moved))
    assert same.fingerprint == original.fingerprint
    with moved.open("a") as stream:
        stream.write(TRAIN.read_text().splitlines(keepends=True)[0].replace("arith-0001", "arith-9999"))
    _, changed = _data(DatasetConfig(training_file=moved), DatasetRules())
    assert changed.fingerprint != original.fingerprint


def test_existing_s3_object_is_read_exactly(tmp_path):
    stack, data = _data(DatasetConfig(training_s3_uri="s3://team-data/rft/train.jsonl"))
    assert data.training_data_config == {"s3Uri": "s3://team-data/rft/train.jsonl"}
    assert data.staging == []
    statements = _role_statements(stack)
    statement = statements["ReadExternalTrainingData"]
    assert statement["Action"] == "s3:GetObject"
    assert statement["Resource"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::team-data/rft/train.jsonl"]]
    }
    listing = statements["ListExternalTrainingData"]
    assert listing["Action"] == "s3:ListBucket"
    assert listing["Resource"] == {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::team-data"]]}
    assert listing["Condition"] == {"StringEquals": {"s3:prefix": ["rft/train.jsonl"]}}


def test_invocation_logs_become_the_api_config_and_a_read_grant():
    source = InvocationLogsSource(
        s3_uri="s3://my-logs/bedrock/",
        use_prompt_response=True,
        request_metadata_filters={"equals": {"project": "support"}},
    )
    stack, data = _data(DatasetConfig(invocation_logs=source))
    assert data.training_data_config == {
        "invocationLogsConfig": {
            "invocationLogSource": {"s3Uri": "s3://my-logs/bedrock/"},
            "usePromptResponse": True,
            "requestMetadataFilters": {"equals": {"project": "support"}},
        }
    }
    statements = _role_statements(stack)
    assert statements["ListInvocationLogs"]["Condition"] == {"StringLike": {"s3:prefix": ["bedrock/*"]}}
    assert json.dumps(statements["ReadInvocationLogs"]["Resource"]).endswith(':s3:::my-logs/bedrock/*"]]}')


def test_synth_of_an_environment_with_a_bad_dataset_fails_before_any_stack(make_environment, tmp_path):
    bad = _broken_copy(tmp_path, 12, {"messages": []})
    make_environment(
        "dev",
        f'name = "unit"\nregion = "us-east-1"\n[dataset]\ntraining = "{bad.as_posix()}"\n'
        '[reward]\ntemplate = "math_answer"\n',
    )
    app = cdk.App(context={"env": "dev"})
    with pytest.raises(DatasetError, match=r"train.jsonl:12: empty-messages"):
        build_app(tmp_path, app=app, nag=False)


def test_synth_fails_on_a_reference_the_reward_template_cannot_grade(make_environment, tmp_path):
    bad = _broken_copy(
        tmp_path, 9, {"messages": [{"role": "user", "content": "Is 7 prime?"}], "reference_answer": "yes"}
    )
    make_environment(
        "dev",
        f'name = "unit"\nregion = "us-east-1"\n[dataset]\ntraining = "{bad.as_posix()}"\n'
        '[reward]\ntemplate = "math_answer"\n',
    )
    app = cdk.App(context={"env": "dev"})
    with pytest.raises(
        DatasetError, match=r"train.jsonl:9: ungradable-reference: reference_answer is \"yes\""
    ):
        build_app(tmp_path, app=app, nag=False)


def test_local_validation_file_is_checked_whatever_the_training_source(tmp_path):
    bad = tmp_path / "val set.jsonl"
    bad.write_text('{"messages": [{"role": "system", "content": "only a system turn"}]}\n')
    with pytest.raises(DatasetError, match=r"val set.jsonl:1: no-user-turn"):
        _data(DatasetConfig(training_s3_uri="s3://team-data/train.jsonl", validation_file=bad))


def test_staged_keys_never_carry_the_local_file_name(tmp_path):
    odd = tmp_path / "train set+v2 (final).jsonl"
    shutil.copy(TRAIN, odd)
    _, data = _data(DatasetConfig(training_file=odd))
    assert data.staging[0].target_key.endswith("/training.jsonl")


def test_source_bucket_key_may_decrypt_only_through_s3_in_its_own_region():
    stack, _ = _data(DatasetConfig(training_s3_uri="s3://team-data/rft/train.jsonl"))
    role = stack.node.find_child("Customization")
    key = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    role.grant_decrypt_sources(key)
    statement = _role_statements(stack)["DecryptExternalSourcesThroughS3"]
    assert statement["Action"] == "kms:Decrypt" and statement["Resource"] == key
    assert statement["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}


def test_external_source_grants_raise_no_nag_finding():
    import cdk_nag

    source = InvocationLogsSource(s3_uri="s3://my-logs/bedrock/")
    stack, _ = _data(DatasetConfig(invocation_logs=source, validation_s3_uri="s3://team-data/val.jsonl"))
    role = stack.node.find_child("Customization")
    role.grant_decrypt_sources("arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    findings = [
        (violation.rule_name, resource.construct_path)
        for pack in (cdk_nag.AwsSolutionsChecks, cdk_nag.NIST80053R5Checks, cdk_nag.HIPAASecurityChecks)
        for violation in pack().validate_scope(stack).violations
        for resource in violation.violating_resources
        if resource.construct_path.startswith("DataTest/Customization/Permissions")
    ]
    assert findings == []
