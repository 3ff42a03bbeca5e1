"""Where a content span may end: the shorter reading that stops before a closing aside.

A rule takes the whole clause or object the cue governs. Writers often close it with something
the speaker did not say, or said as a second statement: an apposition ("…, the presumed
favorite"), a relative or participle clause ("…, which forced her to leave"; "…, arguing
that …"), a second coordinated verb ("… and suggested that …"), or, after a verb's object,
when and where it was said ("attacked Machado in early-morning tweets"). PolNeAR annotators
stop before some of these and not others, so the rule does not decide: ``shorter_reading``
finds the outermost such tail and the rule proposes both readings. They share the cue, so only
one can stand, and the filter (``scoring.py``, trained on PolNeAR train) picks it, knowing which
kind of tail was cut. The kinds are data: ``data/content_boundaries.json``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span as TokenSpan, Token

from claimkit.extract.candidate import Tail
from claimkit.extract.cues import cue_probability, data_text
from claimkit.extract.geometry import TextGeometry
from claimkit.model import Span

# A coordinated verb this likely to be a cue (cues.tsv) is a second statement of its own.
CONJ_CUE_MIN_P = 0.05


@dataclass(frozen=True)
class BoundaryRules:
    rules: frozenset[str]
    aside_deps: frozenset[str]
    separators: frozenset[str]
    conj_deps: frozenset[str]
    conj_pos: frozenset[str]
    circumstance_rules: frozenset[str]
    kept_preps: frozenset[str]


@lru_cache(maxsize=1)
def boundary_rules() -> BoundaryRules:
    data = json.loads(data_text("content_boundaries.json"))
    return BoundaryRules(
        rules=frozenset(data["rules"]),
        aside_deps=frozenset(data["aside_deps"]["deps"]),
        separators=frozenset(data["separators"]),
        conj_deps=frozenset(data["clause_conj"]["deps"]),
        conj_pos=frozenset(data["clause_conj"]["pos"]),
        circumstance_rules=frozenset(data["circumstance_preps"]["rules"]),
        kept_preps=frozenset(data["circumstance_preps"]["keep"]),
    )


def shorter_reading(doc: Doc, span: Span, cue: Token, rule: str, geometry: TextGeometry) -> Tail | None:
    """The outermost tail that closes ``span`` (a content after ``cue``), or None."""
    table = boundary_rules()
    if rule not in table.rules or span[0] <= cue.idx:
        return None
    toks = doc.char_span(span[0], span[1], alignment_mode="expand")
    if toks is None or not len(toks):
        return None
    cuts = list(_aside_cuts(toks, table))
    if rule in table.circumstance_rules:
        cuts += _circumstance_cuts(cue, toks, table)
    cuts = [(pos, kind, word) for pos, kind, word in cuts
            if span[0] < pos < span[1] and geometry.quote_at(pos) is None]
    if not cuts:
        return None
    pos, kind, word = min(cuts)
    return Tail(pos, kind, word, (span[1] - pos) / (span[1] - span[0]))


def _aside_cuts(toks: TokenSpan, table: BoundaryRules):
    """Asides and coordinated verbs hanging on the span's right edge (the spine of tokens whose
    subtree reaches its last word), cut at the separator or conjunction that opens them."""
    doc = toks.doc
    last = max((t for t in toks if not t.is_punct), key=lambda t: t.i, default=toks[-1])
    for head in toks:
        if head.right_edge.i < last.i:
            continue
        for child in head.rights:
            opener = doc[child.left_edge.i - 1] if child.left_edge.i > toks.start else None
            if opener is None:
                continue
            if child.dep_ in table.aside_deps and opener.text in table.separators:
                yield opener.idx, child.dep_, child.left_edge.lower_
            elif child.dep_ in table.conj_deps and child.pos_ in table.conj_pos and head.pos_ in ("VERB", "AUX"):
                cc = [c for c in head.rights if c.dep_ == "cc" and c.i < child.i]
                start = cc[-1] if cc else opener
                if start.i > toks.start and doc[start.i - 1].text in table.separators:
                    start = doc[start.i - 1]
                kind = "conj_cue" if cue_probability(child.lemma_, "V") >= CONJ_CUE_MIN_P else "conj"
                yield start.idx, kind, child.lower_


def _circumstance_cuts(cue: Token, toks: TokenSpan, table: BoundaryRules):
    """Prepositional phrases on the cue verb after its first dependent in the span."""
    inside = [c for c in cue.rights if toks.start <= c.i < toks.end]
    for c in inside[1:]:
        if c.dep_ == "prep" and c.lower_ not in table.kept_preps:
            yield c.left_edge.idx, "prep", c.lower_
