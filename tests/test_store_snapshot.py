"""The snapshot of a store's extractor columns (store/snapshot.py; beside a SQLite file, in the
user's cache folder for PostgreSQL): reading every claim through it must give exactly what the
tables hold, after every kind of change, from any process, on both backends."""
from __future__ import annotations

import dataclasses
import multiprocessing

import pandas as pd
import pytest
from store_fixtures import make_article

from claimkit.store import core, open_store, snapshot

OUTLETS = ["Daily Planet", "Gazette"]


@pytest.fixture
def store(store_url):
    with open_store(store_url, reviewer="alice") as s:
        s.add_many(make_article(n, outlet=OUTLETS[n % 2]) for n in range(30))
        yield s


def assert_matches_the_tables(store) -> pd.DataFrame:
    """claims() without filters (snapshot) == the same rows through the SQL join (a filter that
    matches every claim), for the default columns and for every column."""
    for ask in ({}, {"details": True, "spans": True}):
        direct = store.claims(**ask)
        joined = store.claims(outlet=OUTLETS, **ask)
        pd.testing.assert_frame_equal(direct, joined, obj=str(ask))
    return direct


def snapshot_of(store) -> tuple[pd.DataFrame, int] | None:
    path = store.snapshot_path
    with store.engine.connect() as conn:
        key = snapshot.extraction_key(conn, list(core.ALL_COLUMNS))
    return snapshot.load(path, key)


def test_the_first_full_read_leaves_a_snapshot_that_later_reads_use(store):
    assert not store.snapshot_path.exists()
    first = assert_matches_the_tables(store)
    assert store.snapshot_path.exists()
    kept, mark = snapshot_of(store)
    assert len(kept) == len(first) == 90
    if store.backend == "sqlite":
        assert mark == 0  # no history event yet
    # Prove the next read comes from the file: a snapshot altered on disk (same key) shows.
    kept["text"] = "from the snapshot"
    snapshot.save(store.snapshot_path, kept, *_key_and_mark(store))
    assert set(store.claims()["text"]) == {"from the snapshot"}


def _key_and_mark(store) -> tuple[str, int]:
    with store.engine.connect() as conn:
        return snapshot.extraction_key(conn, list(core.ALL_COLUMNS)), snapshot.last_event(conn)


def test_reviews_after_the_snapshot_are_patched_in(store):
    assert_matches_the_tables(store)
    marked = snapshot_of(store)[1]
    ids = store.claims()["claim_id"].tolist()
    store.review(ids[0], status="in_review", verdict="false", tags=["ü", "x,y"], note="a\nb",
                 evidence=["https://e.example/1"], reviewer="ann")
    store.review(ids[1], flagged=True)
    store.bulk_review({"outlet": "Gazette"}, tags=["budget"])
    store.review(ids[4], status="in_review", note="undo me")
    store.undo(ids[4])
    store.review(ids[2], corrected_speaker="Someone Else", not_a_claim=True)
    store.review(ids[3], verdict="mixed")
    store.set_taxonomy("verdict", "politifact", remap={"mixed": "half_true"})  # a change too
    frame = assert_matches_the_tables(store).set_index("claim_id")
    assert frame.loc[ids[0], "verdict"] == "false" and frame.loc[ids[0], "tags"] == ["ü", "x,y"]
    assert frame.loc[ids[0], "note"] == "a\nb" and frame.loc[ids[0], "reviewer"] == "ann"
    assert (frame.loc[ids[4], "status"], frame.loc[ids[4], "note"]) == ("unverified", "")
    assert frame.loc[ids[1], "flagged"] and frame.loc[ids[2], "not_a_claim"]
    assert frame.loc[ids[2], "corrected_speaker"] == "Someone Else"
    assert frame.loc[ids[3], "verdict"] == "half_true"
    assert (frame[frame.outlet == "Gazette"].tags.map(lambda t: "budget" in t)).all()
    # The patch is applied on read; the file still holds the state it was taken at.
    assert snapshot_of(store)[1] == marked


def test_many_changes_refresh_the_snapshots_reviews(store, monkeypatch):
    assert_matches_the_tables(store)
    # Mark the extractor's columns on disk (same key): they must not be read again.
    kept, mark = snapshot_of(store)
    kept["cue_text"] = "kept from the snapshot"
    snapshot.save(store.snapshot_path, kept, *_key_and_mark(store))
    monkeypatch.setattr(snapshot, "PATCH_LIMIT", 5)
    store.bulk_review({"outlet": "Daily Planet"}, status="in_review")  # 45 claims
    frame = store.claims(details=True, spans=True)
    assert (frame[frame.outlet == "Daily Planet"].status == "in_review").all()
    assert (frame[frame.outlet != "Daily Planet"].status == "unverified").all()
    assert set(frame["cue_text"]) == {"kept from the snapshot"}
    kept, mark = snapshot_of(store)  # saved again with the reviews as they are now
    if store.backend == "sqlite":
        assert mark == _key_and_mark(store)[1] > 0
    assert (kept[kept.outlet == "Daily Planet"].status == "in_review").all()
    assert set(kept["cue_text"]) == {"kept from the snapshot"}
    store.review(frame["claim_id"].iloc[0], note="after the refresh")  # patched as usual
    assert (store.claims()["note"] == "after the refresh").sum() == 1


