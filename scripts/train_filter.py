"""Train the attribution filter (claimkit/data/attribution_model.json) on PolNeAR *train*.

Each rule candidate is labelled positive when its content overlaps some gold content with Jaccard
>= 0.5 (the DESIGN §4 criterion). A logistic regression learns which candidates to keep; the JSON
holds its weights by feature name, nothing else (no text). Tune the threshold on dev afterwards:

    python scripts/train_filter.py ../shared/polnear/train [--cache DOCBIN]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from claimkit.brat import load_gold_dir
from claimkit.evaluate import chars
from claimkit.extract.attribution import find_candidates
from claimkit.extract.scoring import features
from claimkit.nlp import load_pipeline

OUT = Path(__file__).resolve().parents[1] / "src" / "claimkit" / "data" / "attribution_model.json"


def docs_for(gold, names, cache: Path | None):
    nlp = load_pipeline()
    if cache is not None and cache.exists():
        from spacy.tokens import DocBin
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    return list(nlp.pipe((gold[n].text for n in names), batch_size=16))


def labelled_candidates(gold_doc, doc):
    cands, quotes = find_candidates(doc)
    golds = [chars(gold_doc.text, g.content) for g in gold_doc.attributions]
    for att in cands:
        pc = chars(gold_doc.text, att.content)
        best = max((len(pc & g) / len(pc | g) for g in golds if pc | g), default=0.0)
        yield features(att, doc, quotes, cands, gold_doc.text), int(best >= 0.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("train_dir", type=Path)
    ap.add_argument("--cache", type=Path, default=None, help="DocBin of the train texts, in name order")
    ap.add_argument("--C", type=float, default=0.5)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    gold = load_gold_dir(args.train_dir)
    names = sorted(gold)
    X, y = [], []
    for name, doc in zip(names, docs_for(gold, names, args.cache)):
        for feats, label in labelled_candidates(gold[name], doc):
            X.append(feats)
            y.append(label)
    vec = DictVectorizer()
    Xm = vec.fit_transform(X)
    clf = LogisticRegression(C=args.C, max_iter=2000)
    clf.fit(Xm, y)
    weights = {name: round(float(w), 5) for name, w in zip(vec.get_feature_names_out(), clf.coef_[0])
               if abs(w) > 1e-4}
    weights["bias"] = round(weights.get("bias", 0.0) + float(clf.intercept_[0]), 5)
    old = json.loads(args.out.read_text()) if args.out.exists() else {}
    model = {"about": "logistic regression over rule candidates; trained on PolNeAR train by "
                      "scripts/train_filter.py; threshold tuned on dev",
             "C": args.C, "threshold": old.get("threshold", 0.5),
             "train_candidates": len(y), "train_positives": int(sum(y)), "weights": weights}
    args.out.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n")
    print(f"{len(y)} candidates, {sum(y)} positive, {len(weights)} weights -> {args.out}")


if __name__ == "__main__":
    main()
