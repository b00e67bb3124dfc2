"""What ships: the synthesized reward Lambda asset grades competition math in a clean interpreter.

The symbolic path (``rft_runtime/rewards/mathexpr``) is our own code, so the asset needs no
third-party package for it: the check runs with ``python -I -S`` (no site-packages), from the asset
folder only, on a worker thread (as a thread pool would), and must not import sympy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms

from bedrock_rft.reward import RewardFunction

pytestmark = pytest.mark.synth

_GRADE = r"""
import json, sys, threading
sys.path.insert(0, sys.argv[2])
from rft_runtime.rewards.handler import make_handler
handler = make_handler("math_answer", {}, emit=lambda _line: None)
cases = json.loads(sys.argv[1])
event = [
    {"id": str(i), "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": r}],
     "metadata": {"reference_answer": g}}
    for i, (r, g) in enumerate(cases)
]
out = []
worker = threading.Thread(target=lambda: out.extend(handler(event, None)))
worker.start(); worker.join()
print(json.dumps({"scores": [[o["aggregate_reward_score"], o.get("metrics_list", {})] for o in out],
                  "sympy": "sympy" in sys.modules}))
"""
CASES = [
    (
        "Final Answer: The final answer is $\\frac{1}{\\sqrt2}$. I hope it is correct.",
        "\\frac{\\sqrt{2}}{2}",
        1.0,
    ),
    ("\\boxed{2}", "\\frac{\\sqrt{2}}{2}", 0.0),
    ("#### 2", "2\\pi", 0.0),
    ("\\boxed{(3,\\infty)\\cup(-\\infty,-2)}", "(-\\infty,-2)\\cup(3,\\infty)", 1.0),
    ("\\boxed{1000!}", "5", 0.0),
    ("#### 1,234", "1234", 1.0),
    ("$x = -\\boxed{5}$", "5", 0.0),  # mathematics against the box (mathexpr/surroundings.py)
    ("\\boxed{5}\\text{ cm}", "5", 1.0),
    # forms read by rewards/mathexpr/repeating.py and inequality.py
    ("\\boxed{0.1\\overline{6}}", "\\frac{1}{6}", 1.0),
    ("\\boxed{0}", "0.\\overline{3}", 0.0),
    ("\\boxed{(-8)^{1/3}}", "-2", 1.0),
    ("\\boxed{x < 1 \\text{ or } x > 3}", "(-\\infty, 1) \\cup (3, \\infty)", 1.0),
    ("\\boxed{[2, \\infty)}", "x > 2", 0.0),
    ("\\boxed{\\mathbb{R}}", "(-\\infty, \\infty)", 1.0),
]


@pytest.fixture(scope="module")
def asset(cdk_context, tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("math-asset")
    app = cdk.App(context=cdk_context, outdir=str(outdir))
    stack = cdk.Stack(app, "MathAsset")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    RewardFunction(
        stack, "Reward", pipeline_name="unit", template="math_answer", options={}, encryption_key=key
    )
    app.synth()
    [compare] = outdir.glob("asset.*/rft_runtime/rewards/mathexpr/compare.py")
    return compare.parents[3]


def test_the_asset_grades_symbolic_answers_without_third_party_packages(asset):
    cases = json.dumps([(response, gold) for response, gold, _ in CASES])
    run = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", _GRADE, cases, str(asset)],
        cwd=asset,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert [score for score, _ in result["scores"]] == [expected for *_, expected in CASES]
    assert result["sympy"] is False


def test_the_symbolic_package_is_small(asset):
    files = list((asset / "rft_runtime" / "rewards" / "mathexpr").glob("*.py"))
    assert {f.name for f in files} >= {
        "compare.py",
        "evaluate.py",
        "extract.py",
        "inequality.py",
        "latex.py",
        "parser.py",
        "repeating.py",
    }
    assert sum(f.stat().st_size for f in files) < 100_000
