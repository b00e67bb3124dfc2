"""``rft doctor``: every check's pass, fail and unknown outcome against Stubber-backed clients."""

from __future__ import annotations

import pytest
from doctor_world import ACCOUNT, BASE, PROFILE, PROFILE_MODEL, REGION, make_world

from rft_runtime.doctor import report
from rft_runtime.doctor.checks import FAIL, PASS, UNKNOWN
from rft_runtime.doctor.needs import DeployNeeds, Judge

JUDGE = "anthropic.claude-3-5-haiku-20241022-v1:0"


def _needs(**changes) -> DeployNeeds:
    fields = {
        "pipeline": "arith-dev",
        "region": REGION,
        "base_model": BASE,
        "reward_reserved_concurrency": 100,
        "deploys": True,
        "rft_regions": ("us-east-1",),
        **changes,
    }
    return DeployNeeds(**fields)


def _by_name(results):
    return {r.name: r for r in results}


@pytest.fixture
def world():
    w = make_world()
    yield w
    w.verify()


def test_a_healthy_account_passes_every_check_and_exits_0(world):
    world.healthy()
    results = report.run_checks(_needs(), world.clients)
    assert [r.status for r in results] == [PASS] * 7
    assert report.exit_code(results) == report.EXIT_READY
    text = report.render_text(_needs(), results)
    assert "ready to deploy" in text and "fix:" not in text


def test_credentials_of_another_account_fail(world):
    world.healthy()
    results = _by_name(report.run_checks(_needs(account="999999999999"), world.clients))
    assert results["credentials"].status == FAIL and "999999999999" in results["credentials"].fix


def test_a_missing_bootstrap_stack_fails_with_the_bootstrap_command(world):
    world.healthy(
        bootstrap=lambda: world.stubs["cloudformation"].add_client_error(
            "describe_stacks", "ValidationError", "Stack with id CDKToolkit does not exist", 400
        )
    )
    result = _by_name(report.run_checks(_needs(), world.clients))["cdk-bootstrap"]
    assert result.status == FAIL and "cdk bootstrap aws://ACCOUNT/us-east-1" in result.fix


@pytest.mark.parametrize(("status", "version"), [("CREATE_COMPLETE", "5"), ("ROLLBACK_COMPLETE", "29")])
def test_an_old_or_broken_bootstrap_stack_fails(world, status, version):
    world.healthy(bootstrap=lambda: world.bootstrap(status, version))
    assert _by_name(report.run_checks(_needs(), world.clients))["cdk-bootstrap"].status == FAIL


def test_a_new_account_without_concurrency_headroom_fails_with_the_figure_to_ask_for(world):
    world.healthy(concurrency=lambda: world.concurrency(limit=10, unreserved=10))  # a new account
    result = _by_name(report.run_checks(_needs(), world.clients))["lambda-concurrency"]
    assert result.status == FAIL
    assert "the stack reserves 100" in result.detail
    assert "at least 200" in result.fix and "reserved_concurrency = 0" in result.fix


def test_unreserved_reward_concurrency_fits_even_a_new_account(world):
    world.healthy(concurrency=lambda: world.concurrency(limit=10, unreserved=10))
    needs = _needs(reward_reserved_concurrency=0)
    assert needs.reserved_concurrency == 0
    results = _by_name(report.run_checks(needs, world.clients))
    assert results["lambda-concurrency"].status == PASS


def test_a_code_runner_s_reservation_is_counted(world):
    """With ``code_tests`` the code runner reserves its own number too: both count."""
    world.healthy(concurrency=lambda: world.concurrency(limit=1000, unreserved=250))
    needs = _needs(runner_reserved_concurrency=100)
    assert needs.reserved_concurrency == 200
    result = _by_name(report.run_checks(needs, world.clients))["lambda-concurrency"]
    assert result.status == FAIL
    assert "the stack reserves 200 (reward 100, code runner 100), leaving 50" in result.detail
    assert "at least 1050" in result.fix


STACK = "Rft-arith-dev"


def _concurrency_with_stack(world, unreserved: int, reserved: dict[str, int] | None):
    return lambda: (
        world.concurrency(limit=1000, unreserved=unreserved),
        world.deployed_stack(STACK, reserved),
    )


def test_what_the_deployed_stack_reserves_now_is_counted_back_for_an_update(world):
    """Updating a stack that reserves 100 already: the account's unreserved figure excludes those
    100, and the update replaces them, so counting them again would fail a stack that fits."""
    world.healthy(concurrency=_concurrency_with_stack(world, 150, {"rft-reward": 100, "rft-lifecycle": 0}))
    result = _by_name(report.run_checks(_needs(stack_name=STACK), world.clients))["lambda-concurrency"]
    assert result.status == PASS, result.detail
    assert f"unreserved now 150 (+100 its deployed stack {STACK} reserves now)" in result.detail
    assert "leaving 150" in result.detail


