"""Where a content stops: the tails a speaker did not say, and the learned cut (extract/tails.py).
Every sentence here is invented for these tests."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from claimkit.engines import extract_text
from claimkit.extract import scoring
from claimkit.extract.attribution import find_candidates
from claimkit.extract.geometry import TextGeometry
from claimkit.extract.tails import MODEL_META, boundary_model, tails_of, without_tail
from claimkit.nlp import load_pipeline


def chosen_tails(text):
    doc = load_pipeline()(text)
    cands, quotes = find_candidates(doc, text=text)
    chosen = [a for a, _ in scoring.select(cands, doc, quotes, text)]
    return [(a, t) for a, t in zip(chosen, tails_of(chosen, doc, TextGeometry(text))) if t is not None]


@pytest.mark.parametrize("text,kind,kept", [
    ("Officials said the storm had damaged 300 homes, the worst toll in a decade.", "appos",
     "the storm had damaged 300 homes"),
    ("The mayor said the bridge would reopen in May, citing a report by the city's engineers.", "advcl",
     "the bridge would reopen in May"),
    ("The union criticized the plan during a rally outside the factory gates.", "prep", "the plan"),
])
def test_the_tail_of_a_content_is_found_where_it_opens(text, kind, kept):
    (att, tail), = chosen_tails(text)
    assert tail.kind == kind
    short = without_tail(att, tail, text)
    assert text[short[0][0]:short[-1][1]] == kept


def test_a_tail_inside_a_quotation_is_the_speaker_s_own():
    text = "The mayor said “the bridge will reopen in May, once the engineers sign off.”"
    assert chosen_tails(text) == []


def test_the_shipped_model_cuts_an_aside_the_speaker_did_not_say():
    text = "The mayor said the bridge would reopen in May, citing a report by the city's engineers."
    (claim,) = [c for c in extract_text(text) if c.cue_lemma == "say"]
    assert claim.text == "the bridge would reopen in May"


def test_the_shipped_model_keeps_what_the_speaker_did_say():
    text = "The senator attacked the governor's budget in a series of late-night posts on Sunday."
    (claim,) = [c for c in extract_text(text) if c.cue]
    assert claim.text.startswith("the governor's budget in a series of late-night posts")


def test_the_boundary_model_is_data_with_its_provenance():
    meta = json.loads(resources.files("claimkit.data").joinpath(MODEL_META).read_text(encoding="utf-8"))
    assert "PolNeAR train" in meta["about"] and "scripts/train_boundaries.py" in meta["about"]
    assert 0 < meta["threshold"] < 1 and meta["train_examples"] > meta["train_cut"] > 0
    assert boundary_model().names == meta["features"]


def test_a_content_never_ends_on_a_dangling_and():
    text = "The minister said the tax would fall next year and warned that spending must be cut."
    contents = sorted(c.text for c in extract_text(text) if c.cue)
    assert contents == ["that spending must be cut", "the tax would fall next year"]


def test_trim_drops_a_dangling_coordinator_but_keeps_names_that_end_in_one():
    from claimkit.extract.spans import trim
    text = "the tax would fall and, the mayor"
    assert text[slice(*trim(text, (0, 22)))] == "the tax would fall"
    assert text[slice(*trim(text, (24, 33)))] == "the mayor"
