"""Reviewed values are the truth downstream (issue 14, items 1 and 8; DESIGN.md §2).

A reviewer's corrected speaker, cue class, kind and trimmed content are what ``store.claims()``,
CSV, Parquet, ClaimReview, the charts and the HTML report show, with the extractor's values
beside them; a claim marked "not a claim" leaves every deliverable unless ``include_rejected``
keeps it (marked). Read-only commands never create a store. All data here is invented.
"""
from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from conftest import run_cli as claimkit
from store_fixtures import make_article

from claimkit import charts, export, report
from claimkit.store import NoSuchStore, open_store

PUBLISHER = export.Publisher("Example Checks", "https://checks.example")
WRONG = "Mayor Ann Lee"  # what the invented extractor said
RIGHT = "Bo Teller"  # who really said it


def fill(store) -> dict[str, str]:
    """Two articles; the first claim's speaker corrected and its verdict given; the second
    claim marked "not a claim" (also with a verdict, so ClaimReview would have shown it)."""
    article, claims = make_article(1)
    store.add(article, claims)
    store.add(*make_article(2, outlet="Gazette"))
    fixed, rejected = claims[0].claim_id, claims[1].claim_id
    store.review(fixed, corrected_speaker=RIGHT, verdict="false")
    store.review(rejected, not_a_claim=True, verdict="true")
    return {"fixed": fixed, "rejected": rejected, "count": len(store.claims())}


def check_reviewed(frame: pd.DataFrame, ids: dict[str, str]) -> None:
    row = frame.set_index("claim_id").loc[ids["fixed"]]
    assert row["speaker"] == row["speaker_canonical"] == RIGHT
    assert row["speaker_extracted"] == WRONG
    assert row["speaker_canonical_extracted"] == "Ann Lee"


# --- store.claims() ---------------------------------------------------------------------------

def test_claims_show_the_corrected_speaker_with_the_extracted_one_beside(store):
    ids = fill(store)
    frame = store.claims()
    check_reviewed(frame, ids)
    assert ids["rejected"] in set(frame["claim_id"])  # the review app still sees it
    check_reviewed(store.claims(outlet="Daily Planet"), ids)  # the SQL path too
    assert store.claim(ids["fixed"])["speaker"] == RIGHT
    kept = store.claims(include_rejected=False)
    assert ids["rejected"] not in set(kept["claim_id"]) and len(kept) == ids["count"] - 1
    others = frame[frame["claim_id"] != ids["fixed"]]
    assert (others["speaker"] == others["speaker_extracted"]).all()


def test_the_snapshot_path_patches_in_corrections_and_their_undo(tmp_path):
    path = tmp_path / "claims.db"
    with open_store(path) as store:
        store.add(*make_article(1))
        store.add(*make_article(2))
        first = store.claims()  # writes the snapshot
        assert store.snapshot_path.exists()
        claim_id = first["claim_id"].iloc[0]
        version = store.review(claim_id, corrected_speaker=RIGHT, corrected_kind="direct",
                               corrected_cue_class="deny")
        frame = store.claims()  # the snapshot with the review patched in
        row = frame.set_index("claim_id").loc[claim_id]
        assert (row["speaker"], row["kind"], row["cue_class"]) == (RIGHT, "direct", "deny")
        assert (row["speaker_extracted"], row["kind_extracted"], row["cue_class_extracted"]) \
            == (WRONG, "indirect", "assert")
        store.undo(claim_id, expected_version=version)
        row = store.claims().set_index("claim_id").loc[claim_id]
        assert (row["speaker"], row["kind"], row["cue_class"]) == (WRONG, "indirect", "assert")


