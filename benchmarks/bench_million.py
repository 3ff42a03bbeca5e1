"""The team-review targets at a million claims (issue 14), SQLite and PostgreSQL side by side.

    python benchmarks/bench_million.py                      # 1,000,000 claims, both backends
    python benchmarks/bench_million.py --claims 100000      # a smaller store, same measures
    python benchmarks/bench_million.py --backends sqlite    # one backend

One store per backend, filled with bench_store's synthetic corpus (10 claims per article, 20
outlets, 500 speakers) by ``add_many`` and readied by ``store.optimize()`` as ``claimkit extract``
leaves it; a bulk review puts some claims in review. Then, on that store:

- the first read of every claim after the load and a bulk review (it writes the snapshot);
- a filtered query (status + outlet + minimum check-worthiness: answered over the snapshot,
  store/facets.py; and by the database alone, for comparison), the speaker filter and text
  search (both answered by the search indexes of store/search.py), median of 7;
- one review change, median of 300 (each based on the version last seen);
- ``claims()`` of everything (median of 3);
- the review app: opening it and moving to the next claim (bench_review's measures);
- the chart set: reading the store into ChartData, building the 14 charts, and exporting them
  as PNG;
- the CSV export of every claim (``export_frame`` + ``write_csv``);
- two processes making 1,000 review changes each to the same 25 claims (every change must land
  or raise ConflictError, one history event per landed change; the run fails otherwise).

Results: benchmarks/results/million.json and a table on stdout. PostgreSQL is a throwaway
local server with fsync on ($CLAIMKIT_TEST_PG_URL if set).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_review import summary_ms  # noqa: E402
from bench_store import (  # noqa: E402
    OUTLETS, concurrency_held, concurrent_reviews, make_corpus, median_seconds, store_url_for, timed,
    write_report,
)

from claimkit import charts, export  # noqa: E402
from claimkit.review import ReviewApp  # noqa: E402
from claimkit.store import facets, open_store  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "million.json"
# issue 14's targets at 1,000,000 claims
TARGETS = {"filtered_query_ms": 100, "text_search_ms": 200, "review_median_ms": 10,
           "claims_all_s": 3, "app_open_s": 2, "app_next_median_ms": 100,
           "chart_set_s": 5, "csv_export_s": 20}


def fill(url: str, corpus) -> dict:
    out = {}
    with open_store(url, reviewer="bench") as store:
        seconds, _ = timed(store.add_many, corpus, articles_per_transaction=500)
        out["bulk_insert_s"] = round(seconds, 1)
        out["optimize_s"] = round(timed(store.optimize)[0], 1)
        seconds, changed = timed(store.bulk_review, {"outlet": OUTLETS[:4], "kind": "indirect"},
                                 status="in_review", add_tags=["batch"])
        out["bulk_review_claims"], out["bulk_review_s"] = int(changed), round(seconds, 1)
        out["claims_in_store"] = store.count()
    return out


def first_full_read(store) -> dict:
    """The first read of every claim after the load and the bulk review: it writes the
    snapshot (store/snapshot.py) that the reads below start from."""
    seconds, frame = timed(store.claims)
    return {"s": round(seconds, 1), "rows": len(frame)}


def filtered_by_the_database(store) -> dict:
    """The filtered query answered by the database alone (as without a current snapshot)."""
    filters = dict(status="in_review", outlet="Outlet 2", min_checkworthiness=0.5)
    answers = facets.answers
    facets.answers = lambda claim_filter: False
    try:
        ms = 1000 * median_seconds(lambda: store.claims(**filters), 5)
    finally:
        facets.answers = answers
    return {"ms": round(ms, 1), "rows": len(store.claims(**filters))}


def queries(store) -> dict:
    asked = {
        "filtered_query": dict(status="in_review", outlet="Outlet 2", min_checkworthiness=0.5),
        "speaker_filter": dict(speaker="Full Speaker Name 42"),
        "text_search": dict(search="hospital costs 12"),
        "text_search_with_filter": dict(search="hospital", outlet="Outlet 5", limit=200),
        "assignee_filter": dict(assignee="nobody-yet"),
    }
    out = {}
    for name, filters in asked.items():
        rows = len(store.claims(**filters))
        out[name] = {"ms": round(1000 * median_seconds(lambda f=filters: store.claims(**f), 7),
                                 1), "rows": rows}
    return out


def review_changes(store, n: int = 300) -> dict:
    some = store.claims(outlet="Outlet 11", limit=5000)
    versions = dict(zip(some["claim_id"], some["version"].astype(int)))
    ids, rng, samples = list(versions), random.Random(1), []
    for i in range(n):
        cid = rng.choice(ids)
        started = time.perf_counter()
        versions[cid] = store.review(cid, note=f"checked {i}", expected_version=versions[cid])
        samples.append(time.perf_counter() - started)
    return summary_ms(samples)


def review_app(store, moves: int = 30) -> dict:
    opened, app = timed(lambda: ReviewApp(store))
    nexts = [timed(app.next)[0] for _ in range(moves)]
    return {"open_s": round(opened, 2), "next": summary_ms(nexts), "queue": len(app.queue)}


def chart_set(store, out_dir: Path) -> dict:
    read_s, data = timed(lambda: charts.ChartData.from_store(store, lists=False))
    build_s, built = timed(charts.build_chart_set, data)
    png_s, _ = timed(charts.export_charts, built, out_dir, "png")
    return {"read_s": round(read_s, 2), "build_s": round(build_s, 2),
            "export_png_s": round(png_s, 2), "charts": len(built),
            "read_build_s": round(read_s + build_s, 2),
            "read_build_png_s": round(read_s + build_s + png_s, 2)}


def csv_export(store, path: Path) -> dict:
    frame_s, frame = timed(export.export_frame, store)
    write_s, rows = timed(export.write_csv, frame, path)
    return {"frame_s": round(frame_s, 2), "write_s": round(write_s, 2),
            "total_s": round(frame_s + write_s, 2), "rows": rows,
            "mb": round(path.stat().st_size / 1e6, 1)}


def bench_backend(url: str, corpus, work: Path, rounds: int) -> dict:
    out = {"fill": fill(url, corpus)}
    with open_store(url, reviewer="bench") as store:
        out["first_full_read"] = first_full_read(store)
        out["queries"] = queries(store)
        out["filtered_query_by_the_database"] = filtered_by_the_database(store)
        out["review_change"] = review_changes(store)
        store.claims()  # the first full read after the reviews (may write the snapshot)
        out["claims_all_s"] = round(median_seconds(store.claims, 3), 2)
        out["review_app"] = review_app(store)
        out["chart_set"] = chart_set(store, work / "charts")
        out["csv_export"] = csv_export(store, work / "claims.csv")
    out["concurrency"] = concurrent_reviews(url, rounds=rounds)
    out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=1000,
                        help="review changes per process in the two-reviewer test")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    corpus = make_corpus(args.claims)
    results: dict[str, dict] = {}
    with ExitStack() as stack:
        for backend in args.backends.split(","):
            print(f"bench_million: {backend}, {args.claims:,} claims …", file=sys.stderr,
                  flush=True)
            work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            url = store_url_for(backend, work, stack)
            results[backend] = bench_backend(url, corpus, work, args.rounds)
            print(json.dumps(results[backend], indent=1), file=sys.stderr, flush=True)
    report = {"benchmark": "million", "claims": args.claims, "targets": TARGETS,
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "load_average": os.getloadavg()},
              "results": results}
    write_report(report, args.out)
    print_table(report)
    return 0 if concurrency_held(results) else 1


def print_table(report: dict) -> None:
    results, names = report["results"], list(report["results"])
    rows = [
        ("first full read (writes the snapshot), s", lambda r: r["first_full_read"]["s"], ""),
        ("filtered query, ms", lambda r: r["queries"]["filtered_query"]["ms"], "≤ 100"),
        ("... by the database alone, ms",
         lambda r: r["filtered_query_by_the_database"]["ms"], ""),
        # a case-insensitive substring search in speaker names: the text-search target
        ("speaker filter (substring), ms", lambda r: r["queries"]["speaker_filter"]["ms"],
         "≤ 200"),
        ("text search, ms", lambda r: r["queries"]["text_search"]["ms"], "≤ 200"),
        ("text search + outlet, 200 rows, ms",
         lambda r: r["queries"]["text_search_with_filter"]["ms"], ""),
        ("assignee filter, ms", lambda r: r["queries"]["assignee_filter"]["ms"], ""),
        ("one review change, median ms", lambda r: r["review_change"]["median_ms"], "≤ 10"),
        ("claims() of everything, s", lambda r: r["claims_all_s"], "≤ 3"),
        ("review app open, s", lambda r: r["review_app"]["open_s"], "≤ 2"),
        ("review app next claim, median ms", lambda r: r["review_app"]["next"]["median_ms"],
         "≤ 100"),
        ("chart set: read + build, s", lambda r: r["chart_set"]["read_build_s"], "≤ 5"),
        ("chart set: read + build + PNG, s", lambda r: r["chart_set"]["read_build_png_s"], ""),
        ("CSV export of everything, s", lambda r: r["csv_export"]["total_s"], "≤ 20"),
        ("bulk insert, s", lambda r: r["fill"]["bulk_insert_s"], ""),
        ("peak memory of the process, MB", lambda r: r["max_rss_mb"], ""),
    ]
    print(f"\n{report['claims']:,} claims")
    print(f"{'':40}" + "".join(f"{n:>12}" for n in names) + f"{'target':>10}")
    for label, get, target in rows:
        print(f"{label:40}" + "".join(f"{get(results[n]):>12}" for n in names) + f"{target:>10}")
    for n in names:
        c = results[n]["concurrency"]
        print(f"two reviewers, {n}: landed {c['landed']}, conflicts {c['conflicts']}, errors "
              f"{c['error_count']}, one event per landed change: "
              f"{c['one_event_per_landed_change']}")


if __name__ == "__main__":
    sys.exit(main())
