"""The HTML report: one self-contained file an analyst can mail to the team.

    write_html_report(store, "report.html")     # also: claimkit report --store S --html F

The file holds headline counts, the whole chart set (:data:`claimkit.charts.CHART_SET`) and a
table of claims with their status, verdict, note and evidence.

Nothing in it loads from the network and nothing in it runs: each chart is an SVG drawn by
vl-convert and embedded as a ``data:`` URI in an ``<img>`` (an image-SVG can neither run script
nor fetch anything), styles are inline, and a Content-Security-Policy meta tag forbids every
other source. Interactive charts would need Vega's ~1 MB of JavaScript in every report; static
ones keep the file small and safe to open from a mail.

The page is the Jinja2 template ``templates/report.html.j2``. Article text is untrusted, so the
template environment autoescapes every value and nothing is marked safe: this module hands the
template plain strings and numbers, never markup. A URL becomes a link only when it is http(s):
this module sets a row's ``href`` only then, and the template links nothing else.
"""
from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from claimkit import charts as chart_set
from claimkit.files import atomic_write
from claimkit.taxonomy import Taxonomy, Value

if TYPE_CHECKING:
    from claimkit.store import Store

MAX_ROWS = 500  # claims listed in the table; the CSV export has them all
TEMPLATE = "report.html.j2"


def _thousands(n: int) -> str:
    return f"{n:,}"


# autoescape=True, not select_autoescape(): the default extensions of select_autoescape miss
# "report.html.j2", and every template here is HTML. StrictUndefined makes a misspelt name in a
# template an error instead of an empty cell.
ENVIRONMENT = Environment(loader=PackageLoader("claimkit", "templates"), autoescape=True,
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                          keep_trailing_newline=True)
ENVIRONMENT.filters["thousands"] = _thousands


def html_report(store: Store, *, title: str = "Claims report", max_rows: int = MAX_ROWS,
                chart_names: Iterable[str] | None = None, include_rejected: bool = False) -> str:
    """The report of the whole store as one HTML string: reviewed values (corrected speakers,
    kinds, content), without the claims marked "not a claim" unless ``include_rejected`` (then
    their rows say so)."""
    data = chart_set.ChartData.from_store(store, include_rejected=include_rejected)
    return build_html_report(data, source=store.name, title=title, max_rows=max_rows,
                             chart_names=chart_names)


def write_html_report(store: Store, path: str | os.PathLike, *, include_rejected: bool = False,
                      **options: Any) -> int:
    """Write the report (all or nothing); returns how many claims it covers (see
    ``html_report`` for ``include_rejected``)."""
    data = chart_set.ChartData.from_store(store, include_rejected=include_rejected)
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
    claims = data.claims
    shown = _table_order(claims).head(max_rows) if len(claims) else claims
    return ENVIRONMENT.get_template(TEMPLATE).render(
        title=_text(title),
        source=_text(source),
        generated=f"{now:%Y-%m-%d %H:%M}",
        counts=_counts(claims),
        status_row=_badge_row("Status", claims["status"], data.statuses),
        verdict_row=_badge_row("Verdict", claims["verdict"], data.verdicts,
                               missing=chart_set.NO_VERDICT),
        figures=[_figure(name, chart, captions.get(name, "")) for name, chart in built.items()],
        total=len(claims),
        rows=[_claim_row(row, data.statuses, data.verdicts)
              for row in shown.to_dict("records")],
    )


# --- what the template shows: plain values, never markup -------------------------------------


def _text(value: Any) -> str:
    """A value from the store as text; "" when it is missing (None, NaN, NaT)."""
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return ""
    return str(value)


