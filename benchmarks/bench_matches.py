"""`store.matches(claim_id)` at scale: one claim against the team's verdicted claims and the
imported fact-checks (issue 13, "Scale"; docs/architecture.md §5).

    python benchmarks/bench_matches.py [--claims 100000] [--factchecks 10000]
        [--verdicted 1.0] [--vectors random|encoder] [--store URL_OR_FILE] [--reuse]
        [--queries 50]

Builds a store of invented claims (bench_clusters.invented_article: ten numbered claims an
article), gives a share of them (``--verdicted``, default all: the worst case, every claim in the
team's index) a verdict with ``bulk_review``, and imports invented fact-checks through the real
``store.import_factchecks``. With ``--vectors random`` the vectors of claims and fact-checks are
random unit vectors (``claimkit.matching.encoder.embed`` is replaced in this process: the numpy
encoder would need tens of minutes for 100k claims here); the queries' own vectors are then
random too, so the timing is the search's, not the encoder's. With ``--vectors encoder`` every
text is embedded by the real encoder.

Then, in a fresh Store object (nothing cached): the first ``matches()`` call (reads the vectors,
builds both indexes) and the median / p95 of ``--queries`` more calls on other claims, with the
process's peak RSS before and after. ``--store`` may be a PostgreSQL URL. Results: stdout and
benchmarks/results/matches.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_clusters import invented_article, random_vectors  # noqa: E402

from claimkit.matching import encoder  # noqa: E402
from claimkit.model import FactCheck  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "matches.json"

TOPICS = ["bridge", "hospital", "tram line", "harbour", "school meals", "rent cap", "wind farm",
          "water price", "bus lanes", "library hours", "pension age", "fishing quota"]
CLAIMS = ["{who} said the {topic} cost {n} million", "{who} claimed {n} families lost the {topic}",
          "{who} promised {n} new jobs from the {topic}", "{who} denied the {topic} was cut {n} times",
          "{who} blamed {n} officials for the {topic} delay"]
WHO = ["A mayor", "The minister", "A senator", "The governor", "An MP", "The council leader"]
VERDICTS = ["False", "Mostly false", "Half true", "True", "Misleading"]


def invented_factchecks(n: int) -> list[FactCheck]:
    """``n`` invented fact-checks, each with its own figure and a headline."""
    out = []
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        claim = CLAIMS[(i // 7) % len(CLAIMS)].format(who=WHO[i % len(WHO)], topic=topic, n=i + 3)
        out.append(FactCheck(factcheck_id=f"fc{i}", claim=claim,
                             verdict=VERDICTS[i % len(VERDICTS)], url=f"https://checks.example/{i}",
                             publisher=f"Checker {i % 9}", date="2026-01-01",
                             title=f"No, the {topic} figure {i + 3} is not what was said"))
    return out


def random_embed(texts) -> np.ndarray:
    """Random unit vectors in place of the encoder (seeded by the texts, so repeatable)."""
    rng = np.random.default_rng(len(texts))
    m = rng.standard_normal((len(texts), encoder.DIMENSION)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def build(store_ref: str, n_claims: int, n_factchecks: int, verdicted: float, vectors: str) -> dict:
    from claimkit.store import open_store

    out: dict = {}
    with open_store(store_ref, reviewer="bench") as store:
        t = time.perf_counter()
        store.add_many((invented_article(n) for n in range(n_claims // 10)),
                       articles_per_transaction=200)
        out["store_add_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        random_vectors(store) if vectors == "random" else store.embed_claims()
        out["embed_claims_s"] = round(time.perf_counter() - t, 1)
        ids = sorted(store.claims()["claim_id"])
        chosen = ids[:int(len(ids) * verdicted)]
        t = time.perf_counter()
        for k in range(0, len(chosen), 5000):
            store.bulk_review(claim_ids=chosen[k:k + 5000], verdict="false")
        out["verdicts_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        facts = invented_factchecks(n_factchecks)
        for k in range(0, len(facts), 2000):  # a file's worth at a time, as the CLI imports
            store.import_factchecks(facts[k:k + 2000])
        out["import_factchecks_s"] = round(time.perf_counter() - t, 1)
    return out


def measure(store_ref: str, queries: int) -> dict:
    from claimkit.store import open_store

    rss_before = peak_rss_mb()
    store = open_store(store_ref, reviewer="bench", create=False)
    ids = sorted(store.claims()["claim_id"])
    rng = np.random.default_rng(3)
    picked = [ids[i] for i in rng.choice(len(ids), size=queries + 1, replace=False)]
    t = time.perf_counter()
    first = store.matches(picked[0])
    first_s = time.perf_counter() - t
    times = []
    for claim_id in picked[1:]:
        t = time.perf_counter()
        found = store.matches(claim_id)
        times.append(time.perf_counter() - t)
    # The store changes between calls, as in a review session: one more verdict (the team's
    # index takes the changed claim in), one more imported fact-check (the fact-check index
    # takes it in); the next call pays for bringing its index up to date.
    after = {}
    store.review(picked[1], verdict="misleading")
    t = time.perf_counter()
    store.matches(picked[2])
    after["after_one_verdict_ms"] = round((time.perf_counter() - t) * 1000, 1)
    store.import_factchecks([FactCheck(factcheck_id="fc-late", claim="A late invented check of "
                                       "the tram line figure", verdict="False")])
    t = time.perf_counter()
    store.matches(picked[3])
    after["after_one_more_factcheck_ms"] = round((time.perf_counter() - t) * 1000, 1)
    store.close()
    ms = np.array(times) * 1000
    return {"claims": len(ids), "first_call_s": round(first_s, 2), "queries": queries, **after,
            "median_ms": round(float(np.median(ms)), 1),
            "p95_ms": round(float(np.percentile(ms, 95)), 1),
            "max_ms": round(float(ms.max()), 1), "rows_returned": len(found),
            "first_sources": sorted(set(first["source"])),
            "peak_rss_mb_before_store": rss_before, "peak_rss_mb": peak_rss_mb()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--factchecks", type=int, default=10_000)
    parser.add_argument("--verdicted", type=float, default=1.0,
                        help="share of the claims given a verdict (they enter the team's index)")
    parser.add_argument("--vectors", choices=("random", "encoder"), default="random")
    parser.add_argument("--store", default=str(Path(tempfile.gettempdir()) / "claimkit-bench-matches.db"))
    parser.add_argument("--reuse", action="store_true", help="measure an already built --store")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--label", default="", help="a name for this run in the results file")
    args = parser.parse_args(argv)
    if args.vectors == "random":
        encoder.embed = random_embed  # the store imports it at call time: it gets this one
    result: dict = {"claims_built": args.claims, "factchecks": args.factchecks,
                    "verdicted": args.verdicted, "vectors": args.vectors,
                    "backend": "postgresql" if "://" in args.store and args.store.startswith("postgres")
                    else "sqlite"}
    if not args.reuse:
        if "://" not in args.store:
            Path(args.store).unlink(missing_ok=True)
        result["build"] = build(args.store, args.claims, args.factchecks, args.verdicted, args.vectors)
    result.update(measure(args.store, args.queries))
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    previous = json.loads(OUT.read_text()) if OUT.is_file() else {}
    key = args.label or f"{result['backend']}_{args.vectors}_{args.claims}"
    previous[key] = {**result, "machine": platform.machine(), "python": platform.python_version(),
                     "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(previous, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
