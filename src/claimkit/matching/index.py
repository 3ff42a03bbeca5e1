"""`MatchIndex`: fact-checks in, ranked matches for a text out.

Two retrievers propose candidates, the re-ranker orders them:

1. BM25 over the fact-check's claim, over its title, and over both (`lexical.BM25`);
2. cosine of sentence embeddings (`encoder.embed`) of the query with the claim and the title;
3. the union of each retriever's best `candidates` goes through `rerank.features` and the
   shipped logistic regression; its probability is the score.

`add` can be called any number of times (a store adding fact-checks as they are imported):
the statistics are counts and the embeddings are rows, so adding in pieces ranks exactly as
adding at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, Collection, Sequence

import numpy as np

from claimkit.matching import encoder
from claimkit.matching.lexical import BM25
from claimkit.matching.rerank import (
    Candidates, Reranker, Terms, candidate_terms, default_reranker, features,
)
from claimkit.matching.text import clean, words

Embed = Callable[[Sequence[str]], np.ndarray]
CANDIDATES = 30  # per retriever; tuned on CheckThat! dev (benchmarks/bench_claim_retrieval.py)


@dataclass(frozen=True)
class Match:
    factcheck_id: str
    score: float


class MatchIndex:
    """Fact-checks to match against. `titles` are optional second texts (a review's headline);
    without one, the claim stands in for its title."""

    def __init__(self, embed: Embed | None = encoder.embed, reranker: Reranker | None | str = "shipped",
                 candidates: int = CANDIDATES) -> None:
        # "shipped": data/match_reranker.json; None: no re-ranker (relative BM25 + cosine).
        self.embed = embed
        self.reranker = default_reranker() if reranker == "shipped" else reranker
        self.candidates = candidates
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.titles: list[str] = []
        self.bm25_text, self.bm25_title, self.bm25_all = BM25(), BM25(), BM25()
        # Text and title embeddings as two row buffers that grow in place (capacity doubled
        # when full), so adding a few rows to a 100k index copies nothing; one buffer when
        # every title is its text (a store's own claims).
        self._rows = 0
        self._text_buf = np.zeros((0, encoder.DIMENSION), np.float32)
        self._title_buf: np.ndarray | None = None  # None: the titles are the texts
        self._dropped: set[int] = set()
        self._terms: dict[int, Terms] = {}
        self._row_of: dict[str, list[int]] | None = None  # id -> rows, made by the first drop
        self._drop_mask: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, ids: Sequence[str], texts: Sequence[str], titles: Sequence[str] | None = None,
            vectors: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Add fact-checks. `vectors` (text and title embeddings) may come from a cache."""
        if len(ids) != len(texts) or (titles is not None and len(titles) != len(texts)):
            raise ValueError("ids, texts and titles must have the same length")
        titles = [title or text for text, title in zip(texts, titles or texts)]
        if self._row_of is not None:
            for row, i in enumerate(ids, start=len(self.ids)):
                self._row_of.setdefault(i, []).append(row)
        self.ids.extend(ids)
        self.texts.extend(texts)
        self.titles.extend(titles)
        # Each text and title is tokenized once: "text title" has the words of both, and a
        # missing title is the text itself (at 100k claims tokenizing was most of a build).
        text_counts = [Counter(words(text)) for text in texts]
        title_counts = [counts if title is text else Counter(words(title))
                        for text, title, counts in zip(texts, titles, text_counts)]
        self.bm25_text.add_counts(text_counts)
        self.bm25_title.add_counts(title_counts)
        self.bm25_all.add_counts([a + b for a, b in zip(text_counts, title_counts)])
        if self.embed is not None:
            self._append_vectors(*(vectors or (self.embed(list(texts)), self.embed(list(titles)))))

    def _append_vectors(self, text_m: np.ndarray, title_m: np.ndarray) -> None:
        n, m = self._rows, len(text_m)
        if title_m is not text_m and self._title_buf is None:
            self._title_buf = self._text_buf.copy()  # titles of their own from now on
        if n + m > len(self._text_buf):
            size = max(2 * len(self._text_buf), n + m)
            self._text_buf = _grown(self._text_buf, n, size)
            if self._title_buf is not None:
                self._title_buf = _grown(self._title_buf, n, size)
        self._text_buf[n:n + m] = text_m
        if self._title_buf is not None:
            self._title_buf[n:n + m] = title_m
        self._rows = n + m

    def drop(self, ids: set[str]) -> int:
        """Never propose these fact-checks again; returns how many rows that took out. Their
        rows stay in the statistics (BM25's counts; a rebuild forgets them)."""
        rows = [row for row in self._rows_of(ids) if row not in self._dropped]
        self._dropped.update(rows)
        self._drop_mask = None
        return len(rows)

    def _rows_of(self, ids: Collection[str]) -> list[int]:
        if self._row_of is None:
            self._row_of = {}
            for row, i in enumerate(self.ids):
                self._row_of.setdefault(i, []).append(row)
        return [row for i in ids for row in self._row_of.get(i, ())]

    def embeddings(self) -> tuple[np.ndarray, np.ndarray]:
        """Text and title embeddings, a row per fact-check (the same array twice when every
        title is its text)."""
        text_m = self._text_buf[:self._rows]
        return text_m, text_m if self._title_buf is None else self._title_buf[:self._rows]

    def search(self, text: str, k: int = 10) -> list[Match]:
        return self.search_many([text], k)[0]

    def search_many(self, texts: Sequence[str], k: int = 10,
                    query_vectors: np.ndarray | None = None,
                    exclude: Collection[str] = ()) -> list[list[Match]]:
        """The `k` best fact-checks for each text, best first. ``exclude``: ids never proposed
        in this search (a stored claim looking for others: were it a candidate, the re-ranker's
        features relative to the best candidate would measure every other row against itself)."""
        queries = [clean(t) for t in texts]
        if query_vectors is None and self.embed is not None:
            query_vectors = self.embed(queries)
        results = []
        with encoder.blas_threads():  # the cosine of 100k rows: one thread was twice as fast
            for n, query in enumerate(queries):
                found = self.candidates_for(query, None if query_vectors is None else query_vectors[n],
                                            pool=k, exclude=exclude)
                scores = self.score(query, found)
                order = np.argsort(-scores, kind="stable")[:k]
                results.append([Match(self.ids[found.rows[i]], float(scores[i])) for i in order])
        return results

    def candidates_for(self, query: str, vector: np.ndarray | None, pool: int = 0,
                       exclude: Collection[str] = ()) -> Candidates:
        """Union of the best `candidates` rows by BM25 and by embedding cosine, with scores
        (each retriever proposes `pool` rows when that is more, so `search(k)` can fill k)."""
        bm25_all = self.bm25_all.scores(query)
        size = max(self.candidates, pool)
        dropped = self._dropped_rows()
        excluded = self._rows_of(exclude) if exclude else []
        if excluded:
            dropped = np.zeros(len(self.ids), bool) if dropped is None else dropped.copy()
            dropped[excluded] = True
        pools = [top_rows(_without(bm25_all, dropped), size)]
        cos_text = cos_title = np.zeros(len(self.ids), np.float32)
        if vector is not None and len(self.ids):
            text_m, title_m = self.embeddings()
            cos_text = text_m @ vector
            # A store's own claims have no titles: one matrix, one product (the costly part at
            # 100k rows: the whole matrix is read from memory).
            cos_title = cos_text if self._title_buf is None else title_m @ vector
            pools.append(top_rows(_without(np.maximum(cos_text, cos_title), dropped), size))
        if dropped is not None:
            pools = [p[~dropped[p]] for p in pools]
        rows = np.unique(np.concatenate(pools)) if pools else np.zeros(0, np.int64)
        return Candidates(rows=rows, bm25_all=bm25_all[rows],
                          bm25_text=self.bm25_text.scores(query)[rows],
                          bm25_title=self.bm25_title.scores(query)[rows],
                          cos_text=cos_text[rows], cos_title=cos_title[rows])

    def _dropped_rows(self) -> np.ndarray | None:
        if not self._dropped:
            return None
        if self._drop_mask is None or len(self._drop_mask) != len(self.ids):
            self._drop_mask = np.zeros(len(self.ids), bool)
            self._drop_mask[list(self._dropped)] = True
        return self._drop_mask

    def features(self, query: str, found: Candidates) -> np.ndarray:
        rows = found.rows.tolist()
        return features(query, [self.texts[r] for r in rows], [self.titles[r] for r in rows], found,
                        [self._terms_of(r) for r in rows])

    def _terms_of(self, row: int) -> Terms:
        # Kept per row once computed: the same candidates come back query after query.
        found = self._terms.get(row)
        if found is None:
            found = self._terms[row] = candidate_terms(self.texts[row], self.titles[row])
        return found

    def score(self, query: str, found: Candidates) -> np.ndarray:
        if not len(found.rows):
            return np.zeros(0, np.float32)
        if self.reranker is None:
            # Before a re-ranker is trained: relative BM25 plus the best cosine.
            top = float(found.bm25_all.max()) or 1.0
            return found.bm25_all / top + np.maximum(found.cos_text, found.cos_title)
        return self.reranker.score(self.features(query, found))


def _grown(buffer: np.ndarray, used: int, size: int) -> np.ndarray:
    out = np.zeros((size, buffer.shape[1]), np.float32)
    out[:used] = buffer[:used]
    return out


def _without(scores: np.ndarray, dropped: np.ndarray | None) -> np.ndarray:
    return scores if dropped is None else np.where(dropped, -np.inf, scores).astype(scores.dtype)


def top_rows(scores: np.ndarray, size: int) -> np.ndarray:
    """The rows of the `size` highest scores, ties going to the lower row: the first `size` of a
    stable descending argsort, found with argpartition (linear, where sorting 100k scores for
    30 of them was a third of a search)."""
    if size >= len(scores):
        return np.argsort(-scores, kind="stable")
    if size <= 0:
        return np.zeros(0, np.int64)
    kth = np.partition(scores, len(scores) - size)[len(scores) - size]
    above = np.flatnonzero(scores > kth)
    ties = np.flatnonzero(scores == kth)[:size - len(above)]
    rows = np.concatenate([above, ties])
    return rows[np.lexsort((rows, -scores[rows]))]
