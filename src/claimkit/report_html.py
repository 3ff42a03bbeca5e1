"""The HTML report: one self-contained file an analyst can mail to the team (DESIGN §1, §6).

    write_html_report(store, "report.html")     # also: claimkit report --store S --html F

The file holds headline counts, the whole chart set (:data:`claimkit.charts.CHART_SET`) and a
table of claims with their status, verdict, note and evidence.

Nothing in it loads from the network and nothing in it runs: each chart is an SVG drawn by
vl-convert and embedded as a ``data:`` URI in an ``<img>`` (an image-SVG can neither run script
nor fetch anything), styles are inline, and a Content-Security-Policy meta tag forbids every
other source. Interactive charts would need Vega's ~1 MB of JavaScript in every report; static
ones keep the file small and safe to open from a mail. Article text is untrusted: every value
from the store goes through ``html.escape``, and a URL becomes a link only when it is http(s).
"""
from __future__ import annotations

import base64
import html
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pandas as pd

from claimkit import charts as chart_set
from claimkit.files import atomic_write
from claimkit.taxonomy import Taxonomy

if TYPE_CHECKING:
    from claimkit.store import Store

MAX_ROWS = 500  # claims listed in the table; the CSV export has them all
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_STYLE = """
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #263238;
       margin: 2rem auto; max-width: 1180px; padding: 0 1.5rem; line-height: 1.4; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #cfd8dc; padding-bottom: .3rem; }
.meta, .caption, .note-muted { color: #546e7a; font-size: .9rem; }
.counts { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; }
.count { border: 1px solid #cfd8dc; border-radius: 6px; padding: .5rem .9rem; min-width: 7rem; }
.count b { display: block; font-size: 1.5rem; }
.badges { display: flex; flex-wrap: wrap; gap: .4rem; margin: .4rem 0 .8rem; }
.badge { display: inline-block; border-radius: 4px; padding: .05rem .45rem; font-size: .85rem;
         white-space: nowrap; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .45rem .5rem; border-bottom: 1px solid #eceff1; }
th { background: #f5f7f8; position: sticky; top: 0; }
td.claim { max-width: 34rem; }
.who { color: #546e7a; font-size: .85rem; margin-top: .2rem; }
.date { white-space: nowrap; }
ul.evidence { margin: 0; padding-left: 1rem; }
a { color: #1565c0; overflow-wrap: anywhere; }
"""


def html_report(store: Store, *, title: str = "Claims report", max_rows: int = MAX_ROWS,
                chart_names: Iterable[str] | None = None) -> str:
    """The report of the whole store as one HTML string."""
    data = chart_set.ChartData.from_store(store)
    return build_html_report(data, source=store.name, title=title, max_rows=max_rows,
                             chart_names=chart_names)


def write_html_report(store: Store, path: str | os.PathLike, **options: Any) -> int:
    """Write the report (all or nothing); returns how many claims the store holds."""
    data = chart_set.ChartData.from_store(store)
    write_page(build_html_report(data, source=store.name, **options), path)
    return len(data.claims)


def write_page(page: str, path: str | os.PathLike) -> None:
    """Write a page all or nothing: a crash never leaves half a report behind."""
    def write(f: IO[str]) -> None:
        f.write(page)
    atomic_write(path, write)


def build_html_report(data: chart_set.ChartData, *, source: str = "",
                      title: str = "Claims report", max_rows: int = MAX_ROWS,
                      chart_names: Iterable[str] | None = None,
                      now: datetime | None = None) -> str:
    """The report page from already-read data (no store needed)."""
    now = now or datetime.now(timezone.utc)
    built = chart_set.build_chart_set(data, chart_names)
    captions = {spec.name: spec.caption for spec in chart_set.CHART_SET}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">{_e(source)} · generated {now:%Y-%m-%d %H:%M} UTC by claimkit</p>',
        _headline(data),
        "<h2>Charts</h2>",
        *(_figure(name, chart, captions.get(name, "")) for name, chart in built.items()),
        "<h2>Claims</h2>",
        _claims_table(data.claims, data.statuses, data.verdicts, max_rows),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


# --- pieces -----------------------------------------------------------------------------------


def _e(value: Any) -> str:
    """Text from the store, safe in HTML text and in quoted attributes."""
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def _headline(data: chart_set.ChartData) -> str:
    claims = data.claims
    named = claims["speaker_type"].isin(chart_set.NAMED_SPEAKER_TYPES)
    speakers = chart_set.speaker_names(claims[named])
    counts = [
        ("claims", len(claims)),
        ("articles", claims["article_id"].nunique()),
        ("outlets", claims.loc[claims["outlet"].fillna("") != "", "outlet"].nunique()),
        ("named speakers", speakers[speakers != ""].nunique()),
        ("reviewed", int((claims["version"] > 0).sum()) if len(claims) else 0),
        ("with a verdict", int(claims["verdict"].notna().sum())),
    ]
    boxes = "".join(f'<div class="count"><b>{n:,}</b>{_e(label)}</div>' for label, n in counts)
    return (f'<div class="counts">{boxes}</div>'
            + _badge_row("Status", claims["status"], data.statuses)
            + _badge_row("Verdict", claims["verdict"], data.verdicts,
                         missing=chart_set.NO_VERDICT))


