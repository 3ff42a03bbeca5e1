"""Ingest figures: what boilerplate marking costs in gold attributions, and HTML reading speed.

See docs/architecture.md §2. Reproduce with:

    python benchmarks/bench_ingest.py [--out FILE] [--repeats N]

1. **Boilerplate against PolNeAR gold** (``../shared/polnear/{dev,train}``, read at run time,
   never stored): for each split, how many lines of the texts are marked as boilerplate, and how
   many gold attributions have a source, cue or content span touching a marked line (an
   attribution the extractor can no longer find). Skipped when ../shared is absent.
2. **HTML speed**: milliseconds per page to read the invented pages of tests/fixtures/ingest
   with ``read_articles`` (trafilatura + claimkit's own JSON-LD, date and boilerplate-block
   passes), against ``trafilatura.bare_extraction`` alone on the same pages; best of N repeats.

Only public names are used, so the same script measures another checkout:
``PYTHONPATH=/path/to/other/src python benchmarks/bench_ingest.py --out /tmp/other.json``.
Results go to stdout and benchmarks/results/ingest.json.
"""
from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "polnear"
PAGES = sorted((ROOT / "tests" / "fixtures" / "ingest").glob("*.html"))
OUT = ROOT / "benchmarks" / "results" / "ingest.json"


def gold_against_boilerplate(split: str) -> dict:
    from claimkit.brat import load_gold_dir
    from claimkit.ingest import read_text_file

    docs = load_gold_dir(POLNEAR / split)
    marked_lines = touched = total = 0
    for doc in docs.values():
        article = read_text_file(doc.path, on_problem=lambda _problem: None)
        assert article.text == doc.text  # offsets of gold and of claimkit are the same text's
        marked_lines += len(article.boilerplate)
        for att in doc.attributions:
            total += 1
            spans = att.source + att.cue + att.content
            if any(s < be and bs < e for s, e in spans for bs, be in article.boilerplate):
                touched += 1
    return {"texts": len(docs), "marked_lines": marked_lines, "gold_attributions": total,
            "gold_attributions_touching_boilerplate": touched}


def html_speed(repeats: int) -> dict:
    import trafilatura

    from claimkit.ingest import read_articles

    markup = [p.read_text(encoding="utf-8") for p in PAGES]
    list(read_articles(PAGES))  # warm up: imports, data files

    def best(run) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        return min(times) / len(PAGES) * 1000

    claimkit_ms = best(lambda: list(read_articles(PAGES)))
    trafilatura_ms = best(lambda: [trafilatura.bare_extraction(m, with_metadata=True,
                                                               include_comments=False)
                                   for m in markup])
    return {"pages": [p.name for p in PAGES], "repeats": repeats,
            "read_articles_ms_per_page": round(claimkit_ms, 2),
            "trafilatura_alone_ms_per_page": round(trafilatura_ms, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    import claimkit.ingest

    result: dict = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "machine": platform.platform(), "ingest_module": claimkit.ingest.__file__}
    if POLNEAR.is_dir():
        result["polnear"] = {split: gold_against_boilerplate(split) for split in ("dev", "train")}
    result["html"] = html_speed(args.repeats)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
