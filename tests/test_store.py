"""The claim store on a real SQLite file and a real PostgreSQL server.

See docs/architecture.md §2, §3, §5 and §6.
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import sqlite3
import threading
import time
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from store_fixtures import make_article

import claimkit
from claimkit.store import (
    CLAIM_COLUMNS, ConflictError, NothingToUndo, StoreError, TaxonomyError, UnknownClaimError,
    open_store,
)
from claimkit.store import backend, schema
from claimkit.taxonomy import load_taxonomy

REQUIRED_COLUMNS = ["claim_id", "article_id", "kind", "text", "speaker", "speaker_canonical",
                    "speaker_type", "cue_lemma", "cue_class", "status", "verdict", "tags",
                    "note", "evidence", "reviewer", "updated_at", "version", "title", "outlet",
                    "url", "published"]


@pytest.fixture
def filled(store):
    """Three articles, nine claims."""
    for n, outlet in ((1, "Daily Planet"), (2, "Daily Planet"), (3, "Gazette")):
        store.add(*make_article(n, outlet=outlet, published=f"2024-05-0{n}"))
    return store


def first_claim(store, **filters) -> str:
    return store.claims(**filters)["claim_id"].iloc[0]


# --- opening and schema -----------------------------------------------------------------------

def test_open_store_is_exported_and_creates_the_schema(store_url):
    with claimkit.open_store(store_url) as store:
        assert store.stats() == {"articles": 0, "claims": 0, "missing": 0, "reviewed": 0,
                                 "events": 0}
        assert store.taxonomy("status").ids[0] == "unverified"
    with claimkit.open_store(store_url) as store:  # reopening changes nothing
        assert store.taxonomy("verdict").ids == load_taxonomy("verdicts").ids


def test_sqlite_store_uses_wal_and_foreign_keys(tmp_path):
    path = tmp_path / "claims.db"
    with open_store(path) as store:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT max(version) FROM schema_version").fetchone()[0] == \
        schema.SCHEMA_VERSION
    raw.close()


def test_a_store_newer_than_claimkit_is_refused(tmp_path):
    path = tmp_path / "claims.db"
    open_store(path).close()
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO schema_version VALUES (99, '2030-01-01 00:00:00')")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="schema version 99, newer than this claimkit"):
        open_store(path)


def test_bad_store_locations_give_clear_errors(tmp_path):
    with pytest.raises(StoreError, match="no such folder"):
        open_store(tmp_path / "missing" / "claims.db")
    with pytest.raises(StoreError, match="is a folder"):
        open_store(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open store"):
        open_store(junk)
    with pytest.raises(StoreError, match="unsupported store URL"):
        open_store("mysql://nobody@localhost/x")


# --- writing claims ---------------------------------------------------------------------------

def test_add_stores_an_article_and_its_claims(store):
    article, claims = make_article(1)
    result = store.add(article, claims)
    assert (result.articles, result.claims_added) == (1, 3)
    frame = store.claims()
    assert list(frame.columns[:len(CLAIM_COLUMNS)]) == list(CLAIM_COLUMNS)
    assert set(REQUIRED_COLUMNS) <= set(frame.columns)
    assert list(frame["claim_id"]) == [c.claim_id for c in claims]
    row = frame.iloc[0]
    assert row["speaker"] == "Mayor Ann Lee" and row["speaker_type"] == "person"
    assert row["cue_text"] == "said"
    assert row["status"] == "unverified" and pd.isna(row["verdict"]) and row["version"] == 0
    assert row["tags"] == [] and row["evidence"] == [] and not row["flagged"]
    assert row["title"] == "Article 1" and row["outlet"] == "Daily Planet"
    assert row["published"] == pd.Timestamp("2024-05-01")
    assert store.article(article.article_id) == article
    detailed = store.claims(details=True, spans=True).iloc[0]
    assert [tuple(s) for s in detailed["content"]] == list(claims[0].content)
    assert detailed["source_text"] == "Mayor Ann Lee" and detailed["rule"] == "test:said-that"
    assert detailed["reasons"] == ["number"] and detailed["extractor_version"] == "test-1"
    assert store.check() == []


def test_adding_the_same_article_twice_stores_it_once(store):
    article, claims = make_article(1)
    store.add(article, claims)
    again = store.add(article, claims)
    assert (again.claims_added, again.claims_updated) == (0, 3)
    assert store.stats()["claims"] == 3
    assert store.is_stored(article.article_id, "test-1")
    assert not store.is_stored(article.article_id, "test-2")
    assert not store.is_stored("a-not-there")


def test_an_article_is_written_whole_or_not_at_all(store):
    article, claims = make_article(1)
    broken = claims[:2] + [dataclasses.replace(claims[2], text=None)]  # NOT NULL violation
    with pytest.raises(IntegrityError):  # the NOT NULL violation itself, not any error
        store.add(article, broken)
    assert store.stats()["articles"] == 0 and store.stats()["claims"] == 0
    assert store.check() == []


def test_re_extraction_keeps_reviews_and_flags_claims_no_longer_found(store):
    article, claims = make_article(1)
    store.add(article, claims)
    kept, dropped = claims[0].claim_id, claims[1].claim_id
    store.review(kept, status="verified", verdict="false", note="checked with the city")
    store.review(dropped, status="in_review", tags=["budget"])

    newer = [dataclasses.replace(c, extractor_version="test-2", checkworthiness=0.9)
             for c in (claims[0], claims[2])]
    result = store.add(article, newer)
    assert (result.claims_added, result.claims_updated, result.claims_missing) == (0, 2, 1)
    frame = store.claims().set_index("claim_id")
    assert len(frame) == 3  # nothing deleted
    assert frame.loc[kept, "verdict"] == "false" and frame.loc[kept, "note"] == \
        "checked with the city"
    assert frame.loc[kept, "checkworthiness"] == 0.9
    assert pd.isna(frame.loc[kept, "missing_since"])
    assert frame.loc[dropped, "missing_since"] == "test-2"
    assert frame.loc[dropped, "tags"] == ["budget"]  # its review survives
    assert len(store.history(dropped)) == 2
    assert list(store.claims(missing=True)["claim_id"]) == [dropped]
    assert store.is_stored(article.article_id, "test-2")
    assert store.check() == []

    # Found again by a later extractor: the flag goes, the review stays.
    store.add(article, [dataclasses.replace(c, extractor_version="test-3") for c in claims])
    frame = store.claims().set_index("claim_id")
    assert pd.isna(frame.loc[dropped, "missing_since"])
    assert frame.loc[dropped, "status"] == "in_review"


# --- reviewing --------------------------------------------------------------------------------

def test_review_returns_new_versions_and_writes_history_in_the_same_change(filled):
    cid = first_claim(filled)
    v1 = filled.review(cid, status="in_review", reviewer="bob", expected_version=0)
    v2 = filled.review(cid, verdict="mostly_true", tags=["economy", "economy ", "city"],
                       note="Budget report, p. 4", evidence=["https://city.example/budget.pdf"],
                       flagged=True, expected_version=v1)
    assert (v1, v2) == (1, 2)
    row = filled.claim(cid)
    assert row["status"] == "in_review" and row["verdict"] == "mostly_true"
    assert row["tags"] == ["economy", "city"] and row["flagged"]
    assert row["reviewer"] == "alice"  # the store's default reviewer made the last change
    assert row["updated_at"].tzinfo is not None
    events = filled.history(cid)
    assert list(events["version"]) == [1, 2, 2, 2, 2, 2]
    assert list(events["field"]) == ["status", "verdict", "tags", "note", "evidence", "flagged"]
    assert events.iloc[0][["old", "new", "reviewer"]].tolist() == ["unverified", "in_review",
                                                                   "bob"]
    assert events.iloc[2]["new"] == ["economy", "city"]
    # one field's events only (what the review-progress chart reads)
    moves = filled.history(field="status")
    assert list(moves["field"]) == ["status"] and moves.iloc[0]["new"] == "in_review"
    assert filled.history(cid, field="note")["new"].tolist() == ["Budget report, p. 4"]


def test_a_change_that_changes_nothing_records_nothing(filled):
    cid = first_claim(filled)
    version = filled.review(cid, status="in_review")
    assert filled.review(cid, status="in_review") == version
    assert len(filled.history(cid)) == 1


def test_a_stale_change_raises_conflict_saying_what_the_other_reviewer_set(filled):
    cid = first_claim(filled)
    filled.review(cid, status="verified", verdict="false", reviewer="bob", expected_version=0)
    with pytest.raises(ConflictError) as caught:
        filled.review(cid, verdict="true", reviewer="carol", expected_version=0)
    message = str(caught.value)
    assert "bob" in message and "'false'" in message and "verdict" in message
    assert "version 1" in message
    assert caught.value.current_version == 1 and caught.value.changes[0]["reviewer"] == "bob"
    assert filled.claim(cid)["verdict"] == "false"  # nothing overwritten
    assert len(filled.history(cid)) == 2


def test_review_validates_its_values(filled):
    cid = first_claim(filled)
    with pytest.raises(ValueError, match="unknown status 'done'.*unverified, in_review"):
        filled.review(cid, status="done")
    with pytest.raises(ValueError, match="unknown verdict"):
        filled.review(cid, verdict="pants_on_fire")
    with pytest.raises(ValueError, match="http"):
        filled.review(cid, evidence=["javascript:alert(1)"])
    with pytest.raises(ValueError, match="nothing to change"):
        filled.review(cid)
    with pytest.raises(UnknownClaimError):
        filled.review("c-not-there", status="verified")
    assert filled.history(cid).empty


def test_an_empty_verdict_clears_it(filled):
    cid = first_claim(filled)
    filled.review(cid, verdict="false")
    filled.review(cid, verdict="")
    assert filled.claim(cid)["verdict"] is None
    # the verdict also moved the unverified claim to in_review (the default workflow)
    assert filled.history(cid)["new"].tolist() == ["false", "in_review", None]


def test_tags_can_be_added_and_removed(filled):
    cid = first_claim(filled)
    filled.review(cid, add_tags=["a", "b"])
    filled.review(cid, add_tags=["c"], remove_tags=["a"])
    assert filled.claim(cid)["tags"] == ["b", "c"]


def test_undo_is_a_new_change_that_restores_the_old_values(filled):
    cid = first_claim(filled)
    filled.review(cid, status="in_review", reviewer="bob")
    filled.review(cid, status="verified", verdict="false", reviewer="bob")
    v3 = filled.undo(cid, reviewer="carol")
    row = filled.claim(cid)
    assert (row["status"], row["verdict"], row["version"]) == ("in_review", None, v3)
    v4 = filled.undo(cid, reviewer="carol")
    assert filled.claim(cid)["status"] == "unverified" and v4 == 4
    with pytest.raises(NothingToUndo):
        filled.undo(cid)
    events = filled.history(cid)
    assert len(events) == 1 + 2 + 2 + 1  # nothing deleted
    assert events[events["version"] == 3]["undoes"].tolist() == [2, 2]
    assert events[events["version"] == 4]["undoes"].tolist() == [1]
    filled.review(cid, note="again")
    filled.undo(cid)
    assert filled.claim(cid)["note"] == ""


def test_bulk_review_changes_every_matching_claim_with_history(filled):
    changed = filled.bulk_review({"outlet": "Daily Planet", "kind": "indirect"},
                                 status="in_review", add_tags=["batch-1"], reviewer="dora")
    assert changed == 4
    assert filled.count(tag="batch-1") == 4 and filled.count(status="in_review") == 4
    assert filled.count(outlet="Gazette", status="in_review") == 0
    events = filled.history(reviewer="dora")
    assert len(events) == 8 and set(events["version"]) == {1}
    # Claims already in the wanted state are left alone.
    assert filled.bulk_review({"outlet": "Daily Planet", "kind": "indirect"},
                              status="in_review") == 0
    ids = filled.claims(outlet="Gazette")["claim_id"].tolist()
    assert filled.bulk_review(claim_ids=ids, flagged=True) == 3
    with pytest.raises(ValueError, match="needs a filter"):
        filled.bulk_review(status="verified")


# --- queries ----------------------------------------------------------------------------------

def test_claims_filters(filled):
    cid = first_claim(filled, outlet="Gazette", kind="indirect")
    filled.review(cid, status="verified", verdict="false", tags=["crime stats"], flagged=True,
                  reviewer="bob")
    assert filled.count() == 9
    assert filled.count(status="verified") == 1
    assert filled.count(status=["verified", "unverified"]) == 9
    assert filled.count(verdict="false") == 1
    assert filled.count(has_verdict=False) == 8
    assert filled.count(tag="crime stats") == 1 and filled.count(tag="crime") == 0
    assert filled.count(tag=["nope", "crime stats"]) == 1
    assert filled.count(speaker="ann lee") == 3  # case-insensitive, canonical or surface
    assert filled.count(speaker_type="anonymous") == 3
    assert filled.count(outlet="Gazette") == 3
    assert filled.count(kind="assertion") == 3
    assert filled.count(cue_class="assert") == 6
    assert filled.count(since="2024-05-02") == 6
    assert filled.count(since=date(2024, 5, 2), until="2024-05-02") == 3
    assert filled.count(search="TRAFFIC fell") == 3
    assert filled.count(search="100%") == 0  # LIKE wildcards are taken literally
    assert filled.count(min_checkworthiness=0.5) == 6
    assert filled.count(reviewer="bob") == 1 and filled.count(flagged=True) == 1
    assert filled.count(missing=False) == 9
    frame = filled.claims(outlet="Gazette", kind="indirect", min_checkworthiness=0.5,
                          status="verified")
    assert frame["claim_id"].tolist() == [cid]
    assert len(filled.claims(limit=4)) == 4 and len(filled.claims(limit=4, offset=8)) == 1
    with pytest.raises(TypeError, match="unknown claim filter colour"):
        filled.claims(colour="red")
    with pytest.raises(ValueError, match="since"):
        filled.claims(since="last week")


def test_text_from_articles_is_only_ever_a_parameter(store):
    nasty = "Robert'); DROP TABLE claims;-- said that 50% of _all_ \\ rows vanish."
    store.add(*make_article(7, sentences=[nasty]))
    assert store.count(search="50% of _all_ \\ rows") == 1
    assert store.count(search="50%_of") == 0  # % and _ are literal, not wildcards
    assert store.count(speaker="'); DROP TABLE claims;--") == 1
    assert store.count() == 1


# --- taxonomies -------------------------------------------------------------------------------

def test_switching_to_a_preset_needs_a_remap_for_values_in_use(filled):
    ids = filled.claims()["claim_id"].tolist()
    filled.review(ids[0], verdict="mixed")
    filled.review(ids[1], verdict="false")
    with pytest.raises(TaxonomyError, match="'mixed'.*1 claim with verdict 'mixed'"):
        filled.set_taxonomy("verdict", "politifact")
    assert filled.taxonomy("verdict").name == "verdicts"  # nothing changed
    moved = filled.set_taxonomy("verdict", "politifact", remap={"mixed": "half_true"},
                                reviewer="lead")
    assert moved == 1
    verdicts = filled.taxonomy("verdict")
    assert verdicts.name == "politifact" and verdicts.best_rating == 6
    assert filled.claim(ids[0])["verdict"] == "half_true"
    assert filled.claim(ids[1])["verdict"] == "false"  # kept: politifact has 'false' too
    last = filled.history(ids[0]).iloc[-1]
    assert (last["old"], last["new"], last["reviewer"]) == ("mixed", "half_true", "lead")
    with pytest.raises(ValueError, match="unknown verdict 'mixed'"):
        filled.review(ids[2], verdict="mixed")


def test_removing_a_status_in_use_requires_a_remap(filled):
    cid = first_claim(filled)
    for status in ("verified", "published", "needs_correction"):  # as the workflow allows
        filled.review(cid, status=status, verdict="false" if status == "verified" else None)
    statuses = load_taxonomy("statuses")
    fewer = dataclasses.replace(statuses, name="short",
                                values=tuple(v for v in statuses.values
                                             if v.id != "needs_correction"))
    with pytest.raises(TaxonomyError, match="needs_correction"):
        filled.set_taxonomy("status", fewer)
    with pytest.raises(TaxonomyError, match="must be remapped to a status"):
        filled.set_taxonomy("status", fewer, remap={"needs_correction": None})
    filled.set_taxonomy("status", fewer, remap={"needs_correction": "in_review"})
    assert filled.claim(cid)["status"] == "in_review"


# --- concurrency ------------------------------------------------------------------------------

def test_sqlite_lock_held_past_the_busy_timeout_never_reaches_the_user(tmp_path, monkeypatch):
    monkeypatch.setattr(backend, "BUSY_TIMEOUT_MS", 50)  # retry quickly instead of waiting
    path = tmp_path / "claims.db"
    with open_store(path) as store:
        store.add(*make_article(1))
        cid = first_claim(store)
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        timer = threading.Timer(0.6, holder.execute, args=("COMMIT",))
        timer.start()
        started = time.monotonic()
        assert store.review(cid, status="in_review") == 1
        assert time.monotonic() - started >= 0.5
        timer.join()
        holder.close()


def _review_many(url: str, ids: list[str], worker: int, rounds: int, queue) -> None:
    landed = conflicts = 0
    errors: list[str] = []
    with open_store(url, reviewer=f"worker-{worker}") as store:
        versions = dict(zip(store.claims()["claim_id"], store.claims()["version"]))
        for i in range(rounds):
            cid = ids[i % len(ids)]
            try:
                versions[cid] = store.review(cid, note=f"w{worker}-{i}",
                                             expected_version=versions[cid])
                landed += 1
            except ConflictError as exc:
                conflicts += 1
                versions[cid] = exc.current_version
            except Exception as exc:  # noqa: BLE001 - reported to the test
                errors.append(f"{type(exc).__name__}: {exc}")
    queue.put((landed, conflicts, errors))


@pytest.mark.slow  # two fresh processes
def test_two_processes_reviewing_the_same_claims(store_url):
    with open_store(store_url) as store:
        store.add(*make_article(1))
        store.add(*make_article(2))
        ids = store.claims()["claim_id"].tolist()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    rounds = 150
    workers = [ctx.Process(target=_review_many, args=(store_url, ids, w, rounds, queue))
               for w in range(2)]
    for w in workers:
        w.start()
    results = [queue.get(timeout=300) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    assert [r[2] for r in results] == [[], []]
    assert all(landed + conflicts == rounds for landed, conflicts, _ in results)
    landed = sum(r[0] for r in results)
    with open_store(store_url) as store:
        events = store.history()
        assert len(events) == landed
        assert not events.duplicated(["claim_id", "version"]).any()
        assert store.claims()["version"].sum() == landed


def test_postgres_urls_work_with_and_without_a_driver_name(pg_url):
    with open_store(pg_url) as store:
        store.add(*make_article(1))
    explicit = pg_url.replace("postgresql://", "postgresql+psycopg://")
    with open_store(explicit) as store:
        assert store.backend == "postgresql" and store.count() == 3
        engine = create_engine(explicit)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM history")).scalar() == 0
        engine.dispose()


def test_reading_every_claim_matches_the_filtered_join_path(tmp_path):
    """claims() without filters reads the tables separately and joins them in pandas; the same
    rows through the SQL join (a filter that matches everything) must be identical.

    Nullable columns (verdict, reviewer, published) are empty at first and set only near the end.
    """
    store = open_store(tmp_path / "claims.db")
    store.add_many(make_article(n, published=None if n < 390 else "2024-05-0" + str(n % 9 + 1),
                                outlet="Zeitung für Ü" if n % 2 else "Daily Planet")
                   for n in range(400))
    late = store.claims().claim_id.iloc[-5:].tolist()
    store.review(late[0], verdict="false", tags=["ü", "x,y"], evidence=["https://e.example/1"],
                 note='line\n"quoted"', reviewer="ann")
    store.review(late[1], status="in_review", flagged=True)

    everything = ["Daily Planet", "Zeitung für Ü"]
    for ask in ({}, {"details": True, "spans": True}):
        direct = store.claims(**ask)
        joined = store.claims(outlet=everything, **ask)
        pd.testing.assert_frame_equal(direct, joined, obj=str(ask))
    assert len(direct) == 1200
    row = direct.set_index("claim_id").loc[late[0]]
    assert (row.verdict, row.reviewer, row.tags, row.note) == (
        "false", "ann", ["ü", "x,y"], 'line\n"quoted"')
    assert direct.set_index("claim_id").loc[late[1]].flagged
    assert direct.published.isna().sum() == 390 * 3


def test_claims_keeps_the_columns_asked_for_and_names_unknown_ones(filled):
    every = filled.claims(details=True)
    some = filled.claims(columns=["verdict", "claim_id", "speaker_name"])
    assert list(some.columns) == ["verdict", "claim_id", "speaker_name"]
    pd.testing.assert_frame_equal(some, every[["verdict", "claim_id", "speaker_name"]])
    with_details = filled.claims(details=True, columns=["claim_id", "rule", "tags"],
                                 outlet="Gazette")
    assert set(with_details["claim_id"]) < set(every["claim_id"])
    assert with_details["tags"].map(lambda t: isinstance(t, list)).all()
    with pytest.raises(ValueError, match="unknown claims column 'colour'"):
        filled.claims(columns=["claim_id", "colour"])
