"""The shipped JSON Schema of environment files is current and agrees with the loader.

The loader runs every rule; the schema holds those JSON Schema can express. On this corpus each
file is valid for both or invalid for both (files, reward options and cross-key rules the schema
cannot express are left out of the corpus on purpose).
"""

from __future__ import annotations

import tomllib

import jsonschema
import pytest

from bedrock_rft.config import ConfigError, load_environment_file
from bedrock_rft.config.json_schema import SCHEMA_FILE, environment_schema, schema_text

BASE = """name = "unit"
region = "us-east-1"
[dataset]
training = "{data}/arithmetic_train.jsonl"
[reward]
template = "math_answer"
"""
S3 = BASE.replace(
    'training = "{data}/arithmetic_train.jsonl"', 'training_s3_uri = "s3://team-data/rft/train.jsonl"'
)
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
LOGS = (
    '[dataset.invocation_logs]\ns3_uri = "s3://logs/bedrock/"\n'
    'request_metadata_filters = { equals = { a = "b" } }'
)
TAGS_46 = "[tags]\n" + "".join(f't{i} = "v"\n' for i in range(46))

VALID = {
    "minimal": BASE,
    "s3 source with its key": S3.replace(
        "[reward]",
        f'source_kms_key_arn = "{KEY_ARN}"\n[reward]',
    ),
    "invocation logs": BASE.replace(
        'training = "{data}/arithmetic_train.jsonl"',
        LOGS,
    ),
    "every hyperparameter": BASE
    + "[hyperparameters]\nepochCount = 50\nbatchSize = 16\nlearningRate = 1e-7\nmaxPromptLength = 1\n"
    'trainingSamplePerPrompt = 2\ninferenceMaxTokens = 4096\nreasoningEffort = "high"\nevalInterval = 100\n',
    "every section": BASE.replace(
        'template = "math_answer"',
        'template = "math_answer"\nmemory_mb = 10240\ntimeout_seconds = 900\nreserved_concurrency = 0',
    )
    + '[deployment]\nmode = "none"\nretain_models = false\nnotification_emails = ["ops@example.com"]\n'
    '[network]\nvpc = "create"\nmax_azs = 2\navailability_zones = ["us-east-1a", "us-east-1b"]\n'
    "flow_log_retention_days = 30\n[encryption]\nlog_retention_days = 7\nretain_data = false\n",
    "46 tags": BASE + TAGS_46,
    "provisioned": BASE + '[deployment]\nmode = "provisioned"\nmodel_units = 2\ncommitment = "SixMonths"\n',
    "provisioned without commitment": BASE + '[deployment]\nmode = "provisioned"\nmodel_units = 1\n',
    "on demand, commitment none": BASE + '[deployment]\ncommitment = "none"\n',
    "nonce and account": 'account = "111122223333"\nretrain_nonce = "run-2.b_1"\n' + BASE,
    "cost limits and gate settings at their bounds": BASE
    + "max_judge_calls = 1\n[deployment]\nkeep_models = 100\n[limits]\nmax_training_hours = 336\n"
    "[evaluation]\ngate = false\nmin_improvement = -1.0\nsamples_per_prompt = 8\nmax_prompts = 1\n",
    "fractional training hours": BASE + "[limits]\nmax_training_hours = 1.5\n",
}
INVALID = {
    "unknown key": BASE + "regoin = 1\n",
    "unknown hyperparameter": BASE + "[hyperparameters]\nbatch_size = 64\n",
    "batch too small": BASE + "[hyperparameters]\nbatchSize = 8\n",
    "epochs as text": BASE + '[hyperparameters]\nepochCount = "2"\n',
    "learning rate too high": BASE + "[hyperparameters]\nlearningRate = 0.5\n",
    "effort not an enum": BASE + '[hyperparameters]\nreasoningEffort = "extreme"\n',
    "no name": BASE.replace('name = "unit"\n', ""),
    "no region": BASE.replace('region = "us-east-1"\n', ""),
    "region without RFT": BASE.replace("us-east-1", "eu-west-1"),
    "bad name": BASE.replace('"unit"', '"Bad_Name"'),
    "name too long": BASE.replace('"unit"', '"a' + "b" * 24 + '"'),
    "two sources": S3.replace("[reward]", 'training = "{data}/arithmetic_train.jsonl"\n[reward]'),
    "no source": BASE.replace('training = "{data}/arithmetic_train.jsonl"\n', ""),
    "directory as source": S3.replace("train.jsonl", ""),
    "no reward": BASE.replace('[reward]\ntemplate = "math_answer"\n', ""),
    "unknown template": BASE.replace("math_answer", "math_answr"),
    "memory too large": BASE + "memory_mb = 99999\n",
    "timeout zero": BASE + "timeout_seconds = 0\n",
    "negative concurrency": BASE + "reserved_concurrency = -1\n",
    "unknown mode": BASE + '[deployment]\nmode = "reserved"\n',
    "provisioned without units": BASE + '[deployment]\nmode = "provisioned"\n',
    "provisioned with 0 units": BASE + '[deployment]\nmode = "provisioned"\nmodel_units = 0\n',
    "units on demand": BASE + "[deployment]\nmodel_units = 1\n",
    "commitment on demand": BASE + '[deployment]\ncommitment = "OneMonth"\n',
    "unknown commitment": BASE
    + '[deployment]\nmode = "provisioned"\nmodel_units = 1\ncommitment = "OneYear"\n',
    "bad email": BASE + '[deployment]\nnotification_emails = ["not-an-email"]\n',
    "unknown vpc choice": BASE + '[network]\nvpc = "default"\n',
    "too many zones": BASE + "[network]\nmax_azs = 7\n",
    "bad retention": BASE + "[encryption]\nlog_retention_days = 10\n",
    "alias, not a key ARN": BASE + '[encryption]\nkms_key_arn = "alias/team"\n',
    "reserved tag prefix": BASE + '[tags]\n"aws:owner" = "me"\n',
    "pipeline tag": BASE + '[tags]\n"bedrock-rft:pipeline" = "x"\n',
    "tag not text": BASE + "[tags]\nteam = 7\n",
    "47 tags": BASE + TAGS_46 + 't46 = "v"\n',
    "bad nonce": 'retrain_nonce = "bad nonce!"\n' + BASE,
    "short account": 'account = "123"\n' + BASE,
    "bad base model": 'base_model = "not a model!"\n' + BASE,
    "judge calls zero": BASE + "max_judge_calls = 0\n",
    "keep too many models": BASE + "[deployment]\nkeep_models = 101\n",
    "training hours under one": BASE + "[limits]\nmax_training_hours = 0.5\n",
    "training hours over 14 days": BASE + "[limits]\nmax_training_hours = 337\n",
    "training hours as text": BASE + '[limits]\nmax_training_hours = "2"\n',
    "gate as text": BASE + '[evaluation]\ngate = "yes"\n',
    "improvement over 1": BASE + "[evaluation]\nmin_improvement = 2\n",
    "too many samples per prompt": BASE + "[evaluation]\nsamples_per_prompt = 9\n",
    "no prompts": BASE + "[evaluation]\nmax_prompts = 0\n",
    "unknown limit": BASE + "[limits]\nmax_hours = 2\n",
    "bad source environment name": 'promote_from = "Prod!"\n' + BASE,
}


def test_the_shipped_schema_is_current_and_well_formed():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "run python -m bedrock_rft.tools.write_schema"
    )
    jsonschema.Draft202012Validator.check_schema(environment_schema())


@pytest.mark.parametrize(("case", "valid"), [*((c, True) for c in VALID), *((c, False) for c in INVALID)])
def test_schema_and_loader_agree(make_environment, case, valid):
    path = make_environment("corpus", {**VALID, **INVALID}[case])
    schema_errors = list(
        jsonschema.Draft202012Validator(environment_schema()).iter_errors(
            tomllib.loads(path.read_text(encoding="utf-8"))
        )
    )
    try:
        load_environment_file(path)
        loader_valid = True
    except ConfigError:
        loader_valid = False
    assert (loader_valid, not schema_errors) == (valid, valid), [e.message for e in schema_errors]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_shipped_environments_name_the_schema_for_editors(repo_root, env):
    first = (repo_root / "environments" / f"{env}.toml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "#:schema ../infra/bedrock_rft/config/environment.schema.json"
    assert (repo_root / "environments" / first.split()[-1]).resolve() == SCHEMA_FILE.resolve()
