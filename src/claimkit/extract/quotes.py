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

from claimkit.extract.settings import DEFAULTS
from claimkit.model import Span

OPENING = "“„«"
CLOSING = "”»"
STRAIGHT = '"'
# Quotes longer than this are almost always a pairing error (a missed closing mark).
MAX_QUOTE_CHARS = DEFAULTS.max_quote_chars
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")
SINGLE_OPENING, SINGLE_CLOSING = "‘", "’"
_OPEN_MARK = re.compile("''|[" + re.escape(OPENING + STRAIGHT) + "]")
# An article that quotes with single marks (British style) and has no double ones: there ‘ opens
# a quotation. Where double marks quote, single ones are nested quotes and titles.
_OPEN_MARK_SINGLE_STYLE = re.compile("''|[" + re.escape(OPENING + STRAIGHT) + "]|(?<![\\w’'])‘")
_DOUBLE_MARK = re.compile("''|[" + re.escape(OPENING + CLOSING + STRAIGHT) + "]")
# A closing single mark ends a quotation where no letter follows it ("don’t" is an apostrophe)
# and it is not a plural possessive before a lower-case word ("the workers’ union").
_SINGLE_CLOSE = re.compile(r"(?<=\S)’(?![\w])(?!(?<=s’) [a-z])")
_AFTER_OPEN = re.compile("[" + re.escape(CLOSING + STRAIGHT) + "\n]")


def _paragraph_end(text: str, start: int) -> int:
    m = _PARAGRAPH_BREAK.search(text, start)
    return m.start() if m else len(text)


def quote_regions(text: str) -> list[Span]:
    """Spans (including the marks) of quoted passages, in text order, non-overlapping: double
    marks, two apostrophes, and single marks in an article that uses no double ones."""
    regions: list[Span] = []
    opening = _OPEN_MARK if _DOUBLE_MARK.search(text) else _OPEN_MARK_SINGLE_STYLE
    i = 0
    while True:
        m = opening.search(text, i)  # jump from mark to mark: most characters are not quotes
        if m is None:
            break
        i = m.start()
        end = None
        if m.group() == "''":
            # Some wires (the New York Times among them) write quotes as two apostrophes.
            close = text.find("''", i + 2, min(len(text), i + MAX_QUOTE_CHARS))
            if 0 < close <= _paragraph_end(text, i):
                end = close + 2
        elif m.group() == SINGLE_OPENING:
            # British style: ‘…’ for a quotation
            close = _SINGLE_CLOSE.search(text, i + 1, min(_paragraph_end(text, i), i + MAX_QUOTE_CHARS))
            end = close.end() if close else None
        else:
            end = _closing_mark(text, i)
        if end is not None:
            regions.append((i, end))
            i = end
        else:
            i += 1
    return [r for r in regions if r[1] - r[0] > 2]


def _closing_mark(text: str, start: int) -> int | None:
    """End (exclusive) of the quote opened at ``start``, or None when it cannot be paired.

    Either mark closes either kind ("“no evidence\"" is common in wire copy). News style reopens
    a long quotation at each paragraph without closing the last one, so an unclosed quote ends
    with its paragraph; straight quotes are too ambiguous to carry over at all."""
    opener = text[start]
    m = _AFTER_OPEN.search(text, start + 1, min(len(text), start + MAX_QUOTE_CHARS))
    if m is None:
        para_end = _paragraph_end(text, start)
        return None if opener == STRAIGHT or para_end <= start + 1 else para_end
    if m.group() == "\n":
        return None if opener == STRAIGHT else m.start()
    return m.end()


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
