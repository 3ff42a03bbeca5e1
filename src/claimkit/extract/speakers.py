"""Who is speaking: speaker type, canonical name, pronouns resolved to the person meant.

"Russian President Vladimir Putin" -> "Vladimir Putin"; later "Putin" -> "Vladimir Putin";
"he" -> the last person named as a speaker or in the text before it; "a senior official" ->
anonymous; "both sides" -> group. The noun and title lists are data files in ``claimkit/data``.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

import numpy
from spacy.attrs import LOWER, POS
from spacy.parts_of_speech import PROPN as PROPN_ID
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span as SpacySpan, Token

from claimkit.extract.cues import data_text
from claimkit.extract.entities import entity_index
from claimkit.model import Span, SpeakerType

PERSONAL_PRONOUNS = {"he", "she", "him", "her", "i", "we", "they", "you", "me", "us", "them", "who"}
ORG_ENTS = {"ORG", "GPE", "NORP", "FAC"}
RELATIVE_TAGS = ("WP", "WDT", "WP$")
TIME_ENTITIES = ("DATE", "TIME")
# The proper nouns a date is written with; any other proper noun inside a DATE entity is a name
# the recogniser ran the date into ("On May 23, 2015, Mateen declared …").
CALENDAR_NAMES = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday mon tue tues wed thu thurs fri sat sun".split())
# "It said …" stands for an organisation named as a subject this many sentences back at most.
IT_REACH_SENTENCES = 2


def is_a_time(tok: Token) -> bool:
    """A date or time word ("Tuesday", "last year"): no speaker, whatever its dependency."""
    if tok.ent_type_ not in TIME_ENTITIES:
        return False
    return tok.pos_ != "PROPN" or tok.lower_.rstrip(".") in CALENDAR_NAMES


@dataclass(frozen=True)
class Speaker:
    text: str
    canonical: str
    type: SpeakerType


@lru_cache(maxsize=1)
def speaker_nouns() -> dict[str, SpeakerType]:
    rows = csv.reader(data_text("speaker_nouns.tsv").splitlines(), delimiter="\t")
    return {r[0]: SpeakerType(r[1]) for r in rows if r and not r[0].startswith("#")}


@lru_cache(maxsize=1)
def titles() -> frozenset[str]:
    return word_list("titles.txt")


@lru_cache(maxsize=1)
def organisation_name_words() -> frozenset[str]:
    return word_list("organisation_name_words.txt")


def word_list(name: str) -> frozenset[str]:
    """A data file of words, one a line, lower-cased; "#" lines are comments."""
    return frozenset(line.strip().lower() for line in data_text(name).splitlines()
                     if line.strip() and not line.startswith("#"))


def _named_like_an_organisation(span: SpacySpan) -> bool:
    """Capitalised words ending in a word organisations are named with ("Harbour Foods")."""
    words = [t for t in span if not t.is_punct and t.lower_ not in ("the", "a", "an")]
    return (len(words) >= 2 and all(t.text[:1].isupper() for t in words)
            and words[-1].lower_ in organisation_name_words())


def _without_article(text: str) -> str:
    return text[4:] if text[:4].lower() == "the " else text


def titled_name(span: SpacySpan) -> str:
    """The name after the phrase's last title word ("Sergeant Ana Ruiz", "Island Power
    spokesperson Ana Ruiz" -> "Ana Ruiz"): one to three capitalised proper nouns ending the
    phrase; "" when the phrase is not so built."""
    words = [t for t in span if not t.is_punct]
    last_title = max((i for i, t in enumerate(words[:-1]) if t.lower_ in titles() and t.lower_ != "the"),
                     default=-1)
    name = words[last_title + 1:]
    if last_title < 0 or not 1 <= len(name) <= 3 or not all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in name):
        return ""
    return " ".join(t.text for t in name)


@lru_cache(maxsize=1)
def title_hashes() -> numpy.ndarray:
    """The title words as spaCy's string hashes (what ``Doc.to_array(LOWER)`` holds)."""
    # "the" is stripped from the front of a name but introduces none
    return numpy.array([get_string_id(t) for t in titles() if t != "the"], dtype=numpy.uint64)


def titled_full_names(doc: Doc) -> list[tuple[int, str]]:
    """Names of two or three capitalised proper nouns right after a title word, with offsets."""
    # found on arrays of hashes and tags: a Token object per word (spaCy builds one on every
    # access) would cost more than the rest of the extraction of a name
    attrs = doc.to_array([LOWER, POS])
    lowers, propn = attrs[:, 0], attrs[:, 1] == PROPN_ID
    titled = numpy.isin(lowers, title_hashes())
    starts = numpy.flatnonzero(titled[:-2] & propn[1:-1] & propn[2:] & ~titled[1:-1]) if len(doc) > 2 else []
    found = []
    for i in starts:
        end = int(i) + 1
        while end < len(doc) and end - i <= 3 and propn[end] and doc[end].text[:1].isupper():
            end += 1
        if end - i - 1 >= 2 and doc[int(i) + 1].text[:1].isupper():
            found.append((doc[int(i) + 1].idx, doc[int(i) + 1:end].text))
    return found