def test_cue_class_kind_and_content_corrections_with_history_and_undo(store):
    article, claims = make_article(1)
    store.add(article, claims)
    claim_id = claims[0].claim_id  # "the bridge 1 cost 12 million dollars"
    version = store.review(claim_id, corrected_kind="direct", corrected_cue_class="Deny",
                           corrected_content="  the bridge 1   cost 12 million ")
    saved = store.claim(claim_id)
    assert (saved["kind"], saved["cue_class"], saved["text"]) == \
        ("direct", "deny", "the bridge 1 cost 12 million")
    assert (saved["kind_extracted"], saved["cue_class_extracted"], saved["text_extracted"]) == \
        ("indirect", "assert", "the bridge 1 cost 12 million dollars")
    assert set(store.history(claim_id)["field"]) == {
        "corrected_kind", "corrected_cue_class", "corrected_content"}
    assert list(store.claims(kind="direct")["claim_id"]) == [claim_id]  # filters: reviewed
    assert list(store.claims(cue_class="deny")["claim_id"]) == [claim_id]
    assert store.claims(kind="indirect")["claim_id"].tolist() == [claims[1].claim_id]
    assert list(store.claims(speaker="Ann")["claim_id"]) == [claim_id]
    store.review(claim_id, corrected_speaker=RIGHT)
    assert store.claims(speaker="Ann").empty
    assert list(store.claims(speaker="teller")["claim_id"]) == [claim_id]
    with pytest.raises(ValueError, match="must be part of the claim's content"):
        store.review(claim_id, corrected_content="the bridge cost 12")
    with pytest.raises(ValueError, match="corrected_kind must be one of"):
        store.review(claim_id, corrected_kind="quoted")
    with pytest.raises(ValueError, match="corrected_cue_class must be one of"):
        store.review(claim_id, corrected_cue_class="shout")
    store.review(claim_id, corrected_content="", corrected_kind="")  # "" clears
    saved = store.claim(claim_id)
    assert (saved["kind"], saved["text"]) == ("indirect", "the bridge 1 cost 12 million dollars")
    store.undo(claim_id)
    store.undo(claim_id)
    store.undo(claim_id, expected_version=version + 4)  # the first change, undone last
    assert store.claim(claim_id)["cue_class"] == "assert"


# --- exports ----------------------------------------------------------------------------------

def test_csv_parquet_and_claimreview_use_the_reviewed_speaker_and_leave_rejected_out(
        store, tmp_path):
    ids = fill(store)
    frame = export.export_frame(store)
    assert ids["rejected"] not in set(frame["claim_id"]) and len(frame) == ids["count"] - 1
    export.write_csv(frame, tmp_path / "c.csv")
    export.write_parquet(frame, tmp_path / "c.parquet")
    for read in (pd.read_csv(tmp_path / "c.csv", keep_default_na=False),
                 pd.read_parquet(tmp_path / "c.parquet")):
        assert list(read.columns) == list(export.EXPORT_COLUMNS)
        check_reviewed(read, ids)
        assert ids["rejected"] not in set(read["claim_id"])
    reviews = export.claimreviews(frame, store.taxonomy("verdict"), PUBLISHER)
    assert [r["itemReviewed"]["author"]["name"] for r in reviews] == [RIGHT]

    kept = export.export_frame(store, include_rejected=True)
    assert len(kept) == ids["count"]
    export.write_csv(kept, tmp_path / "k.csv")
    read = pd.read_csv(tmp_path / "k.csv").set_index("claim_id")
    assert read.loc[ids["rejected"], "not_a_claim"] == True  # noqa: E712
    assert read["not_a_claim"].sum() == 1
    # ClaimReview never publishes a claim a reviewer rejected, whatever the frame holds.
    reviews = export.claimreviews(kept, store.taxonomy("verdict"), PUBLISHER)
    assert [r["itemReviewed"]["author"]["name"] for r in reviews] == [RIGHT]


def test_claimkit_export_include_rejected(tmp_path):
    db = tmp_path / "claims.db"
    with open_store(db) as store:
        ids = fill(store)
    args = ["--publisher-name", "Example Checks", "--publisher-url", "https://checks.example"]
    done = claimkit("export", "--store", db, "--csv", tmp_path / "a.csv",
                    "--claimreview", tmp_path / "a.json", "--all-verdicts", *args)
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(tmp_path / "a.csv").set_index("claim_id")
    assert ids["rejected"] not in rows.index and rows.loc[ids["fixed"], "speaker"] == RIGHT
    reviews = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert [r["itemReviewed"]["author"]["name"] for r in reviews] == [RIGHT]
    done = claimkit("export", "--store", db, "--parquet", tmp_path / "b.parquet",
                    "--include-rejected")
    assert done.returncode == 0, done.stderr
    rows = pd.read_parquet(tmp_path / "b.parquet").set_index("claim_id")
    assert rows.loc[ids["rejected"], "not_a_claim"] is True or \
        bool(rows.loc[ids["rejected"], "not_a_claim"])
    assert int(rows["not_a_claim"].sum()) == 1 and len(rows) == ids["count"]


# --- charts and report ------------------------------------------------------------------------

