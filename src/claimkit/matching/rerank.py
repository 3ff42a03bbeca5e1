"""The learned re-ranker: features of a (query, fact-check) pair -> a match probability.

A logistic regression shipped as data (`data/match_reranker.json`: feature names, scaling,
weights, and how it was trained); `scripts/train_match_reranker.py` writes it from CheckThat!
2020 train. Features compare the query with each candidate that the lexical and the embedding
retrievers proposed: their scores, each relative to the best candidate, their ranks, and how much
of the fact-check's words, numbers and names the query repeats.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from claimkit.matching.text import names, numbers, words

FEATURES = (
    "bm25_all", "bm25_all_rel", "bm25_text_rel", "bm25_title_rel", "bm25_rank",
    "cos_text", "cos_title", "cos_best_gap", "cos_text_rank", "cos_title_rank",
    "coverage_text", "coverage_title", "jaccard_text",
    "numbers_shared", "numbers_unshared", "names_shared",
)


@dataclass(frozen=True)
class Candidates:
    """What the retrievers found for one query: candidate rows and their raw scores."""

    rows: np.ndarray
    bm25_all: np.ndarray
    bm25_text: np.ndarray
    bm25_title: np.ndarray
    cos_text: np.ndarray
    cos_title: np.ndarray


def _rel(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def _log_rank(values: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(values), dtype=np.float32)
    ranks[np.argsort(-values, kind="stable")] = np.arange(len(values), dtype=np.float32)
    return np.log1p(ranks)


def _share(part: set[str], whole: set[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


Terms = tuple[set[str], set[str], set[str], set[str]]


def candidate_terms(text: str, title: str) -> Terms:
    """What the lexical features read of a candidate: its text's words, its title's words, and
    the numbers and names of both (a MatchIndex keeps them per row: they never change)."""
    both = text + " " + title
    return set(words(text)), set(words(title)), numbers(both), names(both)


def features(query: str, texts: list[str], titles: list[str], found: Candidates,
             terms: list[Terms] | None = None) -> np.ndarray:
    """One row of `FEATURES` per candidate (query already cleaned by `text.clean`); ``terms``:
    the candidates' `candidate_terms` when the caller has them already."""
    q_words, q_numbers, q_names = set(words(query)), numbers(query), names(query)
    cos_best = np.maximum(found.cos_text, found.cos_title)
    columns = {
        "bm25_all": found.bm25_all,
        "bm25_all_rel": _rel(found.bm25_all),
        "bm25_text_rel": _rel(found.bm25_text),
        "bm25_title_rel": _rel(found.bm25_title),
        "bm25_rank": _log_rank(found.bm25_all),
        "cos_text": found.cos_text,
        "cos_title": found.cos_title,
        "cos_best_gap": cos_best - cos_best.max(),
        "cos_text_rank": _log_rank(found.cos_text),
        "cos_title_rank": _log_rank(found.cos_title),
    }
    lexical = np.zeros((len(texts), 6), dtype=np.float32)
    if terms is None:
        terms = [candidate_terms(text, title) for text, title in zip(texts, titles)]
    for i, (t_words, ti_words, t_numbers, t_names) in enumerate(terms):
        lexical[i] = (_share(t_words, q_words), _share(ti_words, q_words),
                      len(t_words & q_words) / max(len(t_words | q_words), 1),
                      min(len(t_numbers & q_numbers), 3), len(t_numbers - q_numbers) / max(len(t_numbers), 1),
                      _share(t_names, q_names))
    for j, name in enumerate(FEATURES[10:]):
        columns[name] = lexical[:, j]
    return np.column_stack([columns[name] for name in FEATURES]).astype(np.float32)


@dataclass(frozen=True)
class Reranker:
    """Standardise, weigh, squash: `score(X)` -> probabilities that each row is a match."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    intercept: float
    provenance: dict

    def score(self, X: np.ndarray) -> np.ndarray:
        z = ((X - self.mean) / self.scale) @ self.weights + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "intercept": self.intercept, "provenance": self.provenance}

    @classmethod
    def from_json(cls, data: dict) -> Reranker:
        if tuple(data["features"]) != FEATURES:
            raise ValueError("re-ranker features differ from claimkit.matching.rerank.FEATURES: retrain it")
        return cls(tuple(data["features"]), np.asarray(data["mean"], np.float32),
                   np.asarray(data["scale"], np.float32), np.asarray(data["weights"], np.float32),
                   float(data["intercept"]), data.get("provenance", {}))


MODEL_FILE = "match_reranker.json"


@lru_cache(maxsize=1)
def default_reranker() -> Reranker | None:
    """The shipped re-ranker, or None before one was trained (ranking then sums the scores)."""
    path = resources.files("claimkit.data").joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    return Reranker.from_json(json.loads(path.read_text("utf-8")))


def load_reranker(path: str | Path) -> Reranker:
    return Reranker.from_json(json.loads(Path(path).read_text("utf-8")))
