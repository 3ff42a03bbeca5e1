"""`claimkit extract --store`, run for real: resumable, and safe against `kill -9`.

See docs/architecture.md §6.
"""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT
from conftest import run_cli as claimkit
from corpus_fixtures import write_corpus

from claimkit.store import open_store

def stored_articles(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # not created yet
        return 0


@pytest.mark.kill
def test_kill_9_mid_run_leaves_whole_articles_and_the_next_run_completes(tmp_path):
    corpus = tmp_path / "corpus"
    n = 300
    write_corpus(corpus, n)
    db = tmp_path / "claims.db"
    proc = subprocess.Popen([sys.executable, "-m", "claimkit", "extract", str(corpus),
                             "--store", str(db), "--no-progress"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while stored_articles(db) < 20:
            assert proc.poll() is None, f"extract ended before the kill: {proc.stderr.read()}"
            assert time.monotonic() < deadline, "extract stored nothing in 300 s"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    with open_store(db) as store:
        assert store.check() == []  # integrity_check, and every article holds all its claims
        killed_at = store.stats()
    assert 20 <= killed_at["articles"] < n, "the kill should land mid-run"

    done = claimkit("extract", corpus, "--store", db)
    assert done.returncode == 0, done.stderr
    assert f"{killed_at['articles']} already there" in done.stderr
    assert "Traceback" not in done.stderr
    with open_store(db) as store:
        assert store.check() == []
        final = store.stats()
        frame = store.claims()
    assert final["articles"] == n
    assert not frame["claim_id"].duplicated().any()
    assert final["claims"] == len(frame) > n  # each article has several claims
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT sum(n_claims) FROM articles").fetchone()[0] == final["claims"]
    raw.close()


def test_a_second_run_skips_what_is_stored_and_keeps_reviews(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 3)
    db = tmp_path / "claims.db"
    first = claimkit("extract", corpus, "--store", db)
    assert first.returncode == 0, first.stderr
    assert "stored 3 articles" in first.stderr
    with open_store(db) as store:
        cid = store.claims()["claim_id"].iloc[0]
        store.review(cid, status="verified", verdict="true", note="ok")
    (corpus / "extra.txt").write_text("Officials said on Tuesday that the tunnel was finished "
                                      "two years late.\n", encoding="utf-8")
    second = claimkit("extract", corpus, "--store", db)
    assert second.returncode == 0, second.stderr
    assert "stored 1 article" in second.stderr and "3 already there" in second.stderr
    with open_store(db) as store:
        assert store.stats()["articles"] == 4
        assert store.claim(cid)["verdict"] == "true"


def test_extract_into_postgresql(pg_url):
    done = claimkit("extract", "data", "--store", pg_url)
    assert done.returncode == 0, done.stderr
    with open_store(pg_url) as store:
        assert store.stats()["articles"] == len(list((ROOT / "data").glob("*.txt")))
        assert store.check() == []


@pytest.mark.slow  # worker processes, each loading spaCy
def test_two_jobs_store_the_same_claims_as_one(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 24)
    frames = []
    for jobs in (1, 2):
        db = tmp_path / f"jobs{jobs}.db"
        done = claimkit("extract", corpus, "--store", db, "--jobs", jobs)
        assert done.returncode == 0, done.stderr
        with open_store(db) as store:
            assert store.check() == []
            frames.append(store.claims(spans=True, details=True)
                          .drop(columns=["updated_at"]).reset_index(drop=True))
    assert len(frames[0]) > 24
    pd.testing.assert_frame_equal(frames[0], frames[1])


@pytest.mark.parametrize("store", ["missing-folder/claims.db", "mysql://x@localhost/y"])
def test_a_bad_store_is_a_usage_error(tmp_path, store):
    done = claimkit("extract", "data", "--store", tmp_path / store if "://" not in store
                    else store)
    assert done.returncode == 2
    assert done.stderr.startswith("claimkit extract: ") and "Traceback" not in done.stderr


def test_the_library_loader_resumes_and_keeps_problems_in_its_result(tmp_path):
    from claimkit import extract_into_store

    paths = write_corpus(tmp_path / "in", 3)
    (tmp_path / "in" / "empty.txt").write_text("", encoding="utf-8")
    with open_store(tmp_path / "claims.db") as store:
        first = extract_into_store(store, [str(tmp_path / "in")])
        again = extract_into_store(store, [str(p) for p in paths])
        stored = store.claims()
    assert first.added.articles == 3 and first.added.claims_added == len(stored) > 3
    assert [p.path for p in first.problems] == [str(tmp_path / "in" / "empty.txt")]
    assert again.added.articles == 0 and again.already_stored == 3


def test_a_large_load_ends_ready_for_reading(tmp_path, monkeypatch):
    """Past OPTIMIZE_AFTER_CLAIMS the loader runs store.optimize(): planner statistics, and on
    SQLite the snapshot that the first full read then uses."""
    from claimkit import load

    write_corpus(tmp_path / "in", 3)
    monkeypatch.setattr(load, "OPTIMIZE_AFTER_CLAIMS", 1)
    with open_store(tmp_path / "claims.db") as store:
        load.extract_into_store(store, [str(tmp_path / "in")])
        snapshot_file = store.snapshot_path
        assert snapshot_file.exists()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_stat1").scalar() > 0
        pd.testing.assert_frame_equal(store.claims(), store.claims(limit=10**6))
