"""The training lifecycle: launcher custom resource, Step Functions workflow, job-event signal.

:class:`RftLifecycle` is the one public construct (:class:`GateSettings`: its promotion gate);
the modules behind it are ``inputs`` (props checks, fingerprint), ``workflow`` (state machine;
``polling``: its wait-until-settled loops), ``launcher`` (custom-resource provider), ``event_rules``
(EventBridge -> Lambda), ``cost_controls`` (stop a job its run left behind, model-pruning grants),
``adoption`` (``promote_from``: the spec member and grants), ``provisioned_grants`` (provisioned
mode), ``promotion_gate`` and ``gate_states`` (the promotion gate's functions and states) and
``acknowledgments`` (cdk-nag).
"""

from bedrock_rft.lifecycle.construct import RftLifecycle
from bedrock_rft.lifecycle.promotion_gate import GateSettings

__all__ = ["GateSettings", "RftLifecycle"]
