"""Which candidate attributions to keep: a small learned filter over the rules' candidates.

The rules (``rules.py``, ``passes.py``) propose candidates generously; many reporting verbs are also
ordinary verbs ("show", "call", "see"). Gradient-boosted trees (LightGBM), trained on PolNeAR
*train* only (``scripts/train_filter.py``), score each candidate from named features of its cue,
source and content. The model is data: ``claimkit/data/attribution_model.json`` (feature names,
threshold, provenance) and ``attribution_model.lgb.txt`` (LightGBM's own text format; no pickle). Overlaps are then resolved best-score first, because PolNeAR (like most readers)
counts each stretch of text in one attribution only.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc

from claimkit.extract import cues
from claimkit.extract.entities import entity_index
from claimkit.extract.candidate import Attribution, neighbours
from claimkit.extract.quotes import inside
from claimkit.extract.rule_names import NESTABLE
from claimkit.extract.settings import DEFAULTS, ExtractionSettings

PRONOUNS = {"he", "she", "they", "i", "we", "it", "you"}


def _bucket(n: int, edges: Sequence[int]) -> str:
    for edge in edges:
        if n <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def features(att: Attribution, doc: Doc, quotes: list, others: Sequence[Attribution],
             text: str) -> dict[str, float]:
    """Sparse features of one candidate (names are stable: they key the learned weights).

    ``others`` are the candidates near it (``candidate.neighbours``); only they can overlap.
    ``text`` is ``doc.text``, passed in because spaCy rebuilds ``Doc.text`` on every access.
    """
    f: dict[str, float] = {"bias": 1.0, f"rule={att.rule}": 1.0}  # rule names: rule_names.py
    if att.continued:
        f["continued"] = 1.0
        f[f"continued_lemma={att.cue_lemma}"] = 1.0
        f[f"continued_same_para={chr(10) not in text[att.content_start:att.content_end]}"] = 1.0
    if att.alternative:
        f["alternative"] = 1.0  # a later reading of its verb cue (rules.verb_cue)
    lemma = att.cue_lemma
    f[f"lemma={lemma}"] = 1.0
    f[f"lemma_rule={lemma}|{att.rule}"] = 1.0
    cue_tok = doc[att.cue_token] if att.cue_token is not None else None
    pos = cues.coarse_pos(cue_tok.pos_) if cue_tok is not None else "O"
    p = cues.cue_probability(lemma, pos) if cue_tok is not None else 0.0
    f["p_cue"] = p
    f["logit_p_cue"] = math.log((p + 0.01) / (1.01 - p))
    if cue_tok is not None:
        f[f"tag={cue_tok.tag_}"] = 1.0
        f[f"dep={cue_tok.dep_}"] = 1.0
        f[f"head_pos={cue_tok.head.pos_}"] = 1.0
        if any(c.dep_ == "neg" for c in cue_tok.children):
            f["negated"] = 1.0
        if any(c.dep_ == "auxpass" for c in cue_tok.children):
            f["passive"] = 1.0
        for c in cue_tok.children:
            if c.dep_ == "aux" and c.tag_ == "MD":
                f[f"modal={c.lower_}"] = 1.0
        f[f"lemma_dep={lemma}|{cue_tok.dep_}"] = 1.0
        f[f"lemma_tag={lemma}|{cue_tok.tag_}"] = 1.0
        f["sent_root"] = 1.0 if cue_tok.dep_ == "ROOT" else 0.0
        sent = cue_tok.sent
        if cue_tok.i > sent.start:
            f[f"prev={doc[cue_tok.i - 1].lower_}"] = 1.0
        if cue_tok.i + 1 < sent.end:
            f[f"next={doc[cue_tok.i + 1].lower_}"] = 1.0
        third = (cue_tok.i - sent.start) * 3 // max(len(sent), 1)
        f[f"cue_third={third}"] = 1.0
        f[f"rule_third={att.rule}|{third}"] = 1.0
    # source
    if att.source_root is not None:
        src = doc[att.source_root]
        f["has_source"] = 1.0
        f[f"src_ent={src.ent_type_ or 'none'}"] = 1.0
        f[f"src_pos={src.pos_}"] = 1.0
        if src.lower_ in PRONOUNS:
            f[f"src_pron={src.lower_ in ('it',)}"] = 1.0
        f[f"lemma_src={lemma}|{src.ent_type_ or src.pos_}"] = 1.0
        f[f"src_lemma={src.lemma_.lower()}"] = 1.0
    elif att.source:
        f["has_source_span"] = 1.0
    else:
        f["no_source"] = 1.0
    # content
    length = sum(e - s for s, e in att.content)
    n_words = len(text[att.content_start:att.content_end].split())
    f[f"content_words{_bucket(n_words, (1, 2, 4, 8, 16, 32, 64))}"] = 1.0
    q = sum(inside(span, quotes) * (span[1] - span[0]) for span in att.content) / max(length, 1)
    f["quoted"] = q
    f[f"quoted_bin={round(q * 2) / 2}"] = 1.0
    first = text[att.content_start:att.content_start + 5].lower()
    if first.startswith("that "):
        f["content_that"] = 1.0
    if cue_tok is not None:
        f["content_after_cue"] = 1.0 if att.content_start > cue_tok.idx else 0.0
        sent = cue_tok.sent
        f["content_in_sentence"] = 1.0 if sent.start_char <= att.content_start and att.content_end <= sent.end_char else 0.0
        span = doc.char_span(att.content_start, att.content_end, alignment_mode="expand")
        if span is not None and len(span):
            first = next((t for t in span if not t.is_punct), span[0])
            f[f"content_first={first.lower_ if first.tag_ in ('IN', 'WDT', 'WP', 'WRB', 'TO') else first.pos_}"] = 1.0
            f[f"content_root_pos={span.root.pos_}"] = 1.0
            has_verb = span.root.pos_ in ("VERB", "AUX") or any(t.pos_ in ("VERB", "AUX") for t in span)
            f["content_has_verb"] = 1.0 if has_verb else 0.0
            f["content_ents"] = min(len(entity_index(doc).within(span.start_char, span.end_char)), 5) / 5
    # interaction with other candidates
    cue_pos = att.cue[0][0] if att.cue else att.content_start
    if any(o is not att and any(s <= cue_pos < e for s, e in o.content) for o in others):
        f["cue_inside_other"] = 1.0
    if any(o is not att and o.cue and any(s <= o.cue[0][0] < e for s, e in att.content) for o in others):
        f["contains_other_cue"] = 1.0
    # the other readings of the same cue: the filter keeps one, so say how this one compares
    rivals = [o for o in others if o is not att and o.cue and o.cue == att.cue]
    f[f"readings{_bucket(len(rivals) + 1, (1, 2, 3, 4))}"] = 1.0
    if rivals:
        size = att.content_end - att.content_start
        sizes = [o.content_end - o.content_start for o in rivals]
        f["longest_reading"] = 1.0 if size > max(sizes) else 0.0
        f["shortest_reading"] = 1.0 if size < min(sizes) else 0.0
        f["size_to_longest"] = size / max(max(sizes), size, 1)
    return f


MODEL_META = "attribution_model.json"
MODEL_TREES = "attribution_model.lgb.txt"


class FilterModel:
    """Gradient-boosted trees (LightGBM) over named sparse features, with a keep-threshold: the
    filter here, and the tail model of ``tails.py``."""

    def __init__(self, meta: dict, booster) -> None:
        self.threshold = float(meta.get("threshold", DEFAULTS.default_filter_threshold))
        self.names: list[str] = meta["features"]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.booster = booster

    def matrix(self, feats: Sequence[dict[str, float]]):
        from scipy.sparse import csr_matrix

        rows, cols, vals = [], [], []
        for r, f in enumerate(feats):
            for name, value in f.items():
                c = self.index.get(name)
                if c is not None and value:
                    rows.append(r)
                    cols.append(c)
                    vals.append(value)
        return csr_matrix((vals, (rows, cols)), shape=(len(feats), len(self.names)), dtype="float64")

    def probabilities(self, feats: Sequence[dict[str, float]]) -> list[float]:
        if not feats:
            return []
        return [float(p) for p in self.booster.predict(self.matrix(feats))]


def load_tree_model(meta_name: str, trees_name: str) -> FilterModel | None:
    """A LightGBM model shipped as data (feature names + threshold in JSON, trees in LightGBM's
    own text format), or None when the package carries no such files."""
    data = resources.files("claimkit.data")
    meta_path, trees_path = data.joinpath(meta_name), data.joinpath(trees_name)
    if not (meta_path.is_file() and trees_path.is_file()):
        return None
    import lightgbm

    booster = lightgbm.Booster(model_str=trees_path.read_text(encoding="utf-8"))
    return FilterModel(json.loads(meta_path.read_text(encoding="utf-8")), booster)


@lru_cache(maxsize=1)
def filter_model() -> FilterModel | None:
    return load_tree_model(MODEL_META, MODEL_TREES)  # None: every rule candidate is kept


def model_threshold() -> float:
    model = filter_model()
    return model.threshold if model is not None else DEFAULTS.default_filter_threshold


def probabilities(feats: Sequence[dict[str, float]]) -> list[float]:
    model = filter_model()
    return model.probabilities(feats) if model is not None else [1.0] * len(feats)


def _conflict(a: Attribution, b: Attribution, settings: ExtractionSettings = DEFAULTS) -> bool:
    """Two attributions cannot both stand: one's cue sits in the other's content, or they share content."""
    def cue_in(x: Attribution, y: Attribution) -> bool:
        pos = x.cue[0][0] if x.cue else x.content_start
        return any(s <= pos < e for s, e in y.content)

    if a.cue and a.cue == b.cue:
        return True  # two readings of the same cue
    if (cue_in(a, b) and a.rule not in NESTABLE) or (cue_in(b, a) and b.rule not in NESTABLE):
        return True
    overlap = max(0, min(a.content_end, b.content_end) - max(a.content_start, b.content_start))
    shorter = min(a.content_end - a.content_start, b.content_end - b.content_start)
    return shorter > 0 and overlap / shorter > settings.conflict_overlap and not (cue_in(a, b) or cue_in(b, a))


def select(candidates: list[Attribution], doc: Doc, quotes: list, text: str | None = None,
           threshold: float | None = None, prob_fn=None,
           settings: ExtractionSettings = DEFAULTS,
           reshape: Callable[[list[Attribution]], list[Attribution]] | None = None,
           ) -> list[tuple[Attribution, float]]:
    """Score candidates, then keep the best non-conflicting ones above the threshold.

    ``reshape`` may redraw the spans of the candidates above the threshold before conflicts are
    resolved (``tails.cut_tails``: a content without its tail no longer holds the next cue)."""
    thr = model_threshold() if threshold is None else threshold
    text = doc.text if text is None else text
    near = neighbours(candidates)
    feats = [features(att, doc, quotes, others, text) for att, others in zip(candidates, near)]
    probs = list(prob_fn(feats)) if prob_fn is not None else probabilities(feats)
    if reshape is not None:
        eligible = [i for i, p in enumerate(probs) if p >= thr]
        candidates = list(candidates)
        for i, att in zip(eligible, reshape([candidates[i] for i in eligible])):
            candidates[i] = att
        near = neighbours(candidates)
    stricter = dict(settings.reading_thresholds)
    kept_ids: set[int] = set()
    kept: list[tuple[Attribution, float]] = []
    for i in sorted(range(len(candidates)), key=lambda i: -probs[i]):
        att, p = candidates[i], probs[i]
        if p < thr:
            break
        if p < stricter.get(att.rule, thr):
            continue
        if any(id(o) in kept_ids and _conflict(att, o, settings) for o in near[i]):
            continue
        kept_ids.add(id(att))
        kept.append((att, p))
    kept.sort(key=lambda x: (x[0].content_start, x[0].content_end))
    return kept
