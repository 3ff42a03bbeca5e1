"""BM25 over word tokens, growing one document at a time.

Document frequencies and lengths are kept as counts, so `add` is cheap and a search sees the
statistics of everything added so far: adding in pieces ranks exactly as adding at once.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Sequence

import numpy as np

from claimkit.matching.text import words

# Robertson's usual constants; measured on CheckThat! 2020 train (benchmarks/bench_claim_retrieval.py).
K1 = 1.2
B = 0.75


class BM25:
    """`add(texts)` appends documents (rows 0, 1, ...); `scores(text)` -> one score per row."""

    def __init__(self, k1: float = K1, b: float = B) -> None:
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        # Numpy views of the postings and of the length norm, made when a search needs them
        # and dropped for the words an `add` touched: at 100k documents, turning a common
        # word's posting list into arrays on every search cost more than the scoring itself.
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._norm: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.lengths)

    def add(self, texts: Sequence[str]) -> None:
        for text in texts:
            row = len(self.lengths)
            counts = Counter(words(text))
            for word, tf in counts.items():
                self.postings[word].append((row, tf))
                self._arrays.pop(word, None)
            self.lengths.append(sum(counts.values()))
        self._norm = None

    def _posting(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        found = self._arrays.get(word)
        if found is None:
            pairs = np.asarray(self.postings[word], dtype=np.int64).reshape(-1, 2)
            found = self._arrays[word] = (pairs[:, 0], pairs[:, 1].astype(np.float32))
        return found

    def _length_norm(self) -> np.ndarray:
        if self._norm is None:
            lengths = np.asarray(self.lengths, dtype=np.float32)
            self._norm = self.k1 * (1 - self.b + self.b * lengths / max(lengths.mean(), 1e-9))
        return self._norm

    def scores(self, text: str) -> np.ndarray:
        out = np.zeros(len(self.lengths), dtype=np.float32)
        if not self.lengths:
            return out
        n = len(self.lengths)
        norm = self._length_norm()
        for word in set(words(text)):
            if not self.postings.get(word):
                continue
            rows, tf = self._posting(word)
            idf = math.log(1 + (n - len(rows) + 0.5) / (len(rows) + 0.5))
            out[rows] += idf * tf * (self.k1 + 1) / (tf + norm[rows])
        return out
