"""The plan: per environment (stack), what merging a change would do.

For every stack in either side: whether a training run starts (the run's fingerprint changes or a
run appears) and which inputs changed; whether the serving deployment changes; the infrastructure
diff and whether it broadens security; acknowledgments and findings added. ``GATES`` names the
conditions ``rft plan --fail-on`` can turn into exit code 1; a later check (e.g. promotion between
environments) adds its section to :class:`EnvironmentPlan` and its predicate to ``GATES``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rft_runtime.gitops.assembly import Stack
from rft_runtime.gitops.compliance import ComplianceChange, compliance_change
from rft_runtime.gitops.infrastructure import DEFAULT_CDK_COMMAND, InfrastructureDiff, diff_stack
from rft_runtime.gitops.training import InputChange, TrainingRun, changed_inputs, training_runs

#: Version of the JSON document ``rft plan --format json`` prints.
PLAN_SCHEMA = 1


@dataclass(frozen=True)
class TrainingPlan:
    """One pipeline's run. ``action``: ``start`` (first run), ``retrain``, ``unchanged`` or
    ``removed``. ``changes``: inputs that differ; ``unexplained``: the fingerprint changed but no
    input the template shows did (see ``training.unseen_inputs``). A new run of a pipeline with
    ``promote_from`` trains nothing: it waits for the source's promoted model (:attr:`adopts`)."""

    pipeline: str
    action: str
    old: TrainingRun | None
    new: TrainingRun | None
    changes: tuple[InputChange, ...] = ()
    unexplained: bool = False

    @property
    def new_run(self) -> bool:
        """Whether a new run starts (it trains, or adopts the source's model of that run)."""
        return self.action in ("start", "retrain")

    @property
    def adopts(self) -> str:
        """The pipeline whose promoted model the new run serves (empty when it trains)."""
        return self.new.adopts_from if self.new_run and self.new is not None else ""

    @property
    def trains(self) -> bool:
        """Whether a training job starts (and is paid for) in this pipeline."""
        return self.new_run and not self.adopts


@dataclass(frozen=True)
class ServingPlan:
    """Whether the model behind the pipeline's deployment changes, and how (``summary``)."""

    pipeline: str
    changes: bool
    summary: str


@dataclass(frozen=True)
class EnvironmentPlan:
    """One stack. ``status``: ``added``, ``removed``, ``changed`` or ``unchanged``."""

    stack: str
    status: str
    training: tuple[TrainingPlan, ...] = ()
    serving: tuple[ServingPlan, ...] = ()
    infrastructure: InfrastructureDiff | None = None
    compliance: ComplianceChange = field(default_factory=ComplianceChange)


@dataclass(frozen=True)
class Plan:
    """Plans of every stack of either side; ``base``/``head`` label the sides (refs or folders)."""

    base: str
    head: str
    environments: tuple[EnvironmentPlan, ...]

    def tripped(self, gates: list[str]) -> dict[str, list[str]]:
        """For each of ``gates`` that holds: the stacks where it holds."""
        return {
            gate: stacks
            for gate in gates
            if (stacks := [e.stack for e in self.environments if GATES[gate][0](e)])
        }


def _training(base: Stack | None, head: Stack | None) -> tuple[TrainingPlan, ...]:
    old_runs = training_runs(base.template) if base else {}
    new_runs = training_runs(head.template) if head else {}
    plans = []
    for pipeline in [*new_runs, *(p for p in old_runs if p not in new_runs)]:
        old, new = old_runs.get(pipeline), new_runs.get(pipeline)
        changes = tuple(changed_inputs(old, new))
        if new is None:
            action = "removed"
        elif old is None:
            action = "start"
        else:
            action = "retrain" if old.fingerprint != new.fingerprint else "unchanged"
        plans.append(
            TrainingPlan(
                pipeline=pipeline,
                action=action,
                old=old,
                new=new,
                changes=changes,
                unexplained=action == "retrain" and not changes,
            )
        )
    return tuple(plans)


#: Deployment modes that serve the trained model, and what serves it.
SERVING_KINDS = {"on_demand": "deployment", "provisioned": "provisioned throughput"}


