"""Which tokens fire a token-triggered rule (``rules.TOKEN_RULES``), in text order.

Every token of every article passes through here, so the tests are the cheap lexical ones
first: "according" + "to", or a verb / noun whose lemma is in the cue lexicon (``cues.tsv``).
A noun cue also needs its tree shape: a clause opened by a subordinator ("claims that …").
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from claimkit.extract import cues
from claimkit.extract.settings import DEFAULTS, ExtractionSettings

# Trigger names (``TokenRule.trigger``).
ACCORDING_TO_TRIGGER = "according-to"
VERB_CUE_TRIGGER = "verb-cue"
NOUN_CUE_TRIGGER = "noun-cue"


@dataclass(frozen=True)
class Trigger:
    """A token that fires the trigger ``name``, with the other tokens its rule reads, by role."""
    name: str
    cue: Token
    nodes: dict[str, Token]


def find_triggers(doc: Doc, settings: ExtractionSettings = DEFAULTS) -> list[Trigger]:
    """The tokens of ``doc`` that fire a rule, in text order; a token fires one rule at most."""
    verb_cues = cues.cue_lemmas("V", settings.verb_cue_min_p)
    noun_cues = cues.cue_lemmas("N", settings.noun_cue_min_p)
    n = len(doc)
    found: list[Trigger] = []
    for tok in doc:
        pos = tok.pos_
        # "according" belongs to "according to" even without "to": never a verb or noun cue
        if tok.lower_ == "according":
            if tok.i + 1 < n and doc[tok.i + 1].lower_ == "to":
                found.append(Trigger(ACCORDING_TO_TRIGGER, tok, {"to": doc[tok.i + 1]}))
        elif pos in ("VERB", "AUX"):
            if tok.lemma_.lower() in verb_cues:
                found.append(Trigger(VERB_CUE_TRIGGER, tok, {}))
        elif pos in ("NOUN", "PROPN"):
            if tok.lemma_.lower() in noun_cues:
                clause = next((c for c in tok.children if c.dep_ in ("acl", "ccomp") and
                               any(m.dep_ == "mark" for m in c.children)), None)
                if clause is not None:
                    found.append(Trigger(NOUN_CUE_TRIGGER, tok, {"clause": clause}))
    return found
