"""Measuring check-worthiness against labelled sentences (``claimkit evaluate-checkworthiness``).

Reads JSONL lines ``{"text", "label"}`` (label 1 = check-worthy), parses the sentences with the
shared pipeline, scores each with the shipped model (``extract.checkworthiness``) and reports
ROC-AUC, average precision, and precision / recall / F1 at the shipped threshold. The metrics are
a few lines of numpy (scikit-learn is not a runtime dependency); they agree with scikit-learn's
``roc_auc_score`` (ties count half) and ``average_precision_score`` (step-wise, no interpolation).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

METRIC_KEYS = ("roc_auc", "average_precision", "precision", "recall", "f1", "threshold")


class LabelledFileError(ValueError):
    """The file cannot be read as labelled sentences (a usage error: which file, which line, why)."""


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: np.ndarray


def read_labelled(path: str | Path) -> Labelled:
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LabelledFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise LabelledFileError(f"{path}: is a folder, not a JSONL file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelledFileError(f"{path}: cannot read: {exc}") from None
    texts, labels = [], []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelledFileError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise LabelledFileError(f"{path}:{n}: expected an object with \"text\" and \"label\"")
        text, label = row.get("text"), row.get("label")
        if not isinstance(text, str):
            raise LabelledFileError(f"{path}:{n}: missing \"text\" (a string)")
        if isinstance(label, bool) or label not in (0, 1):
            raise LabelledFileError(f"{path}:{n}: \"label\" must be 0 or 1, got {label!r}")
        texts.append(text)
        labels.append(int(label))
    if not texts:
        raise LabelledFileError(f"{path}: no labelled lines")
    y = np.array(labels)
    if y.min() == y.max():
        raise LabelledFileError(f"{path}: every label is {y[0]}; ROC-AUC needs both 0 and 1")
    return Labelled(texts, y)


def roc_auc(y, scores) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    y, s = np.asarray(y), np.asarray(scores, dtype=float)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_s, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    pos = y == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def average_precision(y, scores) -> float:
    """Sum over thresholds of (recall step) x precision, as scikit-learn computes it."""
    y, s = np.asarray(y), np.asarray(scores, dtype=float)
    order = np.argsort(-s, kind="mergesort")
    y, s = y[order], s[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # the last index of each distinct score
    tp = np.cumsum(y)[last]
    fp = (last + 1) - tp
    precision = tp / (tp + fp)
    recall = tp / y.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def at_threshold(y, scores, threshold: float) -> tuple[float, float, float]:
    y, pred = np.asarray(y), np.asarray(scores, dtype=float) >= threshold
    tp = float(np.sum(pred & (y == 1)))
    precision = tp / pred.sum() if pred.sum() else 0.0
    recall = tp / (y == 1).sum()
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_f1(y, scores) -> tuple[float, float]:
    """The threshold with the best F1 (the lowest score still called check-worthy) and that F1."""
    best = (0.5, -1.0)
    for t in np.unique(np.asarray(scores, dtype=float)):
        f1 = at_threshold(y, scores, t)[2]
        if f1 > best[1]:
            best = (float(t), f1)
    return best


def metrics(y, scores, threshold: float) -> dict[str, float]:
    precision, recall, f1 = at_threshold(y, scores, threshold)
    return {"roc_auc": roc_auc(y, scores), "average_precision": average_precision(y, scores),
            "precision": precision, "recall": recall, "f1": f1, "threshold": float(threshold)}


def reliability(y, probabilities, bins: int = 10) -> list[dict]:
    """Calibration table: for each probability bin, how many sentences and the observed rate."""
    y, p = np.asarray(y), np.asarray(probabilities, dtype=float)
    out = []
    edges = np.linspace(0.0, 1.0, bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (p >= lo) & ((p < hi) if hi < 1.0 else (p <= hi))
        if inside.any():
            out.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(inside.sum()),
                        "mean_predicted": round(float(p[inside].mean()), 3),
                        "observed": round(float(y[inside].mean()), 3)})
    return out


def score_texts(texts: list[str], model: str | None = None, batch_size: int = 64) -> np.ndarray:
    """The shipped model's probability for each text, each parsed as its own document (not
    rounded, unlike a claim's stored score, so that near-certain sentences do not tie)."""
    from claimkit.extract.checkworthiness import calibrated, contributions, load_model
    from claimkit.nlp import load_pipeline

    nlp = load_pipeline(model)
    cw_model = load_model()
    return np.array([calibrated(contributions(doc, doc.ents, "", cw_model)[0], cw_model)
                     for doc in nlp.pipe(texts, batch_size=batch_size)])


def evaluate_file(path: str | Path, model: str | None = None,
                  threshold: float | None = None) -> dict[str, float]:
    """The figures of ``claimkit evaluate-checkworthiness`` for one labelled JSONL file."""
    from claimkit.extract.settings import DEFAULTS

    data = read_labelled(path)
    scores = score_texts(data.texts, model)
    t = DEFAULTS.checkworthy_threshold if threshold is None else threshold
    return metrics(data.labels, scores, t)


def format_table(figures: dict[str, float], n: int | None = None) -> str:
    names = {"roc_auc": "ROC-AUC", "average_precision": "average precision", "precision": "precision",
             "recall": "recall", "f1": "F1", "threshold": "threshold"}
    lines = [f"{names[k]:<18} {figures[k]:.4f}" for k in METRIC_KEYS]
    return "\n".join(lines)
