"""What one pipeline needs from the account and Region it deploys to."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Lambda always keeps this many concurrent executions unreserved in an account; reserved
#: concurrency can only be set while the rest stays at or above it.
LAMBDA_UNRESERVED_MINIMUM = 100
#: The CDK bootstrap version the synthesized templates require (their ``CheckBootstrapVersion`` rule).
MIN_BOOTSTRAP_VERSION = 6


@dataclass(frozen=True, kw_only=True)
class Judge:
    """An LLM-judge model: ``model_id`` as configured, ``kind`` (``foundation-model``,
    ``inference-profile`` or ``application-inference-profile``), the foundation model it is or
    routes to (``foundation_model``, None when unknown) and the ``region`` it is called in."""

    model_id: str
    kind: str
    foundation_model: str | None
    region: str


@dataclass(frozen=True, kw_only=True)
class DeployNeeds:
    """One pipeline's needs.

    ``reward_reserved_concurrency``: None or 0 = unreserved; ``runner_reserved_concurrency``: its
    code runner's (``code_tests``; default 0). ``deploys``: True when the trained
    model gets an on-demand deployment. ``rft_regions``: where the service documents RFT for the
    base model. ``account``: the config's account (None: any). ``provisioned_units``: model units
    of the pipeline's Provisioned Throughput (default 0: not in provisioned mode);
    ``commitment``: its term (default ``none``). ``stack_name``: the
    CloudFormation stack the pipeline deploys as; when it exists already, the concurrency its
    functions reserve now is counted back (an update replaces it), default None: not looked up.
    ``base_model_profile``: the inference profile the promotion gate and ``rft baseline``/``compare``
    call the base model through (default None: the base model is called as it is).
    """

    pipeline: str
    region: str
    base_model: str
    reward_reserved_concurrency: int | None
    deploys: bool
    rft_regions: tuple[str, ...]
    account: str | None = None
    judges: tuple[Judge, ...] = field(default_factory=tuple)
    provisioned_units: int = 0
    commitment: str = "none"
    runner_reserved_concurrency: int = 0
    stack_name: str | None = None
    base_model_profile: str | None = None

    @property
    def profile_model(self) -> str | None:
        """The foundation model ``base_model_profile`` routes to (its id without the geography)."""
        return self.base_model_profile.split(".", 1)[1] if self.base_model_profile else None

    @property
    def reserved_concurrency(self) -> int:
        """Concurrency the stack reserves in total: the reward function's and its code runner's (the
        lifecycle's own functions are unreserved). A synth test pins it to the sum in the synthesized
        template."""
        return (self.reward_reserved_concurrency or 0) + self.runner_reserved_concurrency
