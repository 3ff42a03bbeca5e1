"""BM25 over word tokens, growing one document at a time.

Document frequencies and lengths are kept as counts, so `add` is cheap and a search sees the
statistics of everything added so far: adding in pieces ranks exactly as adding at once.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
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
        # Each word's rows and term counts as typed arrays that grow in place: a search reads
        # them as numpy arrays without copying (at 100k documents, turning a common word's
        # list of (row, tf) pairs into arrays cost more than the scoring itself).
        self.postings: dict[str, tuple[array, array]] = {}
        self.lengths: list[int] = []
        self._norm: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.lengths)

    def add(self, texts: Sequence[str]) -> None:
        self.add_counts([Counter(words(text)) for text in texts])

    def add_counts(self, documents: Sequence[Counter]) -> None:
        """Add documents given as their word counts (`Counter(words(text))`), for a caller
        that indexes the same words more than once."""
        for counts in documents:
            row = len(self.lengths)
            for word, tf in counts.items():
                posting = self.postings.get(word)
                if posting is None:
                    posting = self.postings[word] = (array("q"), array("f"))
                posting[0].append(row)
                posting[1].append(tf)
            self.lengths.append(sum(counts.values()))
        self._norm = None

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
            posting = self.postings.get(word)
            if not posting:
                continue
            # Views for this word only (an array exporting a buffer could not grow).
            rows = np.frombuffer(posting[0], dtype=np.int64)
            tf = np.frombuffer(posting[1], dtype=np.float32)
            idf = math.log(1 + (n - len(rows) + 0.5) / (len(rows) + 0.5))
            out[rows] += idf * tf * (self.k1 + 1) / (tf + norm[rows])
            del rows, tf
        return out
