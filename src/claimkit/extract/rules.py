"""Token-triggered attribution rules: the registry and the finders.

A rule is one ``TokenRule`` entry: the trigger that fires it (``triggers.py``), the finder that shapes
source, cue and content from the triggering token, and the rule names it can give its
candidates (``rule_names``). A reporting verb can be read several ways; ``VERB_READINGS``
lists them in the order they are tried, and the first that applies names the candidate.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from spacy.tokens import Token

from claimkit.extract.candidate import Attribution
from claimkit.extract.context import DocumentContext
from claimkit.extract.cues import impression_verbs
from claimkit.extract.senses import OBJECT_PRONOUNS, cannot_speak, is_non_speech, only_shows_a_thing
from claimkit.extract.rule_names import (ACCORDING_TO, ADJECTIVE_CUE, ADVERB_CUE, IN_POLL,
                                         NOUN_CUE, NOUN_PREP, PARENTHETICAL, READINGS_BESIDE_A_QUOTE,
                                         VERB_CCOMP, VERB_COLON, VERB_IMPRESSION,
                                         VERB_OBJECT, VERB_PREP, VERB_QUOTE, VERB_XCOMP)
from claimkit.extract.speakers import is_a_time
from claimkit.extract.spans import next_non_space, span_minus, subtree_span, token_span, trim
from claimkit.extract.syntax import (cue_tokens, find_subject, is_expletive, right_complements,
                                     source_tokens, speaker_after_cue)
from claimkit.extract.triggers import (ACCORDING_TO_TRIGGER, ADJECTIVE_CUE_TRIGGER,
                                       ADVERB_CUE_TRIGGER, IN_POLL_TRIGGER, NOUN_CUE_TRIGGER,
                                       NOUN_PREP_TRIGGER, VERB_CUE_TRIGGER, Trigger)
from claimkit.model import Span

CONTENT_CLAUSE_DEPS = ("ccomp",)
OBJECT_DEPS = ("dobj", "oprd", "attr")
CONTENT_PREPS = frozenset({"for", "of", "about", "on", "to", "against", "that"})
TIME_ENTITIES = ("DATE", "TIME")
# "Towns like Milford, she said.": how a parse hangs a fronted content without a verb on the
# cue, what may follow the cue in its clause ("said on Tuesday", "said in a statement"), and the
# comma that closes the content.
FRONTED_DEPS = frozenset({"dep", "advmod", "npadvmod", "intj", "nsubj", "attr", "dobj"})
CUE_CLAUSE_DEPS = frozenset({"prep", "npadvmod", "advmod", "aux", "neg", "dative"})
FRONTED_SEPARATORS = frozenset({",", "—", "―", "--"})
OPENING_QUOTES = frozenset({"“", '"', "''", "‘", "'"})

# A reading gets the cue verb and its subject and returns the content spans, or None when the
# verb is not used that way.
Reader = Callable[[DocumentContext, Token, "Token | None"], "list[Span] | None"]


# --- the readings of a verb cue, in the order they are tried -------------------------------

def colon_reading(ctx: DocumentContext, tok: Token, subj: Token | None) -> list[Span] | None:
    """X said: CONTENT (to the sentence's end, or the end of a quotation that opens there)."""
    reach = ctx.settings.colon_reach_tokens
    colon = next((c for c in tok.children if c.text == ":" and c.i > tok.i and c.i - tok.i <= reach), None)
    if colon is None:
        return None
    start = colon.idx + 1
    end = tok.sent.end_char
    q = ctx.geometry.quote_at(next_non_space(ctx.text, start))
    if q is not None:
        end = max(end, q[1])
        if "\n" in ctx.text[start:q[0]]:
            # "In a statement, he said:" and the quotation as the next paragraph: the
            # quotation is the content (it carries the span past the paragraph break)
            return [q]
    return [ctx.geometry.extend_to_quotes((start, end))]


def clause_reading(ctx: DocumentContext, tok: Token, subj: Token | None) -> list[Span] | None:
    """X said (that) CONTENT / CONTENT, X said: the complement clauses (not the subject's own)."""
    subj_ids = {t.i for t in subj.subtree} if subj is not None else set()
    comps = [c for c in tok.children if c.dep_ in CONTENT_CLAUSE_DEPS and c.i not in subj_ids]
    if any(c.i > tok.i for c in comps):
        # "That is not true: the report shows tolls will cover …": a clause closed by a colon or
        # a semicolon before the cue clause is the writer's, not part of what the cue reports
        comps = [c for c in comps if c.i > tok.i or not _closed_before_cue(c)]
    if not comps:
        return None
    geometry = ctx.geometry
    return [geometry.extend_to_quotes(geometry.through_colon(subtree_span(c), tok)) for c in comps]


def _closed_before_cue(clause: Token) -> bool:
    after = clause.right_edge.i + 1
    return after < len(clause.doc) and clause.doc[after].text in (":", ";")


def _first_object(tok: Token) -> Token | None:
    return next((c for c in tok.children if c.dep_ in OBJECT_DEPS and c.i > tok.i), None)


def intention_reading(ctx: DocumentContext, tok: Token, subj: Token | None) -> list[Span] | None:
    """X wants / plans / vowed to CONTENT (from the object when one comes first: "urged Y to …")."""
    xcomp = next((c for c in tok.children if c.dep_ == "xcomp"), None)
    if xcomp is None or xcomp.i < tok.i:
        return None
    obj = _first_object(tok)
    start_tok = obj if obj is not None and obj.i < xcomp.i else xcomp
    return [(start_tok.left_edge.idx, subtree_span(xcomp)[1])]


def object_reading(ctx: DocumentContext, tok: Token, subj: Token | None) -> list[Span] | None:
    """X denied CONTENT / X called CONTENT CONTENT: the object and what follows it."""
    if _first_object(tok) is None:
        return None
    return [ctx.geometry.extend_to_quotes(right_complements(tok))]


def preposition_reading(ctx: DocumentContext, tok: Token, subj: Token | None) -> list[Span] | None:
    """X called for CONTENT / X warned of CONTENT."""
    prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ in CONTENT_PREPS and c.i > tok.i), None)
    pobj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None) if prep else None
    # "said on Friday" says when, not what; "said of Apple" says about whom: "say" reports
    # through its clause or a quotation, never through a preposition
    if pobj is None or pobj.ent_type_ in TIME_ENTITIES or tok.lemma_ == "say":
        return None
    span = right_complements(tok)
    return [ctx.geometry.extend_to_quotes((pobj.left_edge.idx, span[1]))]


