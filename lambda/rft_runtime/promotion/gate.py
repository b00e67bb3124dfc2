"""The summarising step of the promotion gate: figures, report, decision.

The figures are :func:`rft_runtime.evaluation.summary.comparison` with A = the incumbent (the
serving model, or the base model on a pipeline's first run) and B = the candidate, the same dict
``rft compare --format json`` prints; the decision is
:func:`rft_runtime.evaluation.verdicts.gate_passes` on the paired delta. Both files go to
``s3://<bucket>/runs/<fingerprint>/evaluation/`` (``figures.json``, ``report.html``, written with
the bucket's default encryption).

Decisions: ``promote`` (the delta meets ``minImprovement``), ``reject`` (it does not) and ``error``
(the evaluation failed or is incomplete: :class:`EvaluationError`, never a promotion).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from rft_runtime.evaluation import report_html, summary
from rft_runtime.evaluation.grading import Graded
from rft_runtime.evaluation.prompts import Prompt
from rft_runtime.lifecycle import retry
from rft_runtime.lifecycle.state import ERROR, PROMOTE, REJECT
from rft_runtime.promotion import results
from rft_runtime.promotion.errors import EvaluationError

FIGURES_FILE = "figures.json"
REPORT_FILE = "report.html"


def evaluation_prefix(fingerprint: str) -> str:
    """The key prefix of a run's evaluation files (ends with ``/``)."""
    return f"runs/{fingerprint}/evaluation/"


def _graded(prompts: list[dict[str, Any]], side: str) -> tuple[Graded, dict[str, list[str]]]:
    graded = Graded({p["id"]: [float(s) for s in p[side]["scores"]] for p in prompts})
    graded.errors.update(
        Counter({tag: n for p in prompts for tag, n in (p[side].get("errors") or {}).items()})
    )
    return graded, {p["id"]: list(p[side].get("responses") or []) for p in prompts}


def summarise(event: Mapping[str, Any], s3: Any) -> dict[str, Any]:
    """Decide from the Map's results. ``event``: ``bucket``, ``fingerprint``, ``candidateModel``,
    ``incumbent`` (the ``find_incumbent`` step's result: ``model``, ``kind``, for the base model
    ``baseModel``; from executions started before it was passed: ``incumbentModel``, the model),
    ``minImprovement`` (default 0.0), ``samplesPerPrompt`` (default 1),
    ``passThreshold`` (default :data:`summary.DEFAULT_PASS_THRESHOLD`) and ``map`` (the Map's output,
    holding ``ResultWriterDetails``). Returns ``decision``, ``location`` (the evaluation prefix as an
    ``s3://`` URI), ``incumbent`` (as given), the delta and its CI, win/tie/loss, both means,
    ``prompts`` and, for ``error``, ``message``. Never raises for a bad evaluation: that is decision
    ``error``."""
    bucket, fingerprint = str(event["bucket"]), str(event["fingerprint"])
    prefix = evaluation_prefix(fingerprint)
    location = f"s3://{bucket}/{prefix}"
    try:
        return _summarise(event, s3, bucket, prefix, location)
    except EvaluationError as exc:
        return {"decision": ERROR, "location": location, "message": str(exc)[:1000]}


def _summarise(event: Mapping[str, Any], s3: Any, bucket: str, prefix: str, location: str) -> dict[str, Any]:
    min_improvement = float(event.get("minImprovement", 0.0))
    threshold = float(event.get("passThreshold", summary.DEFAULT_PASS_THRESHOLD))
    details = (event.get("map") or {}).get("ResultWriterDetails") or {}
    collected = results.collect(s3, details, int(event.get("samplesPerPrompt", 1)))
    prompts = [
        Prompt(
            p["id"],
            [{"role": "user", "content": str(p.get("prompt", ""))}],
            {"reference_answer": p.get("reference")},
        )
        for p in collected.prompts
    ]
    incumbent, incumbent_texts = _graded(collected.prompts, "incumbent")
    candidate, candidate_texts = _graded(collected.prompts, "candidate")
    # an execution started before this version passes only the model (``incumbentModel``)
    measured_incumbent = dict(event.get("incumbent") or {"model": event["incumbentModel"]})
    names = (str(measured_incumbent["model"]), str(event["candidateModel"]))
    figures = summary.comparison(
        prompts,
        (names[0], incumbent),
        (names[1], candidate),
        threshold=threshold,
        min_improvement=min_improvement,
    )
    if measured_incumbent.get("baseModel"):
        figures["a"]["base_model"] = measured_incumbent["baseModel"]
    figures["tokens"] = {"inputTokens": collected.input_tokens, "outputTokens": collected.output_tokens}
    page = report_html.render(
        figures,
        prompts,
        (incumbent_texts, candidate_texts),
        (incumbent, candidate),
        title="rft promotion gate",
    )
    for name, body, content_type in (
        (FIGURES_FILE, json.dumps(figures, indent=1).encode(), "application/json"),
        (REPORT_FILE, page.encode("utf-8"), "text/html; charset=utf-8"),
    ):
        retry.call(s3.put_object, Bucket=bucket, Key=prefix + name, Body=body, ContentType=content_type)
    delta = figures["delta"]
    return {
        "decision": PROMOTE if figures["gate"] else REJECT,
        "location": location,
        "incumbent": measured_incumbent,
        "prompts": figures["prompts"],
        "delta": {"value": delta["value"], "ciLow": delta["ci_low"], "ciHigh": delta["ci_high"]},
        "minImprovement": min_improvement,
        "winTieLoss": figures["win_tie_loss"],
        "meanCandidate": figures["b"]["mean"]["value"],
        "meanIncumbent": figures["a"]["mean"]["value"],
    }
