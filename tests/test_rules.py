"""The rule registry, its names, its settings and its triggers (invented sentences only)."""
from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, replace
from importlib import resources

import pytest

from claimkit.extract import rule_names
from claimkit.extract.attribution import find_candidates, registered_rule_names
from claimkit.extract.rules import TOKEN_RULES, VERB_READINGS, read_verb
from claimkit.extract.context import DocumentContext
from claimkit.extract.settings import DEFAULTS, ExtractionSettings
from claimkit.extract.triggers import find_triggers, tree_pattern_specs, tree_shapes
from claimkit.nlp import load_pipeline


def model_features() -> set[str]:
    meta = resources.files("claimkit.data").joinpath("attribution_model.json").read_text(encoding="utf-8")
    return set(json.loads(meta)["features"])


def rules_of(text, settings=DEFAULTS):
    candidates, _ = find_candidates(load_pipeline()(text), settings=settings)
    return {a.rule for a in candidates}


# --- names ------------------------------------------------------------------------------------

def test_every_rule_name_is_a_feature_of_the_shipped_model_or_declared_unscored():
    features = model_features()
    missing = [name for name in registered_rule_names()
               if f"rule={name}" not in features and name not in rule_names.UNSCORED]
    assert not missing, f"rules the filter has never seen and nobody declared unscored: {missing}"


def test_a_rule_declared_unscored_really_has_no_weight_in_the_model():
    features = model_features()
    assert not [name for name in rule_names.UNSCORED if f"rule={name}" in features]


def test_the_registry_gives_exactly_the_names_that_rule_names_defines():
    assert registered_rule_names() == set(rule_names.ALL)
    assert len(rule_names.ALL) == len(set(rule_names.ALL))


def test_each_trigger_has_one_rule():
    triggers = [rule.trigger for rule in TOKEN_RULES]
    assert len(triggers) == len(set(triggers))


# --- verb readings ----------------------------------------------------------------------------

def test_verb_readings_are_an_ordered_tuple_of_named_readers():
    assert isinstance(VERB_READINGS, tuple)
    names = [name for name, _ in VERB_READINGS]
    assert names[0] == rule_names.VERB_COLON  # "said:" wins over any clause after it
    assert names.index(rule_names.VERB_XCOMP) < names.index(rule_names.VERB_OBJECT)


@pytest.mark.parametrize("text, cue, rule", [
    ("The minister said: the border will stay open.", "said", rule_names.VERB_COLON),
    ("The minister said that the border would stay open.", "said", rule_names.VERB_CCOMP),
    ("The council urged residents to save water this summer.", "urged", rule_names.VERB_XCOMP),
    ("The company denied any wrongdoing in the deal.", "denied", rule_names.VERB_OBJECT),
    ("The union called for a review of the contract.", "called", rule_names.VERB_PREP),
])
def test_the_first_reading_that_applies_names_the_candidate(text, cue, rule):
    doc = load_pipeline()(text)
    tok = next(t for t in doc if t.text == cue)
    content, name = read_verb(DocumentContext(doc), tok, None)[0]
    assert name == rule and content


# --- triggers ---------------------------------------------------------------------------------

def test_according_fires_only_before_to():
    doc = load_pipeline()("According to the auditor, costs rose. The plan went according as hoped.")
    fired = [(t.cue.i, t.name) for t in find_triggers(doc) if t.cue.lower_ == "according"]
    assert fired == [(0, "according-to")]  # the second "according" fires nothing


def test_every_tree_pattern_names_a_rule_trigger():
    triggers = {rule.trigger for rule in TOKEN_RULES}
    assert {spec["trigger"] for spec in tree_pattern_specs()} <= triggers


def test_the_dependency_matcher_finds_the_first_clause_of_a_reporting_noun():
    doc = load_pipeline()("Officials dismissed claims that the dam had cracked.")
    shapes = tree_shapes(doc.vocab).find(doc)
    cue = next(t for t in doc if t.text == "claims")
    assert shapes[("noun-cue", cue.i)]["clause"].text == "cracked"
    assert tree_shapes(doc.vocab) is tree_shapes(doc.vocab)  # built once per vocabulary