def test_a_function_deleted_outside_cloudformation_reserves_nothing(world):
    world.healthy(concurrency=_concurrency_with_stack(world, 150, {"rft-reward": None}))
    result = _by_name(report.run_checks(_needs(stack_name=STACK), world.clients))["lambda-concurrency"]
    assert result.status == FAIL and "leaving 50" in result.detail


def test_a_stack_not_deployed_yet_counts_nothing_back(world):
    world.healthy(concurrency=_concurrency_with_stack(world, 150, None))
    result = _by_name(report.run_checks(_needs(stack_name=STACK), world.clients))["lambda-concurrency"]
    assert result.status == FAIL and "leaving 50" in result.detail and "+" not in result.detail


def test_a_refused_stack_lookup_makes_the_concurrency_check_unknown_naming_the_permission(world):
    def refused():
        world.concurrency(limit=1000, unreserved=150)
        world.stubs["cloudformation"].add_client_error(
            "list_stack_resources", "AccessDenied", "not allowed", 403
        )

    world.healthy(concurrency=refused)
    result = _by_name(report.run_checks(_needs(stack_name=STACK), world.clients))["lambda-concurrency"]
    assert result.status == UNKNOWN and "cloudformation:ListStackResources" in result.fix


def test_a_region_without_rft_fails_before_any_bedrock_call(world):
    world.healthy(base_model=None)
    result = _by_name(report.run_checks(_needs(region="eu-west-1"), world.clients))["rft-region"]
    assert result.status == FAIL and 'region = "us-east-1"' in result.fix


def test_an_inactive_base_model_fails(world):
    world.healthy(base_model=lambda: world.base_model("LEGACY"))
    assert _by_name(report.run_checks(_needs(), world.clients))["rft-region"].status == FAIL


def test_no_model_access_fails_with_where_to_request_it(world):
    world.healthy(access=lambda: world.access(entitled=False))
    result = _by_name(report.run_checks(_needs(), world.clients))["base-model-access"]
    assert result.status == FAIL and "Model access" in result.fix and "entitlement" in result.detail


@pytest.mark.parametrize(
    "answer, status, says",
    [
        ({}, PASS, f"{PROFILE_MODEL} is available to this account in {REGION}"),
        ({"entitled": False}, FAIL, "no entitlement"),
        ({"status": "DISABLED"}, FAIL, f"{PROFILE} is DISABLED"),
    ],
)
def test_the_inference_profile_the_base_model_is_called_through_is_checked(world, answer, status, says):
    world.healthy(profile=lambda: world.profile(**answer))
    results = _by_name(report.run_checks(_needs(base_model_profile=PROFILE), world.clients))
    assert results["base-model-profile"].status == status and says in results["base-model-profile"].detail
    assert results["base-model-access"].status == PASS  # the training id is checked on its own


def test_each_judge_is_checked_and_an_unauthorized_one_fails(world):
    world.healthy(quotas=None)
    world.access(JUDGE, authorized=False)
    world.stubs["bedrock"].add_response(
        "get_inference_profile",
        {
            "inferenceProfileName": "us haiku",
            "inferenceProfileArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/us.{JUDGE}",
            "inferenceProfileId": f"us.{JUDGE}",
            "status": "ACTIVE",
            "type": "SYSTEM_DEFINED",
            "models": [{"modelArn": f"arn:aws:bedrock:{REGION}::foundation-model/{JUDGE}"}],
        },
        {"inferenceProfileIdentifier": f"us.{JUDGE}"},
    )
    world.access(JUDGE)
    world.quotas()
    judges = (
        Judge(model_id=JUDGE, kind="foundation-model", foundation_model=JUDGE, region=REGION),
        Judge(model_id=f"us.{JUDGE}", kind="inference-profile", foundation_model=JUDGE, region=REGION),
    )
    results = _by_name(report.run_checks(_needs(judges=judges), world.clients))
    assert results["judge-0-access"].status == FAIL and results["judge-1-access"].status == PASS


def test_train_only_needs_no_deployment_quota_or_api(world):
    world.healthy(deploys=False)
    results = report.run_checks(_needs(deploys=False), world.clients)
    assert report.exit_code(results) == report.EXIT_READY