def _serving(training: TrainingPlan) -> ServingPlan:
    old, new = training.old, training.new
    serves = new is not None and new.deployment_mode in SERVING_KINDS
    if new is None:
        served = old is not None and old.deployment_mode in SERVING_KINDS
        summary = (
            f"pipeline removed: {SERVING_KINDS[old.deployment_mode]} {old.deployment_name} is deleted"
            + (" (unless its commitment runs)" if old.deployment_mode == "provisioned" else "")
            if served
            else "none"
        )
        return ServingPlan(training.pipeline, served, summary)
    if training.adopts and serves:
        kind = SERVING_KINDS[new.deployment_mode]
        summary = (
            f"{kind} {new.deployment_name} switches to {training.adopts}'s model of run "
            f"{new.fingerprint[:12]} once that run has passed its promotion gate"
        )
        return ServingPlan(training.pipeline, True, summary)
    if training.trains and serves:
        kind = SERVING_KINDS[new.deployment_mode]
        summary = (
            f"{kind} {new.deployment_name} switches to the model of job {new.job_name} once it "
            "has trained; the current model serves until then"
            if training.action == "retrain"
            else f"{kind} {new.deployment_name} is created for the model of job {new.job_name}"
        )
        return ServingPlan(training.pipeline, True, summary)
    if old is not None and old.deployment_mode != new.deployment_mode:
        return ServingPlan(
            training.pipeline,
            False,
            f"deployment mode {old.deployment_mode} -> {new.deployment_mode}: not a training input; "
            "applies from the next run",
        )
    return ServingPlan(training.pipeline, False, "unchanged" if serves else "not deployed (mode none)")


def plan_environment(
    name: str, base: Stack | None, head: Stack | None, *, cdk_command: str, cwd: Path | None
) -> EnvironmentPlan:
    """The plan of stack ``name`` (absent on a side: ``None``)."""
    training = _training(base, head)
    infrastructure = (
        diff_stack(
            name,
            head.assembly,
            base.template_file if base else None,
            cdk_command=cdk_command,
            cwd=cwd,
        )
        if head is not None
        else None
    )
    if head is None:
        status = "removed"
    elif base is None:
        status = "added"
    else:
        status = "changed" if infrastructure and infrastructure.changed else "unchanged"
    return EnvironmentPlan(
        stack=name,
        status=status,
        training=training,
        serving=tuple(_serving(t) for t in training),
        infrastructure=infrastructure,
        compliance=compliance_change(base, head),
    )


def build_plan(
    base: Mapping[str, Stack],
    head: Mapping[str, Stack],
    *,
    base_label: str,
    head_label: str,
    cdk_command: str = DEFAULT_CDK_COMMAND,
    cwd: Path | None = None,
) -> Plan:
    """Compare every stack of ``base`` and ``head`` (by stack name)."""
    names = [*head, *(name for name in base if name not in head)]
    return Plan(
        base=base_label,
        head=head_label,
        environments=tuple(
            plan_environment(name, base.get(name), head.get(name), cdk_command=cdk_command, cwd=cwd)
            for name in names
        ),
    )


#: ``--fail-on`` gates: name -> (holds for an environment?, what it means).
GATES: dict[str, tuple[Callable[[EnvironmentPlan], bool], str]] = {
    "retrain": (lambda e: any(t.trains for t in e.training), "a training run starts (new or changed inputs)"),
    "serving": (lambda e: any(s.changes for s in e.serving), "the model behind a serving deployment changes"),
    "broadening": (
        lambda e: bool(e.infrastructure and e.infrastructure.broadening),
        "security is broadened (IAM statements or security-group rules added, as cdk diff decides)",
    ),
    "nag": (lambda e: e.compliance.added, "a cdk-nag acknowledgment or an open finding is added"),
    "infrastructure": (lambda e: e.status != "unchanged", "any stack is added, removed or changed"),
    "destroy": (
        lambda e: (
            e.status == "removed"
            or any(r.deletes for r in (e.infrastructure.resources if e.infrastructure else ()))
        ),
        "a stack or resource is deleted (resources kept as orphans by their retain policy do not count)",
    ),
}
