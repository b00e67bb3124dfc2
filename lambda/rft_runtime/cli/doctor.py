"""``rft doctor --config ENV``: check, read-only and with your credentials, what a deploy needs.

Checks (each prints PASS, FAIL or ???? with what it found, and the fix): the credentials' account
(the config's ``account`` when set), the CDK bootstrap stack (version 6+), Lambda concurrency
headroom for the stack's reserved concurrency, the Region (RFT offered, base model active),
on-demand deployments (when ``[deployment] mode = "on_demand"``), model access to the base model
(the id RFT trains from), the inference profile the promotion gate and ``rft baseline``/``compare``
call it through (``us.amazon.nova-2-lite-v1:0``: active, and its model usable) and every LLM judge,
and Bedrock's Service Quotas for customization jobs and deployments.

Exit codes: 0 ready to deploy; 1 a check failed; 3 none failed but one could not be made (e.g. a
read was denied); 2 usage error (bad or unknown environment, no credentials, no Region).
``--format json`` prints one object with every check and the exit code.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rft_runtime.cli import status
from rft_runtime.doctor import report
from rft_runtime.doctor.clients import DoctorClients, boto3_factory
from rft_runtime.doctor.needs import DeployNeeds, Judge
from rft_runtime.evaluation.base_model import invocation_model_id


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        required=True,
        metavar="ENV",
        help="environment name (environments/ENV.toml) or a .toml path",
    )
    parser.add_argument(
        "--environments-dir", type=Path, default=Path("environments"), help="default: ./environments"
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )


def load_config(args: argparse.Namespace) -> Any:
    """The environment's ``PipelineConfig`` through the package's config loader (all problems at once)."""
    from bedrock_rft.config import ConfigError, load_environment, load_environment_file

    try:
        if args.config.endswith(".toml"):
            return load_environment_file(Path(args.config))
        return load_environment(args.config, args.environments_dir)
    except ConfigError as exc:
        raise status.UsageError(str(exc)) from None


def needs_of(config: Any, region: str) -> DeployNeeds:
    """What the pipeline of ``config`` needs in ``region``: reserved concurrency, models, judges."""
    from bedrock_rft.config.judge_models import FOUNDATION_MODEL, INFERENCE_PROFILE, parse_model_id
    from bedrock_rft.config.schema import RFT_REGIONS
    from rft_runtime.rewards.catalogue import code_runner_concurrency, graders_in_use

    try:
        profile = invocation_model_id(config.base_model, region)
    except ValueError as error:
        raise status.UsageError(str(error)) from None
    judges = []
    for template, options in graders_in_use(config.reward.template, config.reward.options):
        if template == "llm_judge":
            ref = parse_model_id(str(options["model_id"]))
            routed = {FOUNDATION_MODEL: ref.name, INFERENCE_PROFILE: ref.routed_model}.get(ref.kind)
            judge_region = str(options.get("region") or ref.region or region)
            judges.append(
                Judge(
                    model_id=str(options["model_id"]),
                    kind=ref.kind,
                    foundation_model=routed,
                    region=judge_region,
                )
            )
    return DeployNeeds(
        pipeline=config.name,
        region=region,
        base_model=config.base_model,
        reward_reserved_concurrency=config.reward.reserved_concurrency,
        deploys=config.deployment.mode == "on_demand",
        rft_regions=tuple(RFT_REGIONS),
        account=config.account,
        judges=tuple(judges),
        provisioned_units=(config.deployment.model_units or 0)
        if config.deployment.mode == "provisioned"
        else 0,
        commitment=config.deployment.commitment,
        runner_reserved_concurrency=code_runner_concurrency(
            config.reward.template, config.reward.options, config.reward.reserved_concurrency or 0
        ),
        stack_name=config.stack_name,
        base_model_profile=profile if profile != config.base_model else None,
    )


def run(args: argparse.Namespace, clients: DoctorClients | None = None) -> int:
    def body() -> int:
        config = load_config(args)
        needs = needs_of(config, config.region)  # the config rules require a Region
        results = report.run_checks(needs, clients or DoctorClients(boto3_factory))
        render = report.render_json if args.format == "json" else report.render_text
        print(render(needs, results))
        return report.exit_code(results)

    return status.guarded(body)
