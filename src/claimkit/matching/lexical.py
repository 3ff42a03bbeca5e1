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

    def __len__(self) -> int:
        return len(self.lengths)

    def add(self, texts: Sequence[str]) -> None:
        for text in texts:
            row = len(self.lengths)
            counts = Counter(words(text))
            for word, tf in counts.items():
                self.postings[word].append((row, tf))
            self.lengths.append(sum(counts.values()))

    def scores(self, text: str) -> np.ndarray:
        out = np.zeros(len(self.lengths), dtype=np.float32)
        if not self.lengths:
            return out
        n = len(self.lengths)
        lengths = np.asarray(self.lengths, dtype=np.float32)
        norm = self.k1 * (1 - self.b + self.b * lengths / max(lengths.mean(), 1e-9))
        for word in set(words(text)):
            posting = self.postings.get(word)
            if not posting:
                continue
            idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
            rows = np.fromiter((r for r, _ in posting), dtype=np.int64, count=len(posting))
            tf = np.fromiter((t for _, t in posting), dtype=np.float32, count=len(posting))
            out[rows] += idf * tf * (self.k1 + 1) / (tf + norm[rows])
        return out
