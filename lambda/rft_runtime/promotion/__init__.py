"""The promotion gate: is the newly trained model better than the one serving, on the validation set?

Modules, one job each:

- ``batch``: one Distributed Map batch: Converse for the candidate and the incumbent model, both
  graded by the reward function version the job trained with (invoked with the Bedrock grader
  payload).
- ``results``: the Map's ResultWriter output read back from S3 and checked for completeness.
- ``candidate``: the temporary candidate deployment (create, poll, remove).
- ``incumbent``: what the candidate is measured against (what serves now, on demand or
  provisioned, or the base model).
- ``outcome``: the state record after the decision (REJECTED; ``rft promote``'s manual override).
- ``progress``: phase ``EVALUATING`` in the state record while the gate runs (what it does now).
- ``handlers``: the Lambda entry points.
- ``gate``: the summarising step: figures and HTML report (``rft_runtime.evaluation``) written to
  ``s3://<bucket>/runs/<fingerprint>/evaluation/``, and the decision (promote, reject, error).
"""
