"""Senses of a reporting verb that report nothing, and contents that state nothing.

Reporting verbs are also ordinary verbs: "picked up another trophy", "was named best actress",
"released images of the comet". The learned filter (``scoring.py``) weighs a cue by how often
its lemma reported something in PolNeAR, which is political news; on other news these senses
are common and wrong. They are data, read once:

- ``non_speech_senses.tsv``: lemma + sense (``particle=X``, ``prep=X``, ``passive``, ``passive-bare``,
  ``thing``, ``audience``, ``person``, ``xcomp``, ``object``, ``wh``, ``naming``,
  ``thing-subject``);
- ``non_statement_objects.txt``: object heads that make a ``thing`` sense ("images", "trophy"),
  and subject heads that make a ``thing-subject`` sense ("the video shows …");
- ``audience_nouns.txt``: object heads that make an ``audience`` sense ("addressed the crowd");
- ``non_statements.txt``: whole contents that state nothing ("declined to comment");
- ``discourse_markers.txt``: "That said, …": framing phrases whose verb quotes nobody;
- ``non_speaker_nouns.txt``: subject heads that cannot speak ("the law requires …").
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from spacy.tokens import Token

from claimkit.extract.cues import data_text

PARTICLE = "particle="
PREPOSITION = "prep="  # the verb with that preposition: "opted for a new line-up" (a choice)
PASSIVE = "passive"
PASSIVE_BARE = "passive-bare"  # passive with no agent: "the videos were called the X Show"
THING = "thing"
AUDIENCE = "audience"
PERSON = "person"  # the object is a person: "questioned the senator", "nominated her"
XCOMP = "xcomp"  # with an infinitive: "continued to lead", "voted to raise the wage"
OBJECT = "object"  # with a direct object and no clause: "allow employees two weeks of leave"
WH = "wh"  # with a wh-clause: "they know who he is" (knowing, not claiming)
NAMING = "naming"  # a participle naming a noun: "an application called Marble", "a man named Ruiz"
THING_SUBJECT = "thing-subject"  # a thing shows or holds something: "a video shows the mayor leaving"
TIME_ENTITIES = frozenset({"DATE", "TIME"})
WH_WORDS = frozenset({"who", "what", "where", "when", "why", "how", "which", "whether", "whom"})
OBJECT_PRONOUNS = frozenset({"him", "her", "them", "me", "us"})
PERSONAL_PRONOUNS = OBJECT_PRONOUNS | {"himself", "herself", "themselves", "myself", "ourselves"}
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
def non_speaker_nouns() -> frozenset[str]:
    return frozenset(_lines("non_speaker_nouns.txt"))


@lru_cache(maxsize=1)
def format_labels() -> frozenset[str]:
    return frozenset(_lines("format_labels.txt"))


def cannot_speak(subject: Token) -> bool:
    """A subject that is a law, a device or an event, not someone ("the mandate requires …",
    "this tech allows them to …", "One prohibits them …"): no entity backs it as a name."""
    return subject.ent_type_ not in ("PERSON", "ORG", "NORP", "GPE") and subject.lemma_.lower() in non_speaker_nouns()


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
    if NAMING in senses and tok.dep_ == "acl" and tok.tag_ == "VBN":
        return True
    children = list(tok.children)
    passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in children)
    for c in children:
        if c.dep_ == "prt" and PARTICLE + c.lower_ in senses:
            return True
        if c.dep_ == "prep" and c.i > tok.i and PREPOSITION + c.lower_ in senses:
            return True
        if c.dep_ == "xcomp" and XCOMP in senses:
            return True
        if c.dep_ == "ccomp" and WH in senses and c.left_edge.lower_ in WH_WORDS:
            return True
        if c.dep_ == "dobj" and c.i > tok.i and OBJECT in senses and not _has_clause(c):
            return True
    if passive and (PASSIVE in senses or (PASSIVE_BARE in senses and not _has_agent(tok))):
        return True
    if senses & {THING, AUDIENCE, PERSON}:
        # "a clip of the exchange was posted online": in the passive the thing is the subject
        obj = next((c for c in children if c.dep_ == "nsubjpass"), None) if passive else None
        obj = obj or object_head(tok)
        if obj is None or _has_clause(obj):
            return False
        lemma = obj.lemma_.lower()
        return ((THING in senses and lemma in thing_nouns())
                or (AUDIENCE in senses and lemma in audience_nouns())
                or (PERSON in senses and is_person(obj)))
    return False


def only_shows_a_thing(verb: Token, subject: Token | None) -> bool:
    """A thing that shows or lists something states nothing ("his page includes posts …,
    showing young men"); "the footage shows that …" and "did not show any weapon" are findings."""
    return (subject is not None and THING_SUBJECT in non_speech_senses().get(verb.lemma_.lower(), ())
            and _is_thing(subject) and not _has_that_clause(verb) and not _is_negated(verb))


def _is_thing(subject: Token) -> bool:
    """A subject that is a thing, not someone: no name stands behind it."""
    return subject.ent_type_ not in ("PERSON", "ORG", "NORP", "GPE") and subject.lemma_.lower() in thing_nouns()


def _has_that_clause(verb: Token) -> bool:
    """"the footage shows that …" states something; "the footage shows him leaving" does not."""
    return any(c.dep_ == "ccomp" and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)
               for c in verb.children)


def _is_negated(verb: Token) -> bool:
    """"the video did not show any weapon": an absence someone checked is a finding, kept."""
    return any(c.dep_ == "neg" for c in verb.children)


def is_only_a_time(tokens) -> bool:
    """A content that is nothing but a date or a time ("a few weeks ago"): a misread adverbial."""
    words = [t for t in tokens if not t.is_punct and not t.is_space]
    return bool(words) and all(t.ent_type_ in TIME_ENTITIES for t in words)


def _has_agent(verb: Token) -> bool:
    """A "by" phrase after the verb: the parser labels it ``agent``, or a plain ``prep`` that it
    may hang on the object ("was called a betrayal by the union")."""
    return any(t.dep_ in ("agent", "prep") and t.lower_ == "by" for t in verb.subtree if t.i > verb.i)


def is_person(tok: Token) -> bool:
    """A person named or pointed at: a PERSON entity or a personal pronoun in object case."""
    return tok.ent_type_ == "PERSON" or tok.lower_ in PERSONAL_PRONOUNS


def _has_clause(noun: Token) -> bool:
    """"a video showing that …", "a photo that proves …": a thing that carries a statement
    (a clause of its own, or a modifier with one; "two laws limiting drones" carries none)."""
    return any(c.dep_ == "ccomp" or (c.dep_ in ("acl", "relcl") and any(g.dep_ == "ccomp" for g in c.children))
               for c in noun.children)


def states_nothing(content: str) -> bool:
    """The whole content is a refusal or a bare mention of speech ("to comment", "a statement")."""
    text = " ".join(content.lower().split()).strip(" .,;:!?\"“”'’")
    return non_statement_pattern().fullmatch(text) is not None


def discourse_marker_spans(text: str) -> list[tuple[int, int]]:
    """Where the article's framing phrases are ("That said," at a sentence start)."""
    return [m.span(1) for m in discourse_marker_pattern().finditer(text)]
