"""Check-worthiness: how likely a claim is a checkable factual statement, and why.

A logistic regression over two kinds of features of the claim's own tokens (a spaCy ``Span`` of
the document the pipeline already parsed, so scoring never parses again):

- word n-grams (unigrams and bigrams of lower-cased words, numbers folded to ``0``; lemmas;
  bigrams of part-of-speech tags), weighted
  TF-IDF with sublinear term frequency and L2 norm, vocabulary and idf learned from ClaimBuster
  *train* (n-grams seen in at least 3 sentences, at most 2 words);
- dense features the parse gives: numbers and their units, entity types, tense, modal verbs and
  "will", first person, comparatives, causal words, opinion words, questions, length, and the
  claim's cue class (a denial of a number is as checkable as the number).

The shipped model (``data/checkworthiness_model.json``, text, with its provenance) is trained by
``scripts/train_checkworthiness.py`` and calibrated (Platt) so that 0.7 means about 70% of such
sentences are check-worthy on ClaimBuster. ``score`` returns the probability and the two or three
features that moved it most, in words an analyst reads ("a percentage", "a prediction").
"""
from __future__ import annotations

import heapq
import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span

from claimkit.extract.cues import data_text
from claimkit.extract.entities import entity_index

MODEL_FILE = "checkworthiness_model.json"

# Lemma lists for the dense features. They name *kinds* of words; the weights are learned.
FUTURE_MODALS = frozenset({"will", "shall", "'ll", "wo"})
CONDITIONAL_MODALS = frozenset({"would", "could", "might", "may", "can", "ca"})
OBLIGATION_MODALS = frozenset({"should", "must", "ought", "need"})
FIRST_SINGULAR = frozenset({"i", "me", "my", "mine", "myself"})
FIRST_PLURAL = frozenset({"we", "us", "our", "ours", "ourselves"})
SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "yourselves"})
CAUSAL = frozenset({"because", "cause", "lead", "result", "due", "blame", "thanks", "therefore",
                    "consequently", "responsible"})
OPINION = frozenset({"think", "believe", "feel", "hope", "wish", "want", "love", "hate", "great",
                     "terrible", "wonderful", "beautiful", "awful", "good", "bad", "best", "worst",
                     "boldest", "amazing", "incredible", "important", "wrong", "right", "fair",
                     "unfair", "disgrace", "shame", "ridiculous", "proud", "glad", "sorry"})
PREDICTION = frozenset({"predict", "forecast", "expect", "plan", "intend", "promise", "going"})
PERSONS = {**dict.fromkeys(FIRST_SINGULAR, "first_singular"), **dict.fromkeys(FIRST_PLURAL, "first_plural"),
           **dict.fromkeys(SECOND_PERSON, "second_person")}
ENTITY_TYPES = ("CARDINAL", "MONEY", "PERCENT", "QUANTITY", "DATE", "TIME", "ORDINAL", "ORG",
                "PERSON", "GPE", "NORP", "LOC", "EVENT", "LAW", "FAC", "PRODUCT", "WORK_OF_ART")
NUMBER_ENTS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})