def test_charts_count_the_corrected_speaker_and_leave_rejected_out(store):
    ids = fill(store)
    data = charts.ChartData.from_store(store)
    assert ids["rejected"] not in set(data.claims["claim_id"])
    names = set(charts.speaker_names(data.claims))
    assert RIGHT in names
    record = charts.track_record_counts(data.claims, data.verdicts)
    assert RIGHT in set(record["speaker"])
    assert len(charts.ChartData.from_store(store, include_rejected=True).claims) == ids["count"]


def test_report_rows_show_the_corrected_speaker_and_mark_rejected_claims(store):
    ids = fill(store)
    page = report.html_report(store, chart_names=[])
    rejected_text = store.claim(ids["rejected"])["text"]
    assert f"{RIGHT} · said" in page and WRONG + " · said" not in page
    assert rejected_text not in page and "not a claim" not in page
    page = report.html_report(store, chart_names=[], include_rejected=True)
    assert rejected_text in page
    assert page.count('<span class="rejected">not a claim</span>') == 1
    assert page.count('<tr class="rejected">') == 1


def test_claimkit_charts_and_report_include_rejected(tmp_path):
    db = tmp_path / "claims.db"
    with open_store(db) as store:
        ids = fill(store)
        rejected_text = store.claim(ids["rejected"])["text"]
    done = claimkit("report", "--store", db, "--html", tmp_path / "r.html")
    assert done.returncode == 0, done.stderr
    assert f"report of {ids['count'] - 1} claims" in done.stderr
    assert rejected_text not in (tmp_path / "r.html").read_text(encoding="utf-8")
    done = claimkit("report", "--store", db, "--html", tmp_path / "k.html", "--include-rejected")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "k.html").read_text(encoding="utf-8")
    assert rejected_text in page and '<tr class="rejected">' in page
    done = claimkit("charts", "--store", db, "--out", tmp_path / "out", "--format", "html",
                    "--include-rejected")
    assert done.returncode == 0, done.stderr


# --- item 8: read-only commands never create a store ------------------------------------------

@pytest.mark.parametrize("command, outputs", [
    ("export", ["--csv", "x.csv"]),
    ("charts", ["--out", "charts"]),
    ("report", ["--html", "r.html"]),
])
def test_read_only_commands_on_a_missing_store_fail_and_create_nothing(tmp_path, command,
                                                                       outputs):
    done = claimkit(command, "--store", "typo.db", *outputs, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == f"claimkit {command}: no such store: typo.db\n"
    assert done.stdout == ""
    assert os.listdir(tmp_path) == []  # no typo.db, no typo.db-wal, no output


def test_open_store_create_false_refuses_a_missing_store(store_url, tmp_path):
    target = str(tmp_path / "missing.db") if "://" not in store_url else store_url
    with pytest.raises(NoSuchStore, match="no such store"):
        open_store(target, create=False)
    assert os.listdir(tmp_path) == []
    open_store(store_url).close()  # created, then found
    with open_store(store_url, create=False) as store:
        assert store.stats()["claims"] == 0


# --- the review app ---------------------------------------------------------------------------

def test_review_app_corrects_kind_cue_class_and_trims_content_escaped(store):
    from claimkit.review import ReviewApp

    store.add(*make_article(1, sentences=["Mayor Ann Lee said that <b>tax</b> rose by 5 percent."]))
    app = ReviewApp(store)
    claim_id = app.current["claim_id"]
    app.kind_picker.value = "direct"
    app.cue_class_picker.value = "deny"
    saved = store.claim(claim_id)
    assert (saved["kind"], saved["cue_class"]) == ("direct", "deny")
    assert "extractor said: indirect" in app.card.value
    assert "extractor said: assert" in app.card.value
    app.content_box.value = "tax rose by 6"  # not in the claim: refused, nothing stored
    assert store.claim(claim_id)["corrected_content"] is None
    assert "must be part of the claim" in app.card.value + app.message.value
    assert app.content_box.value == ""
    app.content_box.value = "<b>tax</b> rose"
    assert store.claim(claim_id)["text"] == "<b>tax</b> rose"
    assert "“&lt;b&gt;tax&lt;/b&gt; rose”" in app.card.value
    assert "<b>tax</b>" not in app.card.value
    app.kind_picker.value = ""  # back to the extractor's
    assert store.claim(claim_id)["kind"] == "indirect"
    assert list(store.history(claim_id)["field"]) == [
        "corrected_kind", "corrected_cue_class", "corrected_content", "corrected_kind"]
