"""Would cutting a content's closing aside fix PolNeAR's "content too long" errors? Counts on a split.

    python benchmarks/boundary_tails.py                                  # ../shared/polnear/{train,dev}
    python benchmarks/boundary_tails.py --cache-dir /tmp/parses          # train.spacy, dev.spacy there

The error table (``error_analysis.py``) files a missed gold attribution under "content too long"
when an unmatched prediction overlaps it and covers more. Most of those predictions end with a
tail the speaker arguably did not say: an apposition ("…, the presumed favorite"), a relative or
participle clause set off by a comma ("…, which …", "…, arguing that …"), a coordinated verb
("… and suggested that …"), or, after a verb's object, when and where it was said ("attacked X
in early-morning tweets"). This script asks how the gold treats *every* such tail, not only the
ones that went wrong: for each rule candidate (``find_candidates``, before the filter) of a verb
reading whose content ends with a tail, the content is scored against the gold with and without
the tail (Jaccard with the best-overlapping gold content, the ``claimkit evaluate`` criterion):

- ``cut``: only the shorter reading matches (>= 0.5); ``keep``: only the full one;
- ``both`` / ``neither``: the tail is too small to matter, or the candidate matches no gold.

``cut`` minus ``keep`` is what always cutting that kind of tail would gain (in matched
candidates; the filter then chooses among them). A cutting rule is also *learned* on train
(every (rule, kind, first word) seen ``--min-count`` times whose cuts outnumber keeps by
``--ratio``) and its net gain reported on train and on dev. Results go to
``benchmarks/results/boundary_tails.json`` and ``.md``; only counts and the tails' first words
(function words: "which", "and", "in") are written, no gold text.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from spacy.tokens import Doc

from claimkit.brat import BratError, load_gold_dir
from claimkit.evaluate import best_jaccard, chars
from claimkit.extract.attribution import find_candidates
from claimkit.extract.tails import find_tail
from claimkit.extract.geometry import TextGeometry
from claimkit.files import atomic_write
from claimkit.nlp import load_pipeline

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "polnear"
RESULTS = ROOT / "benchmarks" / "results"
OUTCOMES = ("cut", "keep", "both", "neither")

def outcome(full: float, short: float) -> str:
    if full >= 0.5 and short >= 0.5:
        return "both"
    if short >= 0.5:
        return "cut"
    return "keep" if full >= 0.5 else "neither"


def split_rows(gold_dir: Path, cache: Path | None) -> list[dict]:
    """One row per candidate with a tail: rule, tail kind and word, and the outcome."""
    gold = load_gold_dir(gold_dir)
    names = sorted(gold)
    nlp = load_pipeline()
    texts = [gold[n].text for n in names]
    if cache is not None and cache.exists():
        from spacy.tokens import DocBin
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if [d.text for d in docs] != texts:
            raise SystemExit(f"error: {cache}: its texts are not this split's, in name order")
    else:
        docs = list(nlp.pipe(texts, batch_size=16))
    rows = []
    for name, doc in zip(names, docs):
        rows += article_rows(gold[name], doc)
    return rows


def article_rows(gold_doc, doc: Doc) -> list[dict]:
    text = gold_doc.text
    geometry = TextGeometry(text)
    golds = [chars(text, g.content) for g in gold_doc.attributions]
    rows = []
    for att in find_candidates(doc)[0]:
        if att.cue_token is None or not att.content:
            continue
        last = att.content[-1]
        tail = find_tail(doc, last, doc[att.cue_token], att.rule, geometry)
        if tail is None:
            continue
        full = chars(text, att.content)
        short = chars(text, att.content[:-1] + [(last[0], tail.end)])
        rows.append({"rule": att.rule, "kind": tail.kind, "word": tail.word,
                     "outcome": outcome(best_jaccard(full, golds), best_jaccard(short, golds))})
    return rows


def table(rows: list[dict]) -> dict[str, dict[str, int]]:
    out: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        out[f"{r['rule']} {r['kind']}"][r["outcome"]] += 1
    return {k: {o: v[o] for o in OUTCOMES} for k, v in sorted(out.items(), key=lambda kv: -sum(kv[1].values()))}


def learn_cuts(rows: list[dict], min_count: int, ratio: float) -> set[tuple[str, str, str]]:
    """(rule, kind, word) whose tails the gold cut at least ``min_count`` times and ``ratio``
    times as often as it kept them."""
    seen: dict[tuple, Counter] = defaultdict(Counter)
    for r in rows:
        seen[(r["rule"], r["kind"], r["word"])][r["outcome"]] += 1
    return {k for k, c in seen.items() if c["cut"] >= min_count and c["cut"] >= ratio * c["keep"]}


def net_gain(rows: list[dict], cuts: set[tuple[str, str, str]]) -> dict[str, int]:
    chosen = [r for r in rows if (r["rule"], r["kind"], r["word"]) in cuts]
    won = sum(r["outcome"] == "cut" for r in chosen)
    lost = sum(r["outcome"] == "keep" for r in chosen)
    return {"cut": len(chosen), "fixed": won, "broken": lost, "net": won - lost}


def markdown(report: dict) -> str:
    lines = ["# Closing tails of content spans: does PolNeAR cut them?", "",
             "Made by `python benchmarks/boundary_tails.py` (see its docstring). Rule candidates "
             "before the filter; `cut`: only the reading without the tail matches gold "
             "(Jaccard >= 0.5), `keep`: only the full one.", ""]
    for split in ("train", "dev"):
        t = report["splits"][split]
        total = Counter()
        for counts in t["table"].values():
            total.update(counts)
        lines += [f"## {split}: {t['candidates_with_tail']} candidates end with a tail; "
                  f"cut {total['cut']}, keep {total['keep']}", "",
                  "| rule, tail | cut | keep | both | neither |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {k} | {c['cut']} | {c['keep']} | {c['both']} | {c['neither']} |"
                  for k, c in t["table"].items()]
        lines.append("")
    learned = report["learned"]
    lines += ["## A cutting rule learned on train", "",
              f"{len(learned['cuts'])} (rule, kind, first word) keys cut (seen cut >= "
              f"{learned['min_count']} times and >= {learned['ratio']}x as often as kept): "
              + ", ".join(" ".join(k) for k in learned["cuts"]), "",
              "| split | tails cut | fixed | broken | net |", "|---|---:|---:|---:|---:|"]
    for split in ("train", "dev"):
        g = learned["gain"][split]
        lines.append(f"| {split} | {g['cut']} | {g['fixed']} | {g['broken']} | {g['net']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--polnear", type=Path, default=POLNEAR, help="folder with train/ and dev/")
    ap.add_argument("--cache-dir", type=Path, default=None, help="folder with train.spacy and dev.spacy")
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--ratio", type=float, default=1.5)
    args = ap.parse_args()
    report: dict = {"splits": {}}
    rows = {}
    for split in ("train", "dev"):
        folder = args.polnear / split
        if not (folder / "text").is_dir():
            print(f"error: {folder}: no text/ folder (a PolNeAR split is expected)", file=sys.stderr)
            return 2
        cache = args.cache_dir / f"{split}.spacy" if args.cache_dir else None
        try:
            rows[split] = split_rows(folder, cache)
        except (BratError, OSError, UnicodeDecodeError) as exc:
            print(f"error: {folder}: {exc}", file=sys.stderr)
            return 2
        report["splits"][split] = {"candidates_with_tail": len(rows[split]), "table": table(rows[split])}
    cuts = learn_cuts(rows["train"], args.min_count, args.ratio)
    report["learned"] = {"min_count": args.min_count, "ratio": args.ratio, "cuts": sorted(cuts),
                         "gain": {s: net_gain(rows[s], cuts) for s in ("train", "dev")}}
    RESULTS.mkdir(parents=True, exist_ok=True)
    atomic_write(RESULTS / "boundary_tails.json", lambda f: f.write(json.dumps(report, indent=1) + "\n"))
    atomic_write(RESULTS / "boundary_tails.md", lambda f: f.write(markdown(report)))
    for split in ("train", "dev"):
        g = report["learned"]["gain"][split]
        print(f"{split}: {report['splits'][split]['candidates_with_tail']} tails; learned cutting rule: "
              f"{g['cut']} cut, {g['fixed']} fixed, {g['broken']} broken, net {g['net']:+d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
