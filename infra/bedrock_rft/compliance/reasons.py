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