def passive_reading(ctx: DocumentContext, tok: Token, subj: Token | None) -> list[Span] | None:
    """Y is supported by X / Y was criticized by X: the passive's subject is what X supported or
    criticized (the active verb's object), and X, the agent, is the source (``find_subject``
    returns the agent for a passive verb)."""
    if subj is None or subj.i < tok.i or not any(c.dep_ == "auxpass" for c in tok.children):
        return None
    patient = next((c for c in tok.children if c.dep_ == "nsubjpass" and c.i < tok.i), None)
    if patient is None or is_expletive(patient):
        return None
    return [ctx.geometry.extend_to_quotes(subtree_span(patient))]


def quote_reading(ctx: DocumentContext, tok: Token, subj: Token | None) -> list[Span] | None:
    """"…," X said / X said, "…": a quotation right next to the cue clause."""
    q = ctx.geometry.adjacent_quote(tok, subj)
    return None if q is None else [q]


def parenthetical_reading(ctx: DocumentContext, tok: Token, subj: Token | None) -> list[Span] | None:
    """CONTENT, X said, CONTENT: the cue hangs off the content clause, which is the rest of it."""
    has_complement = any(c.dep_ in ("ccomp", "dobj", "xcomp", "prep", "attr", "acomp") for c in tok.children)
    if not (tok.dep_ in ("parataxis", "advcl", "ccomp", "conj")
            and tok.head.pos_ in ("VERB", "AUX") and not has_complement):
        return None
    head_span = subtree_span(tok.head)
    hole = subtree_span(tok)
    pieces = span_minus(head_span, hole)
    if not pieces or not (tok.i > tok.head.i or head_span[0] < hole[0]):
        return None
    return [ctx.geometry.extend_to_quotes(p) for p in pieces]


