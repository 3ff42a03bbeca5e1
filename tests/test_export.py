"""Exports from the store: CSV (spreadsheet-safe, round-trips awkward text), Parquet and
schema.org ClaimReview JSON-LD (issue 3)."""
from __future__ import annotations

import csv
import json
import os

import pandas as pd
import pytest
from conftest import run_cli as claimkit
from store_fixtures import make_article

from claimkit import export
from claimkit.export import EXPORT_COLUMNS, Publisher, neutralise
from claimkit.store import open_store

PUBLISHER = Publisher("Example Checks", "https://checks.example")

AWKWARD = [
    'Lee said that "the bridge", as she put it, cost 12, maybe 13, million.',
    "Officials said that the plan\nwas on track\r\nand \"fully\" funded; 'no' delays.",
    "Der Bürgermeister said that Zürich's Brücke kostet 12 Mio. € — ça va, 東京 too.",
]
FORMULAS = [
    "Ann said that =HYPERLINK(\"http://evil.example\",\"click\") works.",
    "+1 said that SUM(A1:A9) was fine.",
    "-5 percent said that it fell.",
    "@Bob said that cmd|' /C calc'!A0 ran.",
    "\tTabbed said that it is so.",
    "\rReturned said that it is not so.",
]


def reviewed_store(store):
    """Six claims; four with verdicts of every kind of rating."""
    store.add(*make_article(1, outlet="Daily Planet"))
    store.add(*make_article(2, outlet="Gazette", published=None, title=""))
    ids = store.claims()["claim_id"].tolist()
    store.review(ids[0], status="verified", verdict="false", tags=["budget", "=cmd"],
                 evidence=["https://city.example/a.pdf", "https://city.example/b"],
                 note="=1+1 is not a note")
    store.review(ids[1], status="verified", verdict="true")
    store.review(ids[2], status="verified", verdict="not_checkable")  # an assertion
    store.review(ids[2], status="published")  # the workflow publishes verified claims
    store.review(ids[3], status="in_review", verdict="unverifiable")
    return ids


# --- CSV --------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "1+1", " =1", "a=b", "'quoted", "x\n=1"])
def test_other_cells_are_left_alone(cell):
    assert neutralise(cell) == cell


def test_csv_neutralises_every_text_cell_from_an_article_or_a_reviewer(tmp_path, store):
    store.add(*make_article(9, sentences=FORMULAS, title="=cmd|' /C calc'!A0",
                            outlet="+Outlet"))
    cid = store.claims()["claim_id"].iloc[0]
    store.review(cid, tags=["-tag", "ok"], note="@note")
    path = tmp_path / "claims.csv"
    export.write_csv(export.export_frame(store), path)
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(FORMULAS)
    for row in rows:
        for name, cell in row.items():
            assert not cell.startswith(export.FORMULA_PREFIXES), (name, cell)
    assert rows[0]["title"] == "'=cmd|' /C calc'!A0" and rows[0]["outlet"] == "'+Outlet"
    assert rows[0]["content"] == "'=HYPERLINK(\"http://evil.example\",\"click\") works"
    assert [r["speaker"] for r in rows[1:]] == ["'+1", "'-5 percent", "'@Bob", "'\tTabbed",
                                                "'\rReturned"]
    assert rows[0]["tags"] == "'-tag; ok" and rows[0]["note"] == "'@note"
    assert rows[3]["speaker"] == "'@Bob"


def test_csv_round_trips_awkward_text(tmp_path, store):
    store.add(*make_article(5, sentences=AWKWARD, title='Zürich, "Brücke"\nnews'))
    cid = store.claims()["claim_id"].iloc[1]
    store.review(cid, note='She said "yes",\nthen "no"; ok, 100 %', tags=["ça", "東京, tag"])
    frame = export.export_frame(store)
    path = tmp_path / "claims.csv"
    assert export.write_csv(frame, path) == 3
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    assert list(back.columns) == list(EXPORT_COLUMNS)
    assert back["content"].tolist() == frame["content"].tolist()
    assert back["speaker"].tolist() == frame["speaker"].tolist()
    assert back["title"].tolist() == ['Zürich, "Brücke"\nnews'] * 3
    assert back["claim_id"].tolist() == frame["claim_id"].tolist()
    assert back.loc[1, "note"] == 'She said "yes",\nthen "no"; ok, 100 %'
    assert back.loc[1, "tags"].split("; ") == ["ça", "東京, tag"]
    with open(path, encoding="utf-8", newline="") as f:  # the csv module agrees
        assert [r["content"] for r in csv.DictReader(f)] == frame["content"].tolist()


