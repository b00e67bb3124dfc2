"""Review 3 (adversarial review of the promotion gate and promote_from): reproductions.

Each test states the behaviour the README promises; each failed on the code the review found
(written as strict xfails first) and passes since its fix.
"""

from __future__ import annotations

import json

from lifecycle_fakes import (
    ACCOUNT,
    FP_A,
    PIPELINE,
    REGION,
    expect_candidate_delete,
    job_arn,
    job_response,
    make_spec,
)

from rft_runtime.lifecycle import adoption, execution_end, names, state

MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:bedrock-rft-{PIPELINE}"
# real execution names (launcher.execution_name): they carry the fingerprint's first 16 digits
EXEC = names.execution_arn(MACHINE, names.RunNames(PIPELINE, FP_A).execution_name("request-1"))
NEWER = names.execution_arn(MACHINE, names.RunNames(PIPELINE, "b" * 64).execution_name("request-2"))


def aborted(execution: str = EXEC) -> dict:
    return {"source": "aws.states", "detail-type": "Step Functions Execution Status Change",
            "detail": {"executionArn": execution, "status": "ABORTED"}}  # fmt: skip


def test_a_run_aborted_during_its_gate_removes_its_candidate_deployment(aws):
    spec = make_spec()
    # the gate runs after the job Completed; the record still names this execution
    aws.put_record(phase=state.TRAINING, fingerprint=spec.fingerprint, executionArn=EXEC,
                   jobName=spec.names.job_name, jobArn=job_arn(), jobStatus="Completed")  # fmt: skip
    aws.bedrock.add_response("get_model_customization_job", job_response("Completed"))
    expect_candidate_delete(aws, spec.names.candidate_deployment_name)
    execution_end.on_execution_end(aborted(), aws.clients, aws.settings)
    aws.verify()


def test_a_superseded_run_stopped_during_its_gate_still_removes_its_candidate(aws):
    spec = make_spec()
    aws.put_record(phase=state.STARTING, fingerprint="b" * 64, executionArn=NEWER,
                   jobName=names.RunNames(PIPELINE, "b" * 64).job_name)  # fmt: skip
    expect_candidate_delete(aws, spec.names.candidate_deployment_name)
    execution_end.on_execution_end(aborted(), aws.clients, aws.settings)
    aws.verify()


# --- promote_from: what marks a model "promoted" ------------------------------------------------

SOURCE = "demo-dev"
SOURCE_MODEL = names.RunNames(SOURCE, FP_A).custom_model_name
SOURCE_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/amazon.nova-2-lite-v1:0:256k/50urce"


def test_a_model_the_source_gate_rejected_is_not_adopted_even_if_born_tagged_promoted(aws):
    spec = make_spec(promoteFrom={"pipeline": SOURCE, "account": ACCOUNT, "region": REGION})
    aws.bedrock.add_response(
        "get_custom_model",
        {"modelArn": SOURCE_ARN, "modelName": SOURCE_MODEL, "creationTime": "2026-05-01T09:00:00Z",
         "modelStatus": "Active"},
        {"modelIdentifier": SOURCE_MODEL},
    )  # fmt: skip
    tags = [{"key": "bedrock-rft:pipeline", "value": SOURCE}]
    tags.append({"key": "bedrock-rft:promoted", "value": "gate"})
    aws.bedrock.add_response("list_tags_for_resource", {"tags": tags}, {"resourceARN": SOURCE_ARN})
    aws.clients.ssm.put_parameter(
        Name=names.state_parameter_name(SOURCE),
        Value=json.dumps({"schema": 1, "pipeline": SOURCE, "phase": state.REJECTED, "fingerprint": FP_A,
                          "modelArn": SOURCE_ARN}),
        Type="String",
        Overwrite=True,
    )  # fmt: skip
    job = adoption.adopt_model(
        spec, {}, aws.clients, aws.settings, execution=(EXEC, "2026-05-01T08:00:00.250Z")
    )
    assert job["status"] == "Failed", f"adopted a model the source's gate rejected: {job}"
