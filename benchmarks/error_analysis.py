"""Where extraction goes wrong on PolNeAR: errors bucketed by cause, as a JSON and a Markdown table.

    python benchmarks/error_analysis.py                       # ../shared/polnear/dev
    python benchmarks/error_analysis.py ../shared/polnear/train --name train
    python benchmarks/error_analysis.py --cache dev.spacy     # parses saved as a DocBin, in name order

Extraction runs on every gold text (``extract_docs`` on the pipeline's parse); predictions are
matched to gold with ``claimkit.evaluate.score`` (the one matching code: content Jaccard >= 0.5,
one-to-one, best first; end-to-end also needs the sources to agree). Every error then falls in
exactly one bucket:

- **missed**: a gold attribution no prediction matched and no unmatched prediction overlaps;
  split by the cue class of its gold cue (``cue_classes.tsv``; "according to" its own class);
- **boundary**: a gold attribution missed while an unmatched prediction overlaps its content:
  ``content too long`` (the prediction covers more characters than the gold) or ``too short``;
  the prediction is counted here and not again as a false attribution;
- **wrong source**: content matched, source disagrees: ``no source predicted``, ``source
  predicted, gold has none`` or ``other source``;
- **false attribution**: a prediction overlapping no gold content, by the rule that proposed it
  (with its most frequent cue lemmas).

Per-rule precision (predictions and content matches by rule) is reported beside the buckets.
Results go to ``benchmarks/results/error_analysis_<name>.json`` and ``.md``. Gold texts are read at
run time; nothing of them is written out but counts and cue lemmas.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from claimkit.brat import BratError, GoldAttribution, load_gold_dir
from claimkit.evaluate import ArticleResult, chars, score
from claimkit.extract import cues, extract_docs
from claimkit.files import atomic_write
from claimkit.model import Article, article_id_for
from claimkit.nlp import load_pipeline

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = ROOT.parent / "shared" / "polnear" / "dev"
RESULTS = ROOT / "benchmarks" / "results"
TOP_LEMMAS = 8


def parsed_docs(texts: list[str], cache: Path | None) -> list:
    """The pipeline's parses, from a DocBin cache when given (and written there when missing)."""
    from spacy.tokens import DocBin

    nlp = load_pipeline()
    if cache is not None and cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if [d.text for d in docs] != texts:
            sys.exit(f"error: {cache}: its texts are not this split's, in name order")
        return docs
    docs = list(nlp.pipe(texts, batch_size=16))
    if cache is not None:
        DocBin(docs=docs, store_user_data=True).to_disk(cache)
    return docs


def gold_cue_lemma(doc, gold: GoldAttribution) -> str:
    """The lemma heading a gold cue: its last verb or noun ("has repeatedly said" -> say)."""
    text = " ".join(doc.text[s:e] for s, e in gold.cue).lower()
    if "according to" in text:
        return "according to"
    toks = [t for s, e in gold.cue for t in (doc.char_span(s, e, alignment_mode="expand") or [])]
    heads = [t for t in toks if t.pos_ in ("VERB", "NOUN", "PROPN")] or [t for t in toks if not t.is_punct]
    return heads[-1].lemma_.lower() if heads else "(none)"


def cue_class_of(lemma: str) -> str:
    return "according to" if lemma == "according to" else cues.cue_class(lemma)


def bucket_article(result: ArticleResult, doc, out: dict[str, Counter], lemmas: dict[str, Counter]) -> None:
    """Add one article's errors to the buckets (see the module docstring)."""
    text = result.text
    gold_chars = [chars(text, g.content) for g in result.gold]
    pred_chars = [chars(text, p.content) for p in result.predicted]
    spurious = set(result.spurious)
    blamed: set[int] = set()
    for gi in result.missed:
        gc = gold_chars[gi]
        near = [pi for pi in spurious if gc & pred_chars[pi]]
        if near:
            pi = max(near, key=lambda j: len(gc & pred_chars[j]))
            blamed.add(pi)
            side = "content too long" if len(pred_chars[pi]) > len(gc) else "content too short"
            out["boundary"][side] += 1
            lemmas[f"boundary: {side}"][getattr(result.predicted[pi], "rule", "")] += 1
        else:
            lemma = gold_cue_lemma(doc, result.gold[gi])
            cls = cue_class_of(lemma)
            out["missed (by cue class)"][cls] += 1
            lemmas[f"missed: {cls}"][lemma] += 1
    for m in result.matches:
        if m.source_ok:
            continue
        g, p = result.gold[m.gold], result.predicted[m.pred]
        kind = ("no source predicted" if not p.source else
                "source predicted, gold has none" if not g.source else "other source")
        out["wrong source"][kind] += 1
        lemmas[f"wrong source: {kind}"][p.rule] += 1
    for pi in spurious - blamed:
        p = result.predicted[pi]
        out["false attribution (by rule)"][p.rule] += 1
        lemmas[f"false attribution: {p.rule}"][p.cue_lemma] += 1


