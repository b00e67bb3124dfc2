"""The ``preflight`` step: staging copies made, every dataset object present and readable, and
the grader probed with the first training row (a grader that cannot work fails the run before any
job exists)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from rft_runtime.lifecycle import retry
from rft_runtime.lifecycle.errors import PreflightFailed
from rft_runtime.lifecycle.spec import RunSpec


def _split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise PreflightFailed(f"{uri!r} is not an s3://bucket/key URI")
    bucket, key = uri[5:].split("/", 1)
    return bucket, key


def _head(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    """HeadObject; ``None`` when the object does not exist. Access errors propagate."""
    try:
        return retry.call(s3.head_object, Bucket=bucket, Key=key)
    except ClientError as exc:
        if retry.error_code(exc) in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def stage(spec: RunSpec, clients: Any) -> list[dict[str, Any]]:
    """Copy staged dataset files (CDK file assets) to their content-addressed keys, server side.

    A key that already exists holds the same content (its name is the content's SHA-256), so it
    is left alone: re-runs and other runs of the same data copy nothing.
    """
    done: list[dict[str, Any]] = []
    for copy in spec.staging_copies:
        target = f"s3://{spec.dataset_bucket}/{copy['targetKey']}"
        if _head(clients.s3, spec.dataset_bucket, copy["targetKey"]) is not None:
            done.append({"uri": target, "copied": False})
            continue
        source = {"Bucket": copy["sourceBucket"], "Key": copy["sourceKey"]}
        try:
            retry.call(
                clients.s3.copy_object, Bucket=spec.dataset_bucket, Key=copy["targetKey"], CopySource=source
            )
        except ClientError as exc:
            code = retry.error_code(exc)
            where = f"s3://{source['Bucket']}/{source['Key']}"
            if code in ("404", "NoSuchKey", "NoSuchBucket"):
                raise PreflightFailed(
                    f"staged dataset {where} is missing (was the deploy interrupted?)"
                ) from exc
            if code in ("403", "AccessDenied"):
                raise PreflightFailed(f"cannot copy {where} to {target}: access denied") from exc
            raise
        done.append({"uri": target, "copied": True})
    return done


def preflight(spec: RunSpec, clients: Any) -> dict[str, Any]:
    """Stage local dataset files (:func:`stage`), then HeadObject every training/validation object
    in the dataset bucket: it must exist, be readable by the workflow and not be empty. Objects in
    other buckets are listed as unchecked. Last, one probe sample goes to the reward function
    (:func:`check_grader`), so a grader that cannot work fails the run before any job exists."""
    staged = stage(spec, clients)
    checked: list[dict[str, Any]] = []
    problems: list[str] = []
    for uri in spec.preflight_uris:
        bucket, key = _split_s3_uri(uri)
        if spec.dataset_bucket and bucket != spec.dataset_bucket:
            checked.append({"uri": uri, "checked": False})
            continue
        try:
            head = retry.call(clients.s3.head_object, Bucket=bucket, Key=key)
        except ClientError as exc:
            code = retry.error_code(exc)
            if code in ("404", "NoSuchKey", "NotFound"):
                problems.append(f"{uri} does not exist")
            elif code in ("403", "AccessDenied", "Forbidden"):
                problems.append(
                    f"{uri} cannot be read (access denied: check the bucket policy and the KMS key)"
                )
            else:
                raise
            continue
        if int(head.get("ContentLength", 0)) == 0:
            problems.append(f"{uri} is empty")
        checked.append(
            {
                "uri": uri,
                "checked": True,
                "size": int(head.get("ContentLength", 0)),
                "eTag": head.get("ETag", ""),
            }
        )
    if problems:
        raise PreflightFailed("; ".join(problems))
    return {"objects": checked, "staged": staged, "grader": check_grader(spec, clients)}


#: Error tags of a grader that cannot work at all (see ``rft_runtime.rewards``): it was not built
#: (``config-error``, e.g. a custom grader with a failing import), grading itself broke
#: (``internal-error``) or the LLM judge cannot be called (``judge-error``: access denied, no such
#: model, ...). Data-dependent tags (bad reference, unparseable answer, throttling) never fail a run.
FATAL_GRADER_TAGS = frozenset({"config-error", "internal-error", "judge-error"})


#: Bytes of the training data read to find its first row.
SAMPLE_RANGE_BYTES = 256 * 1024


PROBE_ID = "rft-preflight-probe"


_FALLBACK_ROW = {
    "messages": [{"role": "user", "content": "What is 2 + 2? Give the final answer only."}],
    "reference_answer": "4",
}


def _first_row(spec: RunSpec, clients: Any) -> tuple[dict[str, Any], str]:
    """(first training row, where it came from); a built-in row when it cannot be read."""
    uri = (spec.job_request.get("trainingDataConfig") or {}).get("s3Uri")
    if (
        not isinstance(uri, str)
        or not uri.startswith(f"s3://{spec.dataset_bucket}/")
        or not spec.dataset_bucket
    ):
        return dict(_FALLBACK_ROW), "built-in sample"
    bucket, key = _split_s3_uri(uri)
    try:
        out = retry.call(
            clients.s3.get_object, Bucket=bucket, Key=key, Range=f"bytes=0-{SAMPLE_RANGE_BYTES - 1}"
        )
        head = out["Body"].read()
    except ClientError:
        return dict(_FALLBACK_ROW), "built-in sample"
    line = head.split(b"\n", 1)[0]
    try:
        row = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return dict(_FALLBACK_ROW), "built-in sample"
    if not isinstance(row, dict) or not isinstance(row.get("messages"), list) or not row["messages"]:
        return dict(_FALLBACK_ROW), "built-in sample"
    return row, f"first row of {uri}"


def grader_probe(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A one-sample Bedrock grader payload: the row's prompt answered with its reference answer."""
    messages = [m for m in row.get("messages", []) if isinstance(m, dict)]
    while messages and messages[-1].get("role") in ("assistant", "nova_assistant"):
        messages.pop()  # the generated turn is the one we add
    reference = row.get("reference_answer")
    if isinstance(reference, str):
        answer = reference
    elif reference is None:
        answer = "I don't know."
    else:
        answer = json.dumps(reference, ensure_ascii=False)
    metadata = {k: v for k, v in row.items() if k != "messages"}
    return [
        {
            "id": PROBE_ID,
            "messages": [*messages, {"role": "assistant", "content": answer}],
            "metadata": metadata,
        }
    ]


def _error_tags(result: Mapping[str, Any]) -> list[str]:
    tags = []
    for metric in result.get("metrics_list") or []:
        name = str((metric or {}).get("name", "")) if isinstance(metric, dict) else ""
        if name.startswith("error/") and (metric.get("value") or 0) > 0:
            tags.append(name.removeprefix("error/"))
    return tags


def check_grader(spec: RunSpec, clients: Any) -> dict[str, Any]:
    """Invoke the reward function version once with a one-sample grader payload.

    Fails the run (:class:`PreflightFailed`) before any job exists when the grader cannot work:
    the function raises (e.g. a failing import), answers with something other than a list holding
    the sample's id, or scores the sample with an error that would zero every reward of the job
    (:data:`FATAL_GRADER_TAGS`). It also fails when the check itself cannot be made: no Lambda
    client (e.g. ``UnknownServiceError``: the asset's botocore lacks the ``lambda`` model) or an
    invocation refused for good (access denied, no such version, a malformed request). Only a
    transient failure (throttling, 5xx, a timeout or connection error, see
    :func:`retry.is_transient`) is reported as unchecked: a passing moment must not stop a working
    grader, but a check that can never run must not pass as one.
    """
    grader = (
        spec.job_request.get("customizationConfig", {})
        .get("rftConfig", {})
        .get("graderConfig", {})
        .get("lambdaGrader", {})
        .get("lambdaArn", "")
    )
    row, source = _first_row(spec, clients)
    payload = grader_probe(row)
    try:
        lambda_client = clients.lambda_
    except BotoCoreError as exc:
        raise PreflightFailed(
            f"cannot create the Lambda client that checks the grader ({type(exc).__name__}: {exc})"[:1000]
        ) from exc
    try:
        out = lambda_client.invoke(
            FunctionName=grader, InvocationType="RequestResponse", Payload=json.dumps(payload).encode()
        )
        body = out["Payload"].read()
    except (ClientError, BotoCoreError) as exc:
        if not retry.is_transient(exc):
            problem = f"cannot invoke reward function {grader} to check it: {exc}"
            raise PreflightFailed(problem[:1000]) from exc
        return {"checked": False, "note": f"grader not checked: {exc}"[:500]}
    where = f"reward function {grader} on the {source}"
    try:
        results = json.loads(body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        results = body[:200].decode("utf-8", "replace")
    if out.get("FunctionError"):
        detail = (
            results
            if not isinstance(results, dict)
            else (f"{results.get('errorType', 'Error')}: {results.get('errorMessage', '')}")
        )
        raise PreflightFailed(f"{where} failed ({out['FunctionError']}): {str(detail)[:1000]}")
    if (
        not isinstance(results, list)
        or len(results) != 1
        or not isinstance(results[0], dict)
        or results[0].get("id") != PROBE_ID
    ):
        raise PreflightFailed(
            f"{where} did not answer with a list of results echoing the sample id "
            f"{PROBE_ID!r}: {json.dumps(results, default=str)[:500]}"
        )
    tags = _error_tags(results[0])
    fatal = sorted(set(tags) & FATAL_GRADER_TAGS)
    if fatal:
        raise PreflightFailed(
            f"{where} cannot grade ({', '.join(fatal)}); every reward of the job would be 0. Check the "
            "reward function's log (the grader's configuration or imports, or the judge model's access)"
        )
    return {
        "checked": True,
        "source": source,
        "score": results[0].get("aggregate_reward_score"),
        "errors": tags,
    }
