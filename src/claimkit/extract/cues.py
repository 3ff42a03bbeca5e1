"""The reporting-cue lexicon: which words introduce someone else's statement, and what kind.

Two data files, both in ``claimkit/data``:
- ``cues.tsv``: lemma, coarse POS (V verb, N noun), how often that lemma headed a gold cue in the
  PolNeAR *train* split and how often it occurred there (``scripts/learn_cues.py`` rebuilds it; it
  holds counts, never text). ``p_cue`` is the smoothed share of occurrences that were cues.
- ``cue_classes.tsv``: the hand-written taxonomy (assert, deny, allege, believe, intend, …).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from claimkit.extract.settings import DEFAULTS

DEFAULT_CLASS = "assert"


@dataclass(frozen=True)
class CueEntry:
    lemma: str
    pos: str  # "V" or "N"
    n_cue: int
    n_total: int

    @property
    def p_cue(self) -> float:
        return self.n_cue / (self.n_total + DEFAULTS.cue_smoothing)


def data_text(name: str) -> str:
    """A data file shipped in ``claimkit/data`` (lexicons, taxonomies, the filter model)."""
    return (resources.files("claimkit") / "data" / name).read_text(encoding="utf-8")


def _data_lines(name: str) -> list[list[str]]:
    text = data_text(name)
    return [row for row in csv.reader(text.splitlines(), delimiter="\t")
            if row and not row[0].startswith("#")]


@lru_cache(maxsize=1)
def cue_lexicon() -> dict[tuple[str, str], CueEntry]:
    entries = {}
    for lemma, pos, n_cue, n_total in _data_lines("cues.tsv"):
        entry = CueEntry(lemma, pos, int(n_cue), int(n_total))
        if entry.n_cue >= DEFAULTS.min_cue_count:
            entries[(lemma, pos)] = entry
    return entries


@lru_cache(maxsize=1)
def cue_classes() -> dict[str, str]:
    return {row[0]: row[1] for row in _data_lines("cue_classes.tsv")}


@lru_cache(maxsize=1)
def impression_verbs() -> frozenset[str]:
    """Verbs whose subject belongs to what is reported ("the plan seems to work")."""
    return frozenset(w.strip() for w in data_text("impression_verbs.txt").splitlines()
                     if w.strip() and not w.startswith("#"))


def cue_class(lemma: str) -> str:
    return cue_classes().get(lemma.lower(), DEFAULT_CLASS)


def cue_probability(lemma: str, pos: str) -> float:
    """How likely a word with this lemma and coarse POS introduces an attribution (0 if unknown)."""
    entry = cue_lexicon().get((lemma.lower(), pos))
    return entry.p_cue if entry else 0.0


def coarse_pos(pos: str) -> str:
    return {"VERB": "V", "AUX": "V", "NOUN": "N", "PROPN": "N"}.get(pos, "O")


@lru_cache(maxsize=8)
def cue_lemmas(pos: str, min_p: float) -> frozenset[str]:
    """Lemmas of this coarse POS whose cue probability reaches ``min_p`` (a fast pre-filter)."""
    return frozenset(lemma for (lemma, p), entry in cue_lexicon().items()
                     if p == pos and entry.p_cue >= min_p)
