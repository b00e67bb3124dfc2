"""``[deployment] keep_models``: pruning deletes only old, unused, own models (Stubber: any call
not queued, such as a DeleteCustomModel of a protected model, fails the test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lifecycle_fakes import ACCOUNT, DEPLOYMENT_ARN, PIPELINE, REGION, job_arn, make_spec

from rft_runtime.lifecycle import model_pruning, state, steps

EXEC = "arn:aws:states:us-east-1:123456789012:execution:RftLifecycle:demo-aaaa"
BASE = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.nova-2-lite-v1:0:256k"
T0 = datetime(2026, 5, 1, tzinfo=UTC)


def arn(short: str) -> str:
    return f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/amazon.nova-2-lite-v1:0:256k/{short}"


def summary(short: str, age_days: int, *, name: str | None = None, status: str = "Active") -> dict:
    return {"modelArn": arn(short), "modelName": name or f"rft-{PIPELINE}-{short}", "baseModelArn": BASE,
            "baseModelName": "nova-2-lite", "creationTime": T0 - timedelta(days=age_days),
            "modelStatus": status}  # fmt: skip


def deployment(name: str, model: str, **extra) -> dict:
    return {"customModelDeploymentArn": f"{DEPLOYMENT_ARN}{name}", "customModelDeploymentName": name,
            "modelArn": model, "createdAt": T0, "status": "Active", **extra}  # fmt: skip


def queue_in_use(stub, deployments: list[dict], details: list[dict], provisioned: list[dict] = ()) -> None:
    stub.add_response("list_custom_model_deployments", {"modelDeploymentSummaries": deployments})
    for found in details:
        body = {k: v for k, v in found.items() if k != "customModelDeploymentName"}
        stub.add_response(
            "get_custom_model_deployment", {**body, "modelDeploymentName": found["customModelDeploymentName"]}
        )
    stub.add_response("list_provisioned_model_throughputs", {"provisionedModelSummaries": list(provisioned)})


def tags(stub, short: str, **pairs: str) -> None:
    stub.add_response(
        "list_tags_for_resource",
        {"tags": [{"key": k, "value": v} for k, v in pairs.items()]},
        {"resourceARN": arn(short)},
    )


OWN = {"bedrock-rft:pipeline": PIPELINE}


def test_pruning_deletes_only_the_old_unused_model_and_never_a_serving_or_promoted_one(aws):
    stub = aws.bedrock
    models = [
        summary("00000000000a", 0),  # newest: this run's model, serving
        summary("00000000000b", 1),  # the model served before it
        summary("00000000000c", 2),  # serving in another environment (prod deployment)
        summary("00000000000d", 3),  # a candidate: a deployment is being swapped to it
        summary("00000000000e", 4),  # promoted by another environment (tag)
        summary("00000000000f", 5),  # provisioned throughput uses it
        summary("000000000010", 6),  # old, unused: the one to delete
        summary("000000000011", 7),  # named like ours but not tagged as this pipeline's
        summary("000000000012", 8, status="Creating"),
        summary("000000000013", 9, name="rft-demo-x-000000000013"),  # pipeline demo-x, not demo
    ]
    stub.add_response(
        "list_custom_models", {"modelSummaries": models}, {"nameContains": "rft-demo-", "maxResults": 100}
    )
    prod = deployment("prod", arn("00000000000c"))
    swapping = deployment("dev", arn("00000000000a"), updateDetails={"modelArn": arn("00000000000d"),
                          "updateStatus": "Updating"})  # fmt: skip
    summaries = [prod, {k: v for k, v in swapping.items() if k != "updateDetails"}]
    provisioned = {"provisionedModelName": "pt", "provisionedModelArn": f"{DEPLOYMENT_ARN}pt",
                   "modelArn": arn("00000000000f"), "desiredModelArn": arn("00000000000f"),
                   "foundationModelArn": BASE, "modelUnits": 1, "desiredModelUnits": 1, "status": "InService",
                   "creationTime": T0, "lastModifiedTime": T0}  # fmt: skip
    queue_in_use(stub, summaries, [prod, swapping], [provisioned])
    tags(stub, "00000000000e", **OWN, **{"bedrock-rft:promoted": "prod"})
    tags(stub, "000000000010", **OWN)
    stub.add_response("delete_custom_model", {}, {"modelIdentifier": arn("000000000010")})
    tags(stub, "000000000011", **{"bedrock-rft:pipeline": "other"})

    result = model_pruning.prune(aws.clients.bedrock, PIPELINE, 1, [arn("00000000000a"), arn("00000000000b")])
    aws.verify()
    assert result["deleted"] == ["rft-demo-000000000010"] and "skipped" not in result
    kept = result["kept"]
    assert kept["rft-demo-00000000000a"] == "among the 1 newest"
    assert kept["rft-demo-00000000000b"].startswith("serving, previously serving")
    for short in ("00000000000c", "00000000000d", "00000000000f"):
        assert kept[f"rft-demo-{short}"] == "used by a deployment or provisioned throughput"
    assert kept["rft-demo-00000000000e"] == "tagged bedrock-rft:promoted"
    assert kept["rft-demo-000000000011"].startswith("not tagged bedrock-rft:pipeline")
    assert kept["rft-demo-000000000012"] == "status Creating"
    assert "rft-demo-x-000000000013" not in kept


def test_when_the_models_in_use_cannot_be_listed_nothing_is_deleted(aws):
    aws.bedrock.add_response("list_custom_models", {"modelSummaries": [summary("00000000000a", 0),
                             summary("00000000000b", 5)]})  # fmt: skip
    aws.bedrock.add_client_error("list_custom_model_deployments", "AccessDeniedException", "denied", 403)
    result = model_pruning.prune(aws.clients.bedrock, PIPELINE, 1, [])
    aws.verify()
    assert result["deleted"] == [] and "AccessDeniedException" in result["skipped"]


def test_keep_models_zero_makes_no_call():
    assert model_pruning.prune(object(), PIPELINE, 0, [])["deleted"] == []


def test_a_successful_run_prunes_after_publishing_and_protects_old_and_new_serving_models(aws):
    spec = make_spec(keepModels=1)
    new, old = arn("00000000000a"), arn("00000000000b")
    aws.put_record(phase=state.DEPLOYING, fingerprint=spec.fingerprint, executionArn=EXEC,
                   deploymentArn=DEPLOYMENT_ARN, servingModelArn=old)  # fmt: skip
    aws.bedrock.add_response("list_custom_models", {"modelSummaries": [summary("00000000000a", 0),
                             summary("00000000000b", 3), summary("00000000000c", 9)]})  # fmt: skip
    serving = deployment("demo", old)
    queue_in_use(aws.bedrock, [serving], [serving])
    tags(aws.bedrock, "00000000000c", **OWN)
    aws.bedrock.add_response("delete_custom_model", {}, {"modelIdentifier": arn("00000000000c")})
    job = {"jobName": spec.names.job_name, "jobArn": job_arn(), "status": "Completed", "modelArn": new}
    out = steps.publish_success(spec, job, {"arn": DEPLOYMENT_ARN}, aws.clients, aws.settings, EXEC)
    aws.verify()
    assert out["pruning"]["deleted"] == ["rft-demo-00000000000c"]
    assert aws.record()["phase"] == state.ACTIVE and aws.record()["servingModelArn"] == new


def test_a_pruning_failure_never_fails_the_run(aws):
    spec = make_spec(keepModels=2)
    aws.put_record(phase=state.DEPLOYING, fingerprint=spec.fingerprint, executionArn=EXEC)
    aws.bedrock.add_client_error("list_custom_models", "ThrottlingException", "slow down", 400)
    for _ in range(5):  # retry.call retries throttling, then gives up
        aws.bedrock.add_client_error("list_custom_models", "ThrottlingException", "slow down", 400)
    job = {
        "jobName": spec.names.job_name,
        "jobArn": job_arn(),
        "status": "Completed",
        "modelArn": arn("a" * 12),
    }
    out = steps.publish_success(spec, job, {"arn": DEPLOYMENT_ARN}, aws.clients, aws.settings, EXEC)
    assert out["phase"] == state.ACTIVE and out["pruning"]["deleted"] == []
    assert out["pruning"]["skipped"]
