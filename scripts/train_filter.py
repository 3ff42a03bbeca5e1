"""Train the attribution filter (claimkit/data/attribution_model.*) on PolNeAR *train* only.

Each rule candidate gets a soft label, the mean of two: its content overlaps some gold content with
Jaccard >= 0.5 (the docs/architecture.md §4 criterion), and, end to end, it also names that gold
attribution's source (the sources overlap, or neither has one). A candidate with the right content
but the wrong speaker is half right: the filter learns to prefer the reading of a sentence that
gets the speaker right too (dev end-to-end F1 0.648 -> 0.667 at an unchanged content F1; trained
on the content label alone, the filter picks readings with the right words and the wrong source).
LightGBM (cross-entropy objective, which takes labels in [0, 1]) learns which candidates to keep;
the files hold feature names and trees, no text. Tune the threshold on dev afterwards (`--threshold`):

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
    """Each candidate's features and its soft label (see the module docstring)."""
    cands, quotes = find_candidates(doc)
    text = gold_doc.text
    golds = [(chars(text, g.content), chars(text, g.source)) for g in gold_doc.attributions]
    for att in cands:
        yield features(att, doc, quotes, cands, text), soft_label(chars(text, att.content), chars(text, att.source), golds)


def soft_label(content: set[int], source: set[int], golds: list[tuple[set[int], set[int]]]) -> float:
    """0.5 for a content match (Jaccard >= 0.5), 0.5 more when that gold's source agrees too."""
    matches = [g_source for g_content, g_source in golds
               if content | g_content and 2 * len(content & g_content) >= len(content | g_content)]
    if not matches:
        return 0.0
    agrees = any((source & g_source) or (not source and not g_source) for g_source in matches)
    return 1.0 if agrees else 0.5


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
    params = dict(objective="cross_entropy", n_estimators=args.trees, learning_rate=0.05, num_leaves=31,
                  min_child_samples=10, colsample_bytree=0.5, random_state=0, n_jobs=1, deterministic=True,
                  verbose=-1)
    clf = lightgbm.LGBMRegressor(**params).fit(Xm, y)
    old = json.loads(META.read_text()) if META.exists() else {}
    threshold = args.threshold if args.threshold is not None else old.get("threshold", 0.4)
    meta = {"about": "LightGBM over rule candidates' features; trained on PolNeAR train only by "
                     "scripts/train_filter.py; threshold tuned on PolNeAR dev",
            "label": "mean of (content Jaccard >= 0.5 with a gold attribution) and (that and the "
                     "gold's source agrees): 0, 0.5 or 1, cross-entropy objective",
            "params": {k: v for k, v in params.items() if k not in ("n_jobs", "verbose")},
            "threshold": threshold, "train_candidates": len(y), "train_positives": int(sum(v > 0 for v in y)),
            "train_end_to_end": int(sum(v == 1.0 for v in y)),
            "features": [str(n) for n in vec.get_feature_names_out()]}
    META.write_text(json.dumps(meta, indent=0, sort_keys=True) + "\n")
    TREES.write_text(clf.booster_.model_to_string())
    print(f"{len(y)} candidates, {meta['train_positives']} content matches ({meta['train_end_to_end']} end to end), {len(meta['features'])} features -> {META.parent}")


if __name__ == "__main__":
    main()
