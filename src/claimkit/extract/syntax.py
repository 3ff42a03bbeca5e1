"""Reading the dependency parse: a cue's subject, its source phrase, its paragraph, its right
complements. Parse facts only; what counts as content is decided in ``rules.py``."""
from __future__ import annotations

import bisect
import re

from spacy.tokens import Doc, Token

from claimkit.extract.settings import DEFAULTS, ExtractionSettings
from claimkit.extract.speakers import speaker_nouns
from claimkit.model import Span

# Subjects that carry no source: "it was reported that …", "there are claims that …".
EXPLETIVES = frozenset({"it", "there"})
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
# Right-hand dependents that are not part of what the cue verb reports.
LOOSE_DEPS = frozenset({"punct", "cc", "conj", "advcl", "npadvmod", "advmod", "mark", "prt", "aux",
                        "neg", "parataxis", "dep", "meta"})
# Prepositions that still name the source ("the mayor of Geneva", "a spokesman for the firm");
# others ("a reporter after arriving …", "officials on Tuesday") are dropped from it.
SOURCE_PREPS = frozenset({"of", "for", "from", "at", "with"})
# Clauses whose subject is inherited from the verb they hang on ("…, saying …", "and added …").
SUBJECT_SHARING_DEPS = ("xcomp", "conj", "advcl", "pcomp")
WH_TAGS = ("WDT", "WP", "WP$")
NAME_ENTITIES = frozenset({"PERSON", "ORG", "NORP", "GPE"})
SPEAKING_PRONOUNS = frozenset({"he", "she", "they", "i", "we", "you", "who"})
FINITE_TAGS = ("VBD", "VBZ", "VBP")
# Clauses that may open a sentence and that a parse can hang on the subject that follows.
LEFT_CLAUSE_DEPS = frozenset({"advcl", "acl", "relcl", "parataxis", "dep"})
_CLOCK = re.compile(r"\d{1,2}[:.]\d{2}")
_BREAKS_KEY = "claimkit_line_breaks"  # Doc.user_data: token indices of line breaks


def cue_tokens(tok: Token) -> list[Token]:
    """The cue head with its auxiliaries and negation ("has said", "did not deny")."""
    parts = [tok] + [c for c in tok.children if c.dep_ in ("aux", "auxpass", "neg")]
    parts += [c for c in tok.children if c.dep_ == "prt"]  # "pointed out"
    return parts


def source_tokens(subj: Token, settings: ExtractionSettings = DEFAULTS) -> list[Token]:
    """The source phrase: the subject's subtree without relative clauses hanging off it."""
    toks = []
    skip: set[int] = set()
    for c in subj.children:
        # a clause before the head is an opening participle the parse hung on the subject
        # ("Speaking from a stage …, the chief executive"): the speaker is the noun phrase
        if c.dep_ in LEFT_CLAUSE_DEPS and c.i < subj.i:
            skip.update(t.i for t in c.subtree)
        if (c.dep_ in ("relcl", "acl", "advcl", "advmod") and c.i > subj.i) or \
                (c.dep_ == "prep" and c.i > subj.i and c.lower_ not in SOURCE_PREPS) or \
                (c.dep_ == "punct" and c.i > subj.i):
            skip.update(t.i for t in c.subtree)
    for t in subj.subtree:
        if t.i not in skip:
            toks.append(t)
    # keep the contiguous block around the head, within its paragraph: a parse that runs over a
    # line break hangs datelines and headlines ("5:45 p.m.", "The Latest: …") on the subject
    lo, hi = paragraph_bounds(subj)
    toks.sort(key=lambda t: t.i)
    window = settings.source_window_tokens
    block = [t for t in toks if abs(t.i - subj.i) <= window and lo <= t.i <= hi]
    # and it starts after the last comma before its head: what precedes that comma is an
    # opening clause, not part of the name ("Asked about it, the mayor")
    commas = [t.i for t in block if t.i < subj.i and t.text == ","]
    if commas:
        block = [t for t in block if t.i > commas[-1]]
    # nor does it start or end with punctuation: a closing quote mark the parse hung on the name
    # ('…," Chief Hall said') would put the source inside the quotation
    while len(block) > 1 and block[0].is_punct and block[0].i != subj.i:
        block = block[1:]
    while len(block) > 1 and block[-1].is_punct and block[-1].i != subj.i:
        block = block[:-1]
    # a possessor is named without its "'s" ("Mann's concerns about …": Mann)
    while len(block) > 1 and block[-1].dep_ == "case" and block[-1].i != subj.i:
        block = block[:-1]
    # a lower-case word tagged as a name in front of a name is a mis-tagged verb ("… but echo
    # Mann's concerns"), not part of it ("payday lenders" keeps its "payday")
    while len(block) > 1 and block[0].i != subj.i and subj.pos_ == "PROPN" and _mistagged_name_word(block[0]):
        block = block[1:]
    # a live blog's time stamp opening the line ("10:15 Island Lines says …")
    while len(block) > 1 and block[0].i != subj.i and _CLOCK.fullmatch(block[0].text):
        block = block[1:]
    return block or [subj]