def fronted_reading(ctx: DocumentContext, tok: Token, subj: Token | None) -> list[Span] | None:
    """"Towns like Milford, she said.": what was said opens the sentence and the cue clause
    closes it, but the parse hung the opening words on the verb as something other than its
    clause (``dep``, ``advmod``, ``npadvmod``: a phrase with no verb of its own). The content is
    the sentence up to the comma before the subject; nothing but the cue clause may follow."""
    if subj is None or subj.i < tok.i - ctx.settings.fronted_subject_reach or subj.i > tok.i:
        return None
    opener = subj.left_edge.i - 1
    doc = tok.doc
    sent = tok.sent
    if opener <= sent.start or doc[opener].text not in FRONTED_SEPARATORS:
        return None
    front = [c for c in tok.lefts if c.i < opener and c.dep_ in FRONTED_DEPS]
    if not front or any(c.dep_ not in CUE_CLAUSE_DEPS for c in tok.rights if not c.is_punct):
        return None
    start = min(c.left_edge.idx for c in front)
    if start != sent.start_char and doc[sent.start].text not in OPENING_QUOTES:
        return None
    return [ctx.geometry.extend_to_quotes((start, doc[opener].idx))]


def around_cue_clause(ctx: DocumentContext, tok: Token) -> list[Span]:
    """The clause the cue hangs off, without the cue clause: "CONTENT, reported X."."""
    pieces = span_minus(subtree_span(tok.head), subtree_span(tok))
    return [ctx.geometry.extend_to_quotes(p) for p in pieces]


VERB_READINGS: tuple[tuple[str, Reader], ...] = (
    (VERB_COLON, colon_reading),
    (VERB_CCOMP, clause_reading),
    (VERB_XCOMP, intention_reading),
    (VERB_OBJECT, object_reading),
    (VERB_PREP, preposition_reading),
    # the object reading of a passive verb: its subject is the object, its agent the source
    (VERB_OBJECT, passive_reading),
    (VERB_QUOTE, quote_reading),
    (PARENTHETICAL, parenthetical_reading),
    # the clause reading that the parse missed, so it is named and scored as one
    (VERB_CCOMP, fronted_reading),
)


def read_verb(ctx: DocumentContext, tok: Token, subj: Token | None) -> list[tuple[list[Span], str]]:
    """The content and rule name of every reading that applies, in ``VERB_READINGS`` order
    (the first is the cue's main reading; ``[]`` for none)."""
    readings = []
    for name, reader in VERB_READINGS:
        content = reader(ctx, tok, subj)
        if content is not None:
            readings.append((content, name))
    return readings


def impression_reading(ctx: DocumentContext, tok: Token, subj: Token | None,
                       content: list[Span]) -> list[Span] | None:
    """"The plan seems to work": the subject and the complement, as one content with no source
    (the subject is what the impression is about, not who has it)."""
    if tok.lemma_.lower() not in impression_verbs() or subj is None or subj.i > tok.i or is_expletive(subj):
        return None
    if not content or content[0][0] < tok.idx:
        return None
    return [subtree_span(subj)] + content


def trimmed(text: str, spans: list[Span]) -> tuple[Span, ...]:
    """The spans as ``DocumentContext.add`` will keep them (edges trimmed), to compare readings."""
    return tuple(t for t in (trim(text, sp) for sp in spans) if t)


# --- the finders ------------------------------------------------------------------------------

