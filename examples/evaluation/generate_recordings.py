"""Generate recorded responses of two "models" for ``examples/data/arithmetic_validation.jsonl``.

Run ``.venv/bin/python examples/evaluation/generate_recordings.py [--out-dir DIR]`` (default: this
folder). It writes ``base_responses.jsonl`` (a base model that gets about 60% of the prompts right)
and ``tuned_responses.jsonl`` (a tuned one, about 85%), one ``{"id", "response"}`` line per prompt,
so ``rft compare`` can be tried without AWS. Output is byte-for-byte reproducible (fixed seed).

The two are correlated like real models: each prompt has a difficulty; a model answers right when
the difficulty is below its skill, and a few answers flip either way, so the tuned model also
loses some prompts the base got right. Wrong answers are the usual slips (off by one or ten, a
sign error, a rounding error, a missing ``####`` line).
"""

from __future__ import annotations

import argparse
import json
import random
from decimal import Decimal
from pathlib import Path

SEED = 20261205
HERE = Path(__file__).resolve().parent
DATASET = HERE.parent / "data" / "arithmetic_validation.jsonl"
#: (file name, skill: share answered right before flips, flip probability)
MODELS = (("base_responses.jsonl", 0.64, 0.08), ("tuned_responses.jsonl", 0.90, 0.04))

OPENINGS = (
    "Let me work through this step by step.",
    "First, list what is given.",
    "We compute the quantities one at a time.",
)


def wrong_value(reference: Decimal, rng: random.Random) -> Decimal:
    """A plausible slip: off by one or ten, the sign flipped, or rounded to a whole number."""
    slip = rng.choice(("one", "ten", "sign", "round"))
    if slip == "sign" and reference != 0:
        return -reference
    if slip == "round" and reference != reference.to_integral_value():
        return reference.to_integral_value() + 1
    return reference + (Decimal(10) if slip == "ten" else Decimal(rng.choice((-1, 1))))


def response(question: str, answer: str, rng: random.Random, *, formatted: bool) -> str:
    """A short worked answer ending with ``#### answer`` (or a bare sentence when not formatted)."""
    opening = rng.choice(OPENINGS)
    body = f"{opening}\nThe question: {question}\nCarrying out the operations in order gives {answer}."
    return f"{body}\n#### {answer}" if formatted else f"{body}\nSo the result is {answer}."


def generate(out_dir: Path) -> list[Path]:
    rows = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(SEED)
    difficulty = [rng.random() for _ in rows]
    written = []
    for name, skill, flip in MODELS:
        model_rng = random.Random(f"{SEED}:{name}")
        lines = []
        for row, hardness in zip(rows, difficulty, strict=True):
            right = (hardness < skill) != (model_rng.random() < flip)
            reference = Decimal(row["reference_answer"])
            value = reference if right else wrong_value(reference, model_rng)
            formatted = right or model_rng.random() < 0.7
            text = response(row["messages"][-1]["content"], str(value), model_rng, formatted=formatted)
            lines.append(json.dumps({"id": row["id"], "response": text}, ensure_ascii=False))
        path = out_dir / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=HERE)
    args = parser.parse_args()
    for path in generate(args.out_dir):
        print(path)


if __name__ == "__main__":
    main()
