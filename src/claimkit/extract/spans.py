"""Character spans: from tokens to ``(start, end)`` offsets, trimmed and cut."""
from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Token

from claimkit.model import Span

# Separators that never open or close what someone said.
LEADING_TRIM = frozenset(" \t\n,;:")
TRAILING_TRIM = frozenset(" \t\n,;:")


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
