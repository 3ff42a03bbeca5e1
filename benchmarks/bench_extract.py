"""Extraction speed, scaling and memory, measured as ratios within one run.

See docs/architecture.md §5.

    python benchmarks/bench_extract.py            # full run: several minutes on 2 cores
    python benchmarks/bench_extract.py --quick    # a few articles: checks that it all runs

Texts: the PolNeAR dev texts (../shared/polnear/dev/text), read at run time and never stored;
without them, the bundled sample article repeated. What is measured:

  (a) bare ``nlp.pipe`` with the pipeline claimkit loads (``claimkit.nlp.load_pipeline``)
  (b) claimkit's full extraction, ``run_extraction(jobs=1)``           (b)/(a) must be >= 0.85
  (c) textacy's ``direct_quotations`` over ``nlp.pipe`` docs, as a reference point
  (d) ``run_extraction`` with --jobs 1 against --jobs N on ~300 articles, each run a fresh
      process that loads the pipeline (in its workers for N) inside the timed span, as
      `claimkit extract --jobs N` does                                   jobs N / jobs 1 >= 1.6
  (e) peak RSS of a fresh process streaming 100 and 1,000 articles      1,000 / 100 <= 1.10

(a)-(c) run on the same texts after a warm-up, repeated interleaved (a b c a b c ...); (d) runs
1, N, 1, N, ... Each figure uses the fastest repeat (the least disturbed by other load on the
machine); the median is reported beside it. A table goes to stdout, everything to
benchmarks/results/extract.json. The exit code is 1 when a full run misses a target.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "polnear"
SAMPLE = ROOT / "data" / "voa_biden_putin_geneva.txt"
RESULTS = ROOT / "benchmarks" / "results"

TARGET_EXTRACT_VS_PIPE = 0.85
TARGET_SCALING = 1.6
TARGET_MEMORY_GROWTH = 1.10


# --- texts ------------------------------------------------------------------------------------

def load_texts(source: str, sample_copies: int,
               splits: tuple[str, ...] = ("dev",)) -> tuple[list[str], str]:
    """The benchmark texts and a description of where they came from."""
    paths = [p for split in splits for p in sorted((POLNEAR / split / "text").glob("*.txt"))]
    if source in ("auto", "polnear") and paths:
        return ([p.read_text(encoding="utf-8") for p in paths],
                f"polnear-{'+'.join(splits)} ({len(paths)} texts)")
    if source == "polnear":
        sys.exit(f"no PolNeAR {'/'.join(splits)} texts under {POLNEAR}")
    text = SAMPLE.read_text(encoding="utf-8")
    return [text] * sample_copies, f"sample {SAMPLE.name} x{sample_copies}"


def cycle_articles(texts: list[str], n: int, unique: bool = False) -> Iterator:
    """``n`` articles cycling through ``texts``, made one at a time (never a list).

    ``unique`` appends a line of words no other article has, so that each article brings new
    strings into spaCy's vocabulary, as a real corpus does with names and numbers.
    """
    from claimkit.model import Article, article_id_for

    for i, text in zip(range(n), itertools.cycle(texts)):
        if unique:
            text = f"{text}\n\nFiled as " + " ".join(f"ref{i:06d}x{k}" for k in range(8)) + "."
        yield Article(article_id=article_id_for(f"{i}\x1f{text}"), text=text, path=f"bench/{i}.txt")


# --- timing -----------------------------------------------------------------------------------

def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(measures: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(repeats):
        for name, fn in measures.items():
            times[name].append(timed(fn))
    return times


def summary(times: list[float], n_articles: int) -> dict:
    best, median = min(times), statistics.median(times)
    return {"seconds": [round(t, 3) for t in times], "best_s": round(best, 3),
            "median_s": round(median, 3), "articles_per_s": round(n_articles / best, 2),
            "articles_per_s_median": round(n_articles / median, 2)}


# --- (a) (b) (c): extraction against the bare parse -------------------------------------------

def bench_speed(texts: list[str], model: str | None, batch_size: int, repeats: int) -> dict:
    from textacy.extract.triples import direct_quotations

    from claimkit.engines.local import run_extraction
    from claimkit.model import Article, article_id_for
    from claimkit.nlp import load_pipeline

    nlp = load_pipeline(model)
    articles = [Article(article_id=article_id_for(t), text=t) for t in texts]
    failed = set()  # articles whose extraction failed, by id

    def bare_pipe():
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass

    def claimkit_extract():
        for x in run_extraction(articles, model=model, jobs=1, batch_size=batch_size):
            if x.failed:
                failed.add(x.article.article_id)

    textacy_bailed = set()

    def textacy_quotes(texts=texts):
        for i, doc in enumerate(nlp.pipe(texts, batch_size=batch_size)):
            try:
                for _ in direct_quotations(doc):
                    pass
            except ValueError:  # it refuses texts with unbalanced quote marks
                textacy_bailed.add(i)

    measures = {"a_nlp_pipe": bare_pipe, "b_claimkit_jobs1": claimkit_extract,
                "c_textacy_direct_quotations": textacy_quotes}
    warm = texts[: min(len(texts), 4)]
    for _ in nlp.pipe(warm):
        pass
    for _ in run_extraction(articles[: len(warm)], model=model):
        pass
    textacy_quotes(warm)
    textacy_bailed.clear()

    times = interleaved(measures, repeats)
    result = {name: summary(t, len(texts)) for name, t in times.items()}
    a, b, c = (result[k]["best_s"] for k in measures)
    result["ratio_b_over_a"] = round(a / b, 3)  # throughput ratio: 1.0 = extraction is free
    result["ratio_b_over_a_median"] = round(
        result["a_nlp_pipe"]["median_s"] / result["b_claimkit_jobs1"]["median_s"], 3)
    result["ratio_c_over_a"] = round(a / c, 3)
    result["extraction_problems"] = len(failed)
    result["textacy_bailed_out_on"] = len(textacy_bailed)  # articles with unbalanced quotes
    return result


# --- (d): scaling with worker processes -------------------------------------------------------

def bench_scaling(n: int, args: argparse.Namespace, jobs: int, repeats: int) -> dict:
    """jobs=1 against jobs=N, each run a fresh process, as `claimkit extract --jobs N` runs.

    A fresh process per run puts both sides on the same footing: each loads the pipeline (in
    the process for jobs=1, in every worker for jobs=N) inside the timed span, as a user's
    command does. Python's own start and the imports are outside it.
    """
    def run(j: int) -> Callable[[], object]:
        def go():
            cmd = [sys.executable, __file__, "--scaling-child", str(n), "--jobs", str(j),
                   "--source", args.source, "--sample-copies", str(args.sample_copies),
                   "--batch-size", str(args.batch_size)]
            if args.model:
                cmd += ["--model", args.model]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            return json.loads(out.strip().splitlines()[-1])["seconds"]
        return go

    times: dict[str, list[float]] = {"jobs_1": [], f"jobs_{jobs}": []}
    for _ in range(repeats):
        for j in (1, jobs):
            times[f"jobs_{j}"].append(run(j)())
    result = {name: summary(t, n) for name, t in times.items()}
    result["articles"] = n
    result["jobs"] = jobs
    result["runs"] = "fresh process per run; pipeline loading and pool start-up timed"
    result["speedup"] = round(result["jobs_1"]["best_s"] / result[f"jobs_{jobs}"]["best_s"], 3)
    result["speedup_median"] = round(
        result["jobs_1"]["median_s"] / result[f"jobs_{jobs}"]["median_s"], 3)
    return result


def scaling_child(n: int, jobs: int, source: str, sample_copies: int, model: str | None,
                  batch_size: int) -> None:
    """Run in a fresh process: extract ``n`` articles with ``jobs`` workers, print the time."""
    from claimkit.engines.local import run_extraction

    texts, _ = load_texts(source, sample_copies)
    articles = list(cycle_articles(texts, n))
    start = time.perf_counter()
    count = sum(1 for _ in run_extraction(iter(articles), model=model, jobs=jobs,
                                          batch_size=batch_size))
    print(json.dumps({"articles": count, "jobs": jobs,
                      "seconds": round(time.perf_counter() - start, 3)}))


# --- (e): memory while streaming --------------------------------------------------------------

def memory_child(n: int, source: str, sample_copies: int, model: str | None,
                 batch_size: int) -> None:
    """Run in a fresh process: stream ``n`` articles, print peak RSS as JSON."""
    from claimkit.engines.local import run_extraction
    from claimkit.nlp import load_pipeline

    texts, _ = load_texts(source, sample_copies)
    count = claims = 0
    start = time.perf_counter()
    for x in run_extraction(cycle_articles(texts, n, unique=True), model=model, jobs=1,
                            batch_size=batch_size):
        count += 1
        claims += len(x.claims)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    strings = len(load_pipeline(model).vocab.strings)  # grows if the memory zones leak
    print(json.dumps({"articles": count, "claims": claims, "peak_rss_mb": round(peak_kb / 1024, 1),
                      "vocab_strings": strings, "seconds": round(time.perf_counter() - start, 2)}))


def bench_memory(sizes: list[int], args: argparse.Namespace) -> dict:
    runs = {}
    for n in sizes:
        cmd = [sys.executable, __file__, "--memory-child", str(n), "--source", args.source,
               "--sample-copies", str(args.sample_copies), "--batch-size", str(args.batch_size)]
        if args.model:
            cmd += ["--model", args.model]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        runs[str(n)] = json.loads(out.strip().splitlines()[-1])
    small, large = runs[str(sizes[0])], runs[str(sizes[-1])]
    return {"runs": runs, "growth": round(large["peak_rss_mb"] / small["peak_rss_mb"], 3),
            "growth_mb": round(large["peak_rss_mb"] - small["peak_rss_mb"], 1),
            "note": "jobs=1; each article carries 8 words of its own, so new strings reach spaCy's vocabulary"}


# --- report -----------------------------------------------------------------------------------

def environment(model: str | None) -> dict:
    import spacy

    from claimkit.nlp import resolve_model_name

    return {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "spacy": spacy.__version__, "model": resolve_model_name(model),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}


def check(ok: bool, judged: bool) -> str:
    if not judged:
        return "(quick: not judged)"
    return "ok" if ok else "MISSED"


def print_report(res: dict, judged: bool) -> list[str]:
    missed = []
    env = res["environment"]
    print(f"\nclaimkit extraction benchmark — {res['texts']}; {env['model']}, spaCy {env['spacy']}, "
          f"{env['cpus']} cpus, load {env['loadavg_at_start']} -> {env.get('loadavg_at_end')}")
    print("figures: fastest of the repeats (median in brackets)")
    if "speed" in res:
        missed += _report_speed(res, judged)
    if "scaling" in res:
        missed += _report_scaling(res["scaling"], judged)
    if "memory" in res:
        missed += _report_memory(res["memory"], judged)
    return missed


def _report_speed(res: dict, judged: bool) -> list[str]:
    missed = []
    s = res["speed"]
    n = res["speed_articles"]
    print(f"\n{'measure':48} {'best s':>8} {'articles/s':>11} {'(median)':>10}")
    labels = {"a_nlp_pipe": "(a) nlp.pipe", "b_claimkit_jobs1": "(b) claimkit run_extraction jobs=1",
              "c_textacy_direct_quotations": "(c) textacy direct_quotations"}
    for key, label in labels.items():
        m = s[key]
        print(f"{label + f' [{n} articles]':48} {m['best_s']:8.2f} {m['articles_per_s']:11.2f} "
              f"{m['articles_per_s_median']:10.2f}")
    ok = s["ratio_b_over_a"] >= TARGET_EXTRACT_VS_PIPE
    print(f"\n(b)/(a) throughput {s['ratio_b_over_a']:.3f} (median {s['ratio_b_over_a_median']:.3f}); "
          f"target >= {TARGET_EXTRACT_VS_PIPE}: {check(ok, judged)}")
    print(f"(c)/(a) throughput {s['ratio_c_over_a']:.3f} (reference)")
    if not ok:
        missed.append("extraction vs nlp.pipe")
    return missed


def _report_scaling(d: dict, judged: bool) -> list[str]:
    missed = []
    j = d["jobs"]
    print(f"\n(d) {d['articles']} articles: jobs=1 {d['jobs_1']['articles_per_s']:.2f}/s, "
          f"jobs={j} {d[f'jobs_{j}']['articles_per_s']:.2f}/s")
    ok = d["speedup"] >= TARGET_SCALING
    print(f"    speedup {d['speedup']:.3f} (median {d['speedup_median']:.3f}); "
          f"target >= {TARGET_SCALING}: {check(ok, judged)}")
    if not ok:
        missed.append("scaling")
    return missed


def _report_memory(e: dict, judged: bool) -> list[str]:
    missed = []
    sizes = list(e["runs"])
    print("\n(e) peak RSS streaming: " + ", ".join(
        f"{k} articles {v['peak_rss_mb']:.1f} MB ({v['vocab_strings']} strings)"
        for k, v in e["runs"].items()))
    ok = e["growth"] <= TARGET_MEMORY_GROWTH
    print(f"    {sizes[-1]}/{sizes[0]}: {e['growth']:.3f} (+{e['growth_mb']} MB); "
          f"target <= {TARGET_MEMORY_GROWTH}: {check(ok, judged)}")
    if not ok:
        missed.append("memory")
    return missed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a few articles, one repeat: a smoke run")
    p.add_argument("--source", choices=["auto", "polnear", "sample"], default="auto",
                   help="auto: PolNeAR dev texts when present, else the bundled sample")
    p.add_argument("--sample-copies", type=int, default=40,
                   help="copies of the sample article when PolNeAR is absent")
    p.add_argument("--model", default=None)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--jobs", type=int, default=2, help="workers compared with jobs=1 in (d)")
    p.add_argument("--scaling-articles", type=int, default=300)
    p.add_argument("--memory-sizes", default="100,1000")
    p.add_argument("--only", default="speed,scaling,memory",
                   help="comma-separated parts to run: speed (a-c), scaling (d), memory (e)")
    p.add_argument("--out", type=Path, default=None,
                   help="JSON output (default benchmarks/results/extract.json; a --quick or "
                        "--only run writes extract-quick*.json / extract-<parts>.json)")
    p.add_argument("--memory-child", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--scaling-child", type=int, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.scaling_child is not None:
        scaling_child(args.scaling_child, args.jobs, args.source, args.sample_copies, args.model,
                      args.batch_size)
        return 0

    if args.memory_child is not None:
        memory_child(args.memory_child, args.source, args.sample_copies, args.model, args.batch_size)
        return 0

    if args.quick:
        args.sample_copies = min(args.sample_copies, 6)
        args.repeats = 1
        args.scaling_articles = 12
        args.memory_sizes = "8,24"
        args.batch_size = min(args.batch_size, 4)
    memory_sizes = [int(x) for x in args.memory_sizes.split(",")]
    parts = {x.strip() for x in args.only.split(",")}
    if not parts <= {"speed", "scaling", "memory"}:
        p.error(f"--only: unknown part in {args.only!r}")
    if args.jobs < 2 and args.scaling_child is None:
        p.error("--jobs: the number of workers compared with jobs=1, at least 2")
    # A smoke run or a partial run never overwrites the full results.
    stem = "extract" + ("-quick" if args.quick else "")
    if parts != {"speed", "scaling", "memory"}:
        stem += "-" + "-".join(sorted(parts))
    out = args.out or RESULTS / f"{stem}.json"

    texts, described = load_texts(args.source, args.sample_copies)
    speed_texts = texts[:6] if args.quick else texts
    res = {"quick": args.quick, "texts": described, "environment": environment(args.model),
           "batch_size": args.batch_size, "repeats": args.repeats,
           "aggregate": "best (fastest) repeat; median alongside",
           "targets": {"b_over_a_min": TARGET_EXTRACT_VS_PIPE, "speedup_min": TARGET_SCALING,
                       "memory_growth_max": TARGET_MEMORY_GROWTH}}
    print(f"texts: {described}", file=sys.stderr)
    if "speed" in parts:
        print(f"(a)-(c) on {len(speed_texts)} articles x{args.repeats} ...", file=sys.stderr)
        res["speed_articles"] = len(speed_texts)
        res["speed"] = bench_speed(speed_texts, args.model, args.batch_size, args.repeats)
    if "scaling" in parts:
        print(f"(d) {args.scaling_articles} articles, jobs 1 vs {args.jobs} x{args.repeats} ...",
              file=sys.stderr)
        res["scaling"] = bench_scaling(args.scaling_articles, args, args.jobs, args.repeats)
    if "memory" in parts:
        print(f"(e) memory, {memory_sizes} articles ...", file=sys.stderr)
        res["memory"] = bench_memory(memory_sizes, args)
    res["environment"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]

    missed = print_report(res, judged=not args.quick)
    res["missed"] = missed
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out)
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 1 if missed and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
