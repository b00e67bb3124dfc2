"""Run every benchmark section and print its table: ``python -m benchmarks [--quick] [SECTION ...]``.

Sections: ``datasets`` (validator and log converter throughput, peak RSS), ``rewards`` (grader
samples per second, Lambda cold import), ``math`` (competition-math accuracy and speed beside
math-verify, plain-number rate), ``edit_similarity`` (pure Python vs
rapidfuzz), ``code_runner`` (per-sample latency and $ of a fresh
isolated worker vs a bare interpreter), ``evaluation`` (``rft compare`` offline on 10,000 prompts,
resume after an interruption), ``synth`` (CDK synth time of the app vs an empty app).
``--quick`` shrinks inputs so the run takes seconds (used by the test suite to keep this runnable).
"""

from __future__ import annotations

import argparse
import importlib
import sys

SECTIONS = ("datasets", "rewards", "math", "edit_similarity", "code_runner", "evaluation", "synth")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections (default: all) and print one table per section."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("sections", nargs="*", metavar="SECTION", help=f"one of {', '.join(SECTIONS)}")
    parser.add_argument("--quick", action="store_true", help="small inputs, for smoke runs")
    args = parser.parse_args(argv)
    unknown = [name for name in args.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    for name in args.sections or SECTIONS:
        module = importlib.import_module(f"benchmarks.{name}")
        table = module.run(quick=args.quick)
        print(table.render(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
