"""Generate the sample RFT dataset: arithmetic word problems with exact answers.

Run ``.venv/bin/python examples/data/generate_arithmetic.py [--out-dir DIR]`` (default: this folder).
It writes ``arithmetic_train.jsonl`` (240 prompts) and ``arithmetic_validation.jsonl`` (40 held-out
prompts, none of them in the training file). Output is byte-for-byte reproducible: a fixed seed,
exact :class:`~decimal.Decimal` arithmetic, and JSON written with ``\\n`` line endings.

Each row::

    {"id": "arith-0001",
     "messages": [{"role": "system", "content": "Solve the problem. End with a line '#### <answer>'."},
                  {"role": "user", "content": "..."}],
     "reference_answer": "42"}

``reference_answer`` is the exact number as a string: an integer, or a decimal without trailing zeros
("14.1", "-3.25"); some are negative, some need several steps.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

SEED = 20260301
TRAIN_ROWS = 240
VALIDATION_ROWS = 40
SYSTEM_PROMPT = "Solve the problem. End with a line '#### <answer>'."

NAMES = ("Ana", "Ben", "Chloé", "Dev", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Liam")
CITIES = ("Oslo", "Calgary", "Helsinki", "Denver", "Sapporo", "Winnipeg", "Tromsø", "Anchorage")
ITEMS = ("notebooks", "pens", "mugs", "towels", "lamps")

Problem = tuple[str, Decimal]


def exact(value: Decimal) -> str:
    """The exact decimal string of ``value``: no exponent, no trailing zeros, no "-0"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def money(rng: random.Random, low: int, high: int) -> Decimal:
    """A price between ``low`` and ``high`` dollars, in whole cents."""
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def temperature(rng: random.Random) -> Problem:
    start, rise, fall = rng.randint(-15, 5), rng.randint(2, 14), rng.randint(5, 25)
    city = rng.choice(CITIES)
    question = (
        f"At 6 a.m. the temperature in {city} was {start} °C. By noon it had risen by {rise} degrees, "
        f"and by midnight it had dropped {fall} degrees from the noon reading. "
        "What was the temperature at midnight, in °C?"
    )
    return question, Decimal(start + rise - fall)


def shopping(rng: random.Random) -> Problem:
    name = rng.choice(NAMES)
    items, count = rng.choice(ITEMS), rng.randint(2, 9)
    price, extra = money(rng, 1, 12), money(rng, 1, 5)
    question = (
        f"{name} buys {count} {items} at ${price:.2f} each and one gift bag for ${extra:.2f}. "
        f"How many dollars does {name} spend in total?"
    )
    return question, count * price + extra


def bank_balance(rng: random.Random) -> Problem:
    name = rng.choice(NAMES)
    balance, bill, fee = money(rng, 20, 300), money(rng, 50, 400), money(rng, 1, 15)
    question = (
        f"{name}'s bank balance is ${balance:.2f}. {name} pays a bill of ${bill:.2f} and the bank "
        f"then charges a fee of ${fee:.2f}. What is the balance now, in dollars? "
        "(A negative balance means an overdraft.)"
    )
    return question, balance - bill - fee


def two_leg_trip(rng: random.Random) -> Problem:
    speed1, speed2 = rng.randint(40, 120), rng.randint(30, 110)
    hours1, hours2 = Decimal(rng.randint(1, 8)) / 2, Decimal(rng.randint(1, 12)) / 4
    question = (
        f"A train travels at {speed1} km/h for {hours1} hours, then at {speed2} km/h for {hours2} hours. "
        "How many kilometres does it travel in total?"
    )
    return question, speed1 * hours1 + speed2 * hours2


def discount(rng: random.Random) -> Problem:
    price, percent = rng.randint(8, 250), rng.choice((5, 10, 15, 20, 25, 30, 35, 40, 45, 50))
    item = rng.choice(("jacket", "bicycle helmet", "backpack", "pair of boots", "desk lamp"))
    question = (
        f"A {item} costs ${price}. It is on sale for {percent}% off, and a further $3 coupon is applied "
        "to the sale price. How many dollars does the customer pay?"
    )
    return question, Decimal(price) * (100 - percent) / 100 - 3


def mean_score(rng: random.Random) -> Problem:
    count = rng.choice((2, 4, 5, 8))
    scores = [rng.randint(40, 100) for _ in range(count)]
    listed = ", ".join(str(score) for score in scores[:-1]) + f" and {scores[-1]}"
    question = f"{count} students scored {listed} points on a quiz. What is their mean score?"
    return question, Decimal(sum(scores)) / count


def bakery(rng: random.Random) -> Problem:
    trays, per_tray, given, per_bag = (
        rng.randint(3, 9),
        rng.randint(8, 24),
        rng.randint(1, 10),
        rng.randint(3, 8),
    )
    name = rng.choice(NAMES)
    question = (
        f"{name} bakes {trays} trays of {per_tray} cookies, gives {given} cookies to a neighbour and packs "
        f"the rest into bags of {per_bag}. How many bags can be filled completely?"
    )
    return question, Decimal((trays * per_tray - given) // per_bag)


def diver(rng: random.Random) -> Problem:
    depth, up, down = rng.randint(10, 60), Decimal(rng.randint(4, 40)) / 2, rng.randint(3, 30)
    question = (
        f"A diver is {depth} m below sea level (elevation -{depth} m). She rises {up} m, then descends "
        f"{down} m. What is her elevation now, in metres (negative below sea level)?"
    )
    return question, -depth + up - down


GENERATORS: tuple[Callable[[random.Random], Problem], ...] = (
    temperature,
    shopping,
    bank_balance,
    two_leg_trip,
    discount,
    mean_score,
    bakery,
    diver,
)


def rows(seed: int = SEED) -> list[dict[str, object]]:
    """All ``TRAIN_ROWS + VALIDATION_ROWS`` rows, distinct questions, ids in order."""
    rng = random.Random(seed)
    seen: set[str] = set()
    problems: list[Problem] = []
    while len(problems) < TRAIN_ROWS + VALIDATION_ROWS:
        question, answer = GENERATORS[len(problems) % len(GENERATORS)](rng)
        if question not in seen:
            seen.add(question)
            problems.append((question, answer))
    return [
        {
            "id": f"arith-{number:04d}",
            "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": question}],
            "reference_answer": exact(answer),
        }
        for number, (question, answer) in enumerate(problems, start=1)
    ]


def write_jsonl(path: Path, data: list[dict[str, object]]) -> None:
    """Write one compact JSON object per line, UTF-8, ``\\n`` endings."""
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in data:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Write the training and validation files into ``--out-dir`` (default: this script's folder)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    data = rows()
    write_jsonl(args.out_dir / "arithmetic_train.jsonl", data[:TRAIN_ROWS])
    write_jsonl(args.out_dir / "arithmetic_validation.jsonl", data[TRAIN_ROWS:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
