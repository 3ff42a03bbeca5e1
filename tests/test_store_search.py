"""Text search and the speaker filter through their indexes (store/search.py): the same claims
as a plain case-insensitive substring test, on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm),
with reviewers' speaker corrections taken into account and the index kept in step with
re-extraction. Invented sentences only."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select
from store_fixtures import make_article

from claimkit.store import open_store
from claimkit.store.filters import ClaimFilter, claims_joined
from claimkit.store.schema import claims

SENTENCES = [
    ["Governor Iva Marsh said that the 100% tariff on steel_rods is \"unfair\".",
     "Dr. Omar Quist said that vaccines cut absences by half.",
     "The harbour reopened in May."],
    ["Iva Marsh-Ortega said that Ärzte in Kiel earn 10 percent more.",
     "A spokesperson said that the mayor's office had no comment on 50_50 deals.",
     "Senator Quist-Lee said that the bridge was unsafe."],
]


@pytest.fixture
def searched(store):
    for n, sentences in enumerate(SENTENCES):
        store.add(*make_article(n, sentences=sentences))
    return store


def expected(store, needle: str, columns: tuple[str, ...]) -> set[str]:
    frame = store.claims()
    return {row["claim_id"] for _, row in frame.iterrows()
            if any(needle.lower() in str(row[c] or "").lower() for c in columns)}


@pytest.mark.parametrize("needle", ["tariff", "TARIFF", "100%", "steel_rods", '"unfair"',
                                    "bridge was", "in", "no", "mayor's", "50_50", "zz top",
                                    "% t", "ärzte"])
def test_search_finds_exactly_the_claims_whose_text_contains_it(searched, needle):
    found = set(searched.claims(search=needle)["claim_id"])
    if needle == "ärzte":  # beyond ASCII: SQLite's LIKE would miss it; the trigram index folds
        assert len(found) == 1
        return
    assert found == expected(searched, needle, ("text",))


@pytest.mark.parametrize("needle", ["marsh", "Quist", "iva m", "spokes", "Dr", "-Lee",
                                    "nobody"])
def test_the_speaker_filter_matches_speaker_or_canonical_name(searched, needle):
    found = set(searched.claims(speaker=needle)["claim_id"])
    assert found == expected(searched, needle, ("speaker", "speaker_canonical"))


def test_a_corrected_speaker_replaces_the_extracted_one_in_the_filter(searched):
    marsh = searched.claims(speaker="Governor Iva Marsh")["claim_id"].tolist()
    assert len(marsh) == 1
    searched.review(marsh[0], corrected_speaker="Paula Wren")
    assert set(searched.claims(speaker="wren")["claim_id"]) == {marsh[0]}
    assert marsh[0] not in set(searched.claims(speaker="Governor")["claim_id"])
    searched.review(marsh[0], corrected_speaker="")  # cleared: the extracted speaker again
    assert marsh[0] in set(searched.claims(speaker="Governor")["claim_id"])


def test_re_extraction_keeps_the_index_in_step(searched):
    article, found = make_article(0, sentences=SENTENCES[0])
    renamed = [dataclasses.replace(
        c, speaker=c.speaker.replace("Governor", "Chancellor"),
        speaker_canonical=c.speaker_canonical.replace("Governor", "Chancellor"),
        extractor_version="test-2") if c.speaker else c for c in found]
    searched.add(article, renamed, extractor_version="test-2")
    assert searched.count(speaker="chancellor") == 1
    assert searched.count(speaker="governor") == 0


def test_the_sqlite_search_uses_the_trigram_index(tmp_path):
    searched = open_store(tmp_path / "claims.db")
    for n, sentences in enumerate(SENTENCES):
        searched.add(*make_article(n, sentences=sentences))
    query = (select(claims.c.claim_id).select_from(claims_joined())
             .where(ClaimFilter(search="tariff", speaker="marsh").where()))
    with searched.engine.connect() as conn:
        plan = " ".join(str(r) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + str(query.compile(conn, compile_kwargs={
                "literal_binds": True}))).all())
    searched.close()
    assert "claims_fts VIRTUAL TABLE INDEX" in plan