def per_rule(results: list[ArticleResult]) -> dict[str, dict[str, float]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in results:
        hits = {m.pred: m.source_ok for m in r.matches}
        for pi, p in enumerate(r.predicted):
            c = counts[p.rule]
            c[0] += 1
            c[1] += pi in hits
            c[2] += hits.get(pi, False)
    return {rule: {"predicted": n, "content_tp": tp, "end_to_end_tp": e2e,
                   "content_precision": round(tp / n, 3) if n else 0.0}
            for rule, (n, tp, e2e) in sorted(counts.items(), key=lambda kv: -kv[1][0])}


def markdown(report: dict) -> str:
    lines = [f"# Error analysis: PolNeAR {report['split']} (extractor {report['extractor_version']})", "",
             f"content F1 {report['scores']['content']['f1']:.3f}, end-to-end F1 "
             f"{report['scores']['end_to_end']['f1']:.3f}; {report['scores']['content']['gold']} gold, "
             f"{report['scores']['content']['predicted']} predicted", "",
             "| bucket | kind | count | top rules / cue lemmas |", "|---|---|---:|---|"]
    for row in report["top"]:
        lines.append(f"| {row['bucket']} | {row['kind']} | {row['count']} | {row['examples']} |")
    lines += ["", "| rule | predicted | content TP | end-to-end TP | content precision |",
              "|---|---:|---:|---:|---:|"]
    for rule, r in report["per_rule"].items():
        lines.append(f"| {rule} | {r['predicted']} | {r['content_tp']} | {r['end_to_end_tp']} | "
                     f"{r['content_precision']:.3f} |")
    return "\n".join(lines) + "\n"


def analyse(gold_dir: Path, cache: Path | None) -> tuple[dict, list]:
    from claimkit.model import EXTRACTOR_VERSION

    gold = load_gold_dir(gold_dir)
    names = sorted(gold)
    docs = parsed_docs([gold[n].text for n in names], cache)
    predictions = {}
    for name, doc in zip(names, docs):
        text = gold[name].text
        predictions[name] = extract_docs(Article(article_id=article_id_for(text), text=text), doc)
    scores = score(predictions, gold)
    buckets: dict[str, Counter] = defaultdict(Counter)
    lemmas: dict[str, Counter] = defaultdict(Counter)
    for name, doc in zip(names, docs):
        bucket_article(scores.per_article[name], doc, buckets, lemmas)
    rows = []
    for bucket, kinds in buckets.items():
        for kind, n in kinds.items():
            key = {"missed (by cue class)": "missed", "boundary": "boundary", "wrong source": "wrong source",
                   "false attribution (by rule)": "false attribution"}[bucket]
            top = lemmas[f"{key}: {kind}"].most_common(TOP_LEMMAS)
            rows.append({"bucket": bucket, "kind": kind, "count": n,
                         "examples": ", ".join(f"{w or '-'} {c}" for w, c in top)})
    rows.sort(key=lambda r: -r["count"])
    report = {"split": gold_dir.name, "extractor_version": EXTRACTOR_VERSION,
              "scores": scores.to_dict(), "top": rows,
              "per_rule": per_rule(list(scores.per_article.values()))}
    return report, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold_dir", type=Path, nargs="?", default=DEFAULT_GOLD)
    ap.add_argument("--name", default=None, help="results file suffix (default: the folder's name)")
    ap.add_argument("--cache", type=Path, default=None, help="DocBin of the split's parses, in name order")
    ap.add_argument("--top", type=int, default=12, help="buckets printed to stdout")
    args = ap.parse_args()
    if not (args.gold_dir / "text").is_dir():
        print(f"error: {args.gold_dir}: no text/ folder (a PolNeAR split is expected)", file=sys.stderr)
        return 2
    try:
        report, rows = analyse(args.gold_dir, args.cache)
    except (BratError, OSError, UnicodeDecodeError) as exc:
        print(f"error: {args.gold_dir}: {exc}", file=sys.stderr)
        return 2
    name = args.name or args.gold_dir.name
    RESULTS.mkdir(parents=True, exist_ok=True)
    atomic_write(RESULTS / f"error_analysis_{name}.json", lambda f: f.write(json.dumps(report, indent=1) + "\n"))
    atomic_write(RESULTS / f"error_analysis_{name}.md", lambda f: f.write(markdown(report)))
    s = report["scores"]
    print(f"content F1 {s['content']['f1']:.3f} (P {s['content']['precision']:.3f} R {s['content']['recall']:.3f}), "
          f"end-to-end F1 {s['end_to_end']['f1']:.3f}")
    for row in rows[:args.top]:
        print(f"{row['count']:>6}  {row['bucket']}: {row['kind']}  [{row['examples']}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