def strip_titles(name: str) -> str:
    """Drop leading titles and roles: "Russian President Vladimir Putin" -> "Vladimir Putin"."""
    words = name.strip(" ―—–-,.:;\"'“”‘’").split()
    while len(words) > 1 and words[0].lower().rstrip(",") in titles():
        words.pop(0)
    while len(words) > 1 and words[-1].lower() in {"'s", "’s"}:
        words.pop()
    name = " ".join(words)
    for suffix in ("'s", "’s"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name.strip(" ,")


class SpeakerResolver:
    """Resolves sources within one document, remembering who has been named so far."""

    def __init__(self, doc: Doc, text: str | None = None) -> None:
        self.doc = doc
        self.text = doc.text if text is None else text  # spaCy rebuilds Doc.text per access
        self.people = self._full_names(doc)

    @staticmethod
    def _full_names(doc: Doc) -> list[tuple[int, str]]:
        """Every person named in full (two words or more), with the offset where it appears: the
        tagger's PERSON entities, and names after a title ("Governor Ana Ruiz") it may miss."""
        names = []
        for ent in entity_index(doc).ents:
            if ent.label_ == "PERSON":
                name = strip_titles(ent.text)
                if len(name.split()) >= 2:
                    names.append((ent.start_char, name))
        names += titled_full_names(doc)
        return sorted(set(names))

    def canonical_person(self, name: str, pos: int) -> str:
        """"Putin" -> "Vladimir Putin" when the article names him in full (before, else after)."""
        name = strip_titles(name)
        last = name.split()[-1] if name else ""
        if not last:
            return name
        candidates = [full for at, full in self.people if full.split()[-1] == last and len(full) > len(name)]
        before = [full for at, full in self.people if at < pos and full.split()[-1] == last and len(full) > len(name)]
        pick = before[0] if before else (candidates[0] if candidates else "")
        return pick or name

    def is_known_person(self, word: str) -> bool:
        """A surname the article uses for a person named in full ("Trump" after "Donald Trump")."""
        return any(full.split()[-1] == word for _, full in self.people)

    def last_person_before(self, pos: int, speakers: list[tuple[int, Speaker]]) -> Speaker | None:
        """The most recent person before ``pos``: a resolved speaker or a named PERSON."""
        best_at, best = -1, None
        for at, sp in speakers:
            if at < pos and sp.type == SpeakerType.PERSON and at > best_at:
                best_at, best = at, sp
        for ent in reversed(entity_index(self.doc).before(pos)):
            if ent.start_char <= best_at:
                break
            if ent.label_ == "PERSON":
                name = self.canonical_person(ent.text, ent.start_char)
                return Speaker(ent.text, name, SpeakerType.PERSON)
        return best

    def resolve(self, source: list[Span], earlier: list[tuple[int, Speaker]]) -> Speaker:
        if not source:
            return Speaker("", "", SpeakerType.NONE)
        s, e = source[0][0], source[-1][1]
        text = self.text[s:e]
        span = self.doc.char_span(s, e, alignment_mode="expand")
        if span is None or len(span) == 0:
            return Speaker(text, text, SpeakerType.ANONYMOUS)
        head = span.root
        meant = antecedent(head) if len(span) <= 2 else None
        if meant is not None:  # "the doctor, who told me …": the doctor speaks, not "who"
            return self.classify(meant, meant.text)
        if head.lower_ == "it" and len(span) == 1:  # "The ministry … It said …"
            org = self.last_organisation_before(s, earlier)
            if org is not None:
                return org
        if head.lower_ in PERSONAL_PRONOUNS and head.pos_ == "PRON" and len(span) <= 2:
            if head.lower_ in ("he", "she", "him", "her"):
                person = self.last_person_before(s, earlier)
                if person is not None:
                    return Speaker(text, person.canonical, SpeakerType.PERSON)
            if head.lower_ == "they":
                group = self.plural_subject_before(head)
                if group is not None:
                    return Speaker(text, group.canonical, group.type)
            return Speaker(text, text, SpeakerType.PRONOUN)
        return self.classify(span, text)

    def plural_subject_before(self, pronoun: Token) -> Speaker | None:
        """What "they" stands for: the plural subject of the main clause of the sentence before
        ("The researchers … followed 40,000 adults. They found …"), or of this sentence's main
        clause before the pronoun; None when there is none or it is not someone."""
        sent = pronoun.sent
        before = self.doc[sent.start - 1].sent if sent.start > 0 else None
        for clause in (sent, before):
            if clause is None:
                continue
            root = clause.root
            subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")
                            and c.tag_ in ("NNS", "NNPS") and c.i < pronoun.i), None)
            if subject is not None:
                speaker = self.classify(noun_phrase(subject), noun_phrase(subject).text)
                return speaker if speaker.type in (SpeakerType.GROUP, SpeakerType.ANONYMOUS,
                                                   SpeakerType.ORGANIZATION) else None
        return None

    def last_organisation_before(self, pos: int, speakers: list[tuple[int, Speaker]]) -> Speaker | None:
        """What "it" stands for as a speaker: the organisation that is the subject of a clause
        in this sentence or the two before it (nearest first), else the last organisation that
        spoke before ``pos`` in those sentences."""
        at = self.doc.char_span(pos, pos + 1, alignment_mode="expand")
        if at is None or not len(at):
            return None
        sent = at[0].sent
        first = sent.start
        for _ in range(IT_REACH_SENTENCES):
            if first > 0:
                first = self.doc[first - 1].sent.start
        for tok in reversed(self.doc[first:at[0].i]):
            if tok.dep_ in ("nsubj", "nsubjpass") and tok.pos_ in ("NOUN", "PROPN"):
                phrase = noun_phrase(tok)
                speaker = self.classify(phrase, phrase.text)
                if speaker.type == SpeakerType.ORGANIZATION:
                    return speaker
        start = self.doc[first].idx
        orgs = [sp for o, sp in speakers if start <= o < pos and sp.type == SpeakerType.ORGANIZATION]
        return orgs[-1] if orgs else None

    def classify(self, span: SpacySpan, text: str) -> Speaker:
        ents = entity_index(self.doc).within(span.start_char, span.end_char)
        person = next((ent for ent in ents if ent.label_ == "PERSON"), None)
        head = span.root
        noun_type = speaker_nouns().get(head.lemma_.lower())
        # "The board's chief executive, Dr Mirela Costa": the name in apposition is who speaks
        named = person is not None and any(t.dep_ == "appos" and t.head.i == head.i for t in person)
        if person is not None and (person.start <= head.i < person.end or noun_type is None or named):
            return Speaker(text, self.canonical_person(person.text, span.start_char), SpeakerType.PERSON)
        # a surname the article gives in full elsewhere, whatever the tagger made of it here
        # ("Reyes rejected that": tagged a plural noun and an organisation)
        if (head.pos_ == "PROPN" or head.text[:1].isupper()) and self.is_known_person(head.text):
            return Speaker(text, self.canonical_person(head.text, span.start_char), SpeakerType.PERSON)
        if noun_type in (SpeakerType.ANONYMOUS, SpeakerType.GROUP):
            return Speaker(text, _capitalise(text), noun_type)
        org = next((ent for ent in ents if ent.label_ in ORG_ENTS), None)
        if org is None and _named_like_an_organisation(span):
            return Speaker(text, _without_article(text), SpeakerType.ORGANIZATION)
        name = titled_name(span) if head.pos_ == "PROPN" and head.ent_type_ not in ORG_ENTS else ""
        if name:  # a title makes a person ("Sergeant Ana Ruiz"), for whomever she speaks
            # ("Island Power spokesperson Ana Ruiz")
            return Speaker(text, self.canonical_person(name, span.start_char), SpeakerType.PERSON)
        if head.lower_ == "both" or any(t.lower_ == "both" for t in span[:1]):
            return Speaker(text, _capitalise(text), SpeakerType.GROUP)
        if org is not None or noun_type == SpeakerType.ORGANIZATION:
            name = strip_titles(org.text) if org is not None and head.ent_type_ in ORG_ENTS else text
            return Speaker(text, name, SpeakerType.ORGANIZATION)
        if head.pos_ == "PROPN":
            # a name no person or organisation entity backs: a grape, a wine label, a product,
            # a TV role; no canonical name is invented for it (one that looks like a person's,
            # untyped, or run into a date by the recogniser, still reads as a person)
            untyped = head.ent_type_ in ("", "PERSON") or (head.ent_type_ in TIME_ENTITIES and not is_a_time(head))
            kind = SpeakerType.PERSON if untyped else SpeakerType.ANONYMOUS
            return Speaker(text, "", kind)
        if head.tag_ in ("NNS",):
            return Speaker(text, _capitalise(text), SpeakerType.GROUP)
        return Speaker(text, _capitalise(text), SpeakerType.ANONYMOUS)


def antecedent(tok: Token) -> SpacySpan | None:
    """The noun phrase a relative pronoun stands for ("the doctor, who told me" -> "the
    doctor"), when the parse hangs its clause on one; None for any other word."""
    if tok.tag_ not in RELATIVE_TAGS or tok.head.dep_ != "relcl":
        return None
    noun = tok.head.head
    if noun.pos_ not in ("NOUN", "PROPN") or is_a_time(noun):
        return None
    return noun_phrase(noun)


def noun_phrase(noun: Token) -> SpacySpan:
    """The noun with what comes before it in its phrase ("the chief executive"), without the
    clauses and phrases after it."""
    return noun.doc[noun.left_edge.i:noun.i + 1]


def _capitalise(text: str) -> str:
    """Canonical form of an unnamed source: capitalised, without a possessive ending."""
    for suffix in ("'s", "’s"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text[:1].upper() + text[1:] if text else text
