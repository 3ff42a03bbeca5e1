"""benchmarks/error_analysis.py: every error lands in one bucket (invented article, invented gold)."""
from __future__ import annotations

import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from claimkit.brat import GoldAttribution
from claimkit.evaluate import score_article
from claimkit.nlp import load_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from error_analysis import bucket_article, per_rule  # noqa: E402

TEXT = ("The mayor said the bridge would close in June. Critics argued that the plan was rushed. "
        "Rain fell on the town, and the weather was fine for a week after the storm. "
        "The team won the cup in a final that nobody will forget.")


def span(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


@dataclass
class Pred:
    content: list
    source: list = field(default_factory=list)
    cue: list = field(default_factory=lambda: [(0, 1)])
    rule: str = "verb-ccomp"
    cue_lemma: str = "say"


def test_each_error_kind_has_its_bucket():
    gold = [
        GoldAttribution(source=(span("The mayor"),), cue=(span("said"),),
                        content=(span("the bridge would close in June"),)),
        GoldAttribution(source=(span("Critics"),), cue=(span("argued"),),
                        content=(span("that the plan was rushed"),)),
        GoldAttribution(source=(), cue=(span("Rain fell"),), content=(span("the weather was fine"),)),
    ]
    predicted = [
        Pred([span("the bridge would close in June")], source=[span("Critics")]),  # wrong source
        Pred([span("Rain fell on the town, and the weather was fine for a week after the storm")],
             rule="verb-object"),  # overlaps the third gold, far too long
        Pred([span("the cup in a final that nobody will forget")], rule="verb-object",
             cue_lemma="win"),  # nothing there: a false attribution
    ]
    result = score_article("invented", TEXT, gold, predicted)
    buckets: dict[str, Counter] = defaultdict(Counter)
    lemmas: dict[str, Counter] = defaultdict(Counter)
    bucket_article(result, load_pipeline()(TEXT), buckets, lemmas)
    assert buckets["wrong source"] == Counter({"other source": 1})
    assert buckets["missed (by cue class)"] == Counter({"argue": 1})
    assert lemmas["missed: argue"] == Counter({"argue": 1})
    assert buckets["boundary"] == Counter({"content too long": 1})
    assert buckets["false attribution (by rule)"] == Counter({"verb-object": 1})
    assert lemmas["false attribution: verb-object"] == Counter({"win": 1})
    rules = per_rule([result])
    assert rules["verb-object"] == {"predicted": 2, "content_tp": 0, "end_to_end_tp": 0,
                                    "content_precision": 0.0}
    assert rules["verb-ccomp"]["content_tp"] == 1 and rules["verb-ccomp"]["end_to_end_tp"] == 0
