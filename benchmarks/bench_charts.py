"""Charts benchmark: build and export the whole chart set of a 100k-claim store (issue 5).

    python benchmarks/bench_charts.py            # 1k / 10k / 100k claims (about a minute)
    python benchmarks/bench_charts.py --quick    # 1k / 10k, to check that it runs

The stores are SQLite files made with bench_store.make_corpus (10 claims per article, 20
outlets, 500 speakers, two years of dates), with 2% of the claims reviewed (status and
verdict) so that the history and verdict charts have something to draw.

Measured at each size: reading the store (``ChartData.from_store``: claims, history,
taxonomies), building every chart of CHART_SET (best of 3, and the first build in the process), and the rows the charts embed (total and the
largest chart), which must not grow with the store. At the largest size: exporting the whole set
in each format, first in a fresh process state ("cold": vl-convert loads fonts and, for HTML,
its JavaScript bundle once per process) and again ("warm"). The issue's bar: build + export the
whole set at 100k claims in ≤ 5 s. Results: benchmarks/results/charts.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

from bench_store import make_corpus  # benchmarks/ is on sys.path when run as a script

from claimkit import charts
from claimkit.store import open_store

RESULTS = Path(__file__).resolve().parent / "results" / "charts.json"
TARGET_S = 5.0
REVIEWED_SHARE = 0.02
REVIEWS = [("in_review", None), ("verified", "true"), ("verified", "false"),
           ("published", "misleading"), ("verified", "mixed")]


def make_store(path: Path, n_claims: int) -> None:
    """A store as `claimkit extract` leaves it: loaded, then optimize() (statistics, snapshot)."""
    with open_store(path, reviewer="bench") as store:
        store.add_many(make_corpus(n_claims), articles_per_transaction=500)
        ids = store.claims(limit=n_claims)["claim_id"].tolist()
        chosen = random.Random(5).sample(ids, max(len(REVIEWS), int(n_claims * REVIEWED_SHARE)))
        step = len(chosen) // len(REVIEWS)
        for i, (status, verdict) in enumerate(REVIEWS):
            change = {"status": status, **({"verdict": verdict} if verdict else {})}
            store.bulk_review(claim_ids=chosen[i * step:(i + 1) * step], **change)
        store.optimize()


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return round(time.perf_counter() - started, 3), result


def measure_size(path: Path, n_claims: int) -> tuple[dict, dict]:
    make_store(path, n_claims)
    with open_store(path) as store:
        load_s, data = timed(lambda: charts.ChartData.from_store(store, lists=False))
    first_build_s, built = timed(charts.build_chart_set, data)
    build_s = min([first_build_s] + [timed(charts.build_chart_set, data)[0] for _ in range(2)])
    rows = {name: charts.embedded_rows(chart) for name, chart in built.items()}
    return {"claims": len(data.claims), "history_events": len(data.history),
            "load_s": load_s, "build_s": build_s, "first_build_s": first_build_s, "embedded_rows_total": sum(rows.values()),
            "embedded_rows_max": max(rows.values()), "embedded_rows": rows}, built


def measure_exports(built: dict, folder: Path) -> dict:
    out = {}
    for fmt in charts.FORMATS:
        runs = []
        for attempt in ("cold", "warm"):
            seconds, paths = timed(charts.export_charts, built, folder / f"{fmt}-{attempt}", fmt)
            runs.append(seconds)
        out[fmt] = {"cold_s": runs[0], "warm_s": runs[1], "files": len(paths),
                    "bytes": sum(p.stat().st_size for p in paths)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k claims only")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in sizes:
            print(f"bench_charts: {n:,} claims …", file=sys.stderr, flush=True)
            results[str(n)], built = measure_size(folder / f"claims-{n}.db", n)
        exports = measure_exports(built, folder / "export")
    largest = results[str(sizes[-1])]
    build_export = {fmt: round(largest["build_s"] + e["warm_s"], 3) for fmt, e in exports.items()}
    build_export_cold = {fmt: round(largest["build_s"] + e["cold_s"], 3)
                         for fmt, e in exports.items()}
    # What an analyst waits for from an open store: read it, build the set, export it.
    read_build_export = {fmt: round(largest["load_s"] + largest["build_s"] + e["warm_s"], 3)
                         for fmt, e in exports.items()}
    report = {
        "benchmark": "charts", "quick": args.quick, "charts_in_set": len(charts.CHART_SET),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "load_average": [round(x, 2) for x in os.getloadavg()]},
        "target_build_plus_export_s": TARGET_S, "sizes": results,
        "export_at_largest": exports,
        "build_plus_export_warm_s": build_export, "build_plus_export_cold_s": build_export_cold,
        "read_build_export_warm_s": read_build_export,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print_table(report, sizes)
    return 0


def print_table(report: dict, sizes: list[int]) -> None:
    results = report["sizes"]
    print(f"\ncharts benchmark: {report['charts_in_set']} charts")
    print(f"{'claims':>10}{'read store s':>14}{'build s':>10}{'rows total':>12}{'rows max':>10}")
    for n in sizes:
        r = results[str(n)]
        print(f"{n:>10,}{r['load_s']:>14}{r['build_s']:>10}{r['embedded_rows_total']:>12}"
              f"{r['embedded_rows_max']:>10}")
    print(f"\nexport of the whole set at {sizes[-1]:,} claims (target build + export ≤ "
          f"{report['target_build_plus_export_s']} s):")
    print(f"{'format':>8}{'cold s':>9}{'warm s':>9}{'build+export s (warm / cold)':>32}"
          f"{'read+build+export s':>21}{'MB':>8}")
    for fmt, e in report["export_at_largest"].items():
        print(f"{fmt:>8}{e['cold_s']:>9}{e['warm_s']:>9}"
              f"{report['build_plus_export_warm_s'][fmt]:>18} / "
              f"{report['build_plus_export_cold_s'][fmt]:<11}"
              f"{report['read_build_export_warm_s'][fmt]:>12}{e['bytes'] / 1e6:>17.1f}")


if __name__ == "__main__":
    sys.exit(main())
