"""Train the tail-cutting model (claimkit/data/boundary_model.*) on PolNeAR *train* only.

Every rule candidate whose content ends with a tail (``extract/tails.py``) is one example when the
tail decides whether it matches a gold attribution (the ``claimkit evaluate`` criterion, content
Jaccard >= 0.5 with the best-overlapping gold content): label 1 when only the content without the
tail matches, 0 when only the full content does; tails too small to matter, and candidates that
match nothing either way, teach nothing and are left out. LightGBM (binary objective) learns the
chance that the tail is not the speaker's; the files hold feature names and trees, no text.
The threshold (0.5) was chosen on PolNeAR dev (0.4 gives the same content F1 and 0.002 less
end to end; on train, 5-fold, the two are within 0.0002).

    python scripts/train_boundaries.py ../shared/polnear/train [--cache DOCBIN] [--threshold 0.5]
    python scripts/train_boundaries.py ../shared/polnear/train --cross-validate 5 [--cache DOCBIN]

``--cross-validate K`` writes no model: it scores train out of sample, each fold's articles
with a model trained on the other folds, with and without cutting (the shipped filter chooses
in both; the filter itself was trained on all of train, so its part is in sample).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from claimkit.brat import load_gold_dir
from claimkit.evaluate import best_jaccard, chars, score
from claimkit.extract.attribution import find_candidates
from claimkit.extract.geometry import TextGeometry
from claimkit.extract.scoring import FilterModel, select
from claimkit.extract.tails import MODEL_META, MODEL_TREES, cut_tails, tails_of, tail_features, without_tail

DATA = Path(__file__).resolve().parents[1] / "src" / "claimkit" / "data"
PARAMS = dict(objective="binary", n_estimators=200, learning_rate=0.05, num_leaves=15,
              min_child_samples=10, colsample_bytree=0.7, random_state=0, deterministic=True)


def tail_examples(text: str, golds: list[set[int]], doc, cands, quotes):
    """(features, label) of every candidate whose tail decides whether it matches."""
    geometry = TextGeometry(text)
    for att, tail in zip(cands, tails_of(cands, doc, geometry)):
        short = without_tail(att, tail, text) if tail is not None else None
        if short is None:
            continue
        full_j, short_j = best_jaccard(chars(text, att.content), golds), best_jaccard(chars(text, short), golds)
        if (full_j >= 0.5) != (short_j >= 0.5):
            yield tail_features(att, tail, short, doc, quotes, text), int(short_j >= 0.5)


def fit(X: list[dict], y: list[int], threshold: float):
    """The trees, and the model as the extractor reads it (feature names + threshold)."""
    import lightgbm
    from sklearn.feature_extraction import DictVectorizer

    vec = DictVectorizer()
    clf = lightgbm.LGBMClassifier(**PARAMS, n_jobs=1, verbose=-1).fit(vec.fit_transform(X).astype("float64"), y)
    names = [str(n) for n in vec.get_feature_names_out()]
    return clf, FilterModel({"threshold": threshold, "features": names}, clf.booster_)


def cross_validate(articles: list[tuple], gold, k: int, threshold: float) -> None:
    """Content / end-to-end F1 on train out of sample, with and without the learned cut."""
    folds = [articles[i::k] for i in range(k)]
    plain, cut = {}, {}
    for i, held_out in enumerate(folds):
        X, y = [], []
        for fold in folds[:i] + folds[i + 1:]:
            for name, text, golds, doc, cands, quotes in fold:
                for feats, label in tail_examples(text, golds, doc, cands, quotes):
                    X.append(feats)
                    y.append(label)
        _, model = fit(X, y, threshold)
        for name, text, golds, doc, cands, quotes in held_out:
            geometry = TextGeometry(text)
            plain[name] = [a for a, _ in select(cands, doc, quotes, text)]
            cut[name] = [a for a, _ in select(cands, doc, quotes, text, reshape=lambda kept: cut_tails(
                kept, doc, quotes, text, geometry, model))]
    for label, preds in (("without the cut", plain), (f"with the cut (threshold {threshold})", cut)):
        s = score(preds, gold)
        print(f"train, {k}-fold, {label}: content F1 {s.content.f1:.4f}, end-to-end F1 {s.end_to_end.f1:.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train_dir", type=Path)
    ap.add_argument("--cache", type=Path, default=None, help="DocBin of the train texts, in name order")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--cross-validate", type=int, default=0, metavar="K")
    args = ap.parse_args()
    from train_filter import docs_for  # the same parse cache as the filter's training

    gold = load_gold_dir(args.train_dir)
    names = sorted(gold)
    articles = []
    for name, doc in zip(names, docs_for(gold, names, args.cache)):
        text = gold[name].text
        cands, quotes = find_candidates(doc, text=text)
        articles.append((name, text, [chars(text, g.content) for g in gold[name].attributions], doc, cands, quotes))
    if args.cross_validate:
        cross_validate(articles, gold, args.cross_validate, args.threshold)
        return
    X, y = [], []
    for name, text, golds, doc, cands, quotes in articles:
        for feats, label in tail_examples(text, golds, doc, cands, quotes):
            X.append(feats)
            y.append(label)
    clf, model = fit(X, y, args.threshold)
    meta = {"about": "LightGBM over the tails of rule candidates' contents (extract/tails.py); trained on "
                     "PolNeAR train only by scripts/train_boundaries.py; threshold chosen on PolNeAR dev",
            "label": "1 when only the content without its tail matches a gold content (Jaccard >= 0.5), "
                     "0 when only the full content does",
            "params": PARAMS, "threshold": args.threshold, "train_examples": len(y),
            "train_cut": int(sum(y)), "features": model.names}
    (DATA / MODEL_META).write_text(json.dumps(meta, indent=0, sort_keys=True) + "\n")
    (DATA / MODEL_TREES).write_text(clf.booster_.model_to_string())
    print(f"{len(y)} tails ({meta['train_cut']} cut), {len(meta['features'])} features -> {DATA}")


if __name__ == "__main__":
    main()
