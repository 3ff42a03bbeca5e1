"""Train the check-worthiness model (claimkit/data/checkworthiness_model.json) on ClaimBuster.

Learns from ClaimBuster *train* only; C and the features were chosen on *dev*, each choice checked
against a 5-fold cross-validated AUC on train (docs/architecture.md §4). Logistic regression over
TF-IDF word uni+bigrams, lemmas and part-of-speech bigrams (sublinear tf, L2 norm, min document
frequency 3, so no sentence can be rebuilt from the vocabulary) and the parse's dense features
(``claimkit.extract.checkworthiness.features``). Tried on dev and train CV and dropped: entity-label
n-grams ("<ORG> said"); kept: lemmas and tag bigrams (dev 0.928 -> 0.936, CV 0.934 -> 0.937).
Platt calibration is fitted on out-of-fold train scores (dev stays a clean check of it); the
shipped threshold is the one with the best F1 on dev. The file holds n-grams, weights and the
provenance, no sentence:

    python scripts/train_checkworthiness.py ../shared/claimbuster [--cache DIR] [--C 4]

Scores at inference come from the runtime code (``checkworthiness.contributions``) on the same
features, so what is measured here is what extraction ships.
"""
from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np

from claimkit.extract import checkworthiness as cw
from claimkit.nlp import load_pipeline

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "claimkit" / "data" / cw.MODEL_FILE

# Weights for the cue class of an attributed claim. ClaimBuster sentences carry no cue, so these
# cannot be learned there: set by hand, as log-odds. A denial or an allegation of a number is as
# checkable as the number (0); a belief, a wish, a demand or a prediction is an opinion or a plan.
CUE_WEIGHTS = {"cue_believe": -1.0, "cue_intend": -1.0, "cue_promise": -0.8, "cue_demand": -1.0,
               "cue_predict": -0.8, "cue_expect": -0.6, "cue_argue": -0.3, "cue_criticize": -0.3}

# What each dense feature means to an analyst, shown as a reason.
PHRASES = {
    "number": "a number", "number_unit": "a number with a unit", "number_word": "a number in words",
    "number_entity": "a count or an amount", "past": "past tense (something happened)",
    "present": "present tense", "future": "a prediction (will)", "conditional": "a conditional (would, could)",
    "obligation": "an opinion of what should be (should, must)", "comparative": "a comparison",
    "superlative": "a superlative (most, best)", "first_singular": "first person (I, me)",
    "first_plural": "first person plural (we, our)", "second_person": "addresses the reader (you)",
    "causal": "a cause or a consequence", "opinion": "an opinion word", "prediction": "a prediction or a plan",
    "question": "a question", "proper_noun": "a proper name",
    "log_words+": "a long, detailed sentence", "log_words-": "a short sentence",
    "ent_CARDINAL": "a count", "ent_MONEY": "an amount of money", "ent_PERCENT": "a percentage",
    "ent_QUANTITY": "a quantity with a unit", "ent_DATE": "a date", "ent_TIME": "a time",
    "ent_ORDINAL": "a rank (first, second)", "ent_ORG": "names an organisation",
    "ent_PERSON": "names a person", "ent_GPE": "names a country or a city",
    "ent_NORP": "names a nationality or a group", "ent_LOC": "names a place", "ent_EVENT": "names an event",
    "ent_LAW": "names a law", "ent_FAC": "names a building or a site", "ent_PRODUCT": "names a product",
    "ent_WORK_OF_ART": "names a title",
    "cue_believe": "the speaker states a belief", "cue_intend": "the speaker states an intention",
    "cue_promise": "a promise", "cue_demand": "a demand", "cue_predict": "a prediction by the speaker",
    "cue_expect": "an expectation", "cue_argue": "an argument", "cue_criticize": "a criticism",
}


