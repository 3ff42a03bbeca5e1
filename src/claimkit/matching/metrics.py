"""Ranking metrics of claim retrieval, as the CheckThat! lab computes them.

Every query of the judgements counts; a query with no ranking scores 0.
"""

from __future__ import annotations

from typing import Mapping, Sequence


def average_precision(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked[:k], 1):
        if doc in relevant:
            hits += 1
            total += hits / i
    return total / min(len(relevant), k) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    for i, doc in enumerate(ranked, 1):
        if doc in relevant:
            return 1.0 / i
    return 0.0


def recall(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def evaluate(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]]) -> dict[str, float]:
    """MAP@1/3/5, MRR, recall@1/5 averaged over the queries of `qrels`."""
    n = len(qrels) or 1
    out = {}
    for name, metric in (("map@1", lambda r, rel: average_precision(r, rel, 1)),
                         ("map@3", lambda r, rel: average_precision(r, rel, 3)),
                         ("map@5", lambda r, rel: average_precision(r, rel, 5)),
                         ("mrr", reciprocal_rank),
                         ("recall@1", lambda r, rel: recall(r, rel, 1)),
                         ("recall@5", lambda r, rel: recall(r, rel, 5))):
        out[name] = round(sum(metric(list(rankings.get(q, ())), rel) for q, rel in qrels.items()) / n, 4)
    out["queries"] = len(qrels)
    return out
