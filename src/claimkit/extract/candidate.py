"""A candidate attribution (source + cue + content as character spans) and its neighbourhood.

The rules propose candidates generously and overlapping; the filter (``scoring.py``) chooses.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from claimkit.extract.spans import SpanIndex
from claimkit.model import Span


@dataclass
class Attribution:
    cue: list[Span]
    content: list[Span]
    source: list[Span] = field(default_factory=list)
    rule: str = ""  # one of rule_names
    cue_lemma: str = ""
    cue_token: int | None = None  # token index of the cue head
    continued: bool = False  # content includes a quotation resumed after the cue sentence
    source_root: int | None = None  # token index of the source's head word
    alternative: bool = False  # a later reading of its verb cue (rules.VERB_READINGS), not the first

    @property
    def content_start(self) -> int:
        return min(s for s, _ in self.content)

    @property
    def content_end(self) -> int:
        return max(e for _, e in self.content)


def extent(att: Attribution) -> Span:
    """The stretch of text an attribution touches: source, cue and content together."""
    spans = att.content + att.cue + att.source
    return min(s for s, _ in spans), max(e for _, e in spans)


def neighbours(cands: list[Attribution]) -> list[list[Attribution]]:
    """For each candidate, the others whose extent overlaps its own (the only ones it can
    conflict with), in order of where they start."""
    extents = [extent(a) for a in cands]
    index = SpanIndex([(span, i) for i, span in enumerate(extents)])
    return [[cands[j] for _, j in index.overlapping(s, e) if j != i]
            for i, (s, e) in enumerate(extents)]
