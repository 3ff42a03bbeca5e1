"""Train the claim-matching re-ranker (claimkit/data/match_reranker.json) on CheckThat! 2020 train.

For every *train* query, the `MatchIndex` retrievers (BM25 over claim / title / both, embedding
cosine with claim and title) propose candidates; each candidate's `rerank.features` row is
labelled 1 if the qrels say it is the verified claim the tweet repeats. A logistic regression on
standardised features learns from train only; C and the candidate pool size were chosen on *dev*
(MAP@5), each choice checked against a 5-fold cross-validated MAP@5 on train (folds by query).
Tried and dropped this way: a LightGBM ranker over the same features (lambdarank or binary,
7-15 leaves: within ±0.005 of this on dev and train CV); the best cosine over the query's
sentences as two more features (dev 0.892 -> 0.892, train CV 0.911 -> 0.913, for twice the
embedding work per query).
The file holds feature names, scaling, weights and this provenance, no text:

    python scripts/train_match_reranker.py ../shared/checkthat2020 [--cache DIR] [--C 1.0]

Embeddings are cached in the system temp dir (outside git) so a re-run takes seconds.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

import numpy as np

from claimkit.matching import encoder
from claimkit.matching.checkthat import build_index, query_vectors, read_split
from claimkit.matching.metrics import evaluate
from claimkit.matching.rerank import FEATURES, MODEL_FILE, Reranker

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "claimkit" / "data" / MODEL_FILE
# The benchmark's cache (outside git): the same embeddings serve both.
CACHE = Path(tempfile.gettempdir()) / "claimkit-embeddings" / "checkthat2020.npz"


def pairs(index, split) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(query id, candidate rows, features, labels) for each query of a split."""
    vectors = query_vectors(index, split)
    from claimkit.matching.text import clean
    out = []
    for n, query in enumerate(split.queries):
        text = clean(query.text)
        found = index.candidates_for(text, vectors[n])
        relevant = split.qrels.get(query.id, set())
        labels = np.array([index.ids[r] in relevant for r in found.rows], dtype=np.int8)
        out.append((query.id, found.rows, index.features(text, found), labels))
    return out


def fit(data, C: float) -> Reranker:
    from sklearn.linear_model import LogisticRegression

    X = np.concatenate([d[2] for d in data])
    y = np.concatenate([d[3] for d in data])
    mean, scale = X.mean(0), X.std(0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=2000).fit((X - mean) / scale, y)
    return Reranker(FEATURES, mean.astype(np.float32), scale.astype(np.float32),
                    model.coef_[0].astype(np.float32), float(model.intercept_[0]), {})


def score(index, reranker: Reranker, data, qrels) -> dict[str, float]:
    rankings = {}
    for query_id, rows, X, _ in data:
        order = np.argsort(-reranker.score(X), kind="stable")[:10]
        rankings[query_id] = [index.ids[rows[i]] for i in order]
    return evaluate(rankings, qrels)


def cross_validated(index, data, qrels, C: float, folds: int = 5) -> float:
    """Mean MAP@5 on held-out train queries (folds by query), so a choice must help train too."""
    values = []
    for k in range(folds):
        held = [d for i, d in enumerate(data) if i % folds == k]
        model = fit([d for i, d in enumerate(data) if i % folds != k], C)
        values.append(score(index, model, held, {d[0]: qrels[d[0]] for d in held if d[0] in qrels})["map@5"])
    return round(float(np.mean(values)), 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", help="the CheckThat! 2020 Task 2 folder (verified_claims.docs.tsv, train/, dev/)")
    parser.add_argument("--cache", default=str(CACHE), help="embedding cache (.npz)")
    parser.add_argument("--C", type=float, nargs="+", default=[0.1, 1.0, 10.0])
    parser.add_argument("--candidates", type=int, nargs="+", default=[30])
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)

    best = None
    for candidates in args.candidates:
        index = build_index(args.root, args.cache, reranker=None, candidates=candidates)
        train, dev = read_split(args.root, "train"), read_split(args.root, "dev")
        train_data, dev_data = pairs(index, train), pairs(index, dev)
        for C in args.C:
            model = fit(train_data, C)
            dev_scores = score(index, model, dev_data, dev.qrels)
            cv = cross_validated(index, train_data, train.qrels, C)
            print(f"candidates={candidates} C={C}: dev {dev_scores} train-CV MAP@5 {cv}", file=sys.stderr)
            if best is None or dev_scores["map@5"] > best[0]["map@5"]:
                best = (dev_scores, cv, C, candidates, model)
    dev_scores, cv, C, candidates, model = best
    provenance = {
        "trained_on": "CheckThat! 2020 Task 2 train (800 tweets, 10,375 verified claims)",
        "tuned_on": "CheckThat! 2020 Task 2 dev (197 tweets): C and the candidate pool by MAP@5",
        "command": "python scripts/train_match_reranker.py ../shared/checkthat2020",
        "embedding_model": encoder.MODEL_NAME,
        "C": C, "candidates": candidates, "dev": dev_scores, "train_cv_map@5": cv,
        "date": date.today().isoformat(),
    }
    model = Reranker(model.features, model.mean, model.scale, model.weights, model.intercept, provenance)
    Path(args.out).write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: C={C} candidates={candidates} dev MAP@5 {dev_scores['map@5']} "
          f"train-CV MAP@5 {cv}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