def _badge_row(what: str, values: pd.Series, taxonomy: Taxonomy, missing: str | None = None
               ) -> str:
    counts = values.value_counts(dropna=False)
    badges = []
    for value in taxonomy.values:
        n = int(counts.get(value.id, 0))
        badges.append(_badge(f"{value.label}: {n:,}", value.colour))
    unset = int(values.isna().sum())
    if missing is not None and unset:
        badges.append(_badge(f"{missing}: {unset:,}", chart_set.NO_VERDICT_COLOUR))
    return f'<div class="badges"><b>{_e(what)}</b> {"".join(badges)}</div>'


def _badge(text: str, colour: str) -> str:
    # Colours are #rrggbb: taxonomy values are checked when loaded.
    return (f'<span class="badge" style="background:{_e(colour)};color:{_ink(colour)}">'
            f"{_e(text)}</span>")


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour``."""
    try:
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    except ValueError:
        return "#000"
    return "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#fff"


def _figure(name: str, chart: chart_set.Chart, caption: str) -> str:
    svg = chart_set.render(chart, "svg")
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    return (f'<figure id="chart-{_e(name)}"><img src="{uri}" alt="{_e(caption or name)}">'
            f'<figcaption class="caption">{_e(caption)}</figcaption></figure>')


_TABLE_HEAD = ("<tr><th>Claim</th><th>Article</th><th>Status</th><th>Verdict</th>"
               "<th>Note</th><th>Evidence</th></tr>")


def _claims_table(claims: pd.DataFrame, statuses: Taxonomy, verdicts: Taxonomy,
                  max_rows: int) -> str:
    if claims.empty:
        return '<p class="note-muted">The store holds no claims yet.</p>'
    shown = _table_order(claims).head(max_rows)
    intro = (f'<p class="caption">All {len(claims):,} claims, reviewed ones first.</p>'
             if len(shown) == len(claims) else
             f'<p class="caption">{len(shown):,} of {len(claims):,} claims: reviewed ones first '
             "(latest change first), then the most check-worthy. "
             "<code>claimkit export --csv</code> writes them all.</p>")
    rows = "\n".join(_claim_row(row, statuses, verdicts) for row in shown.to_dict("records"))
    return f"{intro}<table><thead>{_TABLE_HEAD}</thead><tbody>\n{rows}\n</tbody></table>"


def _table_order(claims: pd.DataFrame) -> pd.DataFrame:
    reviewed = claims["version"] > 0
    first = claims[reviewed].sort_values("updated_at", ascending=False, kind="stable")
    rest = claims[~reviewed].sort_values("checkworthiness", ascending=False, kind="stable")
    return pd.concat([first, rest])


def _claim_row(row: Mapping[str, Any], statuses: Taxonomy, verdicts: Taxonomy) -> str:
    speaker = row.get("speaker_canonical") or row.get("speaker") or ""
    if speaker:
        who = f"{_e(speaker)} · {_e(row.get('cue_text') or row.get('cue_lemma'))}"
    else:
        who = "the article's own statement" if row.get("kind") == "assertion" else "no stated source"
    status = statuses.get(row.get("status"))
    verdict = verdicts.get(row.get("verdict")) if isinstance(row.get("verdict"), str) else None
    status_cell = _badge(status.label, status.colour) if status else _e(row.get("status"))
    verdict_cell = _badge(verdict.label, verdict.colour) if verdict else _e(row.get("verdict"))
    return ("<tr>"
            f'<td class="claim">{_e(" ".join(str(row.get("text") or "").split()))}'
            f'<div class="who">{who} · {_e(row.get("kind"))}</div></td>'
            f"<td>{_article_cell(row)}</td><td>{status_cell}</td><td>{verdict_cell}</td>"
            f"<td>{_e(row.get('note'))}</td><td>{_evidence_cell(row.get('evidence'))}</td>"
            "</tr>")


def _article_cell(row: Mapping[str, Any]) -> str:
    title = _e(row.get("title") or "(untitled)")
    url = row.get("url")
    head = _link(url, title) if _is_web_url(url) else title
    details = [_e(row.get("outlet"))]
    published = row.get("published")
    if published is not None and not pd.isna(published):
        details.append(f'<span class="date">{pd.Timestamp(published).date().isoformat()}</span>')
    return f'{head}<div class="who">{" · ".join(d for d in details if d)}</div>'


def _evidence_cell(evidence: Any) -> str:
    if not isinstance(evidence, (list, tuple)) or not evidence:
        return ""
    items = [_link(url, _e(url)) if _is_web_url(url) else _e(url) for url in evidence]
    return '<ul class="evidence">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _is_web_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _link(url: str, text: str) -> str:
    return (f'<a href="{_e(url.strip())}" rel="noopener noreferrer nofollow" '
            f'target="_blank">{text}</a>')


__all__ = ["MAX_ROWS", "build_html_report", "html_report", "write_html_report", "write_page"]
