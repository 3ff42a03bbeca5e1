"""Train the attribution filter (claimkit/data/attribution_model.*) on PolNeAR *train* only.

Each rule candidate is labelled positive when its content overlaps some gold content with Jaccard
>= 0.5 (the docs/architecture.md §4 criterion). LightGBM learns which candidates to keep; the files hold feature
names and trees, no text. Tune the threshold on dev afterwards (`--threshold`):

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

DATA = Path(__file__).resolve().parents[1] / "src" / "claimkit" / "data"
META = DATA / "attribution_model.json"
TREES = DATA / "attribution_model.lgb.txt"


def docs_for(gold, names, cache: Path | None):
    nlp = load_pipeline()
    if cache is not None and cache.exists():
        from spacy.tokens import DocBin
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    docs = list(nlp.pipe((gold[n].text for n in names), batch_size=16))
    if cache is not None:  # parsing train takes minutes: keep it for the next run
        from spacy.tokens import DocBin
        DocBin(docs=docs, store_user_data=True).to_disk(cache)
    return docs


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
    ap.add_argument("--trees", type=int, default=500)
    ap.add_argument("--threshold", type=float, default=None, help="keep the current one if omitted")
    args = ap.parse_args()
    import lightgbm
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer

    gold = load_gold_dir(args.train_dir)
    names = sorted(gold)
    X, y = [], []
    for name, doc in zip(names, docs_for(gold, names, args.cache)):
        for feats, label in labelled_candidates(gold[name], doc):
            X.append(feats)
            y.append(label)
    vec = DictVectorizer()
    Xm = vec.fit_transform(X).astype(np.float64)
    params = dict(n_estimators=args.trees, learning_rate=0.05, num_leaves=31, min_child_samples=10,
                  colsample_bytree=0.5, random_state=0, n_jobs=1, deterministic=True, verbose=-1)
    clf = lightgbm.LGBMClassifier(**params).fit(Xm, y)
    old = json.loads(META.read_text()) if META.exists() else {}
    threshold = args.threshold if args.threshold is not None else old.get("threshold", 0.4)
    meta = {"about": "LightGBM over rule candidates' features; trained on PolNeAR train only by "
                     "scripts/train_filter.py; threshold tuned on PolNeAR dev",
            "params": {k: v for k, v in params.items() if k not in ("n_jobs", "verbose")},
            "threshold": threshold, "train_candidates": len(y), "train_positives": int(sum(y)),
            "features": [str(n) for n in vec.get_feature_names_out()]}
    META.write_text(json.dumps(meta, indent=0, sort_keys=True) + "\n")
    TREES.write_text(clf.booster_.model_to_string())
    print(f"{len(y)} candidates, {sum(y)} positive, {len(meta['features'])} features -> {META.parent}")


if __name__ == "__main__":
    main()
