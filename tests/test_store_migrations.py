"""Schema changes through Alembic (store/migrate.py): a store written by claimkit 0.2.0 is
upgraded in place with every review and event kept; new stores are stamped at the head; a
failed upgrade leaves the store as it was."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from claimkit.store import StoreError, open_store, schema
from claimkit.store.migrate import head_revision

OLD_STORE = Path(__file__).parent / "fixtures" / "stores" / "claimkit-0.2.0.db"
REVIEW_COLUMNS_0_2_0 = ("claim_id", "status", "verdict", "tags", "note", "evidence", "reviewer",
                        "flagged", "corrected_speaker", "not_a_claim", "updated_at", "version")


def _rows(path: Path, query: str) -> list[tuple]:
    raw = sqlite3.connect(path)
    try:
        return raw.execute(query).fetchall()
    finally:
        raw.close()


@pytest.fixture
def old_store(tmp_path) -> Path:
    path = tmp_path / "claims.db"
    shutil.copy(OLD_STORE, path)
    return path


def test_the_revisions_are_one_per_schema_version_and_head_is_the_current_schema():
    assert head_revision() == f"{schema.SCHEMA_VERSION:04d}"


def test_a_new_store_is_stamped_at_the_head(tmp_path):
    path = tmp_path / "new.db"
    open_store(path).close()
    assert _rows(path, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert _rows(path, "SELECT version FROM schema_version") == [(schema.SCHEMA_VERSION,)]


def test_a_claimkit_0_2_0_store_upgrades_in_place_keeping_every_review_and_event(old_store):
    assert _rows(old_store, "SELECT max(version) FROM schema_version") == [(2,)]
    columns = ", ".join(REVIEW_COLUMNS_0_2_0)
    reviews_before = _rows(old_store, f"SELECT {columns} FROM reviews ORDER BY claim_id")
    history_before = _rows(old_store, "SELECT * FROM history ORDER BY event_id")
    claim_columns = ", ".join(r[1] for r in _rows(old_store, "PRAGMA table_info(claims)"))
    claims_before = _rows(old_store, f"SELECT {claim_columns} FROM claims ORDER BY claim_id")
    assert len(history_before) >= 10 and any(r[1] == "published" for r in reviews_before)

    with open_store(old_store, reviewer="cy") as store:
        upgraded = store.claims().set_index("claim_id")
        # every review, every event, every claim as it was
        assert _rows(old_store, f"SELECT {columns} FROM reviews ORDER BY claim_id") == \
            reviews_before
        assert _rows(old_store, "SELECT * FROM history ORDER BY event_id") == history_before
        assert _rows(old_store, f"SELECT {claim_columns} FROM claims ORDER BY claim_id") == \
            claims_before
        # schema 7: every named claim linked to a speaker, the others to none
        named = upgraded["speaker_type"].isin(["person", "organization"]) & \
            (upgraded["speaker_extracted"] != "")
        assert upgraded.loc[named, "speaker_id_extracted"].notna().all() and named.any()
        assert upgraded.loc[~named, "speaker_id_extracted"].isna().all()
        assert _rows(old_store, "SELECT version FROM schema_version ORDER BY version") == \
            [(v,) for v in range(2, schema.SCHEMA_VERSION + 1)]
        assert _rows(old_store, "SELECT version_num FROM alembic_version") == \
            [(head_revision(),)]
        # the new columns: empty, but for the published claim's time of publication
        published = [r[0] for r in reviews_before if r[1] == "published"]
        event_time = _rows(old_store, "SELECT max(at) FROM history WHERE field = 'status' "
                                      "AND new = '\"published\"'")[0][0]
        assert str(upgraded.loc[published[0], "published_at"].tz_localize(None)) == \
            str(event_time)[:26]
        assert upgraded["assignee"].isna().all()
        assert upgraded.drop(index=published)["published_at"].isna().all()
        # the reviewed values read as before
        corrected = [r for r in reviews_before if r[8]]
        assert upgraded.loc[corrected[0][0], "speaker"] == corrected[0][8]
        # the search index covers the old claims
        word = upgraded["speaker"].dropna().iloc[0].split()[-1]
        assert set(store.claims(speaker=word).claim_id) == {
            i for i, row in upgraded.iterrows()
            if word.lower() in (row["speaker"] or "").lower()
            or word.lower() in (row["speaker_canonical"] or "").lower()}
        # old history still undoes, new changes land on top of it
        flagged_claim = next(r[0] for r in reviews_before if r[1] == "unverified" and r[11] == 2)
        store.review(flagged_claim, note="after the upgrade", expected_version=2)
        assert store.history(flagged_claim)["version"].max() == 3
    with open_store(old_store) as again:  # opening again changes nothing more
        assert again.count() == len(claims_before)
    assert _rows(old_store, "SELECT count(*) FROM schema_version") == \
        [(schema.SCHEMA_VERSION - 1,)]


def test_an_upgrade_that_fails_leaves_the_store_as_it_was(old_store):
    # Something in the way of schema 5: a table by the name its search index needs.
    raw = sqlite3.connect(old_store)
    raw.execute("CREATE TABLE claims_fts (x)")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError):
        open_store(old_store)
    assert _rows(old_store, "SELECT max(version) FROM schema_version") == [(2,)]
    assert _rows(old_store, "SELECT name FROM sqlite_master WHERE name = 'alembic_version'") == []
    names = [r[1] for r in _rows(old_store, "PRAGMA table_info(reviews)")]
    assert "assignee" not in names and "published_at" not in names
