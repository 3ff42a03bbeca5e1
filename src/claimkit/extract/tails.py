"""Where a content stops: cutting the tail the speaker did not say, as a small learned model.

A verb reading's content is a parse subtree to the right of the cue, and the subtree often runs
on past what was said: an aside ("…, the presumed favourite"; "…, which …"; "…, arguing that …"),
a coordinated verb ("… and suggested that …"), or, after an object, when and where it was said
("attacked the plan in early-morning posts"). Whether the speaker's words stop there depends on the
words: PolNeAR keeps most tails and cuts some (``benchmarks/boundary_tails.py`` counts them).

``find_tail`` finds the outermost such tail of a chosen attribution's last content span; a
LightGBM model (``claimkit/data/boundary_model.json`` + ``boundary_model.lgb.txt``, trained on
PolNeAR *train* by ``scripts/train_boundaries.py``; no pickle) gives the chance that the content
reads right without it, and ``cut_tails`` cuts where that chance reaches the model's threshold.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.tokens import Doc, Span as TokenSpan, Token

from claimkit.extract.candidate import Attribution
from claimkit.extract.cues import cue_probability
from claimkit.extract.geometry import TextGeometry
from claimkit.extract.rule_names import VERB_CCOMP, VERB_OBJECT, VERB_PREP, VERB_XCOMP
from claimkit.extract.scoring import FilterModel, load_tree_model
from claimkit.model import Span

# The readings whose content is a parse subtree to the right of the cue.
VERB_READINGS = (VERB_CCOMP, VERB_OBJECT, VERB_XCOMP, VERB_PREP)
# Dependents that close a content as an aside when a separator opens them.
ASIDE_DEPS = frozenset({"appos", "relcl", "advcl", "acl", "parataxis"})
SEPARATORS = frozenset({",", "—", "―", "--", "-", "–", ";"})
# Prepositions that complete a verb's object ("likened X to Y", "accused X of Y"): never a tail.
OBJECT_PREPS = frozenset({"as", "to", "of", "for", "about", "into", "that", "against", "from",
                          "with", "than", "like"})
# A coordinated verb this likely to be a cue (cues.tsv) is counted as a second statement.
CONJ_CUE_MIN_P = 0.05
COORDINATORS = frozenset({"and", "but", "or"})
BACK_POINTERS = frozenset({"he", "she", "they", "it", "his", "her", "their"})
MODEL_META = "boundary_model.json"
MODEL_TREES = "boundary_model.lgb.txt"


@dataclass(frozen=True)
class Tail:
    """Where the content ends without its tail, what kind of tail it is, and its first word."""
    end: int
    kind: str  # an aside dependency, "conj", "conj_cue" or "prep"
    word: str


def find_tail(doc: Doc, span: Span, cue: Token, rule: str, geometry: TextGeometry) -> Tail | None:
    """The outermost tail closing ``span`` (a content to the right of ``cue``), or None. Never
    cuts inside a quotation."""
    if rule not in VERB_READINGS or span[0] <= cue.idx:
        return None
    toks = doc.char_span(span[0], span[1], alignment_mode="expand")
    if toks is None or not len(toks):
        return None
    cuts = list(aside_cuts(toks))
    if rule == VERB_OBJECT:
        cuts += circumstance_cuts(cue, toks)
    cuts = [c for c in cuts if span[0] < c.end < span[1] and geometry.quote_at(c.end) is None]
    return min(cuts, key=lambda c: c.end) if cuts else None


def aside_cuts(toks: TokenSpan) -> Iterator[Tail]:
    """Asides and coordinated verbs on the span's right spine (tokens whose subtree reaches its
    last word), cut where their separator or conjunction opens them."""
    doc = toks.doc
    last = max((t for t in toks if not t.is_punct), key=lambda t: t.i, default=toks[-1])
    for head in toks:
        if head.right_edge.i < last.i:
            continue
        for child in head.rights:
            if child.left_edge.i <= toks.start:
                continue
            opener = doc[child.left_edge.i - 1]
            if child.dep_ in ASIDE_DEPS and opener.text in SEPARATORS:
                yield Tail(opener.idx, child.dep_, child.left_edge.lower_)
            elif child.dep_ == "conj" and child.pos_ == "VERB" and head.pos_ in ("VERB", "AUX"):
                cc = [c for c in head.rights if c.dep_ == "cc" and c.i < child.i]
                start = cc[-1] if cc else opener
                if start.i > toks.start and doc[start.i - 1].text in SEPARATORS:
                    start = doc[start.i - 1]
                kind = "conj_cue" if cue_probability(child.lemma_, "V") >= CONJ_CUE_MIN_P else "conj"
                yield Tail(start.idx, kind, child.lower_)


def circumstance_cuts(cue: Token, toks: TokenSpan) -> Iterator[Tail]:
    """Prepositional phrases on the cue verb after its first dependent inside the content."""
    inside = [c for c in cue.rights if toks.start <= c.i < toks.end]
    for c in inside[1:]:
        if c.dep_ == "prep" and c.lower_ not in OBJECT_PREPS:
            yield Tail(c.left_edge.idx, "prep", c.lower_)


def without_tail(att: Attribution, tail: Tail, text: str) -> list[Span] | None:
    """The content with its last span ending where the tail starts (space trimmed)."""
    start, _ = att.content[-1]
    end = tail.end
    while end > start and text[end - 1].isspace():
        end -= 1
    return att.content[:-1] + [(start, end)] if end > start else None


def _bucket(n: int, edges: Sequence[int] = (2, 4, 8, 16, 32)) -> str:
    for edge in edges:
        if n <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def tail_features(att: Attribution, tail: Tail, short: list[Span], doc: Doc, quotes: list[Span],
                  text: str) -> dict[str, float]:
    """Named features of one tail (names key the learned trees: keep them stable)."""
    end, last_end = short[-1][1], att.content[-1][1]
    kept_words = len(text[att.content_start:end].split())
    tail_words = len(text[end:last_end].split())
    tail_span = doc.char_span(end, last_end, alignment_mode="expand")
    tail_tokens = list(tail_span) if tail_span is not None else []
    kept_span = doc.char_span(att.content_start, end, alignment_mode="expand")
    return {**_words_of_tail(tail_tokens), **_where_tail_hangs(tail_span, att.cue_token),
            **_words_kept(kept_span, att.content_start, end, quotes),
        f"rule={att.rule}": 1.0, f"kind={tail.kind}": 1.0, f"word={tail.word}": 1.0,
        f"kw={tail.kind}|{tail.word}": 1.0, f"rk={att.rule}|{tail.kind}": 1.0,
        f"rkw={att.rule}|{tail.kind}|{tail.word}": 1.0, f"lemma={att.cue_lemma}": 1.0,
        f"kept={_bucket(kept_words)}": 1.0, f"tail={_bucket(tail_words)}": 1.0,
        "kept_n": float(kept_words), "tail_n": float(tail_words),
        "tail_share": tail_words / max(kept_words + tail_words, 1),
        "tail_verb": float(any(t.pos_ == "VERB" for t in tail_tokens)),
        "tail_ent": float(any(t.ent_type_ for t in tail_tokens)),
        "tail_date": float(any(t.ent_type_ in ("DATE", "TIME") for t in tail_tokens)),
        "quoted_tail": float(any(s < last_end and e > end for s, e in quotes)),
        "end_sentence": float(text[last_end:last_end + 2].strip()[:1] in (".", "")),
    }


def _words_of_tail(tokens: list[Token]) -> dict[str, float]:
    """What the tail is: its head word and how it attaches, whether it has a subject of its own
    or a verb that reports ("…, citing a report"), and whether it points back with a pronoun."""
    words = [t for t in tokens if not t.is_punct and t.lower_ not in COORDINATORS]
    if not words:
        return {}
    root = min(words, key=lambda t: sum(1 for _ in t.ancestors))
    return {f"t_first_tag={words[0].tag_}": 1.0, f"t_root_dep={root.dep_}": 1.0,
            f"t_root_tag={root.tag_}": 1.0, f"t_root_lemma={root.lemma_.lower()}": 1.0,
            "t_cue_max": max((cue_probability(t.lemma_.lower(), "V") for t in words if t.pos_ == "VERB"),
                             default=0.0),
            "t_has_subj": float(any(t.dep_ in ("nsubj", "nsubjpass") for t in words)),
            "t_has_pron": float(any(t.lower_ in BACK_POINTERS for t in words))}


def _where_tail_hangs(tail: TokenSpan | None, cue: int) -> dict[str, float]:
    """The tail's first words, and what it hangs on: the cue verb itself (when and where it was
    said) or a word of the content (part of what was said), and how far from the cue."""
    if tail is None or not len(tail):
        return {}
    feats = {f"tail_word{i}={t.lower_}": 1.0 for i, t in enumerate([t for t in tail if not t.is_punct][:3])}
    head = next((t for t in tail if not (tail.start <= t.head.i < tail.end) or t.head.i == t.i), None)
    if head is not None:
        feats[f"tail_hangs_on={'cue' if head.head.i == cue else head.head.pos_}"] = 1.0
        feats["tail_distance"] = float(tail.start - cue)
    return feats


def _words_kept(kept: TokenSpan | None, start: int, end: int, quotes: list[Span]) -> dict[str, float]:
    """What is left without the tail: a clause (it has a verb) or a noun phrase, quoted or not."""
    if kept is None or not len(kept):
        return {}
    return {"k_has_verb": float(any(t.pos_ in ("VERB", "AUX") for t in kept)),
            "k_quoted": float(any(s <= start and e >= end for s, e in quotes)),
            f"k_last_tag={kept[-1].tag_}": 1.0,
            **{f"kept_last_word={t.lower_}": 1.0 for t in [t for t in kept if not t.is_punct][-1:]}}


@lru_cache(maxsize=1)
def boundary_model() -> FilterModel | None:
    return load_tree_model(MODEL_META, MODEL_TREES)  # None: contents keep their tails


def tails_of(chosen: Sequence[Attribution], doc: Doc, geometry: TextGeometry) -> list[Tail | None]:
    """Each attribution's outermost tail (None when it has none)."""
    return [find_tail(doc, att.content[-1], doc[att.cue_token], att.rule, geometry)
            if att.cue_token is not None and att.content else None for att in chosen]


def cut_tails(candidates: list[Attribution], doc: Doc, quotes: list[Span], text: str,
              geometry: TextGeometry, model: FilterModel | None = None) -> list[Attribution]:
    """The candidates, each without its tail where the model (the shipped one by default) says
    the speaker's words stop before it (the same object where nothing is cut)."""
    model = model or boundary_model()
    if model is None or not candidates:
        return candidates
    cuts = []  # (position, content without the tail, features)
    for i, (att, tail) in enumerate(zip(candidates, tails_of(candidates, doc, geometry))):
        short = without_tail(att, tail, text) if tail is not None else None
        if short is not None:
            cuts.append((i, short, tail_features(att, tail, short, doc, quotes, text)))
    out = list(candidates)
    if cuts:
        for (i, short, _), p in zip(cuts, model.probabilities([f for _, _, f in cuts])):
            if p >= model.threshold:
                out[i] = replace(out[i], content=short)
    return out
