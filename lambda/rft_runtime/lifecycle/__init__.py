"""Runtime of the training lifecycle: launcher custom resource, workflow steps, job-event signal.

Modules (each small, none imports boto3 at import time except through the clients it is handed):

- ``names``: deterministic fingerprint, job/model/deployment names, idempotency tokens.
- ``errors``: exception classes whose *names* Step Functions matches in Retry/Catch.
- ``retry``: bounded retry with jittered backoff for throttling and 5xx.
- ``bedrock_calls``: the Bedrock API calls, each retried and mapped to ``errors``.
- ``spec``: the run specification (what the construct asks for) and its validation.
- ``state``: the pipeline state record kept in an SSM parameter, plus event/SNS publishing.
- ``steps``: the workflow actions (pre-flight, start job, check job, deployment, publish).
- ``adoption``: ``promote_from``: waits for the source pipeline's promoted model and adopts it.
- ``launcher``: the custom resource ``on_event`` logic (start, adopt, stop).
- ``job_events``: turns an ``aws.bedrock`` job state-change event into a task-token signal.
- ``time_limit``: ``max_training_hours``: stops a job that has trained too long.
- ``execution_end``: stops the job of a run whose execution ended unfinished.
- ``model_pruning``: ``keep_models``: deletes old custom models that nothing uses.
- ``observe``: read-only view of a pipeline used by ``rft status`` and ``rft wait``.
- ``handlers``: the thin Lambda entry points.
"""
