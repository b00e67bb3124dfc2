"""bedrock_rft: AWS CDK constructs for Amazon Bedrock reinforcement fine-tuning (RFT).

Folders, one component each:

- ``config``: typed per-environment configuration loaded from ``environments/<env>.toml``.
- ``security``: the customer-managed KMS key and the Bedrock customization service role.
- ``storage``: the dataset bucket (and its access-log bucket).
- ``network``: the isolated VPC the training job and Lambdas run in.
- ``data``: synth-time dataset validation and content-addressed upload.
- ``reward``: the reward (grader) Lambda.
- ``lifecycle``: launcher custom resource and the Step Functions workflow that trains and deploys.
- ``observability``: the pipeline's CloudWatch dashboard and failed-run alarm.
- ``compute``: the Lambda settings every function of the package shares.
- ``assets``: the Lambda code asset (``rft_runtime`` plus a pinned boto3, bundled without Docker).
- ``compliance``: cdk-nag packs and the package's narrow acknowledgments.
- ``tools``: helpers the Makefile runs (the synth summary).
- ``stack``: ``RftStack``, which composes all of them from one config.
"""
