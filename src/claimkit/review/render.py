"""The review app's HTML: a claim in its paragraph, its details, a conflict. Data in, text out.

Article text is untrusted (docs/architecture.md §6): every piece of it, and every value a reviewer typed, goes
through ``html.escape`` before it becomes HTML. Nothing here loads from the network; an evidence
URL becomes a link only when it is http(s) with a host (``javascript:`` and the like stay text),
and the link opens in a new tab without a referrer or a handle on this page.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from claimkit.taxonomy import Taxonomy

Span = Sequence[int]

# How each part of an attribution is painted, and which wins where parts overlap (a cue inside
# a quoted content, say): earlier roles are drawn over later ones.
ROLES = ("source", "cue", "content")
ROLE_COLOURS = {"source": "#b9d4ff", "cue": "#ffc47a", "content": "#fff1a1"}
ROLE_LABELS = {"source": "source (who)", "cue": "cue (how)", "content": "content (what)"}

# The paragraph shown around a claim; a longer one is cut to this many characters around it.
MAX_CONTEXT = 1600
_PARAGRAPH_BREAK = re.compile(r"\n")


def escape(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


# --- the paragraph ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """The part of the article shown: ``start:end``, and whether text was cut at either side."""

    start: int
    end: int
    cut_before: bool = False
    cut_after: bool = False


def context_window(text: str, spans: Iterable[Span], max_chars: int = MAX_CONTEXT) -> Window:
    """The paragraph(s) holding every span (lines are paragraphs), cut around the spans when
    that is longer than ``max_chars``."""
    spans = [(int(s), int(e)) for s, e in spans if 0 <= int(s) <= int(e) <= len(text)]
    if not spans:
        return Window(0, min(len(text), max_chars), cut_after=len(text) > max_chars)
    low, high = min(s for s, _ in spans), max(e for _, e in spans)
    start = _paragraph_start(text, low)
    end = _paragraph_end(text, high)
    if end - start <= max_chars:
        return Window(start, end)
    room = max(0, (max_chars - (high - low)) // 2)
    cut_start = max(start, _word_start(text, low - room))
    cut_end = min(end, _word_end(text, high + room))
    return Window(cut_start, cut_end, cut_start > start, cut_end < end)


def _paragraph_start(text: str, at: int) -> int:
    found = text.rfind("\n", 0, at)
    return found + 1


def _paragraph_end(text: str, at: int) -> int:
    found = text.find("\n", at)
    return len(text) if found < 0 else found


def _word_start(text: str, at: int) -> int:
    at = max(0, at)
    while 0 < at < len(text) and not text[at - 1].isspace():
        at -= 1
    return at


def _word_end(text: str, at: int) -> int:
    at = min(len(text), at)
    while at < len(text) and not text[at].isspace():
        at += 1
    return at


def highlighted(text: str, spans: Mapping[str, Iterable[Span]], window: Window) -> str:
    """``text[window]`` as HTML with each role's spans marked in its colour."""
    clipped = {role: [(max(int(s), window.start), min(int(e), window.end))
                      for s, e in spans.get(role, ()) if int(e) > window.start
                      and int(s) < window.end] for role in ROLES}
    cuts = {window.start, window.end}
    for ranges in clipped.values():
        for s, e in ranges:
            cuts.update((s, e))
    points = sorted(cuts)
    out = ["… " if window.cut_before else ""]
    for a, b in zip(points, points[1:]):
        piece = _paragraphs(escape(text[a:b]))
        role = next((r for r in ROLES if any(s <= a and b <= e for s, e in clipped[r])), None)
        out.append(piece if role is None else _mark(role, piece))
    out.append(" …" if window.cut_after else "")
    return "".join(out)


def _mark(role: str, escaped: str) -> str:
    return (f'<mark class="ck-{role}" title="{ROLE_LABELS[role]}" style="background:'
            f'{ROLE_COLOURS[role]};color:#111;padding:1px 0;border-radius:2px">{escaped}</mark>')


def _paragraphs(escaped: str) -> str:
    return _PARAGRAPH_BREAK.sub("<br>", escaped)


def legend() -> str:
    return " ".join(_mark(role, escape(ROLE_LABELS[role])) for role in ROLES)


# --- the card -----------------------------------------------------------------------------------

def claim_card(claim: Mapping[str, Any], text: str, *, position: int | None, total: int,
               statuses: Taxonomy, verdicts: Taxonomy) -> str:
    """One claim: where it stands in the queue, its paragraph with highlights, its details."""
    spans = {role: claim.get(role) or () for role in ROLES}
    window = context_window(text, [s for role in ROLES for s in spans[role]])
    where = " · ".join(escape(v) for v in (claim.get("outlet"), _date(claim.get("published")),
                                           claim.get("title")) if v)
    banner = _banner(claim)
    return (
        '<div class="ck-card" style="font-size:14px;line-height:1.55;color:#111">'
        f'<div style="color:#555;font-size:12px">{_place(position, total)} · '
        f'<span class="ck-claim-id">{escape(claim.get("claim_id"))}</span> · {where}</div>'
        f'{banner}'
        '<div class="ck-paragraph" style="background:#fafafa;border:1px solid #ddd;'
        'border-radius:4px;padding:10px 12px;margin:6px 0;font-size:15px">'
        f'{highlighted(text, spans, window)}</div>'
        f'<div style="font-size:12px;margin-bottom:6px">{legend()}</div>'
        f'{details_table(claim, statuses, verdicts)}</div>')


def _place(position: int | None, total: int) -> str:
    if position is None:  # e.g. undo took the reviewer back to a claim outside the filter
        return f"A claim outside this filter ({total} in it)"
    return f"Claim {position + 1} of {total}"


def empty_card(filters_text: str) -> str:
    return ('<div class="ck-card" style="padding:16px;color:#555">No claim matches these '
            f'filters{": " + escape(filters_text) if filters_text else ""}.</div>')


def _banner(claim: Mapping[str, Any]) -> str:
    notes = []
    if claim.get("not_a_claim"):
        notes.append("Marked <b>not a claim</b> by a reviewer.")
    if claim.get("missing_since"):
        notes.append(f"The extractor ({escape(claim['missing_since'])}) no longer finds this "
                     "claim.")
    if not notes:
        return ""
    return ('<div class="ck-banner" style="background:#fde2e1;border:1px solid #e8a5a1;'
            f'padding:4px 8px;margin-top:4px;border-radius:4px">{" ".join(notes)}</div>')


def details_table(claim: Mapping[str, Any], statuses: Taxonomy, verdicts: Taxonomy) -> str:
    rows = [
        ("Speaker", _speaker(claim)),
        ("Cue", _cue(claim)),
        ("Kind", _corrected(claim, "kind", "corrected_kind")),
        *([("Trimmed to", _trimmed(claim))] if claim.get("corrected_content") else []),
        ("Hedges", escape(", ".join(claim.get("hedges") or ())) or "none"),
        ("Check-worthiness", _checkworthiness(claim)),
        ("Status", _chip(statuses.get(claim.get("status")), claim.get("status"))),
        ("Verdict", _chip(verdicts.get(claim.get("verdict")), claim.get("verdict"))),
        ("Evidence", evidence_html(claim.get("evidence") or ())),
        ("Review", _review_line(claim)),
    ]
    body = "".join(f'<tr><th style="text-align:left;padding:1px 10px 1px 0;color:#555;'
                   f'font-weight:normal;white-space:nowrap;vertical-align:top">{name}</th>'
                   f'<td style="padding:1px 0">{value}</td></tr>' for name, value in rows)
    return f'<table class="ck-details" style="font-size:13px">{body}</table>'


def _speaker(claim: Mapping[str, Any]) -> str:
    # store.claims() gives the corrected speaker as "speaker"; the extractor's is beside it.
    surface = claim.get("speaker_extracted", claim.get("speaker"))
    name = claim.get("speaker_canonical_extracted", claim.get("speaker_canonical")) or surface
    shown = escape(name) if name else "<i>none stated</i>"
    if surface and surface != name:
        shown += f' <span style="color:#555">(“{escape(surface)}”)</span>'
    if claim.get("speaker_type"):
        shown += f' · {escape(claim["speaker_type"])}'
    if claim.get("corrected_speaker"):
        shown = (f'<b class="ck-corrected">{escape(claim["corrected_speaker"])}</b> '
                 f'<span style="color:#555">(corrected; extractor said: {shown})</span>')
    if claim.get("speaker_name"):  # the speaker across articles (store.speakers())
        shown += (f' · <span class="ck-speaker-entity" title="speaker across articles">'
                  f'speaker #{escape(str(claim.get("speaker_id")))}: '
                  f'{escape(claim["speaker_name"])}</span>')
    return shown


def _trimmed(claim: Mapping[str, Any]) -> str:
    return f'<b class="ck-corrected">“{escape(claim["corrected_content"])}”</b>'


def _corrected(claim: Mapping[str, Any], column: str, corrected: str) -> str:
    """A reviewed value (store.claims() puts a correction in place), and what the extractor
    said when a reviewer corrected it."""
    if not claim.get(corrected):
        return escape(claim.get(column))
    extracted = claim.get(f"{column}_extracted", "")
    return (f'<b class="ck-corrected">{escape(claim[corrected])}</b> '
            f'<span style="color:#555">(corrected; extractor said: {escape(extracted)})</span>')


def _cue(claim: Mapping[str, Any]) -> str:
    if not claim.get("cue_text") and not claim.get("cue_lemma"):
        if claim.get("corrected_cue_class"):
            return f"none · {_corrected(claim, 'cue_class', 'corrected_cue_class')}"
        return "none (the article's own statement)"
    lemma = escape(claim.get("cue_lemma"))
    cls = (_corrected(claim, "cue_class", "corrected_cue_class")
           if claim.get("corrected_cue_class") else escape(claim.get("cue_class")))
    return f'“{escape(claim.get("cue_text"))}” · {lemma}{" (" + cls + ")" if cls else ""}'


def _checkworthiness(claim: Mapping[str, Any]) -> str:
    score = claim.get("checkworthiness")
    reasons = ", ".join(claim.get("reasons") or ()) or "no reasons recorded"
    shown = "?" if score is None else f"{float(score):.2f}"
    return f"{shown} — {escape(reasons)}"


def _chip(value, raw: str | None) -> str:
    if not raw:
        return '<span style="color:#555">none yet</span>'
    if value is None:
        return escape(raw)
    return (f'<span style="background:{escape(value.colour)};color:{text_colour(value.colour)};'
            f'padding:0 6px;border-radius:3px">{escape(value.label)}</span>')


def _review_line(claim: Mapping[str, Any]) -> str:
    parts = [f"version {escape(claim.get('version'))}"]
    if claim.get("reviewer"):
        parts.append(f"last change by {escape(claim['reviewer'])}")
    if claim.get("updated_at") is not None:
        parts.append(f"at {escape(_time(claim['updated_at']))}")
    if claim.get("flagged"):
        parts.append("<b>flagged for later</b>")
    return " · ".join(parts)


def _date(value: Any) -> str:
    if value is None:
        return ""
    return str(value)[:10]