def features(tokens, ents, cue_class: str = "") -> tuple[list[str], dict[str, float]]:
    """Both kinds of features of a claim in one pass over its tokens (``tokens``: a Span or a
    Doc; ``ents``: its entities).

    Sparse: unigrams and bigrams of the words (lower-cased, numbers folded to "0", punctuation
    dropped except "?"), lemma unigrams ("l:…") and bigrams of part-of-speech tags ("p:VBD CD",
    the shape of the sentence). Dense: what the parse says, by name (see ``PHRASES`` in
    scripts/train_checkworthiness.py for their meaning)."""
    words: list[str] = []
    lemmas: list[str] = []
    tags: list[str] = []
    f: dict[str, float] = {}
    n = 0
    for t in tokens:
        if t.is_space:
            continue
        tag, text = t.tag_, t.text
        tags.append(tag)
        if t.is_punct:
            if text == "?":
                words.append("?")
                f["question"] = 1.0
            continue
        n += 1
        low, lemma = t.lower_, t.lemma_.lower()
        lemmas.append("l:" + lemma)
        if t.like_num:
            if any(ch.isdigit() for ch in text):
                words.append("0")
                f["number"] = 1.0
                if t.dep_ == "nummod" and t.head.pos_ == "NOUN":
                    f["number_unit"] = 1.0
            else:
                words.append(low)
                f["number_word"] = 1.0
        else:
            words.append(low)
        if tag == "VBD":
            f["past"] = 1.0
        elif tag in ("VBZ", "VBP"):
            f["present"] = 1.0
        elif tag == "MD":
            if low in FUTURE_MODALS:
                f["future"] = 1.0
            elif low in CONDITIONAL_MODALS:
                f["conditional"] = 1.0
            elif low in OBLIGATION_MODALS:
                f["obligation"] = 1.0
        elif tag in ("JJR", "RBR"):
            f["comparative"] = 1.0
        elif tag in ("JJS", "RBS"):
            f["superlative"] = 1.0
        elif tag == "NNP" or tag == "NNPS":
            f["proper_noun"] = 1.0
        if low in PERSONS:
            f[PERSONS[low]] = 1.0
        if lemma in CAUSAL:
            f["causal"] = 1.0
        if lemma in OPINION:
            f["opinion"] = 1.0
        if lemma in PREDICTION:
            f["prediction"] = 1.0
        if low in OBLIGATION_MODALS and tag != "MD":
            f["obligation"] = 1.0
    f["log_words"] = math.log1p(n)
    for ent in ents:
        label = ent.label_
        f["ent_" + label] = 1.0
        if label in NUMBER_ENTS:
            f["number_entity"] = 1.0
    if cue_class:
        f["cue_" + cue_class] = 1.0
    grams = (words + [f"{a} {b}" for a, b in zip(words, words[1:])] + lemmas
             + [f"p:{a} {b}" for a, b in zip(tags, tags[1:])])
    return grams, f


def ngrams(tokens) -> list[str]:
    """The sparse features of ``features``."""
    return features(tokens, ())[0]


def dense_features(tokens, ents, cue_class: str = "") -> dict[str, float]:
    """The dense features of ``features``."""
    return features(tokens, ents, cue_class)[1]


@dataclass(frozen=True)
class CheckworthinessModel:
    """The shipped model: n-gram -> (column, idf); weights; calibration; reason phrases."""
    ngram_index: dict[str, tuple[float, float]]  # n-gram -> (idf, weight)
    dense_weights: dict[str, float]
    dense_means: dict[str, float]
    intercept: float
    platt: tuple[float, float]  # p = 1 / (1 + exp(-(a * logit + b)))
    phrases: dict[str, str]
    threshold: float
    provenance: dict


@lru_cache(maxsize=1)
def load_model() -> CheckworthinessModel:
    raw = json.loads(data_text(MODEL_FILE))
    return model_from_dict(raw)


def model_from_dict(raw: dict) -> CheckworthinessModel:
    index = {g: (float(idf), float(w)) for g, idf, w in raw["ngrams"]}
    dense = {name: float(w) for name, w in raw["dense"]["weights"].items()}
    dense.update({name: float(w) for name, w in raw["dense"].get("cue_weights", {}).items()})
    return CheckworthinessModel(
        ngram_index=index, dense_weights=dense,
        dense_means={k: float(v) for k, v in raw["dense"]["means"].items()},
        intercept=float(raw["intercept"]), platt=(float(raw["platt"][0]), float(raw["platt"][1])),
        phrases=dict(raw["phrases"]), threshold=float(raw["threshold"]),
        provenance=raw.get("provenance", {}))


