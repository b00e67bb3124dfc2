"""The HTML report: self-contained, escaped against adversarial responses, and working in a real
headless Chromium (charts drawn, the filter works by click and by URL fragment, no requests)."""

from __future__ import annotations

import json
import os
import re
import struct
from pathlib import Path

import pytest
from evaluation_fakes import RECORDINGS, VALIDATION
from headless_chromium import Browser

from rft_runtime.cli import main
from rft_runtime.evaluation import report_assets, report_html

ATTACK = (
    '</pre></td></tr></table></script><script>window.__pwned = 1; document.title = "pwned"</script>'
    '<img src="http://attacker.invalid/x.png" onerror="window.__pwned = 2">'
    "<style>body{background:url(http://attacker.invalid/bg.png)}</style>"
    '<svg onload="window.__pwned = 3"></svg>\n#### -18'
)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The shipped recordings, with the tuned model's first response replaced by an attack."""
    folder = tmp_path_factory.mktemp("report")
    lines = (RECORDINGS / "tuned_responses.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    lines[0] = json.dumps({"id": first["id"], "response": ATTACK})
    attacked = folder / "tuned_attacked.jsonl"
    attacked.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = folder / "report.html"
    code = main.main(
        ["compare", str(VALIDATION), "--template", "math_answer", "--responses-a",
         str(RECORDINGS / "base_responses.jsonl"), "--responses-b", str(attacked), "--report", str(page)]
    )  # fmt: skip
    assert code == 0
    return page


def test_report_is_one_file_with_no_reference_to_anything_outside(report):
    html = report.read_text(encoding="utf-8")
    assert "<script>" + report_assets.SCRIPT + "</script>" in html
    assert html.count("<script") == 1  # the report's own; the attack's is text
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    policy = report_assets.content_security_policy()
    assert f'content="{policy}"' in html and "default-src 'none'" in policy


def test_csp_hashes_match_the_inline_style_and_script():
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(report_assets.SCRIPT.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in report_assets.content_security_policy()


def test_the_distribution_axis_marks_bin_edges_up_to_one():
    # bars of the last bin hold the perfect scores: the axis ends at 1.0 under its right edge,
    # not at 0.9 under its middle
    svg = report_html.distribution_chart([1] * 10, [1] * 10)
    labels = re.findall(r'<text x="([0-9.]+)" y="[0-9.]+" text-anchor="middle">([0-9.]+)</text>', svg)
    assert [text for _x, text in labels] == [f"{n / 10:.1f}" for n in range(11)]
    first_bar = float(re.search(r'class="bar-a" x="([0-9.]+)"', svg).group(1))
    last_bar_end = max(
        float(x) + float(w)
        for x, w in re.findall(r'class="bar-b" x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"', svg)
    )
    assert float(labels[0][0]) <= first_bar and last_bar_end <= float(labels[-1][0])


def _png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as stream:
        header = stream.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_report_in_headless_chromium(report, tmp_path):
    browser = Browser()
    try:
        browser.open(report.as_uri())
        count = "document.querySelectorAll({!r}).length".format
        state = {
            "bars": browser.evaluate(count("#chart-distribution rect.bar-a, #chart-distribution rect.bar-b")),
            "deltas": browser.evaluate(count("#chart-deltas rect.delta")),
            "rows": browser.evaluate(count("#prompts tbody tr")),
            "visible": browser.evaluate(count("#prompts tbody tr:not([hidden])")),
            "pwned": browser.evaluate("window.__pwned || 0"),
            "title": browser.evaluate("document.title"),
            "wins": browser.evaluate("document.getElementById('wins').textContent"),
            "ties": browser.evaluate("document.getElementById('ties').textContent"),
            "attackText": browser.evaluate(
                "document.querySelector('#prompts tbody td:nth-child(4) pre').textContent"
            ),
        }
        assert state["bars"] == 20 and state["deltas"] == 40 and state["rows"] == state["visible"] == 40
        assert state["pwned"] == 0 and state["title"].startswith("rft compare")
        assert "</script><script>window.__pwned = 1" in state["attackText"]  # shown as text, not run
        wins = int(state["wins"])
        browser.click('button[data-filter="win"]')  # a real mouse click
        assert browser.wait_until(
            f"document.querySelectorAll('#prompts tbody tr:not([hidden])').length === {wins}"
        )
        assert browser.evaluate("location.hash") == "#filter=win"
        assert browser.evaluate(
            "Array.prototype.every.call(document.querySelectorAll('#prompts tbody tr:not([hidden])'), "
            "function (r) { return r.getAttribute('data-outcome') === 'win'; })"
        )
        for kind, expected in (("tie", int(state["ties"])), ("all", state["rows"])):
            browser.click(f'button[data-filter="{kind}"]')
            assert browser.wait_until(
                f"document.querySelectorAll('#prompts tbody tr:not([hidden])').length === {expected}"
            ), kind
            assert browser.evaluate("document.getElementById('shown').textContent") == str(expected)
        assert wins + int(state["ties"]) + 2 == state["rows"]  # the two losses are checked below
        browser.open(report.as_uri() + "#filter=loss")  # a link straight to the losses
        assert browser.wait_until("document.getElementById('shown').textContent === '2'")
        shot = str(tmp_path / "report.png")
        browser.screenshot(shot)
        assert _png_size(shot) == (1280, 1400) and os.path.getsize(shot) > 20_000
        assert browser.evaluate("window.__pwned || 0") == 0
        requested = browser.requested_urls()
        assert requested and all(url.startswith("file://") for url in requested), requested
    finally:
        browser.close()
