"""Review app benchmark: opening ReviewApp and moving through claims at 100k claims (issue 4).

    python benchmarks/bench_review.py            # 100k claims in a SQLite store (about a minute)
    python benchmarks/bench_review.py --quick    # 10k claims, to check that it runs

No browser: the app's widgets are built and updated in this process exactly as in a kernel (the
browser's drawing is not timed). Measured: opening the app (the queue of ids for the filter, the
filter choices, the first claim), moving to the next claim (``next()``: one claim's details and
its article from the store, the card rebuilt, the widgets updated), a verdict that is written
and then moves on (``press("1")``), and changing a filter. The corpus is bench_store's.
Results go to benchmarks/results/review.json and a table on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_store import make_corpus  # noqa: E402  (the store benchmark's generator)

from claimkit.review import ReviewApp  # noqa: E402
from claimkit.store import open_store  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "review.json"
TARGETS = {"open_s": 2.0, "next_median_ms": 100.0}


def seconds(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary_ms(samples: list[float]) -> dict:
    ms = [s * 1000 for s in samples]
    return {"median_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 0.95), 2),
            "max_ms": round(max(ms), 2), "n": len(ms)}


def bench(path: str, moves: int) -> dict:
    with open_store(path, reviewer="bench") as store:
        opens = [seconds(lambda: ReviewApp(store))[0] for _ in range(3)]
        filtered_open, _ = seconds(lambda: ReviewApp(store, unreviewed=True,
                                                     sort="checkworthiness"))
        app = ReviewApp(store)
        nexts = [seconds(app.next)[0] for _ in range(moves)]
        previous = [seconds(app.previous)[0] for _ in range(moves)]
        verdicts = [seconds(lambda: app.press("1"))[0] for _ in range(moves)]
        filter_change, _ = seconds(lambda: app.set_filters(outlet="Outlet 3"))
        text_search, _ = seconds(lambda: app.set_filters(outlet="", search="hospital costs 12"))
        return {
            "open_s": round(statistics.median(opens), 3),
            "open_runs_s": [round(o, 3) for o in opens],
            "open_unreviewed_by_checkworthiness_s": round(filtered_open, 3),
            "queue_length": len(ReviewApp(store).queue),
            "next": summary_ms(nexts), "previous": summary_ms(previous),
            "verdict_then_next": summary_ms(verdicts),
            "filter_change_outlet_s": round(filter_change, 3),
            "filter_change_search_s": round(text_search, 3),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--moves", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="10k claims")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    n_claims = 10_000 if args.quick else args.claims

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "claims.db")
        print(f"bench_review: storing {n_claims} claims …", file=sys.stderr, flush=True)
        with open_store(path) as store:
            store.add_many(make_corpus(n_claims), articles_per_transaction=500)
        results = bench(path, args.moves)

    report = {
        "benchmark": "review", "claims": n_claims, "backend": "sqlite", "quick": args.quick,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "targets": TARGETS, "results": results,
        "met": {"open": results["open_s"] <= TARGETS["open_s"],
                "next": results["next"]["median_ms"] <= TARGETS["next_median_ms"]},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    return 0


def print_table(report: dict) -> None:
    r = report["results"]
    print(f"\nreview app, {report['claims']:,} claims (SQLite), no browser")
    print(f"{'':46}{'median':>10}{'p95':>10}{'target':>10}")
    print(f"{'open ReviewApp(store), s':46}{r['open_s']:>10}{'':>10}{'≤ 2':>10}")
    print(f"{'open, unreviewed by check-worthiness, s':46}"
          f"{r['open_unreviewed_by_checkworthiness_s']:>10}")
    for label, key, target in (("next claim, ms", "next", "≤ 100"),
                               ("previous claim, ms", "previous", ""),
                               ("verdict (written) then next, ms", "verdict_then_next", "")):
        print(f"{label:46}{r[key]['median_ms']:>10}{r[key]['p95_ms']:>10}{target:>10}")
    print(f"{'filter change (outlet), s':46}{r['filter_change_outlet_s']:>10}")
    print(f"{'filter change (text search), s':46}{r['filter_change_search_s']:>10}")


if __name__ == "__main__":
    sys.exit(main())
