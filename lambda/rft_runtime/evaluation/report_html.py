"""``rft compare --report``: one self-contained HTML file (inline CSS, SVG and script; no network).

Sections: the figures and verdicts, two SVG charts (both reward distributions; the per-prompt
deltas B - A, sorted), and a side-by-side browser of every prompt with its reference, both models'
responses and scores, filterable to B's wins, losses and ties. All text that came from a model or a
dataset is HTML-escaped (responses are adversarial: they may contain markup), and the page's
Content-Security-Policy lets only the report's own style and script run
(:mod:`rft_runtime.evaluation.report_assets`). Charts are drawn here, in Python, as SVG elements
with presentation attributes: the page needs no chart library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from rft_runtime.evaluation import report_assets, summary
from rft_runtime.evaluation.grading import Graded
from rft_runtime.evaluation.prompts import Prompt

COLOUR_A = "#3b6fd6"
COLOUR_B = "#e07b00"
#: At most this many bars in the delta chart (sorted deltas are sampled evenly beyond it).
MAX_DELTA_BARS = 800
WIDTH, HEIGHT, PAD = 460, 220, 34


def _svg_open(title: str, chart_id: str) -> str:
    return (
        f'<svg id="{chart_id}" role="img" aria-label="{escape(title)}" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    )


def distribution_chart(hist_a: Sequence[int], hist_b: Sequence[int]) -> str:
    """Grouped bars: share of each model's responses per reward bin."""
    bins = len(hist_a)
    total_a, total_b = sum(hist_a) or 1, sum(hist_b) or 1
    shares = [(a / total_a, b / total_b) for a, b in zip(hist_a, hist_b, strict=True)]
    top = max(max(pair) for pair in shares) or 1.0
    plot_w, plot_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    slot = plot_w / bins
    parts = [_svg_open("Reward distribution of A and B (share of responses per bin)", "chart-distribution")]
    parts.append(
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#9aa5b8"/>'
    )
    for index, (share_a, share_b) in enumerate(shares):
        x = PAD + index * slot
        for offset, share, colour, name in ((0.1, share_a, COLOUR_A, "A"), (0.5, share_b, COLOUR_B, "B")):
            height = plot_h * share / top
            parts.append(
                f'<rect class="bar-{name.lower()}" x="{x + offset * slot:.1f}" '
                f'y="{HEIGHT - PAD - height:.1f}" '
                f'width="{0.4 * slot:.1f}" height="{height:.1f}" fill="{colour}"><title>{name} '
                f"{index / bins:.1f}-{(index + 1) / bins:.1f}: {share:.1%}</title></rect>"
            )
    for edge in range(bins + 1):  # bin edges: the last bin, [0.9, 1.0], holds the perfect scores
        parts.append(
            f'<text x="{PAD + edge * slot:.1f}" y="{HEIGHT - PAD + 14}" text-anchor="middle">'
            f"{edge / bins:.1f}</text>"
        )
    parts.append(f'<text x="{PAD}" y="{PAD - 12}">max bar {top:.0%} of responses</text>')
    parts.append(f'<rect x="{WIDTH - 120}" y="{PAD - 22}" width="10" height="10" fill="{COLOUR_A}"/>')
    parts.append(f'<text x="{WIDTH - 106}" y="{PAD - 13}">A</text>')
    parts.append(f'<rect x="{WIDTH - 80}" y="{PAD - 22}" width="10" height="10" fill="{COLOUR_B}"/>')
    parts.append(f'<text x="{WIDTH - 66}" y="{PAD - 13}">B</text></svg>')
    return "".join(parts)


def delta_chart(deltas: Sequence[float]) -> str:
    """Sorted per-prompt deltas (B - A) as bars around a zero line; green up, red down."""
    ordered = sorted(deltas)
    if len(ordered) > MAX_DELTA_BARS:
        step = (len(ordered) - 1) / (MAX_DELTA_BARS - 1)
        ordered = [ordered[round(i * step)] for i in range(MAX_DELTA_BARS)]
    plot_w, half = WIDTH - 2 * PAD, (HEIGHT - 2 * PAD) / 2
    zero_y = PAD + half
    slot = plot_w / max(1, len(ordered))
    parts = [_svg_open("Per-prompt reward delta B - A, sorted", "chart-deltas")]
    for index, delta in enumerate(ordered):
        height = abs(delta) * half
        y = zero_y - height if delta > 0 else zero_y
        colour = "#1a7f37" if delta > 0 else "#c62828"
        parts.append(
            f'<rect class="delta" x="{PAD + index * slot:.2f}" y="{y:.1f}" '
            f'width="{max(slot * 0.9, 0.5):.2f}" '
            f'height="{height:.1f}" fill="{colour}"/>'
        )
    parts.append(f'<line x1="{PAD}" y1="{zero_y}" x2="{WIDTH - PAD}" y2="{zero_y}" stroke="#9aa5b8"/>')
    parts.append(f'<text x="4" y="{PAD + 4}">+1</text><text x="8" y="{zero_y + 4}">0</text>')
    parts.append(f'<text x="4" y="{HEIGHT - PAD + 4}">-1</text></svg>')
    return "".join(parts)