def _mistagged_name_word(tok: Token) -> bool:
    return tok.dep_ == "compound" and tok.pos_ == "PROPN" and tok.is_lower and not tok.ent_type_


def paragraph_bounds(tok: Token) -> tuple[int, int]:
    """The first and last token index of ``tok``'s paragraph (line breaks are space tokens)."""
    breaks = line_break_tokens(tok.doc)
    i = bisect.bisect_left(breaks, tok.i)
    lo = breaks[i - 1] + 1 if i > 0 else 0
    if i < len(breaks) and breaks[i] == tok.i:
        return lo, tok.i
    hi = breaks[i] - 1 if i < len(breaks) else len(tok.doc) - 1
    return lo, hi


def line_break_tokens(doc: Doc) -> list[int]:
    """Indices of the tokens that hold a line break, found once per document (a walk to the
    paragraph's edges per cue would make a long one-paragraph article quadratic)."""
    breaks = doc.user_data.get(_BREAKS_KEY)
    if breaks is None:
        breaks = doc.user_data[_BREAKS_KEY] = [t.i for t in doc if "\n" in t.text_with_ws]
    return breaks


def find_subject(verb: Token, settings: ExtractionSettings = DEFAULTS) -> Token | None:
    """The verb's subject (see ``parsed_subject``), taken from the verb's own paragraph: when the
    parse runs over a line break and finds it in a headline above, the phrase that opens the
    verb's paragraph is the subject ("5:45 p.m.\n\nThe governor's doctor is calling …")."""
    subj = parsed_subject(verb, settings)
    if subj is None:
        return None
    lo, hi = paragraph_bounds(verb)
    if lo <= subj.i <= hi:
        return subj
    # a second subject in the verb's own paragraph: the parse hung a headline on the verb as
    # well ("Journey to the dark side\nOn May 2, Wikileaks announced …")
    own = next((c for c in subj.head.children
                if c.dep_ in SUBJECT_DEPS and c.i != subj.i and lo <= c.i <= hi), None)
    if own is not None:
        return own
    if verb.i <= lo:
        return None
    opening = verb.doc[lo:verb.i].root
    return opening if opening.pos_ in ("NOUN", "PROPN", "PRON") else None


def parsed_subject(verb: Token, settings: ExtractionSettings = DEFAULTS) -> Token | None:
    """The verb's subject, inherited through xcomp / conj / participle clauses when it has none."""
    cur = verb
    if verb.tag_ == "VBG" and verb.i >= 2 and verb.doc[verb.i - 1].tag_ == "POS" and \
            verb.doc[verb.i - 2].pos_ in ("NOUN", "PROPN"):
        return verb.doc[verb.i - 2]  # "the committee's finding that …": a noun, and whose it is
    if verb.tag_ == "VBN" and verb.dep_ in ("advcl", "acl") and verb.i < verb.head.i and \
            not any(c.dep_ in ("aux", "auxpass", "agent") for c in verb.children):
        return None  # "Asked about the plan, the mayor said …": the mayor was asked; by whom is unsaid
    for _ in range(settings.subject_hops):
        for c in cur.children:
            if c.dep_ in SUBJECT_DEPS and not (c.dep_ == "nsubjpass" and cur.i == verb.i):
                return c
        agent = next((c for c in cur.children if c.dep_ == "agent"), None)
        if agent is not None and any(c.dep_ == "auxpass" for c in cur.children):
            # only a passive verb's "by" is its doer ("called the attack by his son X" is active)
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
        if cur.dep_ in SUBJECT_SHARING_DEPS and cur.head.i != cur.i:
            cur = cur.head.head if _cites_for_the_reporter(cur) else cur.head
            continue
        if cur.dep_ == "prep" and cur.head.pos_ in ("VERB", "AUX"):
            cur = cur.head  # "responded by saying …", "despite admitting …": the clause's subject
            continue
        if cur.dep_ == "acl" and cur.head.pos_ in ("NOUN", "PROPN"):
            return cur.head  # "a statement saying …" -> the statement
        break
    return noun_right_before(verb)


