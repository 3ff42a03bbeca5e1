"""One document being read by the rules: its parse, text, quotations, what to skip, and the
candidates found so far (``add`` is the one way in)."""
from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from claimkit.extract.candidate import Attribution
from claimkit.extract.geometry import TextGeometry
from claimkit.extract.senses import discourse_marker_spans, is_only_a_time, states_nothing
from claimkit.extract.settings import DEFAULTS, ExtractionSettings
from claimkit.extract.spans import after_dateline, trim
from claimkit.model import Span


class DocumentContext:
    """What every rule reads and writes for one document. Nothing carries over to the next."""

    def __init__(self, doc: Doc, skip: list[Span] | None = None, text: str | None = None,
                 settings: ExtractionSettings = DEFAULTS) -> None:
        self.doc = doc
        # spaCy joins all tokens to build Doc.text on every access: take it once, from the caller
        self.text = doc.text if text is None else text
        self.settings = settings
        self.geometry = TextGeometry(self.text, settings)
        self.skip = skip or []
        self.found: list[Attribution] = []
        self.used_cues: set[int] = set()
        self._markers: list[Span] | None = None

    def in_discourse_marker(self, pos: int) -> bool:
        """The offset lies in a framing phrase ("That said, …"; found on first use)."""
        if self._markers is None:
            self._markers = discourse_marker_spans(self.text)
        return any(s <= pos < e for s, e in self._markers)

    @property
    def quotes(self) -> list[Span]:
        return self.geometry.quotes

    def in_skip(self, pos: int) -> bool:
        """The offset lies in boilerplate, which no rule reads."""
        return any(s <= pos < e for s, e in self.skip)

    def add(self, att: Attribution) -> None:
        """Keep a candidate with its spans trimmed, unless its content is too short to say
        anything; also propose the longer reading when a quotation resumes after the cue."""
        text = self.text
        content = distinct([c for c in (trim(text, sp) for sp in att.content) if c])
        if content:
            content[0] = after_dateline(text, content[0])
        source = distinct([c for c in (trim(text, sp) for sp in att.source) if c])
        if not content or sum(e - s for s, e in content) < self.settings.min_content_chars:
            return
        if states_nothing(" ".join(text[s:e] for s, e in content)):
            return  # "declined to comment": a refusal, not a claim
        if len(content) == 1 and self._only_a_time(content[0]):
            return  # "sparred a few weeks ago": a time misread as what was said
        att.content = content
        att.source = source
        if att.cue_token is not None:
            self.used_cues.add(att.cue_token)
        self.found.append(att)
        # "“A,” X said, “B.”": a quotation interrupted by its own cue clause is one content.
        content = distinct(self.geometry.with_interrupted_quote(content, att))
        att.content = content
        # Whether a quotation resumed after "…," X said. belongs to the same attribution varies
        # by writer: propose both readings and let the filter choose (they conflict on the cue).
        longer = distinct(self.geometry.with_continued_quotes(content, att))
        if longer != content:
            self.found.append(replace(att, content=longer, continued=True))


    def _only_a_time(self, span: Span) -> bool:
        tokens = self.doc.char_span(span[0], span[1], alignment_mode="expand")
        return tokens is not None and is_only_a_time(tokens)


def distinct(spans: list[Span]) -> list[Span]:
    """Spans in text order, each stretch once: a span inside or overlapping another is merged
    with it (one content listed twice reads as two statements)."""
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
