"""Senses of a reporting verb that report nothing, and contents that state nothing.

Reporting verbs are also ordinary verbs: "picked up another trophy", "was named best actress",
"released images of the comet". The learned filter (``scoring.py``) weighs a cue by how often
its lemma reported something in PolNeAR, which is political news; on other news these senses
are common and wrong. They are data, read once:

- ``non_speech_senses.tsv``: lemma + sense (``particle=X``, ``passive``, ``thing``, ``audience``);
- ``non_statement_objects.txt``: object heads that make a ``thing`` sense ("images", "trophy");
- ``audience_nouns.txt``: object heads that make an ``audience`` sense ("addressed the crowd");
- ``non_statements.txt``: whole contents that state nothing ("declined to comment");
- ``discourse_markers.txt``: "That said, …": framing phrases whose verb quotes nobody.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from spacy.tokens import Token

from claimkit.extract.cues import data_text

PARTICLE = "particle="
PASSIVE = "passive"
THING = "thing"
AUDIENCE = "audience"
OBJECT_DEPS = ("dobj", "oprd", "attr", "pobj")
# Heads that only count what follows them: the thing is the noun after "of".
QUANTITIES = frozenset({"hundred", "hundreds", "thousand", "thousands", "dozen", "dozens",
                        "million", "millions", "number", "group", "couple", "pair", "set",
                        "series", "few", "lot", "lots", "handful", "bunch", "another"})


def _lines(name: str) -> list[str]:
    return [line.strip() for line in data_text(name).splitlines()
            if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def non_speech_senses() -> dict[str, frozenset[str]]:
    """lemma -> its senses that report nothing."""
    senses: dict[str, set[str]] = defaultdict(set)
    for line in _lines("non_speech_senses.tsv"):
        lemma, sense = line.split("\t")[:2]
        senses[lemma].add(sense)
    return {lemma: frozenset(s) for lemma, s in senses.items()}


@lru_cache(maxsize=1)
def thing_nouns() -> frozenset[str]:
    return frozenset(_lines("non_statement_objects.txt"))


@lru_cache(maxsize=1)
def audience_nouns() -> frozenset[str]:
    return frozenset(_lines("audience_nouns.txt"))


@lru_cache(maxsize=1)
def non_statement_pattern() -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in _lines("non_statements.txt")))


@lru_cache(maxsize=1)
def discourse_marker_pattern() -> re.Pattern:
    phrases = sorted(_lines("discourse_markers.txt"), key=len, reverse=True)
    words = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
    # where a sentence or clause opens: text start, after a line break, end mark, comma, quote
    return re.compile(rf"(?:^|(?<=[\n.!?;:,“\"(]))\s*({words})\b", re.IGNORECASE)


def object_head(tok: Token) -> Token | None:
    """The verb's first object to its right, or the object of its first preposition; through
    a quantity ("hundreds of supporters" -> supporters)."""
    obj = next((c for c in tok.children if c.i > tok.i and c.dep_ in OBJECT_DEPS), None)
    if obj is None:
        prep = next((c for c in tok.children if c.i > tok.i and c.dep_ == "prep"), None)
        obj = next((g for g in prep.children if g.dep_ == "pobj"), None) if prep is not None else None
    if obj is not None and obj.lemma_.lower() in QUANTITIES:
        of = next((c for c in obj.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        inner = next((g for g in of.children if g.dep_ == "pobj"), None) if of is not None else None
        return inner or obj
    return obj


def is_non_speech(tok: Token) -> bool:
    """The verb is used in a sense that reports nothing (``non_speech_senses.tsv``)."""
    senses = non_speech_senses().get(tok.lemma_.lower())
    if not senses:
        return False
    for c in tok.children:
        if c.dep_ == "prt" and PARTICLE + c.lower_ in senses:
            return True
        if c.dep_ in ("auxpass", "nsubjpass") and PASSIVE in senses:
            return True
    if THING in senses or AUDIENCE in senses:
        obj = object_head(tok)
        if obj is None or _has_clause(obj):
            return False
        lemma = obj.lemma_.lower()
        return ((THING in senses and lemma in thing_nouns())
                or (AUDIENCE in senses and lemma in audience_nouns()))
    return False


def _has_clause(noun: Token) -> bool:
    """"a video showing that …", "a photo that proves …": a thing that carries a statement."""
    return any(c.dep_ in ("acl", "relcl", "ccomp") for c in noun.children)


def states_nothing(content: str) -> bool:
    """The whole content is a refusal or a bare mention of speech ("to comment", "a statement")."""
    text = " ".join(content.lower().split()).strip(" .,;:!?\"“”'’")
    return non_statement_pattern().fullmatch(text) is not None


def discourse_marker_spans(text: str) -> list[tuple[int, int]]:
    """Where the article's framing phrases are ("That said," at a sentence start)."""
    return [m.span(1) for m in discourse_marker_pattern().finditer(text)]
