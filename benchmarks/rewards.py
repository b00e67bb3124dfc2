"""Reward runtime: grading throughput per template through the Lambda adapter, and cold import time.

Throughput: one 2,048-sample batch (``quick``: 256) of ~1 KB responses per template, graded by
``make_handler(...)(event)`` (the Lambda code path, EMF line included) on one thread, best of several
runs after a warm-up call (the grader is built once per container, so building is not counted).
Every run grades a new batch (new prompts, new references), so work a grader does once per reference
is paid in every run rather than served from the previous run's memo.
Time is the process's CPU time, so other load on a shared machine does not distort the figure
(wall time for ``code_tests``, whose work happens in child processes).
Rollouts come in groups of 16 per prompt (RFT samples several responses per prompt), so 16 samples
share a reference. The LLM judge uses an in-process fake client that answers instantly: its row
measures the runtime's own overhead (prompting, threads, parsing), not Bedrock. ``code_tests``
starts one sandboxed interpreter per sample, so it is reported separately, on a smaller batch, with
its default concurrency of 2.

Cold import: ``import rft_runtime.rewards.handler`` in a fresh interpreter (median of 7), and the
first invocation of a fresh Lambda (import + reading the environment + building a ``math_answer``
grader + grading one sample).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.table import Table

TARGET_SAMPLES_PER_S = 50_000
TARGET_IMPORT_MS = 150.0
GROUP = 16

_FILLER = (
    "First, restate what is known and what is asked. The store sells {a} items on Monday and {b} items "
    "on Tuesday; each item costs ${c}.50 and the owner pays a fixed fee of {d} dollars per day. "
    "Next, compute the revenue for each day separately, then subtract the fees, and finally check the "
    "result by estimating: roughly {a} plus {b} items at about {c} dollars each. "
)


def _reasoning(n: int, size: int = 1000) -> str:
    text = ""
    while len(text) < size:
        text += _FILLER.format(a=n % 97 + 3, b=n % 89 + 5, c=n % 13 + 2, d=n % 7 + 1)
    return text[:size]


def _message(content: str) -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": "Solve the problem. End with a line '#### <answer>'."},
        {"role": "user", "content": "A word problem about a store's revenue over two days."},
        {"role": "assistant", "content": content},
    ]


def _item(n: int, content: str, reference: Any, **metadata: Any) -> dict[str, Any]:
    return {
        "id": f"b-{n}",
        "messages": _message(content),
        "metadata": {"reference_answer": reference, **metadata},
    }


def _math(n: int) -> dict[str, Any]:
    answer = 1000 + n // GROUP
    given = answer if n % 2 else answer + 1
    return _item(n, f"<think>{_reasoning(n, 300)}</think>{_reasoning(n)}\n#### {given:,}", str(answer))


_SCHEMA = {
    "type": "object",
    "required": ["label", "confidence"],
    "properties": {
        "label": {"enum": ["spam", "ham"]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
}


def _format(n: int) -> dict[str, Any]:
    verdict = json.dumps({"label": "spam" if n % 3 else "ham", "confidence": 0.8})
    return _item(n, f"{_reasoning(n, 900)}\n<answer>{verdict}</answer>", None)


def _label(n: int) -> dict[str, Any]:
    label = ("safe", "unsafe", "needs review")[n % 3]
    return _item(
        n, f"{_reasoning(n)}\nVerdict: {label}.", ("safe", "unsafe", "needs review")[(n // GROUP) % 3]
    )


def _text(n: int) -> dict[str, Any]:
    reference = _reasoning(n // GROUP * 7 + 1)
    return _item(n, _reasoning(n), reference)


def _code(n: int) -> dict[str, Any]:
    body = "    return a + b" if n % 2 else "    return a - b"
    tests = "assert add(1, 2) == 3\nassert add(2, 2) == 4\nassert add(-1, 1) == 0"
    return _item(n, f"Here is the function.\n```python\ndef add(a, b):\n{body}\n```", tests)


class _InstantJudge:
    """A stand-in Bedrock client that answers every Converse call at once."""

    def converse(self, **request: Any) -> dict[str, Any]:
        return {
            "output": {"message": {"content": [{"text": '{"score": 7, "reason": "fine"}'}]}},
            "stopReason": "end_turn",
        }


def _cases(
    custom_path: str,
) -> list[tuple[str, str, dict[str, Any], Callable[[int], dict[str, Any]], dict[str, Any]]]:
    """(label, template, options, item builder, grader deps) per measured row."""
    format_options = {
        "constraints": [
            {"type": "tags", "tags": ["answer"]},
            {"type": "json", "source": "tag:answer", "schema": _SCHEMA},
            {"type": "length", "max_words": 400},
            {"type": "regex", "pattern": "(?i)as an ai", "must_match": False},
        ]
    }
    composite = {
        "graders": [
            {
                "template": "format_check",
                "name": "format",
                "weight": 0,
                "options": {"constraints": [{"type": "regex", "pattern": "#### "}]},
            },
            {"template": "math_answer"},
        ],
        "gate": ["format"],
    }
    cases = [
        ("math_answer", "math_answer", {}, _math, {}),
        ("format_check (4 constraints)", "format_check", format_options, _format, {}),
        (
            "string_match (labels)",
            "string_match",
            {"mode": "labels", "labels": ["safe", "unsafe", "needs review"]},
            _label,
            {},
        ),
        ("string_match (normalized)", "string_match", {}, _text, {}),
    ]
    for metric in ("token_f1", "rouge_1", "rouge_2", "rouge_l", "bleu", "edit_similarity"):
        cases.append((f"text_similarity ({metric})", "text_similarity", {"metric": metric}, _text, {}))
    cases.append(("composite (format gate + math)", "composite", composite, _math, {}))
    cases.append(("custom (user score function)", "custom", {"path": custom_path}, _text, {}))
    cases.append(
        (
            "llm_judge (fake instant client)",
            "llm_judge",
            {"model_id": "fake.judge-v1:0"},
            _text,
            {"client": _InstantJudge()},
        )
    )
    return cases


def _throughput(
    template: str,
    options: dict[str, Any],
    events: list[list[dict[str, Any]]],
    deps: dict[str, Any],
    clock: Callable[[], float] = time.process_time,
) -> float:
    """Samples per second of the best run, one run per event after the first (whose first group is
    the warm-up); ``clock`` is CPU time by default (see the module docstring)."""
    from rft_runtime.rewards.handler import make_handler

    handler = make_handler(template, options, emit=lambda _line: None, **deps)
    handler(events[0][:GROUP], None)  # warm-up: builds the grader, as the first invocation would
    best = float("inf")
    for event in events[1:]:
        started = clock()
        handler(event, None)
        best = min(best, clock() - started)
    return len(events[1]) / best


def _events(build: Callable[[int], dict[str, Any]], size: int, runs: int) -> list[list[dict[str, Any]]]:
    """A warm-up event and one event per run, with new sample numbers (hence new prompts and references)
    each time: graders that prepare each reference once must pay for it in every run, as they do
    when a new batch brings new prompts."""
    return [[build(n) for n in range(run * size, (run + 1) * size)] for run in range(runs + 1)]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return os.uname().machine


def _subprocess_seconds(code: str, runs: int) -> float:
    env = {**os.environ, "RFT_REWARD_TEMPLATE": "math_answer", "RFT_REWARD_OPTIONS": "{}"}
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


_IMPORT = (
    "import time\n"
    "t = time.perf_counter()\n"
    "import rft_runtime.rewards.handler\n"
    "print(time.perf_counter() - t)\n"
)
_FIRST_CALL = (
    "import time, sys, io\n"
    "t = time.perf_counter()\n"
    "from rft_runtime.rewards.handler import handler\n"
    "messages = [{'role': 'user', 'content': 'q'}, {'role': 'assistant', 'content': '#### 4'}]\n"
    "event = [{'id': '1', 'messages': messages, 'metadata': {'reference_answer': '4'}}]\n"
    "sys.stdout = io.StringIO()\n"
    "handler(event, None)\n"
    "sys.stdout = sys.__stdout__\n"
    "print(time.perf_counter() - t)\n"
)


def run(quick: bool) -> Table:
    """Measure every template and the cold start; one row each."""
    import tempfile

    size = 256 if quick else 2048
    runs = 2 if quick else 11
    table = Table(
        title="rewards: grading throughput (Lambda adapter, one thread) and cold start",
        columns=["measure", "batch", "result", "target", "met"],
    )
    with tempfile.TemporaryDirectory() as folder:
        custom_path = os.path.join(folder, "grader.py")
        with open(custom_path, "w", encoding="utf-8") as handle:
            handle.write(
                "def score(sample):\n    return float(str(sample.reference)[:20] in sample.response)\n"
            )
        for label, template, options, build, deps in _cases(custom_path):
            rate = _throughput(template, options, _events(build, size, runs), deps)
            rule_based = template not in ("llm_judge", "custom")
            target = f">= {TARGET_SAMPLES_PER_S:,}/s" if rule_based else "-"
            met = ("yes" if rate >= TARGET_SAMPLES_PER_S else "NO") if rule_based else "-"
            table.add(label, size, f"{rate:,.0f} samples/s", target, met)
    code_size = 8 if quick else 64
    code_rate = _throughput("code_tests", {}, _events(_code, code_size, 1), {}, time.perf_counter)
    table.add(
        "code_tests (sandbox per sample, 2 at once)", code_size, f"{code_rate:,.1f} samples/s", "-", "-"
    )
    import_ms = _subprocess_seconds(_IMPORT, 3 if quick else 7) * 1000
    table.add(
        "cold import of rft_runtime.rewards.handler",
        "-",
        f"{import_ms:.1f} ms",
        f"< {TARGET_IMPORT_MS:.0f} ms",
        "yes" if import_ms < TARGET_IMPORT_MS else "NO",
    )
    first_ms = _subprocess_seconds(_FIRST_CALL, 3 if quick else 7) * 1000
    table.add("cold import + first invocation (math_answer)", 1, f"{first_ms:.1f} ms", "-", "-")
    table.notes.append(
        f"Python {sys.version.split()[0]} on {os.uname().machine} ({_cpu_model()}); {os.cpu_count()} CPUs "
        f"visible; load average {os.getloadavg()[0]:.1f} at the end (figures are CPU time, one thread)."
    )
    table.notes.append(
        f"~1 KB responses; best of {runs} runs, each on a new batch (new prompts and references)."
    )
    table.notes.append(
        f"Shared-reference assumption: rollouts come in groups of {GROUP} per prompt (Bedrock's"
        " trainingSamplePerPrompt), so 16 samples share a reference. text_similarity prepares each distinct"
        " reference once (n-gram counts, LCS masks, Levenshtein table) and reuses it for the group; responses"
        " are never cached. The reference work is counted in every run; with fewer rollouts per prompt it is"
        " spread over fewer samples."
    )
    table.notes.append(
        "text_similarity floors in pure Python: rouge_l does one big-integer step per response token,"
        " bleu counts four n-gram orders, so they stay below the target at 1 KB; edit_similarity uses"
        " rapidfuzz's compiled Levenshtein when installed (see the edit_similarity section)."
    )
    table.notes.append("llm_judge: fake instant client, measures runtime overhead only, not Bedrock latency.")
    return table
