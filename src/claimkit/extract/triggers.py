"""Which tokens fire a token-triggered rule (``rules.TOKEN_RULES``), in text order.

Every token of every article passes through here, so the tests are the cheap lexical ones
first: "according" + "to", or a verb / noun whose lemma is in the cue lexicon (``cues.tsv``).
A trigger that also needs a tree shape (a reporting noun with a "that" clause) has it written
as a spaCy ``DependencyMatcher`` pattern in ``claimkit/data/attribution_triggers.json``; the
matcher is built once per vocabulary and run only on documents that hold such a cue word.

What stays code, and why:
- the cue lexicon test: as a matcher attribute it is a Python predicate on every token (a
  lower-cased-lemma extension, since a headline's PROPN lemma keeps its capitals), measured
  about ten times slower than this loop;
- "according to": two words in a row, not a tree shape (the parser often hangs "to"
  elsewhere), and the DependencyMatcher's "." operator would stop at a sentence break that
  the parser puts between them, which this rule has never done;
- the readings of a verb cue (rules.VERB_READINGS): they take the first child of a kind, on
  one side of the cue, outside the subject, in a fixed precedence; matches come unordered
  and unfiltered, so code would redo that work after a second whole-document pass (measured
  at 2-3 % of extraction time on PolNeAR dev).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from claimkit.extract import cues
from claimkit.extract.cues import data_text
from claimkit.extract.settings import DEFAULTS, ExtractionSettings

TREE_PATTERNS_FILE = "attribution_triggers.json"

# Trigger names (``TokenRule.trigger``; the tree patterns name theirs in the data file).
ACCORDING_TO_TRIGGER = "according-to"
VERB_CUE_TRIGGER = "verb-cue"
NOUN_CUE_TRIGGER = "noun-cue"
NOUN_PREP_TRIGGER = "noun-prep"
IN_POLL_TRIGGER = "in-poll"
ADVERB_CUE_TRIGGER = "adverb-cue"
ADJECTIVE_CUE_TRIGGER = "adjective-cue"


@dataclass(frozen=True)
class Trigger:
    """A token that fires the trigger ``name``, with the other tokens its rule reads, by role."""
    name: str
    cue: Token
    nodes: dict[str, Token]


# (trigger name, cue token index) -> node id -> the first token matched at that node
Shapes = dict[tuple[str, int], dict[str, Token]]


@lru_cache(maxsize=1)
def tree_pattern_specs() -> tuple[dict, ...]:
    """The tree patterns as stored: trigger name, why, DependencyMatcher pattern."""
    return tuple(json.loads(data_text(TREE_PATTERNS_FILE))["patterns"])


@lru_cache(maxsize=1)
def word_triggers() -> dict[str, tuple[str, ...]]:
    """Tree patterns whose cue is a fixed word ("reportedly", "critical", "in"), not a lexicon
    lemma: word -> the triggers it may fire, in file order."""
    out: dict[str, tuple[str, ...]] = {}
    for spec in tree_pattern_specs():
        lower = spec["pattern"][0]["RIGHT_ATTRS"].get("LOWER")
        words = [lower] if isinstance(lower, str) else (lower or {}).get("IN", [])
        for word in words:
            if spec["trigger"] not in out.get(word, ()):
                out[word] = out.get(word, ()) + (spec["trigger"],)
    return out


class TreeShapes:
    """One DependencyMatcher over every tree pattern, for one vocabulary."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab  # kept so that the id() in _TREE_SHAPES stays this vocabulary's
        self.matcher = DependencyMatcher(vocab)
        # match ids by their hash: a memory zone (batch.py) may drop the strings themselves
        self.trigger_of: dict[int, str] = {}
        self.node_ids: dict[int, list[str]] = {}
        for n, spec in enumerate(tree_pattern_specs()):
            # one key per pattern: a trigger may have several shapes, each with its own nodes
            name = f"{spec['trigger']}#{n}"
            key = vocab.strings.add(name)
            self.matcher.add(name, [spec["pattern"]])
            self.trigger_of[key] = spec["trigger"]
            self.node_ids[key] = [node["RIGHT_ID"] for node in spec["pattern"]]

    def find(self, doc: Doc) -> Shapes:
        """For each cue that has a shape, the first token (in text order, as a rule reading
        ``tok.children`` would meet it) matched at each of the pattern's other nodes."""
        firsts: dict[tuple[str, int], dict[str, int]] = {}
        for key, token_ids in self.matcher(doc):
            nodes = firsts.setdefault((self.trigger_of[key], token_ids[0]), {})
            for node_id, i in zip(self.node_ids[key], token_ids):
                nodes[node_id] = min(i, nodes.get(node_id, i))
        return {found: {node_id: doc[i] for node_id, i in nodes.items()}
                for found, nodes in firsts.items()}


_TREE_SHAPES: dict[int, TreeShapes] = {}


def tree_shapes(vocab: Vocab) -> TreeShapes:
    """The tree matcher for this vocabulary, built on first use."""
    shapes = _TREE_SHAPES.get(id(vocab))
    if shapes is None or shapes.vocab is not vocab:
        shapes = _TREE_SHAPES[id(vocab)] = TreeShapes(vocab)
    return shapes


def find_triggers(doc: Doc, settings: ExtractionSettings = DEFAULTS) -> list[Trigger]:
    """The tokens of ``doc`` that fire a rule, in text order; a token fires one rule at most."""
    verb_cues = cues.cue_lemmas("V", settings.verb_cue_min_p)
    noun_cues = cues.cue_lemmas("N", settings.noun_cue_min_p)
    # "criticism of X" needs less evidence than "the claim that X": the shape itself is telling
    prep_nouns = cues.cue_lemmas("N", settings.noun_prep_min_p)
    by_word = word_triggers()
    n = len(doc)
    shapes: Shapes | None = None  # matched when the first cue word that needs one turns up
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
            lemma = tok.lemma_.lower()
            if lemma in prep_nouns or lemma in noun_cues:
                if shapes is None:
                    shapes = tree_shapes(doc.vocab).find(doc)
                for name in (NOUN_CUE_TRIGGER, NOUN_PREP_TRIGGER):
                    nodes = shapes.get((name, tok.i))
                    if nodes is not None and lemma in (noun_cues if name == NOUN_CUE_TRIGGER else prep_nouns):
                        found.append(Trigger(name, tok, nodes))
                        break
        if tok.lower_ in by_word and (not found or found[-1].cue.i != tok.i):
            if shapes is None:
                shapes = tree_shapes(doc.vocab).find(doc)
            name = next((name for name in by_word[tok.lower_] if (name, tok.i) in shapes), None)
            if name is not None:
                found.append(Trigger(name, tok, shapes[(name, tok.i)]))
    return found
