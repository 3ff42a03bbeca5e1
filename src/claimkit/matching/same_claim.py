"""Are two claims the same claim? Embedding cosine over a threshold, with guards.

Two reports of one claim (outlets paraphrasing each other; a quote and its indirect retelling)
embed close together, but so do a claim and its denial, and two claims by one speaker on one
topic with different figures. So a join needs the cosine of the two texts' embeddings to reach
the threshold *and* the guards to agree: the same figures where both give figures, and, between
texts that share most of their words, the same parity of negations and no contrast pair
("open" / "close"). Threshold and word lists are data (`data/claim_clusters.json`), tuned
by `benchmarks/bench_clusters.py`. Pure: numpy only (the store's clustering builds on it).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Sequence

import numpy as np

from claimkit.matching.encoder import blas_threads
from claimkit.matching.text import numbers, words

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


@dataclass(frozen=True)
class SameClaimRule:
    """The decision, with its settings (``load()`` reads the shipped ones)."""

    threshold: float
    neighbours: int
    negation_words: frozenset[str]
    negation_suffix: str = "n't"
    guard_overlap: float = 0.4
    contrasts: tuple[tuple[str, str], ...] = ()
    year_pattern: str = r"^(?:1[89]|20)\d\d$"

    @classmethod
    def load(cls) -> SameClaimRule:
        return _shipped()

    def with_threshold(self, threshold: float) -> SameClaimRule:
        return replace(self, threshold=threshold)

    def negations(self, text: str) -> int:
        """How many negating words the text holds ("not", "never", "didn't", ...)."""
        return sum(1 for token in _tokens(text)
                   if token in self.negation_words or token.endswith(self.negation_suffix))

    def guards_agree(self, a: str, b: str) -> bool:
        """The vetoes: different figures never join; nor a claim and its denial or its
        opposite, told by the same words (at least ``guard_overlap`` of them shared) with one
        more "not", or "close" for "open". Texts that share fewer words are paraphrases or
        commentary, where one "not" more says little (measured: bench_clusters.py)."""
        if not self._figures_agree(a, b):
            return False
        words_a, words_b = set(words(a)), set(words(b))
        if len(words_a & words_b) < self.guard_overlap * len(words_a | words_b):
            return True
        if self.negations(a) % 2 != self.negations(b) % 2:
            return False
        set_a, set_b = set(_tokens(a)), set(_tokens(b))
        return not any((x in set_a and y in set_b and x not in set_b and y not in set_a)
                       or (y in set_a and x in set_b and y not in set_b and x not in set_a)
                       for x, y in self.contrasts)

    def _figures_agree(self, a: str, b: str) -> bool:
        year = re.compile(self.year_pattern)
        figures_a = {n for n in numbers(a) if not year.match(n)}
        figures_b = {n for n in numbers(b) if not year.match(n)}
        return (not figures_a or not figures_b or figures_a <= figures_b
                or figures_b <= figures_a)

    def same(self, a: str, b: str, cosine: float, *, guards: bool = True) -> bool:
        return cosine >= self.threshold and (not guards or self.guards_agree(a, b))

    def nearest_same(self, vector: np.ndarray, text: str, matrix: np.ndarray,
                     texts: Sequence[str]) -> int | None:
        """The row of ``matrix`` (unit vectors, one per text of ``texts``) that is the same
        claim as ``text``: the closest of the ``neighbours`` nearest that passes; None if
        none does."""
        if not len(matrix):
            return None
        return self._pick(matrix @ vector, text, texts)

    def assign(self, vectors: np.ndarray, texts: Sequence[str], known: np.ndarray,
               known_texts: Sequence[str], chunk: int = 64) -> list[int | None]:
        """For each new claim (``vectors`` / ``texts``, in order), the claim it joins: a row of
        ``known`` (0..n-1), or ``n + j`` for the j-th new claim before it; None: it starts its
        own cluster. Each new claim is compared with every known claim and every earlier new
        one, a ``chunk`` of new claims per matrix product (memory: chunk x (n + m) floats;
        ``known`` is never copied)."""
        n = len(known)
        all_texts = [*known_texts, *texts]
        joins: list[int | None] = []
        for start in range(0, len(vectors), chunk):
            block = vectors[start:start + chunk]
            with blas_threads():  # 10 x 100k cosines: one BLAS thread was twice as fast here
                to_known = block @ known.T if n else np.zeros((len(block), 0), dtype=np.float32)
                to_new = block @ vectors[:start + len(block)].T
            for j in range(len(block)):
                # Only known claims and the new ones before this one (not itself, not later).
                cosines = np.concatenate([to_known[j], to_new[j, :start + j]])
                joins.append(self._pick(cosines, texts[start + j], all_texts))
        return joins

    def _pick(self, cosines: np.ndarray, text: str, texts: Sequence[str]) -> int | None:
        """The closest of the ``neighbours`` best rows that reaches the threshold and passes the
        guards. Most claims have no row over the threshold: one comparison over the row."""
        hits = np.flatnonzero(cosines >= self.threshold)
        if not len(hits):
            return None
        best = hits[np.argsort(-cosines[hits], kind="stable")][:self.neighbours]
        for row in best.tolist():
            if self.guards_agree(text, texts[row]):
                return row
        return None


@lru_cache(maxsize=1)
def _shipped() -> SameClaimRule:
    data = json.loads(resources.files("claimkit.data").joinpath("claim_clusters.json")
                      .read_text("utf-8"))
    return SameClaimRule(threshold=float(data["threshold"]), neighbours=int(data["neighbours"]),
                         negation_words=frozenset(data["negation_words"]),
                         negation_suffix=data["negation_suffix"],
                         guard_overlap=float(data["guard_overlap"]),
                         contrasts=tuple((x, y) for x, y in data["contrasts"]),
                         year_pattern=data["year_pattern"])


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))
