"""Filtered reads decided over the snapshot (store/facets.py) must return exactly what the
database returns for the same filter, on both backends, before and after review changes that
the snapshot does not hold yet."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from store_fixtures import make_article

from claimkit.store import facets, open_store
from claimkit.store.filters import ClaimFilter

OUTLETS = ["Daily Planet", "Gazette", "Herald"]
DATES = ["2024-05-01", "2024-06-15", None, "2025-01-02"]

FILTERS = [
    {"status": "in_review"},
    {"status": ["in_review", "published"]},
    {"status": "no such status"},
    {"outlet": "Gazette"},
    {"outlet": ["Gazette", "Herald"], "kind": "indirect"},
    {"outlet": "Herald", "status": "in_review", "min_checkworthiness": 0.5},
    {"kind": "direct"},  # only corrected ones are direct
    {"kind": ["assertion", "indirect"]},
    {"cue_class": "deny"},
    {"verdict": "false"},
    {"verdict": ["false", "true"], "outlet": "Daily Planet"},
    {"has_verdict": True},
    {"has_verdict": False, "outlet": "Gazette"},
    {"speaker_type": "person"},
    {"speaker_type": ["anonymous", "person"], "min_checkworthiness": 0.5},
    {"since": "2024-06-01"},
    {"until": "2024-06-15"},
    {"since": "2024-05-01", "until": "2024-05-01", "status": "unverified"},
    {"flagged": True},
    {"flagged": False, "outlet": "Herald"},
    {"not_a_claim": True},
    {"not_a_claim": False},
    {"missing": True},
    {"missing": False, "outlet": "Daily Planet"},
    {"assignee": "bea"},
    {"assignee": ""},
    {"assignee": ["", "bea"]},
    {"reviewer": "ann"},
    {"min_checkworthiness": 0.9},
    {"min_checkworthiness": 0.0, "outlet": "Herald"},
    {"speaker": "", "outlet": "Gazette"},  # an empty text filter is no filter
    {"cluster_id": "no-cluster"},
    # the database names the claims these match; the rest is decided over the snapshot
    {"search": "bridge"},
    {"search": "BRIDGE 1", "outlet": "Daily Planet"},
    {"speaker": "lee", "status": "in_review"},
    {"speaker": "Someone Else"},
    {"speaker": "someone"},
    {"speaker": "mayor ann", "outlet": "Herald"},
    {"speaker": "Officials", "kind": "indirect"},
    {"tag": "budget"},
    {"tag": ["budget", "Budget"], "outlet": "Gazette"},
]


@pytest.fixture
def store(store_url):
    with open_store(store_url, reviewer="alice") as s:
        s.add_many(make_article(n, outlet=OUTLETS[n % 3], published=DATES[n % 4])
                   for n in range(24))
        ids = s.claims()["claim_id"].tolist()
        s.review(ids[0], status="in_review", verdict="false", reviewer="ann")
        s.review(ids[1], verdict="true", flagged=True)
        s.review(ids[2], corrected_kind="direct", corrected_cue_class="deny")
        s.review(ids[4], not_a_claim=True, corrected_speaker="Someone Else")
        s.review(ids[6], tags=["budget"])
        s.review(ids[7], tags=["Budget", "roads"])
        s.assign(ids[5:9], "bea")
        s.bulk_review({"outlet": "Herald", "kind": "indirect"}, status="in_review")
        # the re-extraction of one article no longer finds one of its claims
        article, claims = make_article(3, outlet=OUTLETS[0], published=DATES[3])
        s.add(article, [dataclasses.replace(c, extractor_version="test-2") for c in claims[1:]])
        yield s


def by_database(store, monkeypatch, **filters) -> pd.DataFrame:
    with monkeypatch.context() as patch:
        patch.setattr(facets, "answers", lambda claim_filter: False)
        return store.claims(**filters)


def assert_same_as_the_database(store, monkeypatch, **ask) -> None:
    for filters in FILTERS:
        assert facets.answers(ClaimFilter.from_kwargs(filters))
        expected = by_database(store, monkeypatch, **filters, **ask)
        got = store.claims(**filters, **ask)
        pd.testing.assert_frame_equal(got, expected, obj=str(filters))


def test_facet_filters_select_what_the_database_selects(store, monkeypatch):
    store.claims()  # writes the snapshot
    assert store.snapshot_path.exists()
    assert_same_as_the_database(store, monkeypatch)
    assert_same_as_the_database(store, monkeypatch, details=True, spans=True,
                                include_rejected=False)
    # and the filters mean something: each of these matches some claims and not all
    total = store.count()
    for filters in ({"outlet": "Gazette"}, {"kind": "direct"}, {"missing": True},
                    {"assignee": "bea"}, {"since": "2024-06-01"}, {"has_verdict": True}):
        assert 0 < len(store.claims(**filters)) < total, filters


def test_reviews_changed_after_the_snapshot_are_decided_on_their_new_values(store, monkeypatch):
    store.claims()  # the snapshot, then changes it does not hold
    gazette = store.claims(outlet="Gazette")["claim_id"].tolist()
    store.review(gazette[0], status="in_review", verdict="false")
    store.review(gazette[1], corrected_kind="direct")
    store.assign(gazette[2], "bea")
    store.review(gazette[3], flagged=True, not_a_claim=True)
    in_review = store.claims(status="in_review", outlet="Gazette")
    assert gazette[0] in set(in_review["claim_id"])
    assert set(store.claims(kind="direct")["claim_id"]) >= {gazette[1]}
    assert_same_as_the_database(store, monkeypatch)
    # a claim that no longer matches leaves the result
    store.review(gazette[0], status="unverified")
    assert gazette[0] not in set(store.claims(status="in_review")["claim_id"])
    assert_same_as_the_database(store, monkeypatch)


def test_without_a_current_snapshot_the_database_answers(store, monkeypatch):
    store.claims()
    store.add(*make_article(99, outlet="Gazette"))  # a new generation: the snapshot is stale
    got = store.claims(outlet="Gazette")
    assert len(got) == len(by_database(store, monkeypatch, outlet="Gazette"))
    assert "Article 99" in set(got["title"])


def test_filters_by_id_go_to_the_database():
    for filters in ({}, {"claim_id": "c1"}, {"search": "bridge", "claim_id": "c1"},
                    {"article_id": ["a1", "a2"], "status": "in_review"}):
        assert not facets.answers(ClaimFilter.from_kwargs(filters))


def test_id_conditions_combined_with_facets_match_the_database(store, monkeypatch):
    """(By id the database answers; the conditions still mean the same here.)"""
    store.claims()
    some = store.claims()["claim_id"].tolist()[::3]
    for filters in ({"claim_id": some}, {"claim_id": some, "outlet": "Gazette"}):
        with monkeypatch.context() as patch:
            patch.setattr(facets, "BY_ID", set())
            got = store.claims(**filters)
        pd.testing.assert_frame_equal(got, by_database(store, monkeypatch, **filters))
