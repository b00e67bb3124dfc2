"""``rft plan``: what merging a change would do to each environment, before anyone deploys it.

Compares two synthesized cloud assemblies (``--base-assembly DIR --head-assembly DIR``, each
repeatable) or two git refs (``--base REF`` [``--head REF``], default head: the working tree),
synthesizing each environment file of each side with the project's pinned CDK CLI. Needs no AWS
credentials. Exit codes: 0 plan printed and no ``--fail-on`` gate holds; 1 a ``--fail-on`` gate
holds (the plan is still printed); 2 usage error; 3 no plan (a side did not synthesize, an assembly
is unreadable, or ``cdk diff`` failed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from rft_runtime.gitops.assembly import AssemblyError, read_assemblies
from rft_runtime.gitops.infrastructure import DEFAULT_CDK_COMMAND, DiffError
from rft_runtime.gitops.plan import GATES, build_plan
from rft_runtime.gitops.render import RENDERERS
from rft_runtime.gitops.synth import SynthError, SynthSettings, project_root, synth_ref, synth_source

EXIT_GATE, EXIT_USAGE, EXIT_NO_PLAN = 1, 2, 3


def configure(parser: argparse.ArgumentParser) -> None:
    sides = parser.add_argument_group("what to compare (assemblies or git refs)")
    for side in ("base", "head"):
        sides.add_argument(
            f"--{side}-assembly", type=Path, action="append", metavar="DIR", help=f"{side} cloud assembly"
        )
    sides.add_argument("--base", metavar="REF", help="git ref to synthesize as the base (e.g. origin/main)")
    sides.add_argument("--head", metavar="REF", help="git ref to synthesize as head (default: working tree)")
    parser.add_argument(
        "--env",
        action="append",
        metavar="NAME",
        help="with refs: synthesize only environments/NAME.toml (repeatable; default: every file)",
    )
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="project folder (default: current)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text", help="output format (text)")
    parser.add_argument("--output", type=Path, help="write the plan to this file instead of stdout")
    parser.add_argument(
        "--fail-on",
        action="append",
        default=[],
        choices=sorted(GATES),
        help="exit 1 when this holds in any environment (repeatable): "
        + "; ".join(f"{name}: {meaning}" for name, (_, meaning) in GATES.items()),
    )
    parser.add_argument(
        "--cdk",
        default=DEFAULT_CDK_COMMAND,
        help=f"CDK CLI command, run from the project folder (default: {DEFAULT_CDK_COMMAND!r})",
    )


def _usage_problem(args: argparse.Namespace) -> str | None:
    by_assembly = bool(args.base_assembly or args.head_assembly)
    if by_assembly and (args.base or args.head):
        return "give either --base-assembly/--head-assembly or --base/--head, not both"
    if by_assembly and not (args.base_assembly and args.head_assembly):
        return "--base-assembly and --head-assembly go together"
    if not by_assembly and not args.base:
        return "give --base REF (and optionally --head REF) or --base-assembly DIR --head-assembly DIR"
    return None


def _sides(args: argparse.Namespace, scratch: Path) -> tuple[list[Path], list[Path], str, str, Path | None]:
    if args.base_assembly:
        return args.base_assembly, args.head_assembly, "base assembly", "head assembly", None
    project = project_root(args.project)
    settings = SynthSettings(env_names=tuple(args.env or ()), cdk_command=args.cdk)
    base = synth_ref(project, args.base, scratch / "base", settings=settings)
    if args.head:
        head = synth_ref(project, args.head, scratch / "head", settings=settings)
    else:
        head = synth_source(project, scratch / "head", label="working tree", settings=settings)
    return base, head, args.base, args.head or "working tree", project


def run(args: argparse.Namespace) -> int:
    problem = _usage_problem(args)
    if problem:
        print(f"rft plan: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with tempfile.TemporaryDirectory(prefix="rft-plan-") as scratch:
            base_dirs, head_dirs, base_label, head_label, project = _sides(args, Path(scratch))
            plan = build_plan(
                read_assemblies(base_dirs),
                read_assemblies(head_dirs),
                base_label=base_label,
                head_label=head_label,
                cdk_command=args.cdk,
                cwd=project,
            )
    except (SynthError, AssemblyError, DiffError, ValueError) as error:
        print(f"rft plan: {error}", file=sys.stderr)
        return EXIT_NO_PLAN
    rendered = RENDERERS[args.format](plan, args.fail_on)
    if args.output:
        args.output.write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered)
    tripped = plan.tripped(args.fail_on)
    for gate, stacks in tripped.items():
        print(f"rft plan: --fail-on {gate} holds in {', '.join(stacks)}", file=sys.stderr)
    return EXIT_GATE if tripped else 0
