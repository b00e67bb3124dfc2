"""GitOps for RFT pipelines: ``rft plan`` (what a change would do) and ``rft init gitops``.

- ``assembly``: read the stacks, templates and cdk-nag records of synthesized cloud assemblies.
- ``intrinsics``: CloudFormation values with ``Ref``/``Fn::*`` rendered as readable text.
- ``training``: find each training run in a template (by resource type and properties) and say
  which training inputs differ between two versions.
- ``infrastructure``: ``cdk diff --template`` between two assemblies (no credentials needed).
- ``compliance``: cdk-nag acknowledgments and validation findings added by a change.
- ``synth``: synthesize a git ref (or the working tree) into a temporary cloud assembly.
- ``plan``: the plan itself, per environment (stack), and its gates (``--fail-on``).
- ``render``: the plan as text, markdown (a pull-request comment) or JSON.
- ``scaffold``: the GitHub Actions workflow ``rft init gitops`` writes (``workflow/rft-plan.yml``).
"""
