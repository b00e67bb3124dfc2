"""Reasons shared by acknowledgments in several constructs (one wording, one place)."""

#: For NIST/HIPAA IAMNoInlinePolicy on a CDK-generated ``DefaultPolicy``.
CDK_INLINE_POLICY = (
    "CDK writes this role's least-privilege policy inline (grants are added where each permission is "
    "needed); it belongs to exactly one role and is created and deleted with it."
)
#: For AwsSolutions-IAM5[Resource::*] on a function role: tracing and VPC attachment.
FUNCTION_WILDCARDS = (
    "X-Ray PutTraceSegments/PutTelemetryRecords (added by CDK for tracing) and the EC2 network-"
    "interface actions Lambda needs to attach a function to a VPC support no resource-level "
    "permissions; IAM accepts only '*' for them."
)
#: For LambdaDLQ on functions that are only ever invoked synchronously.
SYNCHRONOUS_NO_DLQ = (
    "Invoked synchronously, and the caller retries and reports every failure itself; a dead-letter "
    "queue only receives failed asynchronous events, so it would never hold anything."
)
#: For NIST/HIPAA LambdaConcurrency on a function left unreserved (the package default).
UNRESERVED_CONCURRENCY = (
    "Unreserved on purpose (the default, 0): reserving concurrency needs an account limit of at least "
    "the reservations plus 100, which new accounts with a limit of 10 or 50 do not have. Set "
    "reward.reserved_concurrency to reserve capacity for the grader where the account allows it."
)