def verb_cue(ctx: DocumentContext, trigger: Trigger) -> None:
    """A reporting verb: subject as source, content from the first reading that applies."""
    tok = trigger.cue
    geometry = ctx.geometry
    if geometry.quote_at(tok.idx) is not None:
        return  # a verb inside a quotation is the speaker's own wording, not a new cue
    if is_non_speech(tok) or ctx.in_discourse_marker(tok.idx):
        return  # "picked up a trophy", "That said, …": this sense of the verb reports nothing
    subj = find_subject(tok, ctx.settings)
    if subj is not None and cannot_speak(subj):
        return  # "the mandate requires insurers to …": a law or a device states nothing
    if only_shows_a_thing(tok, subj):
        return  # "the video shows the mayor leaving": a picture, not a statement
    named_after = speaker_after_cue(tok)
    if named_after is not None:
        # "CONTENT, reported the Daily Ledger.": the clause reading ("CONTENT, said X") that
        # the parse missed, so it is named and scored as one
        subj = named_after
        readings = [(around_cue_clause(ctx, tok), VERB_CCOMP)]
    else:
        readings = read_verb(ctx, tok, subj)
    if subj is not None and subj.lower_ in OBJECT_PRONOUNS:
        return  # "allows them to target …": "them" is who is allowed, not a speaker
    readings = [([c for c in (geometry.clip_to_paragraph(sp, tok) for sp in content) if c], rule)
                for content, rule in readings]
    # an object that holds its own verb is no reading: "the hunt that he's been railing against"
    readings = [(content, rule) for content, rule in readings
                if content and not (rule in (VERB_OBJECT, VERB_PREP) and any(s <= tok.idx < e for s, e in content))]
    # "posted on X: “…”": what follows the verb's colon is what was said; an object or a
    # preposition read across that colon is the parse running on into it
    colon = next((c for c, rule in readings if rule == VERB_COLON), None)
    if colon is not None:
        readings = [(content, rule) for content, rule in readings
                    if rule not in (VERB_OBJECT, VERB_PREP) or content[-1][1] <= colon[0][0]]
    if not readings:
        return
    content, rule = readings[0]
    source: list[Span] = []
    if subj is not None and not is_expletive(subj) and not is_a_time(subj):
        src = token_span(source_tokens(subj, ctx.settings))
        if src and not any(cs <= src[0] < ce for cs, ce in content):
            source = [src]
        elif src and rule == VERB_CCOMP and any(cs < src[0] and src[1] <= ce <= tok.idx for cs, ce in content):
            # '"…," Chief Ann Hale said.': the parse took the name into the quoted clause; the
            # content ends where the name begins
            content = [(cs, min(ce, src[0])) for cs, ce in content if cs < src[0]]
            source = [src]
    cue = token_span([t for t in cue_tokens(tok) if t.i == tok.i or geometry.quote_at(t.idx) is None])
    att = Attribution(cue=[cue] if cue else [], content=content, source=source, rule=rule,
                      cue_lemma=tok.lemma_.lower(), cue_token=tok.i,
                      source_root=subj.i if source and subj is not None else None)
    ctx.add(att)
    # "X called the plan a failure on Monday": the later readings of the cue (object, then
    # preposition) are candidates too, marked as the alternatives; they share the cue, so the
    # filter keeps one reading at most
    seen = {trimmed(ctx.text, content)}
    for alt, alt_rule in readings[1:]:
        if trimmed(ctx.text, alt) not in seen:  # the same words read twice ("said: “…”") are one
            seen.add(trimmed(ctx.text, alt))
            ctx.add(replace(att, content=alt, rule=alt_rule, alternative=True))
    impression = impression_reading(ctx, tok, subj, content)
    if impression is not None and trimmed(ctx.text, impression) not in seen:
        ctx.add(replace(att, content=impression, source=[], source_root=None, rule=VERB_IMPRESSION,
                        alternative=True))
    # "“Why now?” he told Fox News.": the verb's object (the listener) or the quotation that
    # hands over to the cue may be what was said; propose both, the filter chooses (they
    # share the cue, so only one can stand)
    quote = geometry.adjacent_quote(tok, subj) if rule in READINGS_BESIDE_A_QUOTE else None
    if quote is not None and quote[1] <= tok.idx and geometry.ends_open(quote):
        ctx.add(replace(att, content=[quote], rule=VERB_QUOTE))