def _base_models(report: Mapping[str, Any]) -> str:
    """A line per side that is a base model measured through an inference profile."""
    return "".join(
        f'<p class="sub">{escape(line)}</p>'
        for name in ("a", "b")
        for line in summary.base_model_lines(report[name], f"{name.upper()}: ")
    )


def _figures(report: Mapping[str, Any]) -> str:
    a, b, delta, wins = report["a"], report["b"], report["delta"], report["win_tie_loss"]

    def mean(side: Mapping[str, Any]) -> str:
        m = side["mean"]
        return f"{m['value']:.3f} ({m['ci_low']:.3f} to {m['ci_high']:.3f})"

    rows = [
        ("model", escape(a["model"]), escape(b["model"])),
        ("mean reward (95% CI)", mean(a), mean(b)),
        (
            f"pass rate (reward >= {report['pass_threshold']:g})",
            f"{a['pass_rate']:.1%}",
            f"{b['pass_rate']:.1%}",
        ),
        ("responses", str(a["responses"]), str(b["responses"])),
    ]
    body = "".join(f"<tr><th>{label}</th><td>{x}</td><td>{y}</td></tr>" for label, x, y in rows)
    return (
        f'<table class="figures"><tr><th></th><th>A</th><th>B</th></tr>{body}</table>'
        f'<p id="delta">Paired mean delta B - A: <b>{delta["value"]:+.3f}</b> '
        f"(95% CI {delta['ci_low']:+.3f} to {delta['ci_high']:+.3f}, {escape(delta['method'])}). "
        f'B wins <b id="wins">{wins["win"]}</b>, ties <b id="ties">{wins["tie"]}</b>, '
        f'loses <b id="losses">{wins["loss"]}</b> of {report["prompts"]} prompts.</p>'
    )


def _responses(texts: Sequence[str], scores: Sequence[float]) -> str:
    return "".join(
        f'<div><span class="score">{score:.3f}</span><pre>{escape(text)}</pre></div>'
        for text, score in zip(texts, scores, strict=True)
    )


def _prompt_rows(
    prompts: Sequence[Prompt],
    rows: Sequence[Mapping[str, Any]],
    texts: tuple[Mapping[str, Sequence[str]], Mapping[str, Sequence[str]]],
    graded: tuple[Graded, Graded],
) -> str:
    out = []
    for prompt, row in zip(prompts, rows, strict=True):
        reference = prompt.reference
        out.append(
            f'<tr class="{row["outcome"]}" data-outcome="{row["outcome"]}"><td>{escape(prompt.id)}</td>'
            f"<td><pre>{escape(prompt.question())}</pre>"
            f'<div class="ref">reference: {escape(str(reference))}</div></td>'
            f"<td>{_responses(texts[0][prompt.id], graded[0].scores[prompt.id])}</td>"
            f"<td>{_responses(texts[1][prompt.id], graded[1].scores[prompt.id])}</td>"
            f'<td class="delta">{row["delta"]:+.3f}</td></tr>'
        )
    return "".join(out)


def render(
    report: Mapping[str, Any],
    prompts: Sequence[Prompt],
    texts: tuple[Mapping[str, Sequence[str]], Mapping[str, Sequence[str]]],
    graded: tuple[Graded, Graded],
    *,
    title: str = "rft compare",
) -> str:
    """The whole report page for a :func:`rft_runtime.evaluation.summary.comparison` ``report``."""
    verdicts = "".join(f"<li>{escape(line)}</li>" for line in report["verdicts"])
    buttons = "".join(
        f'<button type="button" data-filter="{kind}" aria-pressed="false">{label}</button>'
        for kind, label in (("all", "All"), ("win", "B wins"), ("loss", "B loses"), ("tie", "Ties"))
    )
    deltas = [row["delta"] for row in report["per_prompt"]]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{report_assets.content_security_policy()}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{report_assets.STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<p class="sub">A = {escape(report["a"]["model"])} &middot; B = {escape(report["b"]["model"])} '
        f"&middot; {report['prompts']} prompts</p>"
        f"{_base_models(report)}"
        f'{_figures(report)}<ul class="verdicts">{verdicts}</ul>'
        '<h2>Charts</h2><div class="charts">'
        f"<figure>{distribution_chart(report['a']['histogram'], report['b']['histogram'])}"
        "<figcaption>Reward distribution: share of each model's responses per reward bin."
        "</figcaption></figure>"
        f"<figure>{delta_chart(deltas)}"
        "<figcaption>Per-prompt delta B - A (mean over samples), sorted.</figcaption></figure></div>"
        '<h2>Prompts</h2><div class="filters">'
        f'{buttons} <span><b id="shown">{len(prompts)}</b> shown</span></div>'
        '<table id="prompts"><colgroup><col class="id"><col class="q"><col class="r"><col class="r">'
        '<col class="d"></colgroup><thead><tr><th>id</th><th>prompt</th><th>A: score, response</th>'
        "<th>B: score, response</th><th>delta</th></tr></thead><tbody>"
        f"{_prompt_rows(prompts, report['per_prompt'], texts, graded)}</tbody></table>"
        f"<script>{report_assets.SCRIPT}</script></body></html>\n"
    )
