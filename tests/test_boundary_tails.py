"""benchmarks/boundary_tails.py: which closing tail a content has, and how a tail's outcome is
counted (invented sentences and offsets)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from claimkit.extract.geometry import TextGeometry
from claimkit.nlp import load_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from boundary_tails import find_tail, learn_cuts, net_gain, outcome  # noqa: E402


def tail_of(text: str, cue: str, content: str, rule: str):
    doc = load_pipeline()(text)
    tok = next(t for t in doc if t.text == cue)
    start = text.index(content)
    return find_tail(doc, (start, start + len(content)), tok, rule, TextGeometry(text))


@pytest.mark.parametrize("text, cue, content, rule, kind, kept", [
    ("The senator said he did not support Mr. Grant, the presumed favorite of the party.", "said",
     "he did not support Mr. Grant, the presumed favorite of the party", "verb-ccomp", "appos",
     "he did not support Mr. Grant"),
    ("She said the plan would fail, arguing that the costs were too high.", "said",
     "the plan would fail, arguing that the costs were too high", "verb-ccomp", "advcl",
     "the plan would fail"),
    ("He said he would review the defenses and warned against hackers from abroad.", "said",
     "he would review the defenses and warned against hackers from abroad", "verb-ccomp", "conj_cue",
     "he would review the defenses"),
    ("The mayor attacked Jones in early-morning posts on Monday.", "attacked",
     "Jones in early-morning posts on Monday", "verb-object", "prep", "Jones"),
])
def test_the_outermost_closing_tail_is_found(text, cue, content, rule, kind, kept):
    tail = tail_of(text, cue, content, rule)
    assert tail is not None and tail.kind == kind
    assert text[text.index(content):tail.end].rstrip(" ,") == kept


def test_no_tail_inside_a_quotation_nor_for_a_complement_preposition():
    text = 'She said "the plan would fail, which nobody wants."'
    assert tail_of(text, "said", '"the plan would fail, which nobody wants."', "verb-ccomp") is None
    text = "The mayor likened the plan to a broken promise."
    assert tail_of(text, "likened", "the plan to a broken promise", "verb-object") is None


def test_outcomes_and_the_learned_rule_count_fixes_against_breakages():
    assert outcome(0.4, 0.7) == "cut" and outcome(0.7, 0.4) == "keep"
    assert outcome(0.6, 0.6) == "both" and outcome(0.1, 0.2) == "neither"
    rows = [{"rule": "verb-ccomp", "kind": "relcl", "word": "which", "outcome": o}
            for o in ["cut"] * 6 + ["keep"] * 2] + \
           [{"rule": "verb-ccomp", "kind": "advcl", "word": "while", "outcome": o} for o in ["cut", "keep", "keep"]]
    cuts = learn_cuts(rows, min_count=5, ratio=1.5)
    assert cuts == {("verb-ccomp", "relcl", "which")}
    assert net_gain(rows, cuts) == {"cut": 8, "fixed": 6, "broken": 2, "net": 4}
