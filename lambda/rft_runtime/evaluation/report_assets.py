"""The fixed parts of the HTML report: its style sheet and its one script.

Both are inlined in the report and allowed by a Content-Security-Policy that lists their SHA-256
hashes and nothing else (``default-src 'none'``): the page loads nothing from anywhere, and a
script or style smuggled in through model text would not run even if escaping ever failed.
The script only filters the prompt table (buttons, or the URL fragment ``#filter=win|loss|tie|all``).
"""

from __future__ import annotations

import base64
import hashlib

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2430}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.sub{color:#5b6577;margin:0 0 16px}
table.figures{border-collapse:collapse;margin:8px 0}
table.figures td,table.figures th{border:1px solid #d8dde6;padding:4px 10px;text-align:right}
table.figures th{background:#f3f5f9;text-align:left}
ul.verdicts{background:#f6f8fb;border-left:4px solid #3b6fd6;padding:8px 8px 8px 28px}
.charts{display:flex;flex-wrap:wrap;gap:24px}
figure{margin:0}figcaption{color:#5b6577;font-size:12px}
svg text{font-size:11px;fill:#3a4150}
.filters button{font:inherit;padding:4px 12px;margin-right:6px;border:1px solid #9aa5b8}
.filters button{background:#fff;border-radius:4px;cursor:pointer}
.filters button[aria-pressed=true]{background:#1d2430;color:#fff;border-color:#1d2430}
table#prompts{border-collapse:collapse;width:100%;table-layout:fixed;margin-top:10px}
table#prompts th,table#prompts td{border:1px solid #d8dde6;padding:6px;vertical-align:top}
table#prompts th{background:#f3f5f9;position:sticky;top:0}
table#prompts col.id{width:9%}table#prompts col.q{width:25%}table#prompts col.r{width:29%}
table#prompts col.d{width:8%}
pre{white-space:pre-wrap;word-break:break-word;margin:0 0 6px}
pre{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
.score{font-weight:600}.ref{color:#5b6577;font-size:12px}
tr.win td.delta{color:#1a7f37}tr.loss td.delta{color:#c62828}tr.tie td.delta{color:#5b6577}
"""

SCRIPT = """
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('#prompts tbody tr'));
  var buttons = Array.prototype.slice.call(document.querySelectorAll('.filters button'));
  var kinds = ['all', 'win', 'loss', 'tie'];
  function apply(filter) {
    if (kinds.indexOf(filter) < 0) { filter = 'all'; }
    var shown = 0;
    rows.forEach(function (row) {
      var match = filter === 'all' || row.getAttribute('data-outcome') === filter;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    buttons.forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.getAttribute('data-filter') === filter));
    });
    document.getElementById('shown').textContent = String(shown);
    document.body.setAttribute('data-filter', filter);
  }
  function fromFragment() {
    var match = /filter=([a-z]+)/.exec(window.location.hash);
    apply(match ? match[1] : 'all');
  }
  buttons.forEach(function (button) {
    button.addEventListener('click', function () {
      window.location.hash = 'filter=' + button.getAttribute('data-filter');
    });
  });
  window.addEventListener('hashchange', fromFragment);
  fromFragment();
})();
"""


def csp_hash(text: str) -> str:
    """The CSP source expression (``'sha256-...'``) allowing an inline element with body ``text``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy() -> str:
    """Nothing may load; only :data:`STYLE` and :data:`SCRIPT` may apply."""
    return (
        f"default-src 'none'; style-src {csp_hash(STYLE)}; script-src {csp_hash(SCRIPT)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
