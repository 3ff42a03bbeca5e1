"""What a stricter keep-threshold for some readings buys on real pages and costs on PolNeAR.

    python benchmarks/reading_thresholds.py [--dev-cache DEV.spacy] [--train-cache TRAIN.spacy]

For each profile (``ExtractionSettings.reading_thresholds``: a higher threshold for the object,
preposition and infinitive readings), the precision of attributed claims on the hand-judged
news pages (``bench_web_pages.py``: samples A and B, and how many real attributions are lost)
and content / end-to-end F1 on PolNeAR dev and train (``claimkit.evaluate.score``; parses from
the DocBin caches when given, as ``error_analysis.py`` writes them). Results go to stdout and
benchmarks/results/reading_thresholds.json.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from bench_web_pages import PAGES, cached_pages, find_verdict, read_judgments, verdict_now
from error_analysis import parsed_docs

from claimkit.brat import load_gold_dir
from claimkit.evaluate import score
from claimkit.extract import extract_docs
from claimkit.extract.settings import DEFAULTS, ExtractionSettings
from claimkit.ingest import read_articles
from claimkit.model import Article, article_id_for
from claimkit.nlp import load_pipeline

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "polnear"
OUT = ROOT / "benchmarks" / "results" / "reading_thresholds.json"
READINGS = ("verb-object", "verb-prep", "verb-xcomp")
PROFILES = ((0.0, 0.0, 0.0), (0.45, 0.45, 0.45), (0.5, 0.5, 0.5), (0.6, 0.6, 0.6), (0.6, 0.7, 0.6))


def profile(thresholds: tuple[float, ...]) -> ExtractionSettings:
    return replace(DEFAULTS, reading_thresholds=tuple((r, t) for r, t in zip(READINGS, thresholds) if t))


def web_precision(settings: ExtractionSettings, pages: Path) -> dict:
    judged, horizon = read_judgments()
    nlp = load_pipeline()
    articles = [a for a in read_articles([pages / f"{p}.html" for p in PAGES]) if hasattr(a, "text")]
    counts = {"A": {"real": 0, "N": 0}, "B": {"real": 0, "N": 0}}
    made = set()
    for article, doc in zip(articles, nlp.pipe([a.text for a in articles])):
        page = Path(article.path).name
        for claim in extract_docs(article, doc, settings):
            if claim.kind == "assertion":
                continue
            key, judgment = find_verdict(judged, page, claim)
            if judgment is None:
                continue
            made.add(key)
            counts[judgment[2]]["N" if verdict_now(judgment, claim) == "N" else "real"] += 1
    lost = sum(1 for key, (v, _, _) in judged.items() if key not in made and v != "N"
               and key[2] <= horizon[key[0]])
    return {s: round(c["real"] / max(1, c["real"] + c["N"]), 3) for s, c in counts.items()} | {"real_lost": lost}


def polnear(settings: ExtractionSettings, split: str, docs: list) -> dict:
    gold = load_gold_dir(POLNEAR / split)
    names = sorted(gold)
    preds = {n: extract_docs(Article(article_id=article_id_for(gold[n].text), text=gold[n].text), d, settings)
             for n, d in zip(names, docs)}
    result = score(preds, {n: gold[n] for n in names})
    return {"content_f1": round(result.content.f1, 4), "end_to_end_f1": round(result.end_to_end.f1, 4)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev-cache", type=Path, default=None)
    ap.add_argument("--train-cache", type=Path, default=None)
    args = ap.parse_args()
    pages = cached_pages()
    caches = {"dev": args.dev_cache, "train": args.train_cache}
    docs = {}
    if POLNEAR.is_dir():
        for split in ("dev", "train"):
            gold = load_gold_dir(POLNEAR / split)
            docs[split] = parsed_docs([gold[n].text for n in sorted(gold)], caches[split])
    rows = []
    for thresholds in PROFILES:
        settings = profile(thresholds)
        row = {"thresholds": dict(zip(READINGS, thresholds)), "web": web_precision(settings, pages)}
        for split, split_docs in docs.items():
            row[split] = polnear(settings, split, split_docs)
        print(json.dumps(row), flush=True)
        rows.append(row)
    OUT.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