def contributions(tokens, ents, cue_class: str = "", model: CheckworthinessModel | None = None,
                  ) -> tuple[float, list[tuple[str, float]]]:
    """The model's logit (before calibration) and what each present feature added to it:
    ``(feature, weight x tf-idf)`` for n-grams (named ``ngram:…``), ``(feature, weight x (value -
    training mean))`` for dense features (what moved the score away from the average sentence)."""
    model = model or load_model()
    grams, dense = features(tokens, ents, cue_class)
    counts = Counter(grams)
    index = model.ngram_index
    vec = []
    for g, c in counts.items():
        entry = index.get(g)
        if entry is not None:
            vec.append((g, (1.0 if c == 1 else 1.0 + math.log(c)) * entry[0], entry[1]))
    norm = math.sqrt(sum(v * v for _, v, _ in vec)) or 1.0
    logit = model.intercept
    parts = []
    for g, v, w in vec:
        c = w * v / norm
        logit += c
        parts.append(("ngram:" + g, c))
    weights, means = model.dense_weights, model.dense_means
    for name, x in dense.items():
        w = weights.get(name)
        if w is not None:
            logit += w * x
            parts.append((name, w * (x - means.get(name, 0.0))))
    return logit, parts


def calibrated(logit: float, model: CheckworthinessModel) -> float:
    a, b = model.platt
    z = a * logit + b
    return 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0


def reason_text(feature: str, value: float, model: CheckworthinessModel) -> str:
    """What a contribution means to an analyst: a phrase from the model's table, or the word."""
    up = value > 0
    if feature.startswith("ngram:p:"):
        text = "sentence shape typical of " + ("checkable claims" if up else "talk, not claims")
    elif feature.startswith("ngram:"):
        words = feature[6:].removeprefix("l:")
        words = " ".join("N" if w == "0" else w for w in words.split())
        text = f'the word{"s" if " " in words else ""} "{words}"'
    else:
        text = model.phrases.get(f"{feature}{'+' if up else '-'}") or model.phrases.get(
            feature, feature.replace("_", " "))
    return f"{text} ({'raises' if up else 'lowers'})"


def score(tokens, ents=None, cue_class: str = "", n_reasons: int = 3,
          model: CheckworthinessModel | None = None) -> tuple[float, tuple[str, ...]]:
    """Calibrated probability (0-1) that the claim is check-worthy, and the ``n_reasons``
    features that moved it most (largest |contribution| first), in words.

    ``tokens`` is a spaCy ``Span`` (or ``Doc``) of the claim's text; ``ents`` its entities
    (``tokens.ents`` when omitted); ``cue_class`` the attribution's cue class ("" for the
    article's own statements)."""
    model = model or load_model()
    if ents is None:
        ents = tokens.ents
    logit, parts = contributions(tokens, ents, cue_class, model)
    reasons: dict[str, None] = {}
    for feature, value in heapq.nlargest(2 * n_reasons, parts, key=lambda p: abs(p[1])):
        if len(reasons) == n_reasons or abs(value) < 0.05:
            break
        reasons.setdefault(reason_text(feature, value, model), None)
    return round(calibrated(logit, model), 3), tuple(reasons)


def span_of(doc: Doc, spans) -> list[Span]:
    """The token spans of character spans ``[(start, end), ...]`` (expanded to whole tokens)."""
    out = []
    for s, e in spans:
        sp = doc.char_span(s, e, alignment_mode="expand")
        if sp is not None and len(sp):
            out.append(sp)
    return out


class _Joined:
    """Several spans read as one claim (a content split around its cue)."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans

    def __iter__(self):
        for sp in self.spans:
            yield from sp


def score_spans(doc: Doc, spans, cue_class: str = "",
                model: CheckworthinessModel | None = None) -> tuple[float, tuple[str, ...]]:
    """``score`` for a claim given as character spans of ``doc`` (no second parse; entities
    come from the document's entity index, built once: ``Span.ents`` walks the whole Doc)."""
    parts = span_of(doc, spans)
    index = entity_index(doc)
    ents = [ent for sp in parts for ent in index.within(sp.start_char, sp.end_char)]
    return score(parts[0] if len(parts) == 1 else _Joined(parts), ents, cue_class, model=model)
