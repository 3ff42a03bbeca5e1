"""Corpus scale: files -> claims -> store with each engine, against the bare parse.

See docs/architecture.md §5.

    python benchmarks/bench_scale.py                    # 100 and 1,000 articles (~20 min, 2 cores)
    python benchmarks/bench_scale.py --sizes 5000       # ~75 min on 2 cores
    python benchmarks/bench_scale.py --sizes 20         # a smoke run (written to scale-smoke.json)

Texts: the PolNeAR train and dev texts (../shared/polnear, read at run time), written to a
temporary folder outside the repository and deleted afterwards; without them, the bundled sample
article. Texts are cycled when a size needs more than there are, and every article ends with a
marker line of its own ("Filed as ref000123x0 ...", ``bench_extract.cycle_articles``), so a
repeated text is a distinct article with its own id, bringing new words as real coverage does.

For each size, one after the other, each in a fresh process:

  pipe     bare ``nlp.pipe`` over the same texts in one process: the floor of the cost
  local-1  ``extract_into_store(jobs=1)`` into a new SQLite store
  local-2  ``extract_into_store(jobs=2)``
  dask-2   ``extract_into_store(engine="dask")`` on ``engines.dask.local_cluster(2)``

Times are wall-clock from the call to the last article stored, so they include reading the
files, starting the pool or cluster and loading spaCy in every process: what a user waits for.
``ratio_to_pipe`` is articles/s over the bare parse's articles/s (2 processes can reach ~2);
``per_process`` divides it by the number of parsing processes. Peak memory is the largest RSS
of each process (the client, each worker), sampled every 0.2 s with psutil; RSS counts pages
shared with the parent, so workers look bigger than what they add. One run per figure: the
machine's load average is recorded with each, and the three stores are checked to hold the same
claims. Results are merged by size into benchmarks/results/scale.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_extract import RESULTS, ROOT, cycle_articles, environment, load_texts  # noqa: E402

CONFIGS = ("pipe", "local-1", "local-2", "dask-2")
PROCESSES = {"pipe": 1, "local-1": 1, "local-2": 2, "dask-2": 2}  # processes that parse


# --- corpus -----------------------------------------------------------------------------------

def write_corpus(folder: Path, n: int, source: str) -> str:
    """``n`` article files in ``folder``; returns where the texts came from."""
    texts, described = load_texts(source, sample_copies=1, splits=("train", "dev"))
    folder.mkdir(parents=True)
    for i, article in enumerate(cycle_articles(texts, n, unique=True)):
        (folder / f"{i:06d}.txt").write_text(article.text, encoding="utf-8")
    return f"{described}, cycled to {n}, each with its own marker line"


# --- memory -----------------------------------------------------------------------------------

class PeakRSS:
    """Samples the RSS of this process and its descendants in a thread; keeps each one's peak."""

    def __init__(self, interval: float = 0.2) -> None:
        self.me = psutil.Process()
        self.peaks: dict[int, int] = {}
        self.roles: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def _sample(self) -> None:
        for proc in [self.me, *self.me.children(recursive=True)]:
            try:
                rss = proc.memory_info().rss
                if proc.pid not in self.roles:
                    self.roles[proc.pid] = self._role(proc)
            except psutil.Error:  # it ended between listing and reading
                continue
            self.peaks[proc.pid] = max(rss, self.peaks.get(proc.pid, 0))

    def _role(self, proc: psutil.Process) -> str:
        if proc.pid == self.me.pid:
            return "client"
        command = " ".join(proc.cmdline())
        if proc.ppid() == self.me.pid and "forkserver" in command:
            return "forkserver"  # the local engine's workers are its children
        if "resource_tracker" in command:
            return "resource_tracker"
        return "worker"  # a pool worker (forked by the forkserver) or a Dask worker (spawned)

    def report(self) -> dict:
        mb = {pid: round(rss / 2**20, 1) for pid, rss in self.peaks.items()}
        by_role: dict[str, list[float]] = {}
        for pid, role in self.roles.items():
            by_role.setdefault(role, []).append(mb[pid])
        return {"client_mb": by_role.get("client", [0])[0],
                "workers_mb": sorted(by_role.get("worker", []), reverse=True),
                "other_mb": {r: v for r, v in by_role.items() if r not in ("client", "worker")}}


# --- one configuration, in a fresh process ----------------------------------------------------

def run_config(config: str, folder: Path, store_path: Path, model: str | None) -> dict:
    from claimkit.ingest import read_articles
    from claimkit.load import extract_into_store
    from claimkit.nlp import load_pipeline
    from claimkit.store import open_store

    with PeakRSS() as memory:
        start = time.perf_counter()
        if config == "pipe":
            nlp = load_pipeline(model)
            articles = claims = 0
            for _ in nlp.pipe((a.text for a in read_articles([str(folder)])), batch_size=16):
                articles += 1
        else:
            with open_store(store_path) as store:
                if config == "dask-2":
                    result = _extract_on_dask(store, folder, model)
                else:
                    result = extract_into_store(store, [str(folder)], model=model,
                                                jobs=int(config.split("-")[1]))
            articles, claims = result.added.articles, result.added.claims_added
            if result.problems:
                raise SystemExit(f"{config}: {len(result.problems)} problems, e.g. {result.problems[0]}")
        seconds = time.perf_counter() - start
    return {"articles": articles, "claims": claims, "seconds": round(seconds, 2),
            "articles_per_s": round(articles / seconds, 3), **memory.report(),
            "loadavg_end": [round(x, 2) for x in os.getloadavg()]}


