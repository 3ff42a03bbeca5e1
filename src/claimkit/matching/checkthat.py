"""A claim-retrieval collection in the CheckThat! 2020 Task 2 layout, for measuring and training.

`verified_claims.docs.tsv` (id, claim, title) and one folder per split holding
`tweets.queries.tsv` (id, text) and `tweet-vclaim-pairs.qrels`. Embeddings go through an
`EmbeddingCache` when a cache path is given (the benchmark keeps one under
benchmarks/results/cache/, outside git).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from claimkit.matching import encoder
from claimkit.matching.cache import EmbeddingCache
from claimkit.matching.index import MatchIndex
from claimkit.matching.rerank import Reranker
from claimkit.matching.tables import Row, read_id_texts, read_qrels
from claimkit.matching.text import clean


@dataclass(frozen=True)
class Split:
    queries: list[Row]
    qrels: dict[str, set[str]]


def read_docs(root: str | Path) -> list[Row]:
    return read_id_texts(Path(root) / "verified_claims.docs.tsv")


def read_split(root: str | Path, split: str) -> Split:
    folder = Path(root) / split
    return Split(read_id_texts(folder / "tweets.queries.tsv"), read_qrels(folder / "tweet-vclaim-pairs.qrels"))


def cached_embed(cache: EmbeddingCache | None):
    if cache is None:
        return encoder.embed
    return lambda texts: cache.get(list(texts), encoder.embed)


def build_index(root: str | Path, cache_path: str | Path | None = None,
                reranker: Reranker | None | str = "shipped", candidates: int | None = None) -> MatchIndex:
    """The verified claims of `root` in a `MatchIndex` (title = the review's headline)."""
    cache = EmbeddingCache(cache_path, encoder.MODEL_NAME, encoder.DIMENSION) if cache_path else None
    kwargs = {"candidates": candidates} if candidates else {}
    index = MatchIndex(embed=cached_embed(cache), reranker=reranker, **kwargs)
    docs = read_docs(root)
    index.add([d.id for d in docs], [d.texts[0] for d in docs],
              [d.texts[1] if len(d.texts) > 1 else "" for d in docs])
    return index


def query_vectors(index: MatchIndex, split: Split) -> np.ndarray:
    return index.embed([clean(q.text) for q in split.queries])
