"""The readings added for recall (issue 16): stance nouns, adjectives and adverbs, polls, headline
labels, and the later readings of a verb cue. Every sentence here is invented for these tests."""
from __future__ import annotations

import pytest

from claimkit.engines import extract_text
from claimkit.extract import rule_names
from claimkit.extract.attribution import find_candidates
from claimkit.extract.candidate import neighbours
from claimkit.extract.scoring import features
from claimkit.extract.triggers import word_triggers
from claimkit.nlp import load_pipeline


def readings(text):
    """(rule, cue, source, content) of every candidate the rules propose, before the filter."""
    candidates, _ = find_candidates(load_pipeline()(text))
    def texts(spans):
        return [text[s:e] for s, e in spans]
    return [(a.rule, texts(a.cue), texts(a.source), texts(a.content)) for a in candidates]


def readings_of(text, rule):
    """The readings of one rule (see ``readings``)."""
    return [r for r in readings(text) if r[0] == rule]


# --- a stance noun with a prepositional object ---------------------------------------------------

@pytest.mark.parametrize("text, cue, source, content", [
    ("The senator's criticism of the new ferry timetable grew louder this week.",
     "criticism of", ["The senator"], "the new ferry timetable"),
    ("Opposition to the harbour tunnel has spread among fishermen in the bay.",
     "Opposition to", [], "the harbour tunnel"),
    ("The union's support for the four-day week surprised the board.",
     "support for", ["The union"], "the four-day week"),
])
def test_a_stance_noun_reads_its_prepositional_object_as_content(text, cue, source, content):
    assert (rule_names.NOUN_PREP, [cue], source, [content]) in readings(text)


def test_a_stance_noun_inside_a_quotation_is_the_speakers_wording():
    text = "“Their criticism of the timetable is unfair,” the ferry operator said."
    assert not readings_of(text, rule_names.NOUN_PREP)


# --- a stance adjective with a prepositional object -----------------------------------------------

def test_a_stance_adjective_reads_its_object_as_content_and_the_subject_as_source():
    text = "The mayor has long been critical of the harbour plan."
    assert (rule_names.ADJECTIVE_CUE, ["critical of"], ["The mayor"], ["the harbour plan"]) in readings(text)
    claims = [c for c in extract_text(text) if c.rule == rule_names.ADJECTIVE_CUE]
    assert [(c.speaker, c.text) for c in claims] == [("The mayor", "the harbour plan")]


def test_a_stance_adjective_without_an_object_is_no_cue():
    assert not readings_of("The auditors wrote a critical report on Friday.", rule_names.ADJECTIVE_CUE)


# --- an adverb that hands a clause to an unnamed source -------------------------------------------

def test_reportedly_makes_the_clause_around_it_the_content_with_no_source():
    text = "The bakery chain has reportedly hired three new managers for its northern shops."
    found = readings_of(text, rule_names.ADVERB_CUE)
    assert found == [(rule_names.ADVERB_CUE, ["reportedly"], [],
                      ["The bakery chain has", "hired three new managers for its northern shops."])]


def test_the_word_triggers_come_from_the_tree_patterns_data():
    words = word_triggers()
    assert words["reportedly"] == ("adverb-cue",) and words["critical"] == ("adjective-cue",)
    assert words["in"] == ("in-poll",)
    assert "said" not in words  # verbs fire through the cue lexicon, not a word list


# --- a poll as the source ----------------------------------------------------------------------

def test_a_finding_in_a_poll_has_the_poll_as_source():
    text = "In a new poll by the Riverside Institute, 52 percent of voters backed the tunnel."
    found = readings_of(text, rule_names.IN_POLL)
    assert found == [(rule_names.IN_POLL, ["In"], ["a new poll"], ["52 percent of voters backed the tunnel."])]


def test_in_before_other_nouns_is_no_cue():
    text = "In the spring, 52 percent of voters backed the tunnel."
    assert not readings_of(text, rule_names.IN_POLL)


# --- a headline's label ------------------------------------------------------------------------

def test_a_headline_label_that_names_no_one_is_still_proposed():
    text = "Poll: Most residents want a later curfew\n\nThe council will vote on the curfew next month."
    assert (rule_names.SPEAKER_LABEL, [":"], ["Poll"], ["Most residents want a later curfew"]) in readings(text)
    text = "Clinic Nurses to Harbour Board: Wards are full every night\n\nThe board meets today."
    assert (rule_names.SPEAKER_LABEL, [":"], ["Clinic Nurses to Harbour Board"],
            ["Wards are full every night"]) in readings(text)


def test_a_label_below_the_headline_must_still_name_someone():
    text = "Ferry fares rise in May.\nPoll: most residents want a later curfew"
    assert not readings_of(text, rule_names.SPEAKER_LABEL)


# --- every reading of a verb cue ------------------------------------------------------------------

def test_a_verb_cue_proposes_its_later_readings_as_alternatives_and_one_claim_stands():
    text = "Ms. Okafor called the new parking rules a disaster for small shops on Monday."
    candidates, _ = find_candidates(load_pipeline()(text))
    called = [a for a in candidates if a.cue_lemma == "call"]
    assert [(a.rule, a.alternative) for a in called] == [
        (rule_names.VERB_OBJECT, False), (rule_names.VERB_PREP, True)]
    assert len({tuple(a.cue[0]) for a in called}) == 1  # one cue: the filter keeps one reading
    claims = [c for c in extract_text(text) if c.cue]
    assert len(claims) == 1 and claims[0].speaker == "Ms. Okafor"


def test_the_filter_sees_how_a_reading_compares_with_its_rivals():
    text = "Ms. Okafor called the new parking rules a disaster for small shops on Monday."
    doc = load_pipeline()(text)
    candidates, quotes = find_candidates(doc)
    near = neighbours(candidates)
    feats = {a.rule: features(a, doc, quotes, others, text) for a, others in zip(candidates, near)
             if a.cue_lemma == "call"}
    longer, shorter = feats[rule_names.VERB_OBJECT], feats[rule_names.VERB_PREP]
    assert longer["readings<=2"] == shorter["readings<=2"] == 1.0
    assert longer["longest_reading"] == 1.0 and shorter["shortest_reading"] == 1.0
    assert shorter["alternative"] == 1.0 and "alternative" not in longer
    assert 0 < shorter["size_to_longest"] < longer["size_to_longest"] == 1.0


# --- verbs of impression ---------------------------------------------------------------------------

def test_an_impression_verb_reads_its_subject_into_the_content_with_no_source():
    text = "The new bridge seems to be sinking into the river."
    found = readings(text)
    assert (rule_names.VERB_IMPRESSION, ["seems"], [], ["The new bridge", "to be sinking into the river"]) in found
    # the subject-as-source reading is still proposed: the filter chooses
    assert (rule_names.VERB_XCOMP, ["seems"], ["The new bridge"], ["to be sinking into the river"]) in found


def test_a_reporting_verb_has_no_impression_reading():
    found = readings("The harbour master said that the new pier will open in June.")
    assert not [r for r in found if r[0] == rule_names.VERB_IMPRESSION]


def test_a_stance_adjective_with_a_clause_reads_the_clause_as_content():
    text = "The harbour master is confident that the new pier will open in June."
    assert (rule_names.ADJECTIVE_CUE, ["confident"], ["The harbour master"],
            ["that the new pier will open in June"]) in readings(text)