def _extract_on_dask(store, folder: Path, model: str | None):
    from distributed import Client

    from claimkit.engines.dask import local_cluster
    from claimkit.load import extract_into_store

    with local_cluster(2) as cluster, Client(cluster, set_as_default=False) as client:
        return extract_into_store(store, [str(folder)], model=model, engine="dask",
                                  scheduler=client)


def in_child(config: str, folder: Path, store_path: Path, model: str | None) -> dict:
    cmd = [sys.executable, __file__, "--child", config, "--folder", str(folder),
           "--store", str(store_path)]
    if model:
        cmd += ["--model", model]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [
        str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{config} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- one size ---------------------------------------------------------------------------------

def bench_size(n: int, source: str, model: str | None, work: Path) -> dict:
    folder = work / f"corpus-{n}"
    described = write_corpus(folder, n, source)
    runs = {}
    for config in CONFIGS:
        print(f"  {n} articles: {config} ...", file=sys.stderr, flush=True)
        runs[config] = in_child(config, folder, work / f"{config}-{n}.db", model)
    pipe_rate = runs["pipe"]["articles_per_s"]
    for config in CONFIGS:
        run = runs[config]
        run["ratio_to_pipe"] = round(run["articles_per_s"] / pipe_rate, 3)
        run["per_process"] = round(run["ratio_to_pipe"] / PROCESSES[config], 3)
    return {"texts": described, "same_claims_in_every_store": same_claims(work, n),
            "runs": runs}


def same_claims(work: Path, n: int) -> bool:
    from claimkit.store import open_store

    found = []
    for config in CONFIGS[1:]:
        with open_store(work / f"{config}-{n}.db") as store:
            frame = store.claims()
            found.append(sorted(zip(frame["article_id"], frame["claim_id"])))
    return all(f == found[0] for f in found)


# --- report -----------------------------------------------------------------------------------

def print_table(results: dict) -> None:
    print(f"\n{'articles':>8} {'engine':8} {'seconds':>8} {'art/s':>7} {'x pipe':>7} "
          f"{'per proc':>8} {'client MB':>9} {'workers MB':>16} {'load at end':>12}")
    for size, res in sorted(results["sizes"].items(), key=lambda kv: int(kv[0])):
        for config, r in res["runs"].items():
            workers = "/".join(f"{w:.0f}" for w in r["workers_mb"]) or "-"
            print(f"{size:>8} {config:8} {r['seconds']:8.1f} {r['articles_per_s']:7.2f} "
                  f"{r['ratio_to_pipe']:7.2f} {r['per_process']:8.2f} {r['client_mb']:9.0f} "
                  f"{workers:>16} {r['loadavg_end'][0]:12.2f}")


def estimate_seconds(results: dict, n: int) -> float | None:
    """Time for a run of ``n`` articles, from the largest size measured (rates hold flat)."""
    if not results["sizes"]:
        return None
    largest = max(results["sizes"].values(), key=lambda r: r["runs"]["pipe"]["articles"])
    return sum(n / r["articles_per_s"] for r in largest["runs"].values())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100,1000",
                   help="comma-separated corpus sizes in articles (default 100,1000)")
    p.add_argument("--source", choices=["auto", "polnear", "sample"], default="auto",
                   help="auto: PolNeAR train+dev texts when present, else the bundled sample")
    p.add_argument("--model", default=None)
    p.add_argument("--out", type=Path, default=None,
                   help="JSON results, merged by size (default benchmarks/results/scale.json; "
                        "sizes under 100 go to scale-smoke.json)")
    p.add_argument("--child", choices=CONFIGS, help=argparse.SUPPRESS)
    p.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.child:
        print(json.dumps(run_config(args.child, args.folder, args.store, args.model)))
        return 0

    try:
        sizes = [int(x) for x in args.sizes.split(",")]
    except ValueError:
        p.error(f"--sizes: expected numbers like 100,1000, got {args.sizes!r}")
    if any(n < 1 for n in sizes):
        p.error("--sizes: every size must be at least 1")
    out = args.out or RESULTS / ("scale-smoke.json" if max(sizes) < 100 else "scale.json")
    results = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {"sizes": {}}
    results["method"] = "see the docstring of benchmarks/bench_scale.py"

    work = Path(tempfile.mkdtemp(prefix="claimkit-bench-scale-"))  # never inside the repo
    try:
        for n in sizes:
            print(f"{n} articles ...", file=sys.stderr, flush=True)
            started = environment(args.model)
            res = bench_size(n, args.source, args.model, work)
            started["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
            results["sizes"][str(n)] = {"environment": started, **res}
            _write(out, results)  # after each size, so a long run keeps what it measured
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print_table(results)
    estimate = estimate_seconds(results, 5000)
    if estimate:
        print(f"\nestimated time of --sizes 5000 at these rates: {estimate / 60:.0f} minutes")
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0 if all(r["same_claims_in_every_store"] for r in results["sizes"].values()) else 1


def _write(out: Path, results: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out)


if __name__ == "__main__":
    sys.exit(main())