def test_csv_has_one_row_per_claim_with_ratings_and_dates(tmp_path, store):
    reviewed_store(store)
    path = tmp_path / "claims.csv"
    export.write_csv(export.export_frame(store), path)
    rows = list(csv.DictReader(open(path, encoding="utf-8", newline="")))
    assert len(rows) == 6
    first = rows[0]
    assert (first["verdict"], first["verdict_label"], first["rating"]) == ("false", "False", "1")
    assert first["evidence"] == "https://city.example/a.pdf https://city.example/b"
    assert first["tags"] == "budget; =cmd"  # only a cell's start matters
    assert first["note"] == "'=1+1 is not a note"
    assert first["published"] == "2024-05-01" and first["updated_at"].endswith("Z")
    assert first["url"] == "https://news.example/1" and first["cue"] == "said"
    assert rows[3]["rating"] == "" and rows[3]["verdict"] == "unverifiable"
    assert rows[4]["verdict"] == "" and rows[4]["published"] == ""


# --- Parquet ----------------------------------------------------------------------------------

def test_parquet_keeps_lists_and_types(tmp_path, store):
    ids = reviewed_store(store)
    path = tmp_path / "claims.parquet"
    export.write_parquet(export.export_frame(store), path)
    back = pd.read_parquet(path)
    assert list(back.columns) == list(EXPORT_COLUMNS) and len(back) == 6
    row = back.set_index("claim_id").loc[ids[0]]
    assert list(row["tags"]) == ["budget", "=cmd"]  # raw values: no spreadsheet here
    assert row["rating"] == 1 and str(row["published"]) == "2024-05-01"


# --- ClaimReview ------------------------------------------------------------------------------

def assert_valid_claimreview(review: dict) -> None:
    """The required fields of a ClaimReview, and the rules for its rating."""
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["url"].startswith("https://")
    assert isinstance(review["claimReviewed"], str) and review["claimReviewed"].strip()
    assert review["author"]["@type"] == "Organization" and review["author"]["name"]
    assert export.claimreview_problems(review) == []
    if "datePublished" in review:
        assert len(review["datePublished"]) == 10  # YYYY-MM-DD
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating" and rating["alternateName"]
    numbers = {"ratingValue", "bestRating", "worstRating"} & set(rating)
    assert numbers in (set(), {"ratingValue", "bestRating", "worstRating"})
    if numbers:
        assert all(isinstance(rating[k], int) for k in numbers)
        assert 1 <= rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert rating["worstRating"] < rating["bestRating"]
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"]["@type"] in ("Person", "Organization") and item["author"]["name"]


def test_claimreview_carries_the_published_checks_by_default(store):
    ids = reviewed_store(store)
    store.review(ids[2], note="An opinion about the <b>budget</b>.")
    reviews = export.claimreviews(export.export_frame(store), store.taxonomy("verdict"),
                                  PUBLISHER, statuses=store.workflow().exported_statuses)
    assert [r["url"] for r in reviews] == [f"https://checks.example#claim-{ids[2]}"]
    (review,) = reviews
    published_at = store.claims(claim_id=ids[2])["published_at"].iloc[0]
    assert review["datePublished"] == published_at.date().isoformat()
    assert review["reviewBody"] == "An opinion about the <b>budget</b>."  # JSON, not HTML
    assert_valid_claimreview(review)


def test_date_published_is_when_it_was_published_not_the_last_edit(store):
    ids = reviewed_store(store)
    with store.engine.begin() as conn:  # published long ago; edited today
        conn.exec_driver_sql("UPDATE reviews SET published_at = '2024-02-03 10:00:00.000000' "
                             f"WHERE claim_id = '{ids[2]}'")
    store.review(ids[2], tags=["late tag"])
    (review,) = export.claimreviews(export.export_frame(store), store.taxonomy("verdict"),
                                    PUBLISHER, statuses=["published"])
    assert review["datePublished"] == "2024-02-03"
    assert review["dateModified"] != "2024-02-03"