@pytest.mark.parametrize(("jobs", "deployments", "expected"), [(0.0, 5.0, FAIL), (2.0, None, UNKNOWN)])
def test_quotas_at_zero_fail_and_missing_ones_are_unknown(world, jobs, deployments, expected):
    world.healthy(quotas=lambda: world.quotas(jobs=jobs, deployments=deployments))
    results = report.run_checks(_needs(), world.clients)
    assert _by_name(results)["service-quotas"].status == expected
    assert report.exit_code(results) == (report.EXIT_NOT_READY if expected == FAIL else report.EXIT_UNKNOWN)


def test_a_denied_read_is_unknown_never_pass_and_exits_3(world):
    world.healthy(
        concurrency=lambda: world.stubs["lambda"].add_client_error(
            "get_account_settings", "AccessDeniedException", "no", 403
        )
    )
    results = report.run_checks(_needs(), world.clients)
    result = _by_name(results)["lambda-concurrency"]
    assert result.status == UNKNOWN and "AccessDeniedException" in result.detail
    assert "lambda:GetAccountSettings" in result.fix
    assert report.exit_code(results) == report.EXIT_UNKNOWN
    assert "????  lambda-concurrency" in report.render_text(_needs(), results)


# --- mode = "provisioned": model units ------------------------------------------------------------


def _units_quota(world, value: float | None) -> None:
    quotas = [{"QuotaName": "Concurrent model customization jobs", "Value": 2.0, "QuotaCode": "L-2"}]
    if value is not None:
        name = "Model units no-commitment Provisioned Throughputs across custom models"
        quotas.append({"QuotaName": name, "Value": value, "QuotaCode": "L-9"})
    world.stubs["service-quotas"].add_response(
        "list_service_quotas", {"Quotas": quotas}, {"ServiceCode": "bedrock"}
    )


@pytest.mark.parametrize(
    ("quota", "status", "fragment"),
    [(4.0, PASS, "= 4 >= 2"), (1.0, FAIL, "asks for 2"), (None, UNKNOWN, "no Service Quotas entry")],
)
def test_provisioned_units_are_checked_against_the_no_commitment_quota(world, quota, status, fragment):
    world.healthy(deploys=False, quotas=lambda: (world.quotas(deployments=None), _units_quota(world, quota)))
    needs = _needs(deploys=False, provisioned_units=2)
    result = _by_name(report.run_checks(needs, world.clients))["provisioned-model-units"]
    assert result.status == status and fragment in result.detail
    if status == FAIL:
        assert "at least 2" in result.fix


def test_committed_units_cannot_be_read_and_say_to_ask_support(world):
    world.healthy(deploys=False, quotas=lambda: world.quotas(deployments=None))
    results = _by_name(
        report.run_checks(_needs(deploys=False, provisioned_units=1, commitment="SixMonths"), world.clients)
    )
    result = results["provisioned-model-units"]
    assert result.status == UNKNOWN and "AWS Support" in result.fix


def test_other_modes_run_no_units_check(world):
    world.healthy()
    assert "provisioned-model-units" not in _by_name(report.run_checks(_needs(), world.clients))


@pytest.mark.parametrize(
    ("step", "service", "operation", "check", "action"),
    [
        ("identity", "sts", "get_caller_identity", "credentials", "sts:GetCallerIdentity"),
        ("bootstrap", "cloudformation", "describe_stacks", "cdk-bootstrap", "cloudformation:DescribeStacks"),
        ("base_model", "bedrock", "get_foundation_model", "rft-region", "bedrock:GetFoundationModel"),
        (
            "deployments",
            "bedrock",
            "list_custom_model_deployments",
            "on-demand-deployment",
            "bedrock:ListCustomModelDeployments",
        ),
        (
            "access",
            "bedrock",
            "get_foundation_model_availability",
            "base-model-access",
            "bedrock:GetFoundationModelAvailability",
        ),
        (
            "quotas",
            "service-quotas",
            "list_service_quotas",
            "service-quotas",
            "servicequotas:ListServiceQuotas",
        ),
    ],
)
def test_every_check_whose_read_is_refused_is_unknown_with_the_permission_to_add(
    world, step, service, operation, check, action
):
    world.healthy(
        **{step: lambda: world.stubs[service].add_client_error(operation, "AccessDeniedException", "no", 403)}
    )
    results = _by_name(report.run_checks(_needs(), world.clients))
    assert results[check].status == UNKNOWN and "AccessDeniedException" in results[check].detail
    assert action in results[check].fix
    assert [r.status for name, r in results.items() if name != check] == [PASS] * 6


def test_the_code_runners_reservation_counts_toward_the_account_limit():
    needs = _needs(reward_reserved_concurrency=10, runner_reserved_concurrency=20)
    assert needs.reserved_concurrency == 30