def _cites_for_the_reporter(part: Token) -> bool:
    """"The mayor said the bridge would reopen, citing a report": the parse hangs the closing
    participle on the reported clause, whose subject is a thing that cites nothing; the one who
    cites is the reporter. Where the reported subject could speak ("… the company closed the
    plant, citing low demand") it keeps the participle."""
    clause = part.head
    if part.dep_ != "advcl" or part.tag_ != "VBG" or part.i < clause.i or clause.dep_ != "ccomp" \
            or clause.head.pos_ not in ("VERB", "AUX"):
        return False
    subject = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return subject is not None and not could_speak(subject)


def could_speak(tok: Token) -> bool:
    """A name, a personal pronoun or a noun for people or organisations (speaker_nouns.tsv)."""
    return (tok.ent_type_ in NAME_ENTITIES or tok.lower_ in SPEAKING_PRONOUNS
            or tok.lemma_.lower() in speaker_nouns())


def noun_right_before(verb: Token) -> Token | None:
    """"…, UC Global and the Sands, the Daily Ledger claimed …": a finite verb the parse left
    without a subject (it hung the name on a list before it) whose previous word is a name or
    a noun: that word's phrase is the subject."""
    if verb.tag_ not in FINITE_TAGS or verb.i == 0 or verb.dep_ not in ("ROOT", "conj", "ccomp"):
        return None
    before = verb.doc[verb.i - 1]
    if before.pos_ not in ("PROPN", "NOUN") or before.dep_ not in ("appos", "conj", "pobj", "dobj") \
            or before.sent != verb.sent:
        return None
    # "Chief Ann Hale with the City Police Department said": the name before the preposition
    prep = before.head if before.dep_ == "pobj" and before.head.dep_ == "prep" else None
    owner = verb.doc[prep.i - 1] if prep is not None and prep.i > 0 else None
    return owner if owner is not None and owner.pos_ in ("PROPN", "NOUN") else before


def is_expletive(tok: Token | None) -> bool:
    """ "It was reported that …", "It is clear that …": a dummy subject, no source. "It says …"
    (a report, a poll) is a real one."""
    if tok is None or tok.lower_ not in EXPLETIVES or tok.pos_ != "PRON":
        return False
    verb = tok.head
    return (tok.lower_ == "there" or tok.dep_ == "nsubjpass" or tok.dep_ == "expl"
            or any(c.dep_ in ("auxpass", "acomp") for c in verb.children) or verb.lemma_ == "be")


def right_complements(tok: Token) -> Span:
    """Everything the verb governs to its right ("criticized X for Y", "blasted X as Z"),
    stopping before loosely attached clauses ("…, and", "…, while …") and before an aside
    on its last word ("…, which …")."""
    right = [c for c in tok.children if c.i > tok.i and c.dep_ not in LOOSE_DEPS]
    if not right:
        return (tok.idx + len(tok.text), tok.idx + len(tok.text))
    start = min(c.left_edge.idx for c in right)
    return start, end_before_aside(right[-1])


def end_before_aside(head: Token) -> int:
    """Where ``head``'s phrase ends without the relative clause set off by a comma that
    closes it: "the reality of climate change|, which makes him an outlier". (Cutting
    trailing circumstances too, "| during the debate", helped on dev but not on train.)"""
    end_tok = head.right_edge
    for t in head.subtree:
        if t.i <= head.i or t.right_edge.i != end_tok.i or t.dep_ not in ("relcl", "acl"):
            continue  # only a clause that runs to the end of the phrase
        before = t.doc[t.left_edge.i - 1]
        if t.left_edge.tag_ in WH_TAGS and before.text == ",":
            return before.idx
    return end_tok.idx + len(end_tok.text)


def speaker_after_cue(verb: Token) -> Token | None:
    """"The economy grew 3 percent, reported the Daily Ledger.": a cue verb after a comma,
    with no subject of its own, whose object ends the sentence and names someone (a named
    person or organisation, or a speaker noun). The parse reads the name as the object and
    borrows the subject of the clause before; the name is who spoke."""
    if verb.tag_ not in FINITE_TAGS or verb.i == 0 or any(c.dep_ in SUBJECT_DEPS for c in verb.children):
        return None  # "…, citing customs data": a participle's object is what it cites
    if verb.head.i == verb.i or verb.i < verb.head.i or verb.doc[verb.i - 1].text != ",":
        return None
    obj = next((c for c in verb.children if c.dep_ in ("dobj", "attr") and c.i > verb.i), None)
    if obj is None or obj.right_edge.i + 1 < verb.sent.end and not verb.doc[obj.right_edge.i + 1].is_punct:
        return None
    named = obj.ent_type_ in NAME_ENTITIES or obj.lemma_.lower() in speaker_nouns()
    return obj if named else None
