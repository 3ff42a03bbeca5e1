"""Assemble claims: attributions and the article's own checkable statements become ``Claim``s.

Adds what the parse alone does not say: the kind (direct / mixed / indirect), hedges, a
check-worthiness score with the reasons behind it (``checkworthiness.py``, the learned model),
nesting (``parent_id``) and stable ids. Hedge words are a data file in ``claimkit/data``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc

from claimkit.extract import cues
from claimkit.extract.checkworthiness import score_spans
from claimkit.extract.candidate import Attribution
from claimkit.extract.cues import data_text
from claimkit.extract.quotes import inside
from claimkit.extract.rule_names import ASSERTION
from claimkit.extract.settings import DEFAULTS, ExtractionSettings
from claimkit.extract.spans import SpanIndex, after_dateline
from claimkit.extract.speakers import Speaker, SpeakerResolver
from claimkit.model import Article, Claim, Kind, Span, SpeakerType, claim_id_for, span_text


@lru_cache(maxsize=1)
def hedge_pattern() -> re.Pattern:
    words = [w.strip() for w in data_text("hedges.txt").splitlines() if w.strip() and not w.startswith("#")]
    words.sort(key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def find_hedges(*texts: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for text in texts:
        for m in hedge_pattern().finditer(text):
            seen.setdefault(m.group(1).lower(), None)
    return tuple(seen)


def kind_of(content: list[Span], quotes: list[Span], settings: ExtractionSettings = DEFAULTS) -> Kind:
    total = sum(e - s for s, e in content)
    quoted = sum(inside(sp, quotes) * (sp[1] - sp[0]) for sp in content) / max(total, 1)
    if quoted >= settings.direct_min_quoted:
        return Kind.DIRECT
    if quoted >= settings.mixed_min_quoted:
        return Kind.MIXED
    return Kind.INDIRECT


class ClaimBuilder:
    """Turns one document's selected attributions (and its other sentences) into Claims."""

    def __init__(self, article: Article, doc: Doc, quotes: list[Span], version: str,
                 settings: ExtractionSettings = DEFAULTS) -> None:
        self.article = article
        self.settings = settings
        self.doc = doc
        self.text = article.text  # == doc.text, which spaCy rebuilds on every access
        self.quotes = quotes
        self.version = version
        self.resolver = SpeakerResolver(doc, article.text)
        self.speakers: list[tuple[int, Speaker]] = []
        self.id_counts: dict[str, int] = {}

    def new_id(self, text: str) -> str:
        base = claim_id_for(self.article.article_id, text)
        n = self.id_counts.get(base, 0)
        self.id_counts[base] = n + 1
        return base if n == 0 else claim_id_for(self.article.article_id, text, n)

    def attribution_claim(self, att: Attribution, prob: float) -> Claim:
        text = span_text(self.text, att.content)
        speaker = self.resolver.resolve(att.source, self.speakers)
        if att.source:
            self.speakers.append((att.source[0][0], speaker))
        cls = cues.cue_class(att.cue_lemma)
        cue_text = span_text(self.text, att.cue)
        # Scored on the content alone, with the cue class as a feature: a denial of a number is
        # as checkable as the number, a belief or a prediction is not.
        score, reasons = score_spans(self.doc, att.content, cls)
        return Claim(
            claim_id=self.new_id(text), article_id=self.article.article_id,
            kind=kind_of(att.content, self.quotes, self.settings), content=tuple(att.content), text=text,
            source=tuple(att.source), cue=tuple(att.cue), speaker=speaker.text,
            speaker_canonical=speaker.canonical, speaker_type=speaker.type,
            cue_lemma=att.cue_lemma, cue_class=cls, hedges=find_hedges(text, cue_text),
            checkworthiness=score, reasons=reasons + (f"attribution confidence {prob:.2f}",),
            rule=att.rule, extractor_version=self.version)

    def assertion_claims(self, taken: list[Span], skip: tuple[Span, ...]) -> list[Claim]:
        """Sentences the article states itself, when they hold something checkable."""
        settings = self.settings
        taken_index = SpanIndex([(sp, None) for sp in taken])
        skip_index = SpanIndex([(sp, None) for sp in skip])
        out = []
        for sent in self.doc.sents:
            s, e = after_dateline(self.text, _trimmed(self.text, sent.start_char, sent.end_char))
            root = sent.root
            # A sentence whose main verb belongs to an attribution ("X said …") is that
            # attribution, not the article's own statement.
            if e <= s or _overlaps((s, e), skip_index) or _overlaps((root.idx, root.idx + 1), taken_index):
                continue
            text = self.text[s:e]
            if len(text.split()) < settings.assertion_min_words or "\n" in text.strip():
                continue
            has_verb = root.pos_ in ("VERB", "AUX") or any(t.pos_ in ("VERB", "AUX") for t in sent)
            if not has_verb or inside((s, e), self.quotes) > settings.assertion_max_quoted:
                continue
            score, reasons = score_spans(self.doc, [(s, e)])
            if score < settings.assertion_min_score:
                continue
            out.append(Claim(
                claim_id=self.new_id(text), article_id=self.article.article_id, kind=Kind.ASSERTION,
                content=((s, e),), text=text, speaker_type=SpeakerType.NONE, hedges=find_hedges(text),
                checkworthiness=score, reasons=reasons, rule=ASSERTION, extractor_version=self.version))
        return out


def link_parents(claims: list[Claim]) -> list[Claim]:
    """A claim whose cue lies inside another claim's content is nested in it ("rejected US claims that …")."""
    holders = SpanIndex([(sp, c) for c in claims if c.cue for sp in c.content])
    linked = []
    for c in claims:
        parent = None
        if c.cue:
            pos = c.cue[0][0]
            around = [p for (s, e), p in holders.overlapping(pos, pos + 1) if p is not c]
            if around:
                parent = min(around, key=lambda p: sum(e - s for s, e in p.content)).claim_id
        linked.append(c if parent is None else _replace(c, parent_id=parent))
    return linked


def _replace(claim: Claim, **changes) -> Claim:
    from dataclasses import replace
    return replace(claim, **changes)


def _trimmed(text: str, s: int, e: int) -> Span:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _overlaps(span: Span, index: SpanIndex, share: float = 0.0) -> bool:
    s, e = span
    for (os_, oe), _ in index.overlapping(s, e):
        inter = min(e, oe) - max(s, os_)
        if inter > 0 and inter / max(e - s, 1) > share:
            return True
    return False