def _time(value: Any) -> str:
    return str(value)[:16].replace("T", " ") + " UTC"


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (#rrggbb)."""
    try:
        r, g, b = (int(background[i:i + 2], 16) / 255 for i in (1, 3, 5))
    except (ValueError, IndexError):
        return "#111111"
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#111111" if luminance > 0.5 else "#ffffff"


# --- evidence, history, keys -------------------------------------------------------------------

LINK_SCHEMES = ("http", "https")
HISTORY_SHOWN = 8  # the latest events shown under a claim; store.history(claim_id) has them all
VALUE_CHARS = 80  # a long note or content in the history is cut to this


def link(url: str) -> str:
    """An http(s) URL as a link that opens in a new tab; anything else as escaped text."""
    url = str(url).strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc:
        return f'<span class="ck-not-a-link">{escape(url)}</span>'
    return (f'<a class="ck-evidence-link" href="{escape(url)}" target="_blank" '
            f'rel="noopener noreferrer nofollow" style="word-break:break-all">{escape(url)}</a>')


def evidence_html(urls: Iterable[str]) -> str:
    shown = [link(u) for u in urls if str(u).strip()]
    return "<br>".join(shown) if shown else '<span style="color:#555">none yet</span>'


def matches_html(matches: Sequence[Mapping[str, Any]]) -> str:
    """Earlier checks of the claim (``store.matches`` rows, best first): numbered, with the
    verdict, who checked it, the wording they checked and a link."""
    if not matches:
        return ('<div class="ck-matches" style="font-size:12px;color:#555">No earlier check '
                'found.</div>')
    items = []
    for n, m in enumerate(matches, 1):
        source = "our desk" if m.get("source") == "store" else escape(m.get("publisher") or "")
        items.append(
            f'<li><b>#{n} {escape(m.get("verdict") or "(no verdict)")}</b> · {source} · '
            f'score {float(m.get("score") or 0):.2f}<br>'
            f'<span style="color:#333">{escape(m.get("text") or "")}</span>'
            + (f"<br>{link(m['url'])}" if m.get("url") else "") + "</li>")
    return ('<div class="ck-matches" style="font-size:12px"><b>Checked before?</b>'
            f'<ol style="margin:2px 0 0 18px;padding:0">{"".join(items)}</ol></div>')


def cluster_html(others: Sequence[Mapping[str, Any]]) -> str:
    """The other reports of the claim (``store.cluster`` rows other than the claim itself):
    how many articles, and each wording with its outlet."""
    if not others:
        return ""
    n_articles = len({o.get("article_id") for o in others})
    items = "".join(
        f'<li><b>{escape(o.get("outlet") or "(no outlet)")}</b>: '
        f'{escape(o.get("text") or "")}'
        + (f' <span style="color:#555">({escape(o.get("verdict"))})</span>'
           if o.get("verdict") else "") + "</li>"
        for o in others)
    noun = "article" if n_articles == 1 else "articles"
    return ('<div class="ck-cluster" style="font-size:12px"><b>Also reported by '
            f'{n_articles} {noun}</b><ul style="margin:2px 0 0 18px;padding:0">{items}</ul>'
            '</div>')


def history_html(events: Sequence[Mapping[str, Any]], *, limit: int = HISTORY_SHOWN) -> str:
    """A claim's latest review events, newest first: when, who, what changed (from
    ``store.history(claim_id)`` rows, oldest first)."""
    if not events:
        return ('<div class="ck-history" style="font-size:12px;color:#555">No review changes '
                'yet.</div>')
    newest = list(events)[::-1][:limit]
    rows = "".join(
        f'<tr><td style="padding:1px 8px 1px 0;white-space:nowrap;color:#555">'
        f'{escape(_time(e.get("at")))}</td>'
        f'<td style="padding:1px 8px 1px 0;white-space:nowrap">'
        f'{escape(e.get("reviewer") or "someone")}</td>'
        f'<td style="padding:1px 0">{_event_what(e)}</td></tr>' for e in newest)
    more = len(events) - len(newest)
    older = (f'<div style="color:#555">… and {more} older change{"s" if more != 1 else ""}'
             '</div>' if more > 0 else "")
    return (f'<div class="ck-history" style="font-size:12px"><b>Recent changes</b>'
            f'<table style="font-size:12px;border-collapse:collapse">{rows}</table>{older}</div>')


def _event_what(event: Mapping[str, Any]) -> str:
    field = escape(event.get("field"))
    change = f"<b>{field}</b>: {_short(event.get('old'))} → {_short(event.get('new'))}"
    undoes = event.get("undoes")
    if undoes is not None and not _missing(undoes):
        change = f"undo of version {escape(int(undoes))}: {change}"
    return change


def _short(value: Any) -> str:
    if isinstance(value, str) and len(value) > VALUE_CHARS:
        value = value[:VALUE_CHARS - 1] + "…"
    return _value(value)


def _missing(value: Any) -> bool:
    try:
        return bool(value != value)  # NaN compares unequal; bool(pd.NA) raises
    except TypeError:
        return True


def key_help_html(rows: Sequence[tuple[str, str]]) -> str:
    """The key map as a compact grid (rows from ``navigation.key_help``)."""
    cells = "".join(f'<div style="padding:1px 0"><kbd style="font-weight:bold">{escape(k)}'
                    f'</kbd> {escape(what)}</div>' for k, what in rows)
    return (f'<div class="ck-key-help" style="font-size:12px;margin:4px 0"><b>Keys</b> (with '
            f'the pointer over the claim; over the boxes keys type as usual)'
            f'<div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));line-height:1.35;'
            f'column-gap:12px">{cells}</div></div>')


# --- a conflict ---------------------------------------------------------------------------------

def conflict_html(changes: Sequence[Mapping[str, Any]], mine: Mapping[str, Any] | None) -> str:
    """What another reviewer set since this app last read the claim, and what we tried to set."""
    theirs = "".join(
        f"<li>{escape(c.get('reviewer') or 'someone')} set <b>{escape(c['field'])}</b> to "
        f"{_value(c.get('new'))} (was {_value(c.get('old'))}; version {escape(c['version'])}, "
        f"{escape(_time(c['at'])) if c.get('at') else ''})</li>" for c in changes)
    intro = ("Another reviewer changed this claim after you opened it, so your change was "
             "<b>not</b> saved.")
    yours = ""
    if mine:
        yours = ("<div>Your change: " + ", ".join(
            f"<b>{escape(k)}</b> to {_value(v)}" for k, v in mine.items()) + "</div>")
    return (f'<div class="ck-conflict" style="background:#fff4e5;border:2px solid #f0a030;'
            f'padding:6px 10px;border-radius:4px">{intro}<ul style="margin:4px 0">{theirs}</ul>'
            f'{yours}</div>')


def _value(value: Any) -> str:
    if value is None or value == "":
        return "<i>nothing</i>"
    if isinstance(value, (list, tuple)):
        return escape(", ".join(map(str, value))) if value else "<i>nothing</i>"
    return f"“{escape(value)}”"


def message_html(text: str, *, error: bool = False) -> str:
    colour = "#b00020" if error else "#1b5e20"
    return f'<span class="ck-message" style="color:{colour}">{escape(text)}</span>'
