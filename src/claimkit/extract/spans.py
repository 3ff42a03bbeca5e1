"""Character spans: from tokens to ``(start, end)`` offsets, trimmed and cut."""
from __future__ import annotations

import re
import bisect
from collections.abc import Iterable

from spacy.tokens import Token

from claimkit.model import Span

# Separators that never open or close what someone said.
LEADING_TRIM = frozenset(" \t\n,;:")
TRAILING_TRIM = frozenset(" \t\n,;:")
# A coordinator left dangling at the end when the parse hung the next verb elsewhere ("said the
# tax would fall and warned that …" -> "the tax would fall and"): nobody's words end on it.
DANGLING_COORDINATORS = (" and", " but", " or")


def token_span(tokens: Iterable[Token]) -> Span | None:
    """From the first token's start to the last token's end; None for no tokens."""
    toks = sorted(tokens, key=lambda t: t.i)
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def subtree_span(tok: Token, exclude: Iterable[int] = ()) -> Span:
    """Character span of a token's subtree, leaving out excluded tokens at its edges."""
    excluded = set(exclude)
    toks = [t for t in tok.subtree if t.i not in excluded]
    return token_span(toks) or (tok.idx, tok.idx + len(tok.text))


def trim(text: str, span: Span) -> Span | None:
    """The span without the spaces and separators at its edges; None when nothing is left that
    is not punctuation (the full stop after "…, according to X.")."""
    if not any(ch.isalnum() for ch in text[span[0]:span[1]]):
        return None
    s, e = span
    while s < e and text[s] in LEADING_TRIM:
        s += 1
    while e > s and text[e - 1] in TRAILING_TRIM:
        e -= 1
    for word in DANGLING_COORDINATORS:
        if text.endswith(word, s, e) and e - len(word) > s:
            e -= len(word)
            while e > s and text[e - 1] in TRAILING_TRIM:
                e -= 1
            break
    return (s, e) if e > s else None


def span_minus(span: Span, hole: Span) -> list[Span]:
    """What is left of ``span`` around ``hole``: zero, one or two pieces."""
    s, e = span
    hs, he = hole
    pieces = []
    if hs > s:
        pieces.append((s, min(hs, e)))
    if he < e:
        pieces.append((max(he, s), e))
    return [p for p in pieces if p[1] > p[0]]


def next_non_space(text: str, pos: int) -> int:
    """The offset of the first non-space character at or after ``pos``."""
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


class SpanIndex:
    """Spans with payloads, queried by overlap in about log time (sorted starts + longest span).

    The one overlap index of extraction: the filter's neighbourhoods (``candidate.neighbours``)
    and the claim builder's "is this sentence taken?" and nesting both ask it."""

    def __init__(self, items: list[tuple[Span, object]]) -> None:
        self.items = sorted(items, key=lambda it: it[0][0])  # stable: equal starts keep input order
        self.starts = [it[0][0] for it in self.items]
        self.longest = max((e - s for (s, e), _ in self.items), default=0)

    def overlapping(self, start: int, end: int) -> list[tuple[Span, object]]:
        """The items whose span overlaps ``[start, end)``, in order of their start."""
        lo = bisect.bisect_left(self.starts, start - self.longest)
        hi = bisect.bisect_left(self.starts, end)
        return [it for it in self.items[lo:hi] if it[0][1] > start]


# A wire dateline opening a paragraph: the place in capitals, perhaps a state or a date, perhaps
# the agency in brackets, then a dash ("PORT TOWN (Valley Wire) - ", "LONDON, March 3 (Reuters) —").
DATELINE = re.compile(r"[A-Z][A-Z'’.-]+(?:[ -][A-Z][A-Z'’.-]+){0,3}(?:,\s*[A-Z][A-Za-z.]*(?:\s+\d{1,2})?)?"
                      r"\s*(?:\([^)\n]{2,40}\))?\s*[-—–]{1,2}\s+")


def after_dateline(text: str, span: Span) -> Span:
    """A span that opens a paragraph, starting after the paragraph's dateline if it has one."""
    s, e = span
    if s > 0 and text[s - 1] != "\n":
        return span
    m = DATELINE.match(text, s, e)
    return (m.end(), e) if m and m.end() < e else span