def _counts(claims: pd.DataFrame) -> list[tuple[str, int]]:
    named = claims["speaker_type"].isin(chart_set.NAMED_SPEAKER_TYPES)
    speakers = chart_set.speaker_names(claims[named])
    return [
        ("claims", len(claims)),
        ("articles", claims["article_id"].nunique()),
        ("outlets", claims.loc[claims["outlet"].fillna("") != "", "outlet"].nunique()),
        ("named speakers", speakers[speakers != ""].nunique()),
        ("reviewed", int((claims["version"] > 0).sum()) if len(claims) else 0),
        ("with a verdict", int(claims["verdict"].notna().sum())),
    ]


def _badge_row(what: str, values: pd.Series, taxonomy: Taxonomy, missing: str | None = None
               ) -> dict[str, Any]:
    counts = values.value_counts(dropna=False)
    badges = [_badge(f"{value.label}: {int(counts.get(value.id, 0)):,}", value.colour)
              for value in taxonomy.values]
    unset = int(values.isna().sum())
    if missing is not None and unset:
        badges.append(_badge(f"{missing}: {unset:,}", chart_set.NO_VERDICT_COLOUR))
    return {"what": what, "badges": badges}


def _badge(text: str, colour: str) -> dict[str, str]:
    # Colours are #rrggbb (taxonomy values are checked when loaded), so they are safe inside
    # the style attribute; escaping could not make a CSS value safe, the check does.
    return {"text": text, "colour": colour, "ink": _ink(colour)}


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour``."""
    try:
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    except ValueError:
        return "#000"
    return "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#fff"


def _figure(name: str, chart: chart_set.Chart, caption: str) -> dict[str, str]:
    # The SVG goes in as a base64 data: URI, which holds only [A-Za-z0-9+/=]: the autoescape
    # leaves it as it is, so no Markup is needed. Text inside the SVG (speaker names) was
    # escaped by vl-convert, and an <img> never runs an SVG's script anyway.
    svg = chart_set.render(chart, "svg")
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    return {"name": name, "uri": uri, "alt": caption or name, "caption": caption}


def _table_order(claims: pd.DataFrame) -> pd.DataFrame:
    reviewed = claims["version"] > 0
    first = claims[reviewed].sort_values("updated_at", ascending=False, kind="stable")
    rest = claims[~reviewed].sort_values("checkworthiness", ascending=False, kind="stable")
    return pd.concat([first, rest])


def _claim_row(row: Mapping[str, Any], statuses: Taxonomy, verdicts: Taxonomy
               ) -> dict[str, Any]:
    published = row.get("published")
    evidence = row.get("evidence")
    return {
        "text": " ".join(str(row.get("text") or "").split()),
        "speaker": _text(row.get("speaker_name") or row.get("speaker_canonical")
                         or row.get("speaker") or ""),
        "cue": _text(row.get("cue_text") or row.get("cue_lemma")),
        "kind": _text(row.get("kind")),
        "title": _text(row.get("title") or "(untitled)"),
        "href": _web_url(row.get("url")),
        "outlet": _text(row.get("outlet")),
        "date": ("" if published is None or pd.isna(published)
                 else pd.Timestamp(published).date().isoformat()),
        "status": _label(row.get("status"), statuses),
        "verdict": _label(row.get("verdict"), verdicts),
        "note": _text(row.get("note")),
        "not_a_claim": row.get("not_a_claim") == True,  # noqa: E712 (NumPy bools too)
        "evidence": ([{"text": _text(url), "href": _web_url(url)} for url in evidence]
                     if isinstance(evidence, (list, tuple)) else []),
    }


def _label(value: Any, taxonomy: Taxonomy) -> dict[str, str] | str:
    """A badge for a value the taxonomy knows; otherwise the stored value, as text."""
    known: Value | None = taxonomy.get(value) if isinstance(value, str) else None
    return _badge(known.label, known.colour) if known else _text(value)


def _web_url(url: Any) -> str:
    """``url`` stripped when it is an http(s) address with a host, else "": the only URLs
    the report makes into links (never javascript:, data:, file: ...)."""
    if not isinstance(url, str):
        return ""
    url = url.strip()
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


__all__ = ["MAX_ROWS", "build_html_report", "html_report", "write_html_report", "write_page"]
