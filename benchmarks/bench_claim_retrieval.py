"""Claim retrieval ("has this been fact-checked before?") on CheckThat! 2020 Task 2.

See docs/architecture.md §4c. Reproduces every figure of the README's claim-retrieval table:

    python benchmarks/bench_claim_retrieval.py [--root ../shared/checkthat2020] [--cache FILE]

For dev and train: MAP@1/3/5, MRR, recall@1/@5 of
(1) BM25 alone (claim + title, `matching.lexical`), (2) embedding cosine alone (all-MiniLM-L6-v2
in numpy, best of claim and title), (3) both summed without learning (relative BM25 + cosine),
(4) the shipped re-ranker over both (`MatchIndex`, what `claimkit rank-matches` runs).
The re-ranker learned from train, so its train figure is optimistic; the honest train figure is
the 5-fold cross-validated MAP@5 from scripts/train_match_reranker.py (in the model's
provenance). Also: speed (verified claims embedded per second, queries ranked per second with
the collection embedded) and the install size of the model package.

Texts are read from ../shared at run time and never stored; embeddings are cached outside git
(default: a folder in the system temp dir) so a second run takes seconds. Results go to stdout
and benchmarks/results/claim_retrieval.json.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from claimkit.matching import encoder
from claimkit.matching.checkthat import build_index, query_vectors, read_docs, read_split
from claimkit.matching.metrics import evaluate
from claimkit.matching.text import clean

ROOT = Path(__file__).resolve().parents[1]
CHECKTHAT = ROOT.parent / "shared" / "checkthat2020"
CACHE = Path(tempfile.gettempdir()) / "claimkit-embeddings" / "checkthat2020.npz"
OUT = ROOT / "benchmarks" / "results" / "claim_retrieval.json"
SPLITS = ("dev", "train")


def rankings_by(index, split, vectors, how: str, k: int = 10) -> dict[str, list[str]]:
    """Rankings over the whole collection by one score alone (no re-ranker)."""
    text_m, title_m = index.embeddings()
    out = {}
    for n, query in enumerate(split.queries):
        if how == "bm25":
            scores = index.bm25_all.scores(clean(query.text))
        else:
            scores = np.maximum(text_m @ vectors[n], title_m @ vectors[n])
        out[query.id] = [index.ids[i] for i in np.argsort(-scores, kind="stable")[:k]]
    return out


def rankings_index(index, split, vectors, k: int = 10) -> dict[str, list[str]]:
    found = index.search_many([q.text for q in split.queries], k=k, query_vectors=vectors)
    return {q.id: [m.factcheck_id for m in matches] for q, matches in zip(split.queries, found)}


def score_split(root: str | Path = CHECKTHAT, split: str = "dev", cache: str | Path = CACHE) -> dict:
    """The shipped pipeline's scores on one split (what tests/test_matching.py checks)."""
    index = build_index(root, cache)
    data = read_split(root, split)
    return evaluate(rankings_index(index, data, query_vectors(index, data)), data.qrels)


def install_size_mb() -> float:
    folder = encoder.model_dir().parent
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 1)


def speed(root: Path, index, sample: int = 200) -> dict:
    docs = read_docs(root)[:sample]
    enc = encoder.encoder()
    enc.embed([d.texts[0] for d in docs[:20]])  # warm up
    start = time.perf_counter()
    enc.embed([d.texts[0] for d in docs])
    embed_rate = sample / (time.perf_counter() - start)
    dev = read_split(root, "dev")
    start = time.perf_counter()
    index.search_many([q.text for q in dev.queries[:100]], k=5)  # embeds the queries too
    query_rate = 100 / (time.perf_counter() - start)
    return {"docs_embedded_per_s": round(embed_rate, 1), "queries_per_s": round(query_rate, 1),
            "sample_docs": sample, "sample_queries": 100}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=str(CHECKTHAT))
    parser.add_argument("--cache", default=str(CACHE))
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    args = parser.parse_args(argv)
    root = Path(args.root)

    start = time.perf_counter()
    index = build_index(root, args.cache)
    results: dict = {"splits": {}, "index_build_s_cached": round(time.perf_counter() - start, 1)}
    for name in SPLITS:
        split = read_split(root, name)
        vectors = query_vectors(index, split)
        unsummed = index.reranker
        index.reranker = None
        summed = rankings_index(index, split, vectors)
        index.reranker = unsummed
        results["splits"][name] = {
            "bm25": evaluate(rankings_by(index, split, vectors, "bm25"), split.qrels),
            "embedding": evaluate(rankings_by(index, split, vectors, "cosine"), split.qrels),
            "bm25+embedding (sum)": evaluate(summed, split.qrels),
            "re-ranker (shipped)": evaluate(rankings_index(index, split, vectors), split.qrels),
        }
        for system, scores in results["splits"][name].items():
            print(f"{name:5} {system:22} " + "  ".join(f"{k} {v}" for k, v in scores.items()), file=sys.stderr)
    results["reranker_provenance"] = index.reranker.provenance if index.reranker else None
    if not args.no_speed:
        results["speed"] = speed(root, index)
        print(f"speed {results['speed']}", file=sys.stderr)
    results["model_package_mb"] = install_size_mb()
    results["command"] = "python benchmarks/bench_claim_retrieval.py"
    results["machine"] = {"python": platform.python_version(), "processor": platform.machine()}
    results["date"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
