"""Score extracted attributions against brat gold, as docs/architecture.md §4 says.

Per article:

- every span is turned into the set of character positions it covers, minus whitespace and
  punctuation (:func:`chars`), so "said ``that`` X." and "X" compare on the letters and digits of X;
- a predicted claim matches a gold attribution when the Jaccard overlap of their content characters
  is at least 0.5; pairs are taken one-to-one, best overlap first;
- a content match also counts **end-to-end** when the predicted source overlaps the gold source.

Over a corpus, precision / recall / F1 are micro-averaged (true positives, predictions and gold
attributions are summed over articles). Gold recall is also split by how the gold content is
worded (direct / mixed / indirect, from the quote marks around it) and by its cue (say / tell /
according to vs every other cue).

Conventions this module settles (the design leaves them open):

- Dropped characters: ``str.isspace()``, every Unicode punctuation category (``P*``: quote
  marks, apostrophes, dashes, brackets, ``.,;:!?…%&@/``), invisible format/control characters
  (``Cf``/``Cc``, e.g. a zero-width space), and a few characters used as quote marks or dashes
  although Unicode files them as symbols or letters: backtick, acute accent, modifier-letter
  apostrophe and primes, minus sign. Other symbols (``S*``: ``$``, ``+``, ``=``, ``©``) are kept:
  "$5" and "5" are different content.
- Jaccard 0.5 is tested exactly, in integers (``2 * |A ∩ B| >= |A ∪ B|``); two empty sets never
  match.
- Greedy one-to-one matching: candidate pairs sorted by Jaccard descending, ties broken by gold
  order (start of the gold content), then prediction order (as given). End-to-end does not re-match:
  it keeps the content matches whose sources agree.
- Source agreement: the character sets overlap by at least one character. A gold attribution with no
  source ("it was reported that …") agrees only with a prediction that has no source either.
- Predictions that count: ``kind`` is not ``assertion`` and the cue is not empty. Objects without a
  ``kind`` attribute (e.g. gold attributions used as predictions) count when they have a cue.
- Quote regions are computed on the whole text, paragraph by paragraph (a newline closes any open
  quote, as a quote running over several paragraphs re-opens each of them): ``“`` opens, ``”``
  closes, ``"`` toggles; single quotes are ignored because ``’`` is also the apostrophe. A gold
  content is *direct* when all of its characters lie inside quotes, *mixed* when some do, otherwise
  *indirect* (also when its content is empty).
- Cue family: the gold cue text, lower-cased, is *say/tell/according to* when one of its words is
  say/says/said/saying/tell/tells/told/telling or it contains "according to"; otherwise *other*.
"""
from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from claimkit.brat import BratError, GoldAttribution, GoldDoc, load_gold_dir
from claimkit.model import Article, Span, article_id_for

JACCARD_THRESHOLD = 0.5

# Used as quote marks or dashes, but not in a Unicode P* category.
_QUOTE_AND_DASH_SYMBOLS = frozenset("`´ʹʺʻʼʽ˝−")

SAY_TELL_WORDS = frozenset({"say", "says", "said", "saying", "tell", "tells", "told", "telling"})

DIRECT, MIXED, INDIRECT = "direct", "mixed", "indirect"
SAY_TELL, OTHER_CUE = "say_tell_according_to", "other_cue"


class PredLike(Protocol):
    """What the scorer reads from a prediction; :class:`claimkit.model.Claim` is one."""

    content: Sequence[Span]
    source: Sequence[Span]
    cue: Sequence[Span]


# --- characters and quotes ---------------------------------------------------------------------

def is_ignored_char(ch: str) -> bool:
    """Whitespace, punctuation and invisible characters are not compared (see module docstring)."""
    if ch.isspace() or ch in _QUOTE_AND_DASH_SYMBOLS:
        return True
    cat = unicodedata.category(ch)
    return cat.startswith("P") or cat in ("Cf", "Cc")


def chars(text: str, spans: Iterable[Span]) -> set[int]:
    """Positions covered by ``spans`` in ``text``, without whitespace and punctuation."""
    out: set[int] = set()
    n = len(text)
    for s, e in spans:
        for i in range(max(0, s), min(e, n)):
            if not is_ignored_char(text[i]):
                out.add(i)
    return out


