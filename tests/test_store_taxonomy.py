"""Statuses and verdicts as data files: the defaults (docs/architecture.md §2) and the presets."""
from __future__ import annotations

import json

import pytest

from claimkit.taxonomy import (
    VERDICT_PRESETS, TaxonomyError, bundled_taxonomies, load_taxonomy,
)


def test_the_defaults_are_those_of_the_design():
    assert load_taxonomy("statuses").ids == ["unverified", "in_review", "verified", "published",
                                             "needs_correction"]
    verdicts = load_taxonomy("verdicts")
    assert {v.id: v.rating for v in verdicts.values} == {
        "true": 5, "mostly_true": 4, "mixed": 3, "misleading": 2, "false": 1,
        "unverifiable": None, "not_checkable": None}


@pytest.mark.parametrize("name", VERDICT_PRESETS)
def test_every_preset_loads_with_labels_colours_and_a_rating_scale(name):
    taxonomy = load_taxonomy(name)
    assert name in bundled_taxonomies()
    assert all(v.label and v.colour.startswith("#") and v.description for v in taxonomy.values)
    assert taxonomy.worst_rating == 1 and taxonomy.best_rating > 1


def test_politifact_has_six_levels():
    assert [v.label for v in load_taxonomy("politifact").values] == [
        "True", "Mostly True", "Half True", "Mostly False", "False", "Pants on Fire"]


def test_a_taxonomy_can_come_from_a_tsv_or_json_file(tmp_path):
    tsv = tmp_path / "house.tsv"
    tsv.write_text("id\tlabel\trating\tcolour\tdescription\n"
                   "solid\tSolid\t2\t#00aa00\tHolds up.\nshaky\tShaky\t1\t#aa0000\tDoes not.\n",
                   encoding="utf-8")
    assert load_taxonomy(tsv).ids == ["solid", "shaky"]
    as_json = tmp_path / "house.json"
    as_json.write_text(json.dumps([{"id": "ok", "label": "OK"}]), encoding="utf-8")
    assert load_taxonomy(as_json)["ok"].rating is None


@pytest.mark.parametrize("rows, message", [
    ("Bad Id\tX\t1\t#000000\t\n", "lower-case"),
    ("a\tA\tfive\t#000000\t\n", "whole number"),
    ("a\tA\t0\t#000000\t\n", "1 or more"),
    ("a\tA\t1\tred\t\n", "#rrggbb"),
    ("a\tA\t1\t#000000\t\na\tA\t1\t#000000\t\n", "repeats a"),
])
def test_malformed_taxonomies_are_refused(tmp_path, rows, message):
    path = tmp_path / "bad.tsv"
    path.write_text("id\tlabel\trating\tcolour\tdescription\n" + rows, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(path)


def test_an_unknown_preset_names_the_bundled_ones():
    with pytest.raises(TaxonomyError, match="politifact"):
        load_taxonomy("nosuch")
