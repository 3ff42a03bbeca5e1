"""Which tokens fire a token-triggered rule (``rules.TOKEN_RULES``), in text order.

Every token of every article passes through here, so the tests are the cheap lexical ones
first: "according" + "to", or a verb / noun whose lemma is in the cue lexicon (``cues.tsv``).
A trigger that also needs a tree shape (a reporting noun with a "that" clause, "criticism of X")
has it written in spaCy's ``DependencyMatcher`` pattern format in
``claimkit/data/attribution_triggers.json``. The patterns are evaluated at the few tokens that can
anchor them (``TreeShapes``) rather than by a ``DependencyMatcher`` over the whole document: with
the noun / preposition patterns of extractor 0.6.0 the matcher took 2.1 of 7.5 CPU seconds of
extraction on PolNeAR dev (every node pattern is matched against every token first), the anchored
search a few hundredths; tests/test_rules.py checks that both find the same shapes.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

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


def _wanted(value: object) -> Callable[[str], bool]:
    """One attribute test of a pattern node: a value, or ``{"IN": [...]}`` / ``{"NOT_IN": [...]}``."""
    if isinstance(value, dict):
        inside = frozenset(value.get("IN", ()))
        outside = frozenset(value.get("NOT_IN", ()))
        if "IN" in value:
            return lambda v: v in inside and v not in outside
        return lambda v: v not in outside
    return lambda v: v == value


_TOKEN_ATTRS: dict[str, Callable[[Token], str]] = {
    "POS": lambda t: t.pos_, "DEP": lambda t: t.dep_, "LOWER": lambda t: t.lower_,
    "LEMMA": lambda t: t.lemma_, "TAG": lambda t: t.tag_, "ORTH": lambda t: t.text,
}


@dataclass(frozen=True)
class _Node:
    name: str
    parent: int  # index of the node it hangs from (-1 for the anchor)
    op: str  # ">": a child of the parent's token; "<": its head
    tests: tuple[tuple[Callable[[Token], str], Callable[[str], bool]], ...]

    def accepts(self, tok: Token) -> bool:
        return all(ok(attr(tok)) for attr, ok in self.tests)


def _compile(pattern: list[dict]) -> tuple[_Node, ...]:
    ids = [node["RIGHT_ID"] for node in pattern]
    return tuple(_Node(node["RIGHT_ID"], ids.index(node["LEFT_ID"]) if "LEFT_ID" in node else -1,
                       node.get("REL_OP", ""),
                       tuple((_TOKEN_ATTRS[k], _wanted(v)) for k, v in node["RIGHT_ATTRS"].items()))
                 for node in pattern)


class TreeShapes:
    """The tree patterns, compiled once, searched from an anchor token (the pattern's first node).

    Only the ``>`` (child) and ``<`` (head) relations are used by the data; a pattern with
    another one is refused at load time."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab  # kept so that the id() in _TREE_SHAPES stays this vocabulary's
        self.patterns: list[tuple[str, tuple[_Node, ...]]] = []
        for spec in tree_pattern_specs():
            ops = {node.get("REL_OP") for node in spec["pattern"][1:]}
            if not ops <= {">", "<"}:
                raise ValueError(f"{TREE_PATTERNS_FILE}: {spec['trigger']}: only > and < relations are supported")
            self.patterns.append((spec["trigger"], _compile(spec["pattern"])))

    def at(self, tok: Token, trigger: str | None = None) -> dict[str, dict[str, Token]]:
        """The shapes anchored at ``tok`` (all triggers, or one): for each, the first token (in
        text order) matched at each of the pattern's nodes over all the ways it matches."""
        out: dict[str, dict[str, Token]] = {}
        for name, nodes in self.patterns:
            if (trigger is None or name == trigger) and nodes[0].accepts(tok):
                firsts: dict[str, Token] = {}
                for match in _matches(nodes, [tok]):
                    for node, t in zip(nodes, match):
                        if node.name not in firsts or t.i < firsts[node.name].i:
                            firsts[node.name] = t
                # a trigger may have several shapes: their nodes are merged, first token first
                merged = out.setdefault(name, {}) if firsts else {}
                for node_name, t in firsts.items():
                    if node_name not in merged or t.i < merged[node_name].i:
                        merged[node_name] = t
        return out

    def find(self, doc: Doc) -> Shapes:
        """Every shape in ``doc``, by (trigger, anchor index): what a ``DependencyMatcher`` over
        the whole document gives (the tests compare the two)."""
        return {(name, tok.i): nodes for tok in doc for name, nodes in self.at(tok).items()}


def _matches(nodes: tuple[_Node, ...], bound: list[Token]) -> Iterator[list[Token]]:
    """Every assignment of tokens to the nodes after ``bound`` (depth first, small trees)."""
    if len(bound) == len(nodes):
        yield list(bound)
        return
    node = nodes[len(bound)]
    at = bound[node.parent]
    options = at.children if node.op == ">" else ([at.head] if at.head.i != at.i else [])
    for tok in options:
        if node.accepts(tok) and tok not in bound:
            yield from _matches(nodes, bound + [tok])


_TREE_SHAPES: dict[int, TreeShapes] = {}


def tree_shapes(vocab: Vocab) -> TreeShapes:
    """The compiled patterns for this vocabulary, built on first use."""
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
    shapes = tree_shapes(doc.vocab)
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
                at = shapes.at(tok)
                for name in (NOUN_CUE_TRIGGER, NOUN_PREP_TRIGGER):
                    nodes = at.get(name)
                    if nodes is not None and lemma in (noun_cues if name == NOUN_CUE_TRIGGER else prep_nouns):
                        found.append(Trigger(name, tok, nodes))
                        break
        if tok.lower_ in by_word and (not found or found[-1].cue.i != tok.i):
            at = shapes.at(tok)
            name = next((name for name in by_word[tok.lower_] if name in at), None)
            if name is not None:
                found.append(Trigger(name, tok, at[name]))
    return found