def quote_regions(text: str) -> list[Span]:
    """Spans of ``text`` inside double quote marks (the marks included), paragraph by paragraph."""
    regions: list[Span] = []
    start: int | None = None
    for i, ch in enumerate(text):
        if ch == "\n":
            if start is not None:
                regions.append((start, i))
                start = None
        elif ch == "“":
            if start is None:
                start = i
        elif ch == "”":
            if start is not None:
                regions.append((start, i + 1))
                start = None
        elif ch == '"':
            if start is None:
                start = i
            else:
                regions.append((start, i + 1))
                start = None
    if start is not None:
        regions.append((start, len(text)))
    return regions


def quote_class(content_chars: set[int], quoted: set[int]) -> str:
    """``direct`` (all inside quotes), ``mixed`` (some) or ``indirect`` (none, or no content)."""
    inside = len(content_chars & quoted)
    if not content_chars or inside == 0:
        return INDIRECT
    return DIRECT if inside == len(content_chars) else MIXED


def cue_family(cue_text: str) -> str:
    """``say_tell_according_to`` or ``other_cue`` for a cue's surface text."""
    low = " ".join(cue_text.lower().split())
    words = {w.strip("’'.,;:!?\"“”") for w in low.split()}
    if words & SAY_TELL_WORDS or "according to" in low:
        return SAY_TELL
    return OTHER_CUE


def jaccard(a: set[int], b: set[int]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def best_jaccard(content: set[int], golds: Iterable[set[int]]) -> float:
    """The content's Jaccard overlap with the gold content it overlaps best (0 with none)."""
    return max((jaccard(content, g) for g in golds), default=0.0)


def _at_least_half(a: set[int], b: set[int]) -> bool:
    union = len(a | b)
    return union > 0 and 2 * len(a & b) >= union  # exact: no float rounding at 0.5


def counts_as_attribution(pred: Any) -> bool:
    """Only claims with a cue are attributions; ``assertion`` claims are not scored."""
    kind = getattr(pred, "kind", None)
    kind = getattr(kind, "value", kind)
    return kind != "assertion" and bool(pred.cue)


# --- results -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 from counts."""

    tp: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "tp": self.tp, "predicted": self.predicted, "gold": self.gold}


@dataclass(frozen=True)
class RecallSplit:
    """Recall on one group of gold attributions."""

    gold: int
    content_tp: int
    end_to_end_tp: int

    @property
    def content_recall(self) -> float:
        return self.content_tp / self.gold if self.gold else 0.0

    @property
    def end_to_end_recall(self) -> float:
        return self.end_to_end_tp / self.gold if self.gold else 0.0

    def to_dict(self) -> dict:
        return {"gold": self.gold, "content_tp": self.content_tp,
                "end_to_end_tp": self.end_to_end_tp, "content_recall": self.content_recall,
                "end_to_end_recall": self.end_to_end_recall}


@dataclass(frozen=True)
class Match:
    gold: int  # index into ArticleResult.gold
    pred: int  # index into ArticleResult.predicted
    jaccard: float
    source_ok: bool


@dataclass(frozen=True)
class ArticleResult:
    """One article's matching, kept for error analysis."""

    name: str
    text: str
    gold: tuple[GoldAttribution, ...]
    predicted: tuple[Any, ...]  # only the predictions that count as attributions
    matches: tuple[Match, ...]
    quote_classes: tuple[str, ...]  # per gold attribution
    cue_families: tuple[str, ...]  # per gold attribution

    @property
    def content(self) -> PRF:
        return PRF(len(self.matches), len(self.predicted), len(self.gold))

    @property
    def end_to_end(self) -> PRF:
        return PRF(sum(m.source_ok for m in self.matches), len(self.predicted), len(self.gold))

    @property
    def missed(self) -> list[int]:
        """Indexes of gold attributions no prediction matched."""
        hit = {m.gold for m in self.matches}
        return [i for i in range(len(self.gold)) if i not in hit]

    @property
    def spurious(self) -> list[int]:
        """Indexes of predictions that matched no gold attribution."""
        hit = {m.pred for m in self.matches}
        return [i for i in range(len(self.predicted)) if i not in hit]

    def _show(self, spans: Sequence[Span]) -> str:
        return " … ".join(self.text[s:e] for s, e in spans).replace("\n", " ") or "-"

    def errors(self) -> str:
        """Readable list of missed gold, spurious predictions and wrong sources."""
        out = [f"== {self.name}: content {self.content.f1:.3f}, "
               f"end-to-end {self.end_to_end.f1:.3f}"]
        for i in self.missed:
            g = self.gold[i]
            out.append(f"MISSED   {g.id or i} [{self.quote_classes[i]}, {self.cue_families[i]}] "
                       f"{self._show(g.source)} | {self._show(g.cue)} | {self._show(g.content)}")
        for j in self.spurious:
            p = self.predicted[j]
            out.append(f"SPURIOUS #{j} {self._show(p.source)} | {self._show(p.cue)} | "
                       f"{self._show(p.content)}")
        for m in self.matches:
            if not m.source_ok:
                g, p = self.gold[m.gold], self.predicted[m.pred]
                out.append(f"SOURCE   {g.id or m.gold}: gold {self._show(g.source)!r}, "
                           f"predicted {self._show(p.source)!r} (content J={m.jaccard:.2f})")
        return "\n".join(out)


