"""The evaluation modules a promotion gate would run in Lambda import from ``lambda/`` alone, in a
clean interpreter: no ``bedrock_rft``, no CDK (the Lambda asset holds only ``rft_runtime``)."""

from __future__ import annotations

import subprocess
import sys

from evaluation_fakes import REPO

MODULES = (
    "collect",
    "converse",
    "grading",
    "report_html",
    "stats",
    "store",
    "summary",
    "throttle",
    "verdicts",
)


def test_gate_modules_import_without_the_cdk_package():
    imports = "; ".join(f"import rft_runtime.evaluation.{name}" for name in MODULES)
    imports += "; import rft_runtime.promotion.handlers"  # the gate's Lambda entry points
    code = (
        f"import sys; sys.path.insert(0, {str(REPO / 'lambda')!r}); {imports}; "
        "leaked = [m for m in sys.modules if m.split('.')[0] in ('bedrock_rft', 'aws_cdk', 'jsii') "
        "or m.startswith('rft_runtime.cli')]; "
        "assert not leaked, leaked"
    )
    result = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
