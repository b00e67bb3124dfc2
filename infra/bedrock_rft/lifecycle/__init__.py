"""The training lifecycle: launcher custom resource, Step Functions workflow, job-event signal.

:class:`RftLifecycle` is the one public construct; the modules behind it are
``inputs`` (props checks, fingerprint), ``functions`` (the three Lambdas), ``workflow`` (state
machine), ``launcher`` (custom-resource provider) and ``acknowledgments`` (cdk-nag).
"""

from bedrock_rft.lifecycle.construct import RftLifecycle

__all__ = ["RftLifecycle"]