def test_a_reporting_noun_fires_only_with_a_that_clause():
    assert rule_names.NOUN_CUE in rules_of("The mayor rejected the claim that the bridge was unsafe.")
    assert rule_names.NOUN_CUE not in rules_of("The mayor rejected the claim about the bridge.")


# --- settings ---------------------------------------------------------------------------------

def test_settings_are_frozen():
    with pytest.raises(FrozenInstanceError):
        DEFAULTS.verb_cue_min_p = 0.5  # type: ignore[misc]


def test_the_rules_read_their_thresholds_from_the_settings():
    text = "The minister said that the border would stay open."
    assert rule_names.VERB_CCOMP in rules_of(text)
    no_verb_cues: ExtractionSettings = replace(DEFAULTS, verb_cue_min_p=1.1)
    assert rule_names.VERB_CCOMP not in rules_of(text, no_verb_cues)
    too_short = replace(DEFAULTS, min_content_chars=1000)
    assert not rules_of(text, too_short)


# --- a fronted content the parse did not read as the verb's clause ------------------------------

@pytest.mark.parametrize("text, content, source", [
    ("Towns like Milford, she said.", "Towns like Milford", "she"),
    ("Too little, too late, the union said in a statement.", "Too little, too late", "the union"),
    ("Not now, the mayor said on Tuesday.", "Not now", "the mayor"),
])
def test_a_fronted_content_closed_by_its_cue_clause_is_read_as_the_clause(text, content, source):
    candidates, _ = find_candidates(load_pipeline()(text))
    found = [(a.rule, [text[s:e] for s, e in a.content], [text[s:e] for s, e in a.source]) for a in candidates]
    assert (rule_names.VERB_CCOMP, [content], [source]) in found


@pytest.mark.parametrize("text", [
    "In Paris, officials said.",  # a place, not something said
    "Yesterday, he said nothing.",  # the object is what was said; the opening is a time
])
def test_an_opening_adverbial_is_not_a_fronted_content(text):
    candidates, _ = find_candidates(load_pipeline()(text))
    opening = text.split(",")[0]
    assert all(text[a.content_start:a.content_end] != opening for a in candidates)


def test_a_passive_cue_reads_its_subject_as_content_and_its_agent_as_source():
    text = "The new stadium plan is supported by most of the council."
    candidates, _ = find_candidates(load_pipeline()(text))
    found = [(a.rule, [text[s:e] for s, e in a.content], [text[s:e] for s, e in a.source]) for a in candidates]
    assert (rule_names.VERB_OBJECT, ["The new stadium plan"], ["most of the council"]) in found


def test_a_passive_without_an_agent_or_with_a_dummy_subject_has_no_passive_reading():
    for text in ("The new stadium plan is supported widely.", "It was reported by the agency that prices rose."):
        candidates, _ = find_candidates(load_pipeline()(text))
        assert not any(text[a.content_start:a.content_end] in ("The new stadium plan", "It") for a in candidates)


def test_the_anchored_search_finds_what_a_dependency_matcher_finds():
    from spacy.matcher import DependencyMatcher

    nlp = load_pipeline()
    texts = ["Officials dismissed claims that the dam had cracked, and criticism of the plan grew.",
             "The senator, reportedly furious about the vote, was critical of the council's support for the bridge.",
             "In a new poll, most voters backed the mayor; his supporters were confident in the outcome.",
             "Critics voiced their opposition to the tax and their worries over the claim that rents would rise."]
    for doc in nlp.pipe(texts):
        matcher = DependencyMatcher(doc.vocab)
        ids = {}
        for n, spec in enumerate(tree_pattern_specs()):
            key = f"{spec['trigger']}#{n}"  # one key per pattern: a trigger may have several shapes
            matcher.add(key, [spec["pattern"]])
            ids[doc.vocab.strings[key]] = (spec["trigger"], [n["RIGHT_ID"] for n in spec["pattern"]])
        expected = {}
        for key, token_ids in matcher(doc):
            name, node_ids = ids[key]
            nodes = expected.setdefault((name, token_ids[0]), {})
            for node_id, i in zip(node_ids, token_ids):
                nodes[node_id] = min(i, nodes.get(node_id, i))
        found = {k: {n: t.i for n, t in v.items()} for k, v in tree_shapes(doc.vocab).find(doc).items()}
        assert found == expected, doc.text
        assert expected, doc.text  # each sentence holds at least one shape
