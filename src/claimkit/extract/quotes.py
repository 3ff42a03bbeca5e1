"""Quote regions of a text: where the article gives someone's own words.

Quotes run across sentences; across paragraphs, news style reopens a quote at each new paragraph
without closing the previous one, so each paragraph's part is its own region (the extractor joins
them). Real text has stray or unbalanced marks, so pairing is forgiving: an opening mark with no
closing mark ends at its paragraph's end, and a straight double quote toggles within a paragraph.
Nothing here raises on odd input.
"""
from __future__ import annotations

import bisect
import re

from claimkit.model import Span

OPENING = "“„«"
CLOSING = "”»"
STRAIGHT = '"'
# Quotes longer than this are almost always a pairing error (a missed closing mark).
MAX_QUOTE_CHARS = 3000
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


def _paragraph_end(text: str, start: int) -> int:
    m = _PARAGRAPH_BREAK.search(text, start)
    return m.start() if m else len(text)


def quote_regions(text: str) -> list[Span]:
    """Spans (including the marks) of double-quoted passages, in text order, non-overlapping."""
    regions: list[Span] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if text.startswith("''", i):
            # Some wires (the New York Times among them) write quotes as two apostrophes.
            end = text.find("''", i + 2, min(n, i + MAX_QUOTE_CHARS))
            para_end = _paragraph_end(text, i)
            if 0 < end <= para_end:
                regions.append((i, end + 2))
                i = end + 2
                continue
        if ch in OPENING or ch == STRAIGHT:
            end = _closing_mark(text, i)
            if end is not None:
                regions.append((i, end))
                i = end
                continue
        i += 1
    return [r for r in regions if r[1] - r[0] > 2]


def _closing_mark(text: str, start: int) -> int | None:
    """End (exclusive) of the quote opened at ``start``, or None when it cannot be paired."""
    opener = text[start]
    para_end = _paragraph_end(text, start)
    limit = min(len(text), start + MAX_QUOTE_CHARS)
    for j in range(start + 1, limit):
        ch = text[j]
        if opener == STRAIGHT and (ch == STRAIGHT or ch in CLOSING):
            return j + 1
        if opener != STRAIGHT and (ch in CLOSING or ch == STRAIGHT):
            return j + 1  # mixed marks ("“no evidence\"") are common in wire copy
        if ch == "\n":
            # News style reopens a long quotation at each paragraph without closing the last
            # one, so an unclosed quote ends with its paragraph; straight quotes are too
            # ambiguous to carry over at all.
            return None if opener == STRAIGHT else j
    return para_end if para_end > start + 1 else None


def inside(span: Span, regions: list[Span]) -> float:
    """Share of the span's characters that lie inside quote regions (0..1).

    ``regions`` are sorted and non-overlapping (as ``quote_regions`` returns them)."""
    s, e = span
    if e <= s:
        return 0.0
    covered = 0
    i = max(0, bisect.bisect_right(regions, s, key=lambda r: r[0]) - 1)
    while i < len(regions) and regions[i][0] < e:
        rs, re_ = regions[i]
        lo, hi = max(s, rs), min(e, re_)
        if hi > lo:
            covered += hi - lo
        i += 1
    return covered / (e - s)
