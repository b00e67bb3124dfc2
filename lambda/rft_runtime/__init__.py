"""Code that runs inside AWS Lambda and in the ``rft`` command-line tool.

Subpackages:

- ``datasets``: streaming validator and invocation-log converter for RFT training data.
- ``rewards``: grader runtime (pure scoring cores, the Lambda batch adapter, templates).
- ``lifecycle``: handlers of the launcher custom resource and the training workflow steps.
- ``cli``: the ``rft`` command.

Nothing here imports boto3 or other heavy modules at package import time.
"""

__version__ = "0.1.0"