def test_adding_or_re_extracting_articles_makes_a_new_snapshot(store):
    before = assert_matches_the_tables(store)
    article, claims = make_article(3, outlet=OUTLETS[1])
    store.review(claims[1].claim_id, note="keep me")
    # Re-extraction by a newer extractor: one claim changed, one no longer found.
    newer = [dataclasses.replace(claims[0], checkworthiness=0.95, extractor_version="test-2"),
             dataclasses.replace(claims[2], extractor_version="test-2")]
    store.add(article, newer)
    frame = assert_matches_the_tables(store).set_index("claim_id")
    assert frame.loc[claims[0].claim_id, "checkworthiness"] == 0.95
    assert frame.loc[claims[1].claim_id, "missing_since"] == "test-2"
    assert frame.loc[claims[1].claim_id, "note"] == "keep me"
    store.add(*make_article(100, outlet=OUTLETS[0]))
    after = assert_matches_the_tables(store)
    assert len(after) == len(before) + 3


def test_optimize_leaves_the_snapshot_of_a_very_large_store_to_the_first_full_read(
        store, monkeypatch):
    """Writing the snapshot holds every claim in memory, so optimize() (the end of every large
    load) skips it past SNAPSHOT_ON_OPTIMIZE_MAX_CLAIMS; reading everything still writes it."""
    monkeypatch.setattr(core, "SNAPSHOT_ON_OPTIMIZE_MAX_CLAIMS", store.count() - 1)
    store.optimize()
    assert not store.snapshot_path.exists()
    monkeypatch.setattr(core, "SNAPSHOT_ON_OPTIMIZE_MAX_CLAIMS", store.count())
    store.optimize()
    assert snapshot_of(store) is not None


def test_a_damaged_snapshot_is_ignored_and_replaced(store):
    assert_matches_the_tables(store)
    path = store.snapshot_path
    path.write_bytes(path.read_bytes()[:100])
    assert_matches_the_tables(store)
    assert snapshot_of(store) is not None
    path.write_bytes(b"not arrow at all")
    assert len(assert_matches_the_tables(store)) == 90


def test_a_snapshot_that_cannot_be_written_is_not_an_error(tmp_path):
    frame = pd.DataFrame({"claim_id": ["a"]})
    (tmp_path / "a file").write_text("not a folder")  # (root ignores folder permissions)
    snapshot.save(tmp_path / "a file" / "x.arrow", frame, "key", 0)
    assert (tmp_path / "a file").read_text() == "not a folder"


def _add_and_review(url: str) -> None:
    with open_store(url, reviewer="bob") as other:
        other.add(*make_article(200, outlet=OUTLETS[0]))
        first = other.claims(outlet=OUTLETS)["claim_id"].iloc[0]
        other.review(first, verdict="true")


@pytest.mark.slow  # a fresh process
def test_changes_from_another_process_are_seen(store, store_url):
    assert_matches_the_tables(store)
    process = multiprocessing.get_context("spawn").Process(
        target=_add_and_review, args=(store_url,))
    process.start()
    process.join(60)
    assert process.exitcode == 0
    frame = assert_matches_the_tables(store)
    assert len(frame) == 93 and (frame.verdict == "true").sum() == 1


def test_a_snapshot_without_a_changed_claim_is_not_trusted(store):
    """Only a wrong key could give this; the read must still not patch the wrong row."""
    assert_matches_the_tables(store)
    kept, mark = snapshot_of(store)
    key, _ = _key_and_mark(store)
    snapshot.save(store.snapshot_path, kept.iloc[1:].reset_index(drop=True), key, mark)
    store.review(kept["claim_id"].iloc[0], note="changed after the snapshot")
    frame = assert_matches_the_tables(store)
    assert len(frame) == 90 and (frame["note"] == "changed after the snapshot").sum() == 1


def test_a_postgresql_snapshot_lives_in_the_cache_folder_named_without_the_password(
        tmp_path, monkeypatch):
    from sqlalchemy.engine import make_url

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    one = snapshot.cached_snapshot_path(make_url("postgresql://ann:secret@db.example/claims"))
    other = snapshot.cached_snapshot_path(make_url("postgresql://ann:other@db.example/claims"))
    third = snapshot.cached_snapshot_path(make_url("postgresql://ann:secret@db.example/team"))
    assert one.parent == tmp_path / "cache" / "claimkit" / "snapshots"
    assert one == other != third  # the password is not part of the name; the database is
    assert "secret" not in str(one)


@pytest.mark.postgres
def test_postgresql_review_changes_in_a_transaction_older_than_the_snapshot_are_seen(pg_url):
    """PostgreSQL numbers history events from a sequence, not in commit order: a change whose
    transaction started before the snapshot was read and committed after it must still show."""
    import psycopg

    with open_store(pg_url, reviewer="alice") as s:
        s.add_many(make_article(n, outlet=OUTLETS[n % 2]) for n in range(4))
        claim_id = s.claims()["claim_id"].iloc[0]
        plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain) as slow:  # started, holding its transaction id open
            slow.execute("SELECT txid_current()")
            slow.execute("UPDATE reviews SET note = 'late writer' WHERE claim_id = %s",
                         (claim_id,))
            assert_matches_the_tables(s)  # writes the snapshot while `slow` is running
            assert snapshot_of(s) is not None
            slow.commit()
        frame = assert_matches_the_tables(s).set_index("claim_id")
        assert frame.loc[claim_id, "note"] == "late writer"
