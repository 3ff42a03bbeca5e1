"""Check-worthiness figures: the old regex score against the learned model, on ClaimBuster dev.

See docs/architecture.md §4. Reproduces every figure of the README's table:

    python benchmarks/bench_checkworthiness.py [--cache DIR]

- on ClaimBuster *dev*: ROC-AUC, average precision, best F1 and F1 at the shipped threshold of
  (1) claimkit 0.2.0's hand-weighted regex score (benchmarks/checkworthiness_regex_0.2.json, kept
  here only for this comparison; its threshold was assertion_min_score 0.45), (2) a plain TF-IDF
  bigram logistic regression (scikit-learn, the issue's reference point), (3) the shipped model
  (data/checkworthiness_model.json, scored by the runtime code);
- the shipped recipe's 5-fold cross-validated ROC-AUC on *train* (scripts/train_checkworthiness.py);
- the calibration table of the shipped model on dev (probability bin -> observed rate).

Sentences are read from ../shared/claimbuster at run time and never stored. Results go to stdout
and benchmarks/results/checkworthiness.json.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import re
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CLAIMBUSTER = ROOT.parent / "shared" / "claimbuster"
REGEX = Path(__file__).with_name("checkworthiness_regex_0.2.json")
OUT = ROOT / "benchmarks" / "results" / "checkworthiness.json"
OLD_THRESHOLD = 0.45  # claimkit 0.2.0's assertion_min_score


def training_script():
    spec = importlib.util.spec_from_file_location("train_checkworthiness",
                                                  ROOT / "scripts" / "train_checkworthiness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def regex_score(doc, raw: dict, signals) -> float:
    """claimkit 0.2.0's score: base + matched signal weights + named entities, clipped to 0-1."""
    score = raw["base"] + sum(w for w, pattern in signals if pattern.search(doc.text))
    n = sum(1 for ent in doc.ents if ent.label_ not in ("CARDINAL", "ORDINAL"))
    if n:
        score += min(raw["named_entity_max"], raw["named_entity_weight"] * n)
    return max(0.0, min(1.0, score))


def figures(y, scores, threshold) -> dict:
    from claimkit.evaluate_checkworthiness import best_f1, metrics
    m = metrics(y, scores, threshold)
    t_best, f1_best = best_f1(y, scores)
    return {"roc_auc": round(m["roc_auc"], 4), "average_precision": round(m["average_precision"], 4),
            "best_f1": round(f1_best, 4), "best_f1_threshold": round(t_best, 3),
            "f1_at_threshold": round(m["f1"], 4), "precision": round(m["precision"], 4),
            "recall": round(m["recall"], 4), "threshold": threshold}


def tfidf_baseline(train_texts, ytr, dev_texts) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=3, sublinear_tf=True)
    clf = LogisticRegression(C=4, max_iter=5000, solver="liblinear").fit(vec.fit_transform(train_texts), ytr)
    return clf.predict_proba(vec.transform(dev_texts))[:, 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=None, help="folder for DocBins of the parsed splits")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    if not (CLAIMBUSTER / "dev.jsonl").exists():
        raise SystemExit(f"no ClaimBuster data under {CLAIMBUSTER}")
    from claimkit.evaluate_checkworthiness import reliability
    from claimkit.extract import checkworthiness as cw
    from claimkit.extract.settings import DEFAULTS

    train = training_script()
    train_docs, ytr = train.read_split(CLAIMBUSTER, "train", args.cache)
    dev_docs, ydev = train.read_split(CLAIMBUSTER, "dev", args.cache)
    raw = json.loads(REGEX.read_text(encoding="utf-8"))
    signals = [(float(s["weight"]), re.compile(s["pattern"], re.IGNORECASE)) for s in raw["signals"]]
    old = np.array([regex_score(d, raw, signals) for d in dev_docs])
    model = cw.load_model()
    new = np.array([cw.calibrated(cw.contributions(d, d.ents, "", model)[0], model) for d in dev_docs])
    baseline = tfidf_baseline([d.text for d in train_docs], ytr, [d.text for d in dev_docs])
    params = model.provenance.get("params", {})
    grams, dense = train.featurize(train_docs)
    oof = train.cv_logits(grams, dense, train_docs, ytr, params.get("C", 4.0),
                          min_df=params.get("min_df", 3), dense_scale=params.get("dense_scale", 1.0))
    from claimkit.evaluate_checkworthiness import roc_auc
    result = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "command": "python benchmarks/bench_checkworthiness.py",
        "data": {"train": len(ytr), "train_positive": int(ytr.sum()),
                 "dev": len(ydev), "dev_positive": int(ydev.sum())},
        "dev": {"regex_0.2": figures(ydev, old, OLD_THRESHOLD),
                "tfidf_bigram_lr": figures(ydev, baseline, 0.5),
                "model": figures(ydev, new, DEFAULTS.checkworthy_threshold)},
        "train_cv5_roc_auc": round(roc_auc(ytr, oof), 4),
        "calibration_dev": reliability(ydev, new),
    }
    print(f"ClaimBuster dev ({len(ydev)} sentences, {int(ydev.sum())} check-worthy)\n")
    print(f"{'score':<22}{'ROC-AUC':>9}{'AP':>8}{'best F1':>9}{'F1@t':>8}{'t':>7}")
    for name, f in result["dev"].items():
        print(f"{name:<22}{f['roc_auc']:>9.4f}{f['average_precision']:>8.4f}{f['best_f1']:>9.4f}"
              f"{f['f1_at_threshold']:>8.4f}{f['threshold']:>7.2f}")
    print(f"\nshipped recipe, 5-fold CV ROC-AUC on train: {result['train_cv5_roc_auc']:.4f}")
    print("\ncalibration on dev (bin: n, mean predicted -> observed rate)")
    for row in result["calibration_dev"]:
        print(f"  {row['bin']}: {row['n']:>4}  {row['mean_predicted']:.3f} -> {row['observed']:.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