def test_claimreview_for_every_claim_with_a_verdict_with_all_verdicts(store):
    ids = reviewed_store(store)
    reviews = export.claimreviews(export.export_frame(store), store.taxonomy("verdict"),
                                  PUBLISHER)
    assert len(reviews) == 4  # two claims have no verdict
    never_published = [r for r in reviews if not r["url"].endswith(ids[2])]
    assert all("datePublished" not in r and r["dateModified"] for r in never_published)
    for review in reviews:
        assert_valid_claimreview(review)
    by_url = {r["url"]: r for r in reviews}
    false = by_url[f"https://checks.example#claim-{ids[0]}"]
    assert false["reviewRating"] == {"@type": "Rating", "alternateName": "False",
                                     "ratingValue": 1, "bestRating": 5, "worstRating": 1}
    assert false["itemReviewed"]["author"] == {"@type": "Person", "name": "Ann Lee"}
    assert false["itemReviewed"]["appearance"] == {
        "@type": "CreativeWork", "url": "https://news.example/1", "headline": "Article 1",
        "datePublished": "2024-05-01",
        "publisher": {"@type": "Organization", "name": "Daily Planet"}}
    true = by_url[f"https://checks.example#claim-{ids[1]}"]
    assert true["reviewRating"]["ratingValue"] == 5
    opinion = by_url[f"https://checks.example#claim-{ids[2]}"]
    assert opinion["reviewRating"] == {"@type": "Rating", "alternateName": "Not checkable"}
    assert opinion["itemReviewed"]["author"] == {"@type": "Organization",
                                                 "name": "Daily Planet"}  # an assertion


def test_claimreview_follows_the_store_s_taxonomy(store):
    ids = reviewed_store(store)
    store.set_taxonomy("verdict", "politifact", remap={"unverifiable": None,
                                                      "not_checkable": None})
    store.review(ids[1], verdict="pants_on_fire")
    reviews = export.claimreviews(export.export_frame(store), store.taxonomy("verdict"),
                                  Publisher("X", "https://x.example",
                                            "https://x.example/checks/{claim_id}"))
    assert [r["reviewRating"]["alternateName"] for r in reviews] == ["False", "Pants on Fire"]
    assert reviews[1]["reviewRating"]["bestRating"] == 6
    assert reviews[1]["reviewRating"]["ratingValue"] == 1
    assert reviews[1]["url"] == f"https://x.example/checks/{ids[1]}"
    for review in reviews:
        assert_valid_claimreview(review)


def test_publisher_comes_from_options_or_a_config_file(tmp_path):
    config = tmp_path / "claimkit.toml"
    config.write_text('[publisher]\nname = "Config Checks"\nurl = "https://config.example"\n')
    assert export.load_publisher(config=config) == Publisher("Config Checks",
                                                             "https://config.example")
    assert export.load_publisher(name="Mine", config=config).name == "Mine"
    as_json = tmp_path / "claimkit.json"
    as_json.write_text(json.dumps({"publisher": {"name": "J", "url": "https://j.example"}}))
    assert export.load_publisher(config=as_json).url == "https://j.example"
    with pytest.raises(export.ExportError, match="publisher's name and URL"):
        export.load_publisher(name="Only a name")
    with pytest.raises(export.ExportError, match="https://"):
        export.load_publisher(name="N", url="javascript:alert(1)")


# --- the command ------------------------------------------------------------------------------

def test_claimkit_export_writes_all_three(tmp_path):
    db = tmp_path / "claims.db"
    with open_store(db) as store:
        reviewed_store(store)
    out = tmp_path / "out"
    out.mkdir()
    done = claimkit("export", "--store", db, "--csv", out / "c.csv", "--parquet",
                    out / "c.parquet", "--claimreview", out / "r.json",
                    "--publisher-name", "Example Checks", "--publisher-url",
                    "https://checks.example")
    assert done.returncode == 0, done.stderr
    assert "6 rows to" in done.stderr and "1 ClaimReviews" in done.stderr  # one published
    assert len(pd.read_parquet(out / "c.parquet")) == 6
    reviews = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert len(reviews) == 1 and reviews[0]["datePublished"]
    every = claimkit("export", "--store", db, "--claimreview", out / "r.json", "--all-verdicts",
                     "--publisher-name", "Example Checks", "--publisher-url",
                     "https://checks.example")
    assert every.returncode == 0 and "4 ClaimReviews" in every.stderr
    reviews = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert len(reviews) == 4
    for review in reviews:
        assert_valid_claimreview(review)
    only = claimkit("export", "--store", db, "--csv", out / "v.csv", "--status", "verified",
                    "--status", "published")
    assert only.returncode == 0, only.stderr
    assert len(pd.read_csv(out / "v.csv")) == 3
    assert sorted(os.listdir(out)) == ["c.csv", "c.parquet", "r.json", "v.csv"]  # no temp files


@pytest.mark.parametrize("args, message", [
    ((), "give at least one of"),
    (("--claimreview", "r.json"), "publisher's name and URL"),
    (("--csv", "no/such/folder/c.csv"), "no such folder"),
])
def test_claimkit_export_mistakes_are_usage_errors(tmp_path, args, message):
    db = tmp_path / "claims.db"
    open_store(db).close()
    done = claimkit("export", "--store", db, *args)
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr
