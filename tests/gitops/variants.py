"""Cloud assemblies of ``environments/dev.toml`` and of real one-line edits of it, synthesized in-process.

Each variant is the shipped dev file with text replacements applied (so every edit is a real config
edit a user would make), written beside absolute dataset paths (and, for the ``custom`` variants, the
user's grader file ``grader.py``), then synthesized like ``cdk synth`` (the feature flags of
``cdk.json``, the nag packs attached).
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk

from bedrock_rft.application import build_app

REPO = Path(__file__).resolve().parents[2]

#: variant name -> (old text, new text) replacements in environments/dev.toml
EDITS: dict[str, tuple[tuple[str, str], ...]] = {
    "base": (),
    "tag": (('environment = "dev"', 'environment = "dev"\nowner = "ml-platform"'),),
    "batch_size": (("batchSize = 64", "batchSize = 32"),),
    "reward_option": (("tolerance = 1e-6", "tolerance = 1e-3"),),
    "llm_judge": (
        ('template = "math_answer"', 'template = "llm_judge"'),
        ("tolerance = 1e-6", 'model_id = "amazon.nova-pro-v1:0"\npreset = "reasoning"'),
    ),
    "retrain_nonce": (('region = "us-east-1"', 'region = "us-east-1"\nretrain_nonce = "2"'),),
    "custom": (('template = "math_answer"', 'code = "grader.py"'), ("tolerance = 1e-6\n", "")),
    "custom_edited": (('template = "math_answer"', 'code = "grader.py"'), ("tolerance = 1e-6\n", "")),
}

#: variant -> the user's grader file written beside its environment file
GRADERS = {
    "custom": "def score(sample):\n    return 1.0 if sample.response.strip() == sample.reference else 0.0\n",
    "custom_edited": "def score(sample):\n    return 1.0 if sample.response == sample.reference else 0.0\n",
}


def environment_text(variant: str) -> str:
    """The dev environment file with ``variant``'s edits, dataset paths made absolute."""
    text = (REPO / "environments" / "dev.toml").read_text(encoding="utf-8")
    text = text.replace('"../examples/data/', f'"{(REPO / "examples" / "data").as_posix()}/')
    for old, new in EDITS[variant]:
        assert old in text, f"{variant}: {old!r} no longer in environments/dev.toml"
        text = text.replace(old, new)
    return text


def synth_variant(variant: str, workdir: Path) -> Path:
    """Synthesize ``variant`` into ``workdir/cdk.out`` and return that folder."""
    environments = workdir / "environments"
    environments.mkdir(parents=True)
    (environments / "dev.toml").write_text(environment_text(variant), encoding="utf-8")
    if variant in GRADERS:
        (environments / "grader.py").write_text(GRADERS[variant], encoding="utf-8")
    context = {**json.loads((REPO / "cdk.json").read_text())["context"], "env": "dev"}
    app = cdk.App(outdir=str(workdir / "cdk.out"), context=context)
    build_app(environments, app=app)
    app.synth()
    return workdir / "cdk.out"