def according_to(ctx: DocumentContext, trigger: Trigger) -> None:
    """according to X, CONTENT: the rest of the sentence, in the cue's paragraph."""
    tok = trigger.cue
    to = trigger.nodes["to"]
    # "according to Breaking the Silence, …": a name the parse reads as a verb phrase (pcomp)
    pobj = next((c for c in to.children if c.dep_ in ("pobj", "pcomp")), None)
    phrase = token_span(list(tok.subtree) + list(to.subtree)) or (tok.idx, to.idx + 2)
    sent = tok.sent
    sent_span = (sent.start_char, sent.end_char)
    geometry = ctx.geometry
    pieces = (geometry.clip_to_paragraph(p, tok) for p in span_minus(sent_span, phrase))
    content = [geometry.extend_to_quotes(p) for p in pieces if p]
    source = [token_span(source_tokens(pobj, ctx.settings))] if pobj is not None else []
    ctx.add(Attribution(cue=[(tok.idx, to.idx + len(to.text))], content=content,
                        source=[s for s in source if s], rule=ACCORDING_TO,
                        cue_lemma="according to", cue_token=tok.i,
                        source_root=pobj.i if pobj is not None else None))


def in_poll(ctx: DocumentContext, trigger: Trigger) -> None:
    """In a poll by X, CONTENT / CONTENT in the latest survey: the poll is the source, the clause
    the phrase hangs on (without the phrase) the content, as with "according to"."""
    tok, poll = trigger.cue, trigger.nodes["source"]
    geometry = ctx.geometry
    if geometry.quote_at(tok.idx) is not None:
        return
    head = tok.head
    clause = head if head.pos_ in ("VERB", "AUX") else next(
        (t for t in head.ancestors if t.pos_ in ("VERB", "AUX")), tok.sent.root)
    phrase = subtree_span(tok)
    pieces = (geometry.clip_to_paragraph(p, tok) for p in span_minus(subtree_span(clause), phrase))
    content = [geometry.extend_to_quotes(p) for p in pieces if p]
    ctx.add(Attribution(cue=[token_span([tok])], content=content,
                        source=[s for s in [token_span(source_tokens(poll, ctx.settings))] if s],
                        rule=IN_POLL, cue_lemma="in", cue_token=tok.i, source_root=poll.i))


def adverb_cue(ctx: DocumentContext, trigger: Trigger) -> None:
    """The FBI is reportedly preparing …: the clause the adverb qualifies, without the adverb,
    is the content; the source goes unnamed."""
    tok, clause = trigger.cue, trigger.nodes["clause"]
    geometry = ctx.geometry
    if geometry.quote_at(tok.idx) is not None:
        return
    pieces = span_minus(subtree_span(clause), token_span([tok]))
    content = [c for c in (geometry.clip_to_paragraph(p, tok) for p in pieces) if c]
    ctx.add(Attribution(cue=[token_span([tok])], content=content, rule=ADVERB_CUE,
                        cue_lemma=tok.lower_, cue_token=tok.i))


def adjective_cue(ctx: DocumentContext, trigger: Trigger) -> None:
    """X has been critical of CONTENT / X is confident (that) CONTENT: the adjective (and its
    preposition) are the cue, the prepositional object or the clause the content, the subject of the copula (or the noun the adjective
    describes) the source."""
    tok, prep = trigger.cue, trigger.nodes.get("prep")
    obj = trigger.nodes["object"] if prep is not None else trigger.nodes["clause"]
    if ctx.geometry.quote_at(tok.idx) is not None:
        return
    head = tok.head
    subj = (next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if head.i != tok.i else None)
    if subj is None and tok.dep_ == "amod":
        subj = head
    source = [token_span(source_tokens(subj, ctx.settings))] if subj is not None else []
    cue = (tok.idx, prep.idx + len(prep.text)) if prep is not None and prep.i > tok.i else token_span([tok])
    ctx.add(Attribution(cue=[cue], content=[subtree_span(obj)], source=[s for s in source if s],
                        rule=ADJECTIVE_CUE,
                        cue_lemma=tok.lower_, cue_token=tok.i,
                        source_root=subj.i if source and subj is not None else None))


