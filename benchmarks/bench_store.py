"""Store benchmark: SQLite and PostgreSQL at 100k claims (issue 3's targets).

    python benchmarks/bench_store.py              # 100k claims, both backends (a few minutes)
    python benchmarks/bench_store.py --quick      # 10k claims, to check that it runs

Measures, on each backend: bulk insert (``add_many``), ``add`` one article per transaction,
``claims()`` of every row, filtered queries, one review change (median), a bulk review over a
filter; then two processes making 1,000 review changes each to the same claims at the same time
(every change must land or raise ConflictError, the history must hold exactly one event per
landed change, and no "database is locked" may reach the caller).

PostgreSQL: $CLAIMKIT_TEST_PG_URL if set, else a throwaway server started here with fsync on
(``claimkit.store.testing``). Each run uses a fresh schema. Results go to
benchmarks/results/store.json and a table on stdout.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

from claimkit.model import Article, Claim, Kind, SpeakerType, article_id_for, claim_id_for
from claimkit.store import ConflictError, open_store
from claimkit.store.testing import TempPostgres, schema_url

RESULTS = Path(__file__).resolve().parent / "results" / "store.json"
CLAIMS_PER_ARTICLE = 10
TARGETS = {  # SQLite at 100k claims (issue 3); PostgreSQL is reported beside them
    "bulk_insert_s": 10.0, "claims_all_s": 1.0, "filtered_query_ms": 100.0,
    "review_median_ms": 10.0,
}
OUTLETS = [f"Outlet {i}" for i in range(20)]
SPEAKERS = [(f"Speaker {i}", f"Full Speaker Name {i}") for i in range(500)]
KINDS = [Kind.DIRECT, Kind.MIXED, Kind.INDIRECT, Kind.ASSERTION]
WORDS = ("bridge budget hospital school taxes jobs inflation border vaccine climate election "
         "court police water energy housing").split()


def make_corpus(n_claims: int, seed: int = 7) -> list[tuple[Article, list[Claim]]]:
    rng = random.Random(seed)
    corpus = []
    for a in range(n_claims // CLAIMS_PER_ARTICLE):
        sentences = [f"Speaker {rng.randrange(500)} said that the {rng.choice(WORDS)} costs "
                     f"{rng.randrange(1, 999)} million in case {a}-{c}."
                     for c in range(CLAIMS_PER_ARTICLE)]
        text = " ".join(sentences)
        article = Article(article_id=article_id_for(text), text=text, title=f"Story {a}",
                          outlet=OUTLETS[a % len(OUTLETS)], url=f"https://news.example/{a}",
                          published=date(2023, 1, 1) + timedelta(days=a % 730),
                          path=f"story{a}.txt")
        claims, offset = [], 0
        for sentence in sentences:
            start = text.index(sentence, offset)
            offset = start + len(sentence)
            cs = start + sentence.index(" said that ") + len(" said that ")
            speaker, canonical = SPEAKERS[rng.randrange(len(SPEAKERS))]
            kind = rng.choice(KINDS)
            claims.append(Claim(
                claim_id=claim_id_for(article.article_id, text[cs:offset - 1]),
                article_id=article.article_id, kind=kind, content=((cs, offset - 1),),
                text=text[cs:offset - 1], source=((start, start + 11),),
                cue=((start + 12, start + 16),), speaker=speaker, speaker_canonical=canonical,
                speaker_type=SpeakerType.PERSON, cue_lemma="say", cue_class="assert",
                hedges=("likely",) if rng.random() < 0.1 else (),
                checkworthiness=round(rng.random(), 3), reasons=("number",),
                rule="bench", extractor_version="bench-1"))
        corpus.append((article, claims))
    return corpus


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def median_seconds(fn, repeat: int) -> float:
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def bench_backend(url: str, corpus, extra, quick: bool) -> dict:
    out: dict[str, object] = {}
    n_claims = sum(len(c) for _, c in corpus)
    with open_store(url, reviewer="bench") as store:
        seconds, _ = timed(store.add_many, corpus, articles_per_transaction=500)
        out["bulk_insert_s"] = round(seconds, 3)
        out["bulk_insert_claims_per_s"] = round(n_claims / seconds)
        seconds, _ = timed(store.add_many, extra)  # one article per transaction, as `extract`
        out["add_one_article_per_tx_articles_per_s"] = round(len(extra) / seconds, 1)
        total = store.count()
        out["claims_in_store"] = total

        # Some review state, so that filters have something to find.
        seconds, changed = timed(store.bulk_review, {"outlet": OUTLETS[:4], "kind": "indirect"},
                                 status="in_review", add_tags=["batch"])
        out["bulk_review_claims"] = changed
        out["bulk_review_s"] = round(seconds, 3)

        # The first full read after a load reads the tables (and, on SQLite, leaves the
        # snapshot); later ones map the snapshot and patch in the reviews changed since.
        out["claims_all_first_s"] = round(timed(store.claims)[0], 3)
        out["claims_all_s"] = round(median_seconds(store.claims, 3), 3)
        filters = {
            "status_outlet_checkworthiness": dict(status="in_review", outlet="Outlet 2",
                                                  min_checkworthiness=0.5),
            "tag": dict(tag="batch", limit=500),
            "speaker": dict(speaker="Full Speaker Name 42"),
            "text_search": dict(search="hospital costs 12"),
            "date_range_kind": dict(since="2023-03-01", until="2023-03-31", kind="direct"),
        }
        queries = {}
        for name, f in filters.items():
            rows = len(store.claims(**f))
            queries[name] = {"ms": round(1000 * median_seconds(lambda f=f: store.claims(**f),
                                                               7), 2), "rows": rows}
        out["filtered_queries"] = queries
        out["filtered_query_ms"] = queries["status_outlet_checkworthiness"]["ms"]

        some = store.claims(limit=5000)
        ids = some["claim_id"].tolist()
        versions = dict(zip(some["claim_id"], some["version"].astype(int)))
        rng = random.Random(1)
        samples = []
        for i in range(50 if quick else 300):
            cid = rng.choice(ids)
            started = time.perf_counter()
            versions[cid] = store.review(cid, note=f"checked {i}",
                                         expected_version=versions[cid])
            samples.append(time.perf_counter() - started)
        out["review_median_ms"] = round(1000 * statistics.median(samples), 2)
        out["review_p95_ms"] = round(1000 * sorted(samples)[int(len(samples) * 0.95)], 2)
        out["history_one_claim_ms"] = round(1000 * median_seconds(
            lambda: store.history(ids[0]), 7), 2)
        out["claims_all_after_reviews_s"] = round(median_seconds(store.claims, 3), 3)
    with open_store(url, reviewer="bench") as reopened:
        out["claims_all_reopened_s"] = round(timed(reopened.claims)[0], 3)
    out["concurrency"] = concurrent_reviews(url, rounds=200 if quick else 1000)
    return out


def _reviewer_process(url: str, ids: list[str], worker: int, rounds: int, start, queue) -> None:
    landed = conflicts = 0
    errors: list[str] = []
    with open_store(url, reviewer=f"proc-{worker}") as store:
        mine = store.claims(claim_id=ids)
        versions = dict(zip(mine["claim_id"], mine["version"].astype(int)))
        rng = random.Random(worker)
        start.wait()
        began = time.perf_counter()
        for i in range(rounds):
            cid = rng.choice(ids)
            try:
                versions[cid] = store.review(cid, note=f"p{worker}-{i}",
                                             expected_version=versions[cid])
                landed += 1
            except ConflictError as exc:
                conflicts += 1
                versions[cid] = exc.current_version  # look again, as a reviewer would
            except Exception as exc:  # noqa: BLE001 - every other error is a failure
                errors.append(f"{type(exc).__name__}: {exc}")
        elapsed = time.perf_counter() - began
    queue.put({"worker": worker, "landed": landed, "conflicts": conflicts, "errors": errors,
               "seconds": round(elapsed, 3)})


def concurrent_reviews(url: str, rounds: int, n_claims: int = 25) -> dict:
    with open_store(url) as store:
        ids = store.claims(outlet="Outlet 7", limit=n_claims)["claim_id"].tolist()
        events_before = len(store.history())
    ctx = multiprocessing.get_context("spawn")
    start, queue = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_reviewer_process, args=(url, ids, w, rounds, start, queue))
             for w in range(2)]
    for p in procs:
        p.start()
    time.sleep(3)  # both have opened the store and read their versions
    start.set()
    results = sorted((queue.get(timeout=900) for _ in procs), key=lambda r: r["worker"])
    for p in procs:
        p.join(timeout=60)
    with open_store(url) as store:
        events = store.history()
        new_events = len(events) - events_before
        per_change = events[events["claim_id"].isin(ids)].groupby(["claim_id", "version"]).size()
    landed = sum(r["landed"] for r in results)
    errors = [e for r in results for e in r["errors"]]
    return {
        "processes": 2, "changes_per_process": rounds, "claims": len(ids),
        "landed": landed, "conflicts": sum(r["conflicts"] for r in results),
        "errors": errors[:5], "error_count": len(errors),
        "locked_errors": sum("locked" in e for e in errors),
        "history_events_added": new_events,
        "one_event_per_landed_change": new_events == landed and bool((per_change == 1).all()),
        "every_change_landed_or_conflicted": all(
            r["landed"] + r["conflicts"] == rounds for r in results),
        "seconds": max(r["seconds"] for r in results),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10k claims, fewer repeats")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    n_claims = 10_000 if args.quick else args.claims

    corpus = make_corpus(n_claims)
    extra = make_corpus(2_000 if not args.quick else 500, seed=99)  # 200 / 50 articles
    results: dict[str, dict] = {}
    with ExitStack() as stack:
        for backend in args.backends.split(","):
            print(f"bench_store: {backend}, {n_claims} claims …", file=sys.stderr, flush=True)
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            url = store_url_for(backend, folder, stack)
            results[backend] = bench_backend(url, corpus, extra, args.quick)

    report = {
        "benchmark": "store", "claims": n_claims, "quick": args.quick,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "targets_sqlite": TARGETS, "results": results,
    }
    write_report(report, args.out)
    print_table(report)
    return 0 if concurrency_held(results) else 1


def store_url_for(backend: str, folder: Path, stack: ExitStack) -> str:
    """A new, empty store on ``backend``: a SQLite file in ``folder``, or a fresh schema of
    $CLAIMKIT_TEST_PG_URL (else of a throwaway server with fsync on, stopped with ``stack``)."""
    if backend == "sqlite":
        return str(folder / "claims.db")
    base = os.environ.get("CLAIMKIT_TEST_PG_URL")
    if not base:
        server = TempPostgres(durable=True)
        base = server.start()
        stack.callback(server.stop)
    return stack.enter_context(schema_url(base))


def write_report(report: dict, out: str | Path) -> None:
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(report, indent=2) + "\n")


def concurrency_held(results: dict[str, dict]) -> bool:
    """Every backend's two-reviewer run: each change landed or conflicted, one history event
    per landed change, no other error."""
    return all(r["concurrency"]["one_event_per_landed_change"]
               and r["concurrency"]["every_change_landed_or_conflicted"]
               and r["concurrency"]["error_count"] == 0 for r in results.values())


def print_table(report: dict) -> None:
    results = report["results"]
    names = list(results)
    rows = [
        ("bulk insert (add_many), s", "bulk_insert_s", "≤ 10"),
        ("add(), 1 article/transaction, articles/s", "add_one_article_per_tx_articles_per_s", ""),
        ("claims() all rows, first after the load, s", "claims_all_first_s", ""),
        ("claims() all rows, s", "claims_all_s", "≤ 1"),
        ("claims() all rows after 300 reviews, s", "claims_all_after_reviews_s", "≤ 1"),
        ("claims() all rows, store reopened, s", "claims_all_reopened_s", "≤ 1"),
        ("filtered query, ms", "filtered_query_ms", "≤ 100"),
        ("one review change, median ms", "review_median_ms", "≤ 10"),
        ("one review change, p95 ms", "review_p95_ms", ""),
        ("bulk review, s", "bulk_review_s", ""),
        ("history of one claim, ms", "history_one_claim_ms", ""),
    ]
    print(f"\nstore benchmark: {report['claims']:,} claims")
    print(f"{'':44}" + "".join(f"{n:>12}" for n in names) + f"{'target':>10}")
    for label, key, target in rows:
        print(f"{label:44}" + "".join(f"{results[n][key]:>12}" for n in names) + f"{target:>10}")
    for query in results[names[0]]["filtered_queries"]:
        print(f"{'  query ' + query + ', ms':44}"
              + "".join(f"{results[n]['filtered_queries'][query]['ms']:>12}" for n in names))
    print("\ntwo processes × "
          f"{results[names[0]]['concurrency']['changes_per_process']} review changes:")
    for n in names:
        c = results[n]["concurrency"]
        print(f"  {n:11} landed {c['landed']}, conflicts {c['conflicts']}, errors "
              f"{c['error_count']} (locked: {c['locked_errors']}), history events "
              f"{c['history_events_added']}, one event per landed change: "
              f"{c['one_event_per_landed_change']}, {c['seconds']} s")


if __name__ == "__main__":
    sys.exit(main())
