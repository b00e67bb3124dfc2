"""Which model ARNs an LLM-judge reward function may invoke."""

from __future__ import annotations

import re

import aws_cdk as cdk

#: Model ids of cross-Region inference profiles start with a geography prefix.
_PROFILE_PREFIX = re.compile(r"^(us|eu|apac|us-gov|ca|jp|au|global)\.")


def judge_model_arns(
    stack: cdk.Stack, model_id: str, region: str | None = None
) -> tuple[list[str], list[str]]:
    """(ARNs to allow ``bedrock:InvokeModel`` on, inference-profile ARNs that condition the rest).

    A foundation model id gives its one ARN in ``region`` (default: the stack's). An inference
    profile id (``us.anthropic...``) gives the profile ARN plus the foundation model in every Region
    the profile may route to, allowed only through that profile (``bedrock:InferenceProfileArn``).
    """
    region = region or stack.region
    if _PROFILE_PREFIX.match(model_id):
        profile = stack.format_arn(
            service="bedrock", region=region, resource="inference-profile", resource_name=model_id
        )
        base_model = _PROFILE_PREFIX.sub("", model_id)
        routed = f"arn:{stack.partition}:bedrock:*::foundation-model/{base_model}"
        return [profile, routed], [profile]
    model = f"arn:{stack.partition}:bedrock:{region}::foundation-model/{model_id}"
    return [model], []