def noun_owner(tok: Token) -> Token | None:
    """Whose claim or criticism a cue noun is: possessive, compound, or "by"/"from" X."""
    owner = next((c for c in tok.children if c.dep_ in ("poss", "compound", "nmod")), None)
    if owner is None:
        by = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("by", "from")), None)
        owner = next((c for c in by.children if c.dep_ == "pobj"), None) if by is not None else None
    return owner


def noun_cue(ctx: DocumentContext, trigger: Trigger) -> None:
    """X's claim that CONTENT: the owner (possessive, compound, "by"/"from" X) is the source."""
    tok = trigger.cue
    clause = trigger.nodes["clause"]  # the first clause with a subordinator
    owner = noun_owner(tok)
    source = [token_span(source_tokens(owner, ctx.settings))] if owner is not None else []
    ctx.add(Attribution(cue=[(tok.idx, tok.idx + len(tok.text))],
                        content=[subtree_span(clause)], source=[s for s in source if s],
                        rule=NOUN_CUE, cue_lemma=tok.lemma_.lower(), cue_token=tok.i,
                        source_root=owner.i if owner is not None else None))


def noun_prep(ctx: DocumentContext, trigger: Trigger) -> None:
    """X's criticism of CONTENT / support for CONTENT: the stance noun and its preposition are
    the cue, the prepositional object the content, the noun's owner the source."""
    tok, prep, obj = trigger.cue, trigger.nodes["prep"], trigger.nodes["object"]
    if ctx.geometry.quote_at(tok.idx) is not None:
        return  # the speaker's own wording inside a quotation
    owner = noun_owner(tok)
    source = [token_span(source_tokens(owner, ctx.settings))] if owner is not None else []
    cue = (tok.idx, prep.idx + len(prep.text)) if prep.i > tok.i else token_span([tok])
    ctx.add(Attribution(cue=[cue], content=[subtree_span(obj)], source=[s for s in source if s],
                        rule=NOUN_PREP, cue_lemma=tok.lemma_.lower(), cue_token=tok.i,
                        source_root=owner.i if owner is not None else None))


@dataclass(frozen=True)
class TokenRule:
    """One rule fired by a token: its trigger (``triggers.py``), its finder, and the rule names its candidates may carry."""
    trigger: str
    find: Callable[[DocumentContext, Trigger], None]
    names: tuple[str, ...]


TOKEN_RULES: tuple[TokenRule, ...] = (
    TokenRule(ACCORDING_TO_TRIGGER, according_to, (ACCORDING_TO,)),
    TokenRule(VERB_CUE_TRIGGER, verb_cue, tuple(name for name, _ in VERB_READINGS) + (VERB_IMPRESSION,)),
    TokenRule(NOUN_CUE_TRIGGER, noun_cue, (NOUN_CUE,)),
    TokenRule(NOUN_PREP_TRIGGER, noun_prep, (NOUN_PREP,)),
    TokenRule(IN_POLL_TRIGGER, in_poll, (IN_POLL,)),
    TokenRule(ADVERB_CUE_TRIGGER, adverb_cue, (ADVERB_CUE,)),
    TokenRule(ADJECTIVE_CUE_TRIGGER, adjective_cue, (ADJECTIVE_CUE,)),
)
RULE_BY_TRIGGER = {rule.trigger: rule for rule in TOKEN_RULES}


def run_token_rules(ctx: DocumentContext, triggers: list[Trigger]) -> None:
    """Each trigger's finder, in text order; boilerplate and used cue tokens are skipped."""
    for trigger in triggers:
        tok = trigger.cue
        if tok.i in ctx.used_cues or (ctx.skip and ctx.in_skip(tok.idx)):
            continue
        RULE_BY_TRIGGER[trigger.name].find(ctx, trigger)
