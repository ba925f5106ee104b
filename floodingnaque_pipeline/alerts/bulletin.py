"""The morning bulletin: one self-contained HTML file per issue (the map inline, no network
needed to open, print or e-mail it), and the short summary the webhook message carries."""

from __future__ import annotations

import base64
from html import escape

from floodingnaque_pipeline.alerts.issue import LEVEL_COLOURS, LEVEL_NAMES, Issue, manila
from floodingnaque_pipeline.alerts.reasons import MEANINGS, plain_reasons

STYLE = """body{font-family:sans-serif;max-width:1100px;margin:1em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:left;vertical-align:top}.level{color:#fff;font-weight:bold;padding:1px 6px;
border-radius:3px}img{max-width:100%}"""


def _level(level: int) -> str:
    return (f'<span class="level level-{LEVEL_NAMES[level].lower()}" '
            f'style="background:{LEVEL_COLOURS[level]}">{LEVEL_NAMES[level]}</span>')  # fmt: skip


def summary(issue: Issue) -> str:
    """One paragraph: the webhook message, and the bulletin's first line."""
    raised = sorted((r for r in issue.risks if r.level > 0), key=lambda r: (-r.level, r.day))
    head = f"Flood risk issued {manila(issue.issued_at)} by {issue.serving}: "
    if not raised:
        return head + "every barangay Safe today and tomorrow."
    listed = "; ".join(
        f"{r.name} {LEVEL_NAMES[r.level]} on {r.day:%a %d %b} ({plain_reasons(r, issue.history)})"
        for r in raised
    )
    return head + f"{len(raised)} barangay-day(s) at Alert or Critical: {listed}."


def _rows(issue: Issue, risks: list) -> str:
    return "".join(
        f"<tr class='risk'><td>{escape(r.name)}</td><td>{r.day:%a %d %b}</td>"
        f"<td>{_level(r.level)}</td><td>{escape(plain_reasons(r, issue.history))}</td></tr>"
        for r in risks
    )


def bulletin_html(issue: Issue, map_png: bytes, history: bytes | None = None) -> str:
    raised = sorted((r for r in issue.risks if r.level > 0),
                    key=lambda r: (-r.level, r.day, r.name))  # fmt: skip
    header = "<tr><th>barangay</th><th>day</th><th>level</th><th>why</th></tr>"
    at_risk = (f"<table id='raised'>{header}{_rows(issue, raised)}</table>" if raised
               else "<p id='raised'>No barangay at Alert or Critical.</p>")  # fmt: skip
    changes = issue.changes()
    if issue.previous_issued_at is None:
        changed = "<p id='changes'>First issue: nothing to compare with.</p>"
    elif not changes:
        changed = f"<p id='changes'>No level changed since {manila(issue.previous_issued_at)}.</p>"
    else:
        items = "".join(
            f"<li>{escape(r.name)} {r.day:%a %d %b}: "
            f"{LEVEL_NAMES[before] if before is not None else 'not issued'} -> "
            f"{LEVEL_NAMES[r.level]}</li>"
            for r, before in changes
        )
        changed = (f"<p>Since {manila(issue.previous_issued_at)}:</p>"
                   f"<ul id='changes'>{items}</ul>")  # fmt: skip
    everyone = sorted(issue.risks, key=lambda r: (r.name, r.day))
    meanings = "".join(f"<li>{_level(level)} {escape(text.split(': ', 1)[-1])}</li>"
                       for level, text in MEANINGS.items())  # fmt: skip
    image = base64.b64encode(map_png).decode("ascii")
    recent = (
        "<h2>The last days, per barangay</h2><img id='history' alt='observed rain and levels "
        "of the last days' src='data:image/png;base64,"
        f"{base64.b64encode(history).decode('ascii')}'>"
        if history
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Flood risk bulletin {escape(manila(issue.issued_at))}</title><style>{STYLE}</style></head>
<body>
<h1>Parañaque flood risk bulletin</h1>
<p id="issued">Issued {escape(manila(issue.issued_at))} by <b>{escape(issue.serving)}</b>.</p>
<p id="freshness">Last observed hour: {escape(manila(issue.last_observed_hour))}.
Forecast run: {escape(manila(issue.forecast_issued_at))}.</p>
<h2>At Alert or Critical</h2>
{at_risk}
<h2>What changed since the previous issue</h2>
{changed}
<h2>Map</h2>
<img id="map" alt="risk map, today and tomorrow" src="data:image/png;base64,{image}">
{recent}
<h2>What the levels mean</h2>
<ul id="meanings">{meanings}</ul>
<h2>Every barangay</h2>
<table id="all">{header}{_rows(issue, everyone)}</table>
</body></html>
"""