_SPLIT_LABELS = {
    "direct_or_mixed": "direct or mixed",
    DIRECT: "  direct",
    MIXED: "  mixed",
    INDIRECT: "indirect",
    SAY_TELL: "say / tell / according to",
    OTHER_CUE: "other cues",
}


@dataclass
class Scores:
    articles: int
    content: PRF
    end_to_end: PRF
    splits: dict[str, RecallSplit]
    per_article: dict[str, ArticleResult] = field(default_factory=dict, repr=False)

    def to_dict(self, per_article: bool = False) -> dict:
        d: dict[str, Any] = {
            "articles": self.articles,
            "content": self.content.to_dict(),
            "end_to_end": self.end_to_end.to_dict(),
            "recall_splits": {k: v.to_dict() for k, v in self.splits.items()},
        }
        if per_article:
            d["per_article"] = {
                name: {"content": r.content.to_dict(), "end_to_end": r.end_to_end.to_dict()}
                for name, r in self.per_article.items()}
        return d

    def errors(self, name: str) -> str:
        """Error listing for one article (see :meth:`ArticleResult.errors`)."""
        return self.per_article[name].errors()

    def format(self) -> str:
        """A plain-text table for a terminal."""
        lines = [
            f"{self.articles} articles, {self.content.gold} gold attributions, "
            f"{self.content.predicted} predicted",
            "",
            f"{'':<28}{'P':>7}{'R':>7}{'F1':>7}{'TP':>7}{'pred':>7}{'gold':>7}",
        ]
        for label, prf in (("content", self.content), ("end-to-end", self.end_to_end)):
            lines.append(f"{label:<28}{prf.precision:>7.3f}{prf.recall:>7.3f}{prf.f1:>7.3f}"
                         f"{prf.tp:>7}{prf.predicted:>7}{prf.gold:>7}")
        lines += ["", f"{'recall by gold attribution':<28}{'gold':>7}{'share':>7}"
                      f"{'content':>9}{'end-to-end':>12}"]
        total = self.content.gold
        for key, label in _SPLIT_LABELS.items():
            sp = self.splits[key]
            share = sp.gold / total if total else 0.0
            lines.append(f"{label:<28}{sp.gold:>7}{share:>7.1%}{sp.content_recall:>9.3f}"
                         f"{sp.end_to_end_recall:>12.3f}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


# --- scoring -----------------------------------------------------------------------------------

def match_article(text: str, gold: Sequence[GoldAttribution], predicted: Sequence[Any]
                  ) -> list[Match]:
    """One-to-one matches, best content overlap first (ties: gold order, then prediction order)."""
    gold_content = [chars(text, g.content) for g in gold]
    pred_content = [chars(text, p.content) for p in predicted]
    candidates = []
    for gi, gc in enumerate(gold_content):
        if not gc:
            continue
        for pi, pc in enumerate(pred_content):
            if pc and not gc.isdisjoint(pc) and _at_least_half(gc, pc):
                candidates.append((-jaccard(gc, pc), gi, pi))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    matches = []
    for neg_j, gi, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        matches.append(Match(gi, pi, -neg_j, _sources_agree(text, gold[gi], predicted[pi])))
    matches.sort(key=lambda m: m.gold)
    return matches


def _sources_agree(text: str, gold: GoldAttribution, pred: Any) -> bool:
    gs, ps = chars(text, gold.source), chars(text, pred.source)
    if not gs:
        return not ps
    return not gs.isdisjoint(ps)


def _gold_order(text: str, gold: Sequence[GoldAttribution]) -> tuple[GoldAttribution, ...]:
    return tuple(sorted(gold, key=lambda g: (g.content[:1] or [(len(text), 0)])[0]))


def score_article(name: str, text: str, gold: Sequence[GoldAttribution],
                  predictions: Iterable[Any], quoted: set[int] | None = None) -> ArticleResult:
    gold = _gold_order(text, gold)
    predicted = tuple(p for p in predictions if counts_as_attribution(p))
    if quoted is None:
        quoted = chars(text, quote_regions(text))
    return ArticleResult(
        name=name, text=text, gold=gold, predicted=predicted,
        matches=tuple(match_article(text, gold, predicted)),
        quote_classes=tuple(quote_class(chars(text, g.content), quoted) for g in gold),
        cue_families=tuple(cue_family(" ".join(text[s:e] for s, e in g.cue)) for g in gold),
    )


def score(predictions: Mapping[str, Sequence[Any]], gold: Mapping[str, GoldDoc]) -> Scores:
    """Score predictions (article name -> claims, offsets into that gold text) against gold.

    Every gold article is scored; one without an entry in ``predictions`` has no predictions.
    A name in ``predictions`` that is not in ``gold`` is an error (it would silently vanish).
    """
    unknown = sorted(set(predictions) - set(gold))
    if unknown:
        raise ValueError(f"predictions for articles not in the gold set: {', '.join(unknown[:5])}"
                         + (" …" if len(unknown) > 5 else ""))
    per_article = {name: score_article(name, doc.text, doc.attributions,
                                       predictions.get(name, ()))
                   for name, doc in sorted(gold.items())}
    return aggregate(per_article)


def aggregate(per_article: Mapping[str, ArticleResult]) -> Scores:
    """Micro-averaged scores and recall splits from per-article results."""
    tp = e2e = pred = gold = 0
    split_counts = {key: [0, 0, 0] for key in _SPLIT_LABELS}
    for r in per_article.values():
        tp += len(r.matches)
        e2e += sum(m.source_ok for m in r.matches)
        pred += len(r.predicted)
        gold += len(r.gold)
        by_gold = {m.gold: m for m in r.matches}
        for i in range(len(r.gold)):
            qc, cf = r.quote_classes[i], r.cue_families[i]
            keys = [qc, cf] + (["direct_or_mixed"] if qc in (DIRECT, MIXED) else [])
            m = by_gold.get(i)
            for key in keys:
                c = split_counts[key]
                c[0] += 1
                c[1] += m is not None
                c[2] += m is not None and m.source_ok
    return Scores(
        articles=len(per_article),
        content=PRF(tp, pred, gold),
        end_to_end=PRF(e2e, pred, gold),
        splits={k: RecallSplit(*v) for k, v in split_counts.items()},
        per_article=dict(per_article),
    )


# --- running the extractor on a gold folder ----------------------------------------------------

def evaluate_dir(gold_dir: str | Path, model: str | None = None, jobs: int = 1,
                 progress: bool = False) -> Scores:
    """Extract attributions from every gold text with claimkit and score them."""
    from claimkit.engines import iter_extract  # the extractor loads spaCy; only needed here

    gold = load_gold_dir(gold_dir)
    by_path = {doc.path: name for name, doc in gold.items()}
    articles = [Article(article_id=article_id_for(doc.text), text=doc.text, path=doc.path)
                for doc in gold.values()]
    results = iter_extract(articles, model=model, jobs=jobs)
    if progress:
        from tqdm import tqdm
        results = tqdm(results, total=len(articles), desc="evaluate", unit="article")
    predictions = {}
    for x in results:
        if x.problem is not None:  # scored as an article with no claims, and said so
            print(x.problem, file=sys.stderr)
        predictions[by_path[x.article.path]] = list(x.claims)
    return score(predictions, gold)


def main_evaluate(gold_dir: str | Path, as_json: bool = False, model: str | None = None,
                  jobs: int = 1) -> int:
    """``claimkit evaluate GOLD_DIR``: print the scores; 0 on success, 2 on unusable input."""
    from claimkit.nlp import ModelNotFound

    try:
        scores = evaluate_dir(gold_dir, model=model, jobs=jobs, progress=sys.stderr.isatty())
    except (BratError, ModelNotFound, OSError, UnicodeDecodeError) as exc:
        print(f"claimkit evaluate: {exc}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(scores.to_dict(), indent=2))
    else:
        print(scores.format())
    return 0
