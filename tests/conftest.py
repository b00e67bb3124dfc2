"""Suite-wide test settings.

No test may reach AWS: credentials are pointed at nothing so an accidental real call fails fast
instead of hanging on the instance metadata service.
"""

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ.pop(_name, None)
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


REPO = Path(__file__).resolve().parents[1]
SAMPLE_DATA = REPO / "examples" / "data"


@pytest.fixture(scope="session")
def cdk_context() -> dict:
    """The context of ``cdk.json`` (feature flags), so test apps synthesize like ``cdk synth``."""
    return json.loads((REPO / "cdk.json").read_text())["context"]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture
def make_environment(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write ``<tmp>/<name>.toml`` from TOML text and return its path.

    The text may use ``{data}`` for a folder holding copies of the sample datasets
    (``arithmetic_train.jsonl``, ``arithmetic_validation.jsonl``).
    """

    def write(name: str, text: str) -> Path:
        data = tmp_path / "data"
        if not data.exists():
            data.mkdir()
            for source in SAMPLE_DATA.glob("arithmetic_*.jsonl"):
                shutil.copy(source, data / source.name)
        path = tmp_path / f"{name}.toml"
        path.write_text(text.replace("{data}", data.as_posix()), encoding="utf-8")
        return path

    return write
