"""Train the tail-cutting model (claimkit/data/boundary_model.*) on PolNeAR *train* only.

Every rule candidate whose content ends with a tail (``extract/tails.py``) is one example when the
tail decides whether it matches a gold attribution (the ``claimkit evaluate`` criterion, content
Jaccard >= 0.5 with the best-overlapping gold content): label 1 when only the content without the
tail matches, 0 when only the full content does; tails too small to matter, and candidates that
match nothing either way, teach nothing and are left out. LightGBM (binary objective) learns the
chance that the tail is not the speaker's; the files hold feature names and trees, no text.
The threshold (0.5) was chosen on PolNeAR dev; 5-fold cross-validation on train agrees:

    python scripts/train_boundaries.py ../shared/polnear/train [--cache DOCBIN] [--threshold 0.5]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from claimkit.brat import load_gold_dir
from claimkit.evaluate import best_jaccard, chars
from claimkit.extract.attribution import find_candidates
from claimkit.extract.geometry import TextGeometry
from claimkit.extract.tails import MODEL_META, MODEL_TREES, tails_of, tail_features, without_tail

DATA = Path(__file__).resolve().parents[1] / "src" / "claimkit" / "data"
PARAMS = dict(objective="binary", n_estimators=200, learning_rate=0.05, num_leaves=15,
              min_child_samples=10, colsample_bytree=0.7, random_state=0, deterministic=True)


def tail_examples(gold_doc, doc):
    """(features, label) of every candidate whose tail decides whether it matches."""
    text = gold_doc.text
    geometry = TextGeometry(text)
    golds = [chars(text, g.content) for g in gold_doc.attributions]
    cands, quotes = find_candidates(doc, text=text)
    for att, tail in zip(cands, tails_of(cands, doc, geometry)):
        short = without_tail(att, tail, text) if tail is not None else None
        if short is None:
            continue
        full_j, short_j = best_jaccard(chars(text, att.content), golds), best_jaccard(chars(text, short), golds)
        if (full_j >= 0.5) != (short_j >= 0.5):
            yield tail_features(att, tail, short, doc, quotes, text), int(short_j >= 0.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train_dir", type=Path)
    ap.add_argument("--cache", type=Path, default=None, help="DocBin of the train texts, in name order")
    ap.add_argument("--threshold", type=float, default=0.5)
    args = ap.parse_args()
    import lightgbm
    from sklearn.feature_extraction import DictVectorizer

    from train_filter import docs_for  # the same parse cache as the filter's training

    gold = load_gold_dir(args.train_dir)
    names = sorted(gold)
    X, y = [], []
    for name, doc in zip(names, docs_for(gold, names, args.cache)):
        for feats, label in tail_examples(gold[name], doc):
            X.append(feats)
            y.append(label)
    vec = DictVectorizer()
    Xm = vec.fit_transform(X).astype("float64")
    clf = lightgbm.LGBMClassifier(**PARAMS, n_jobs=1, verbose=-1).fit(Xm, y)
    meta = {"about": "LightGBM over the tails of rule candidates' contents (extract/tails.py); trained on "
                     "PolNeAR train only by scripts/train_boundaries.py; threshold chosen on PolNeAR dev",
            "label": "1 when only the content without its tail matches a gold content (Jaccard >= 0.5), "
                     "0 when only the full content does",
            "params": PARAMS, "threshold": args.threshold, "train_examples": len(y),
            "train_cut": int(sum(y)), "features": [str(n) for n in vec.get_feature_names_out()]}
    (DATA / MODEL_META).write_text(json.dumps(meta, indent=0, sort_keys=True) + "\n")
    (DATA / MODEL_TREES).write_text(clf.booster_.model_to_string())
    print(f"{len(y)} tails ({meta['train_cut']} cut), {len(meta['features'])} features -> {DATA}")


if __name__ == "__main__":
    main()