def read_split(folder: Path, split: str, cache: Path | None):
    rows = [json.loads(line) for line in (folder / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    nlp = load_pipeline()
    path = cache / f"{split}.spacy" if cache else None
    if path is not None and path.exists():
        from spacy.tokens import DocBin
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    else:
        docs = list(nlp.pipe((r["text"] for r in rows), batch_size=256))
        if path is not None:
            from spacy.tokens import DocBin
            path.parent.mkdir(parents=True, exist_ok=True)
            DocBin(docs=docs).to_disk(path)
    return docs, np.array([int(r["label"]) for r in rows])


def featurize(docs):
    return [cw.ngrams(d) for d in docs], [cw.dense_features(d, d.ents) for d in docs]


def fit(grams, dense, y, C: float, min_df: int = 3, dense_scale: float = 1.0) -> dict:
    """A model dict in the shipped format (without calibration)."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    df = Counter(g for gs in grams for g in set(gs))
    vocab = sorted(g for g, n in df.items() if n >= min_df)
    col = {g: i for i, g in enumerate(vocab)}
    n_docs = len(grams)
    idf = np.array([math.log((1 + n_docs) / (1 + df[g])) + 1.0 for g in vocab])
    Xg = tfidf(grams, col, idf)
    names = sorted({n.rstrip("+-") for n in PHRASES} - set(CUE_WEIGHTS))
    Xd = np.array([[d.get(n, 0.0) for n in names] for d in dense])
    means, stds = Xd.mean(axis=0), Xd.std(axis=0) + 1e-9
    X = sparse.hstack([Xg, sparse.csr_matrix((Xd - means) / stds * dense_scale)]).tocsr()
    clf = LogisticRegression(C=C, max_iter=5000, solver="liblinear").fit(X, y)
    w = clf.coef_[0]
    wg, wd = w[:len(vocab)], w[len(vocab):] * dense_scale / stds
    intercept = float(clf.intercept_[0] - (wd * means).sum())
    keep = [i for i in range(len(vocab)) if abs(wg[i]) > 1e-6]
    return {
        "ngrams": [[vocab[i], round(float(idf[i]), 5), round(float(wg[i]), 5)] for i in keep],
        "dense": {"weights": {n: round(float(x), 5) for n, x in zip(names, wd)},
                  "means": {n: round(float(x), 5) for n, x in zip(names, means)},
                  "cue_weights": CUE_WEIGHTS},
        "intercept": round(intercept, 5), "platt": [1.0, 0.0], "phrases": PHRASES, "threshold": 0.5,
    }


def tfidf(grams, col, idf):
    from scipy import sparse
    rows, cols, vals = [], [], []
    for r, gs in enumerate(grams):
        counts = Counter(g for g in gs if g in col)
        v = {col[g]: (1.0 + math.log(c)) * idf[col[g]] for g, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        for c_, x in v.items():
            rows.append(r)
            cols.append(c_)
            vals.append(x / norm)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(grams), len(col)))


def logits(model: dict, docs) -> np.ndarray:
    """Scores from the runtime code, so training measures what extraction ships."""
    m = cw.model_from_dict(model)
    return np.array([cw.contributions(d, d.ents, "", m)[0] for d in docs])


def cv_logits(grams, dense, docs, y, C: float, folds: int = 5, seed: int = 0, **kw) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold
    out = np.zeros(len(y))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        m = fit([grams[i] for i in tr], [dense[i] for i in tr], y[tr], C, **kw)
        out[te] = logits(m, [docs[i] for i in te])
    return out


def platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression
    lr = LogisticRegression(C=1e6).fit(z.reshape(-1, 1), y)
    return float(lr.coef_[0][0]), float(lr.intercept_[0])


def dump(model: dict) -> str:
    """The model as JSON a person can read and diff: one n-gram a line."""
    rest = {k: v for k, v in model.items() if k != "ngrams"}
    head = json.dumps(rest, indent=1, sort_keys=True, ensure_ascii=False)
    lines = ",\n".join(json.dumps(g, ensure_ascii=False) for g in model["ngrams"])
    return head[:-2] + ',\n "ngrams": [\n' + lines + "\n ]\n}\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path, help="ClaimBuster folder with train.jsonl and dev.jsonl")
    ap.add_argument("--cache", type=Path, default=None, help="folder for DocBins of the parsed splits")
    ap.add_argument("--C", type=float, default=4.0)
    ap.add_argument("--min-df", type=int, default=3)
    ap.add_argument("--dense-scale", type=float, default=1.0)
    ap.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    args = ap.parse_args()
    from claimkit.evaluate_checkworthiness import best_f1, metrics, reliability

    train_docs, ytr = read_split(args.folder, "train", args.cache)
    dev_docs, ydev = read_split(args.folder, "dev", args.cache)
    grams, dense = featurize(train_docs)
    kw = dict(min_df=max(3, args.min_df), dense_scale=args.dense_scale)
    oof = cv_logits(grams, dense, train_docs, ytr, args.C, **kw)
    a, b = platt(oof, ytr)
    model = fit(grams, dense, ytr, args.C, **kw)
    model["platt"] = [round(a, 5), round(b, 5)]
    m = cw.model_from_dict(model)
    p_dev = np.array([cw.calibrated(z, m) for z in logits(model, dev_docs)])
    threshold, f1_best = best_f1(ydev, p_dev)
    model["threshold"] = round(threshold, 3)
    cv = metrics(ytr, oof, 0.0)
    dev = metrics(ydev, p_dev, model["threshold"])
    print(f"train CV AUC {cv['roc_auc']:.4f} | dev AUC {dev['roc_auc']:.4f} AP {dev['average_precision']:.4f} "
          f"F1@{model['threshold']} {dev['f1']:.4f} best F1 {f1_best:.4f} | {len(model['ngrams'])} n-grams")
    for row in reliability(ydev, p_dev):
        print("  ", row)
    if args.dry_run:
        return
    model["about"] = ("Check-worthiness: logistic regression over TF-IDF word uni+bigrams, lemmas and "
                      "part-of-speech bigrams, and parse features (claimkit.extract.checkworthiness), "
                      "Platt-calibrated. No sentence is stored: n-grams of at most 2 words seen in at "
                      "least 3 training sentences.")
    model["provenance"] = {
        "training_data": "ClaimBuster train.jsonl (6,799 sentences, 2-class form; ../shared/claimbuster)",
        "tuned_on": "ClaimBuster dev.jsonl (C, features, threshold); calibration on out-of-fold train scores",
        "command": f"python scripts/train_checkworthiness.py ../shared/claimbuster --C {args.C:g}"
                   f" --min-df {kw['min_df']} --dense-scale {args.dense_scale:g}",
        "date": date.today().isoformat(),
        "params": {"C": args.C, "min_df": kw["min_df"], "dense_scale": args.dense_scale,
                   "solver": "liblinear", "ngram_range": [1, 2], "sublinear_tf": True},
        "train_cv5_roc_auc": round(cv["roc_auc"], 4),
        "dev": {k: round(v, 4) for k, v in dev.items()} | {"best_f1": round(f1_best, 4)},
    }
    OUT.write_text(dump(model), encoding="utf-8")
    print(f"-> {OUT}")


if __name__ == "__main__":
    main()
