"""The reward Lambda construct: runtime settings, least privilege per grader, code isolation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Annotations, Match, Template

from bedrock_rft.assets.runtime_code import missing_native_packages, runtime_files
from bedrock_rft.network import IsolatedVpc
from bedrock_rft.reward import RewardFunction, reward_function
from bedrock_rft.security import CustomizationRole
from bedrock_rft.storage import DatasetBucket

pytestmark = pytest.mark.synth

JUDGE = {"model_id": "amazon.nova-pro-v1:0", "preset": "instruction_following"}


def _build(context: dict, template: str, options: dict, *, vpc: bool = True, outdir: Path | None = None):
    app = cdk.App(context=context, outdir=str(outdir) if outdir else None)
    stack = cdk.Stack(app, "RewardTest")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    network = IsolatedVpc(stack, "Net", encryption_key=key) if vpc else None
    reward = RewardFunction(
        stack,
        "Reward",
        pipeline_name="unit",
        template=template,
        options=options,
        encryption_key=key,
        vpc=network.vpc if network else None,
        vpc_subnets=network.subnets if network else None,
        security_groups=[network.workload_security_group] if network else (),
        add_interface_endpoint=network.add_interface_endpoint if network else None,
    )
    bucket = DatasetBucket(stack, "Data", encryption_key=key)
    role = CustomizationRole(stack, "Customization", dataset_bucket=bucket.bucket, encryption_key=key)
    role.grant_invoke_reward(reward.function)
    return app, stack, reward


def _resources(stack) -> dict:
    return Template.from_stack(stack).to_json()["Resources"]


def _of_type(resources: dict, kind: str) -> dict:
    return {k: v for k, v in resources.items() if v["Type"] == kind}


def _grader_statements(resources: dict) -> list[dict]:
    policies = [p for k, p in _of_type(resources, "AWS::IAM::Policy").items() if k.startswith("RewardGrader")]
    return [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]


@pytest.fixture(scope="module")
def math_stack(cdk_context):
    _, stack, reward = _build(cdk_context, "math_answer", {"tolerance": 1e-6})
    return stack, reward, _resources(stack)


def test_function_runs_latest_python_on_arm_with_tracing_encryption_and_no_reservation(math_stack):
    _, _, resources = math_stack
    (function,) = [
        f for k, f in _of_type(resources, "AWS::Lambda::Function").items() if k.startswith("Reward")
    ]
    props = function["Properties"]
    assert props["Runtime"] == "python3.14" and props["Architectures"] == ["arm64"]
    assert props["Handler"] == "rft_runtime.rewards.handler.handler"
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert "ReservedConcurrentExecutions" not in props  # default 0 = unreserved: fits any account
    assert props["Timeout"] == 300 and props["MemorySize"] == 1024
    assert "KmsKeyArn" in props and "VpcConfig" in props and "LoggingConfig" in props
    env = props["Environment"]["Variables"]
    assert env["RFT_REWARD_TEMPLATE"] == "math_answer"
    assert json.loads(env["RFT_REWARD_OPTIONS"]) == {"tolerance": 1e-6}
    assert env["RFT_PIPELINE"] == "unit"


def test_function_role_has_no_managed_policies_and_no_model_access(math_stack):
    _, _, resources = math_stack
    role = next(r for k, r in _of_type(resources, "AWS::IAM::Role").items() if k.startswith("RewardGrader"))
    assert "ManagedPolicyArns" not in role["Properties"]
    actions = {a for s in _grader_statements(resources) for a in _as_list(s["Action"])}
    assert not any(a.startswith("bedrock:") for a in actions)
    assert "ec2:CreateNetworkInterface" in actions  # attach to the VPC, granted explicitly


def test_jobs_may_invoke_every_retained_version_of_this_one_function(math_stack):
    _, _, resources = math_stack
    policy = next(
        p for k, p in _of_type(resources, "AWS::IAM::ManagedPolicy").items() if "Customization" in k
    )
    invoke = next(
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Sid"] == "InvokeRewardFunction"
    )
    assert invoke["Action"] == "lambda:InvokeFunction"
    (function_id,) = [k for k in _of_type(resources, "AWS::Lambda::Function") if k.startswith("Reward")]
    assert invoke["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [function_id, "Arn"]}, ":*"]]}
    (version,) = [v for k, v in _of_type(resources, "AWS::Lambda::Version").items() if k.startswith("Reward")]
    assert version["DeletionPolicy"] == "Retain"  # a job still training keeps calling it


def test_grader_may_only_decrypt_with_the_pipeline_key(math_stack):
    _, _, resources = math_stack
    key_statement = next(s for s in _grader_statements(resources) if s.get("Sid") == "UsePipelineKey")
    assert key_statement["Action"] == "kms:Decrypt"


def test_judge_inside_a_composite_may_invoke_only_its_model_through_an_endpoint(cdk_context):
    options = {
        "graders": [
            {"template": "format_check", "name": "format", "weight": 0,
             "options": {"constraints": [{"type": "regex", "pattern": "####"}]}},
            {"template": "llm_judge", "options": JUDGE},
        ],
        "gate": ["format"],
    }  # fmt: skip
    _, stack, _ = _build(cdk_context, "composite", options)
    resources = _resources(stack)
    judge = [s for s in _grader_statements(resources) if "bedrock:InvokeModel" in _as_list(s["Action"])]
    assert len(judge) == 1
    assert json.dumps(judge[0]["Resource"]).endswith('::foundation-model/amazon.nova-pro-v1:0"]]}')
    endpoints = [
        e
        for e in _of_type(resources, "AWS::EC2::VPCEndpoint").values()
        if e["Properties"].get("VpcEndpointType") == "Interface"
    ]
    assert len(endpoints) == 1 and "bedrock-runtime" in json.dumps(endpoints[0]["Properties"]["ServiceName"])


def test_inference_profile_judge_reaches_foundation_models_only_through_the_profile(cdk_context):
    _, stack, _ = _build(
        cdk_context, "llm_judge", {**JUDGE, "model_id": "us.amazon.nova-pro-v1:0"}, vpc=False
    )
    statements = [
        s for s in _grader_statements(_resources(stack)) if "bedrock:InvokeModel" in _as_list(s["Action"])
    ]
    conditioned = next(s for s in statements if "Condition" in s)
    assert "bedrock:InferenceProfileArn" in conditioned["Condition"]["StringEquals"]
    assert conditioned[
        "Resource"
    ] == "arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0" or json.dumps(
        conditioned["Resource"]
    ).endswith(':bedrock:*::foundation-model/amazon.nova-pro-v1:0"]]}')


def test_custom_grader_file_ships_in_the_code_and_counts_by_content(cdk_context, tmp_path):
    grader = tmp_path / "my_grader.py"
    grader.write_text("def score(sample):\n    return 1.0\n")
    app, stack, reward = _build(
        cdk_context, "custom", {"path": str(grader)}, vpc=False, outdir=tmp_path / "out"
    )
    app.synth()
    env = next(
        f for k, f in _of_type(_resources(stack), "AWS::Lambda::Function").items() if k.startswith("Reward")
    )["Properties"]["Environment"]["Variables"]
    assert json.loads(env["RFT_REWARD_OPTIONS"]) == {"path": "rft_user_code/grader.py"}
    shipped = list((tmp_path / "out").glob("asset.*/rft_user_code/grader.py"))
    assert len(shipped) == 1 and shipped[0].read_text() == grader.read_text()
    moved = tmp_path / "elsewhere.py"
    moved.write_text(grader.read_text())
    _, _, same = _build(cdk_context, "custom", {"path": str(moved)}, vpc=False)
    assert same.fingerprint == reward.fingerprint
    grader.write_text("def score(sample):\n    return 0.5\n")
    _, _, changed = _build(cdk_context, "custom", {"path": str(grader)}, vpc=False)
    assert changed.fingerprint != reward.fingerprint


def test_options_too_large_for_the_lambda_environment_are_refused(cdk_context):
    with pytest.raises(ValueError, match="Lambda environment variables allow about 3072"):
        _build(cdk_context, "llm_judge", {**JUDGE, "rubric": "x" * 4000}, vpc=False)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


PROFILE_ARN = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-pro-v1:0"
APP_PROFILE_ARN = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6"
MODEL_ARN = "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0"


@pytest.fixture(scope="module")
def arn_judges(cdk_context):
    """One composite with a judge per ARN kind (judges 0, 1, 2), no VPC, and its grader statements."""
    graders = [
        {"template": "llm_judge", "name": name, "options": {"model_id": arn, "region": region}}
        for name, arn, region in (
            ("model", MODEL_ARN, "us-west-2"),
            ("profile", PROFILE_ARN, "us-east-1"),
            ("app", APP_PROFILE_ARN, "us-east-1"),
        )
    ]
    _, stack, reward = _build(cdk_context, "composite", {"graders": graders}, vpc=False)
    by_sid = {s["Sid"]: s for s in _grader_statements(_resources(stack)) if "Sid" in s}
    return stack, reward, by_sid


def test_foundation_model_arn_judge_is_granted_that_model_only(arn_judges):
    _, _, by_sid = arn_judges
    assert by_sid["InvokeJudgeModel0"]["Resource"] == MODEL_ARN  # not wrapped in another ARN
    assert "InvokeJudgeModelThroughProfile0" not in by_sid


def test_inference_profile_arn_judge_gets_the_profile_and_its_model_through_it(arn_judges):
    _, _, by_sid = arn_judges
    assert by_sid["InvokeJudgeProfile1"]["Resource"] == PROFILE_ARN
    routed = by_sid["InvokeJudgeModelThroughProfile1"]
    assert routed["Resource"] == "arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0"
    assert routed["Condition"] == {"StringEquals": {"bedrock:InferenceProfileArn": PROFILE_ARN}}


def test_application_profile_arn_judge_reaches_models_only_through_that_profile(arn_judges):
    _, _, by_sid = arn_judges
    assert by_sid["InvokeJudgeProfile2"]["Resource"] == APP_PROFILE_ARN
    routed = by_sid["InvokeJudgeModelThroughProfile2"]
    assert sorted(routed["Resource"]) == [
        "arn:aws:bedrock:*:111122223333:inference-profile/*",
        "arn:aws:bedrock:*::foundation-model/*",
    ]
    assert routed["Condition"] == {"StringEquals": {"bedrock:InferenceProfileArn": APP_PROFILE_ARN}}


def test_judge_grants_have_no_unacknowledged_nag_finding(arn_judges, cdk_context):
    import cdk_nag

    stack, reward, _ = arn_judges
    profile_id = "us.amazon.nova-pro-v1:0"
    _, id_stack, id_reward = _build(cdk_context, "llm_judge", {**JUDGE, "model_id": profile_id}, vpc=False)
    for scope, construct in ((stack, reward), (id_stack, id_reward)):
        findings = [
            violation.rule_name
            for violation in cdk_nag.AwsSolutionsChecks().validate_scope(scope).violations
            for resource in violation.violating_resources
            if resource.construct_path.startswith(construct.node.path + "/")
        ]
        assert findings == []


def test_judge_that_cannot_reach_its_model_is_refused_by_the_construct(cdk_context):
    app = cdk.App(context=cdk_context)
    stack = cdk.Stack(app, "Bound", env=cdk.Environment(account="111122223333", region="us-east-1"))
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    network = IsolatedVpc(stack, "Net", encryption_key=key)
    options = {"model_id": "amazon.nova-pro-v1:0", "region": "us-west-2"}
    expected = r"RewardFunction: options\.region: 'us-west-2' differs from the stack's"
    with pytest.raises(ValueError, match=expected):
        RewardFunction(
            stack,
            "Reward",
            pipeline_name="unit",
            template="llm_judge",
            options=options,
            encryption_key=key,
            vpc=network.vpc,
            vpc_subnets=network.subnets,
            security_groups=[network.workload_security_group],
            add_interface_endpoint=network.add_interface_endpoint,
        )


def test_judge_arn_of_a_kind_that_cannot_be_granted_is_refused(cdk_context):
    deployment = "arn:aws:bedrock:us-east-1:111122223333:custom-model-deployment/abc123"
    with pytest.raises(ValueError, match="not an ARN the judge can be granted"):
        _build(cdk_context, "llm_judge", {**JUDGE, "model_id": deployment}, vpc=False)


def test_edit_similarity_ships_rapidfuzz_built_for_arm64_python_3_14(cdk_context, tmp_path):
    _build(cdk_context, "text_similarity", {"metric": "edit_similarity"}, vpc=False, outdir=tmp_path)[
        0
    ].synth()
    (compiled,) = tmp_path.glob("asset.*/rapidfuzz/distance/metrics_cpp.cpython-314-aarch64-linux-gnu.so")
    header = compiled.read_bytes()[:20]
    assert header[:4] == b"\x7fELF" and int.from_bytes(header[18:20], "little") == 183  # EM_AARCH64
    asset = compiled.parents[2]
    assert (asset / "rapidfuzz-3.14.6.dist-info" / "licenses" / "LICENSE").is_file()
    # The shipped code, in a clean interpreter on this (non-arm64) machine: the compiled module cannot
    # load here, so the grader takes its pure-Python path and still scores right.
    script = (
        "from rft_runtime.rewards.handler import make_handler\n"
        "item = {'id': 'a', 'messages': [{'role': 'user', 'content': 'q'}, "
        "{'role': 'assistant', 'content': 'sitting'}], 'metadata': {'reference_answer': 'kitten'}}\n"
        "out = make_handler('text_similarity', {'metric': 'edit_similarity'}, emit=print)([item])\n"
        "print(round(out[0]['aggregate_reward_score'], 6))\n"
    )
    run = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(asset)!r})\n{script}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert run.stdout.strip().splitlines()[-1] == str(round(1 - 3 / 7, 6))


def test_templates_that_need_no_compiled_package_ship_none():
    assert not any("rapidfuzz" in relative for relative, _ in runtime_files(vendor_boto3=False))


def test_missing_wheel_is_a_synth_warning_not_a_failure(cdk_context, monkeypatch):
    monkeypatch.setattr(reward_function, "missing_native_packages", lambda names: list(names))
    _, stack, _ = _build(cdk_context, "text_similarity", {"metric": "edit_similarity"}, vpc=False)
    warnings = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("rapidfuzz is not bundled")
    )
    assert len(warnings) == 1


def test_native_files_come_from_the_unpacked_wheels_only(tmp_path):
    assert missing_native_packages(["rapidfuzz"], tmp_path) == ["rapidfuzz"]
    files = runtime_files(vendor_boto3=False, native_packages=["rapidfuzz"], packages_dir=tmp_path)
    assert not any(relative.startswith("rapidfuzz") for relative, _ in files)
