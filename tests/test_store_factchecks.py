"""Earlier checks at hand: fact-checks imported into the store (every shape, a bad file
refused whole), `store.matches` over them and the team's own verdicts, and
`claimkit import-factchecks`. Invented texts only."""
from __future__ import annotations

import json

import pytest
from conftest import run_cli
from store_fixtures import make_article

from claimkit.model import FactCheck
from claimkit.store import open_store

CHECKS = [
    FactCheck("fc-meddle", "Russia never interfered in the election", "False",
              "https://checks.example/meddle", "Example Checks", "2024-02-01"),
    FactCheck("fc-november", "The election was held in November", "True",
              "https://checks.example/november", "Example Checks"),
    FactCheck("fc-bridge", "The new bridge cost twelve million dollars", "Mostly true",
              "https://checks.example/bridge", "River Desk"),
]
SENTENCES = ["Officials said that Moscow did not meddle in the vote.",
             "Mayor Ann Lee said that the harbour will reopen in June.",
             "The council met on Tuesday."]


@pytest.fixture
def checked(store):
    store.add(*make_article(1, sentences=SENTENCES))
    store.import_factchecks(CHECKS)
    return store


def test_a_paraphrase_finds_its_earlier_fact_check_first(checked):
    meddle = checked.claims(search="meddle")["claim_id"].iloc[0]
    found = checked.matches(meddle, k=3)
    assert list(found.columns) == ["source", "id", "text", "verdict", "url", "publisher",
                                   "score"]
    assert found.iloc[0][["source", "id", "verdict", "url"]].tolist() == [
        "factcheck", "fc-meddle", "False", "https://checks.example/meddle"]
    assert found["score"].is_monotonic_decreasing and len(found) == 3


def test_the_teams_own_verdicts_are_matched_too_but_never_the_claim_itself(checked):
    article, claims = make_article(2, outlet="Gazette", sentences=[
        "Senator Bo Ray said that Moscow did not meddle in the election."])
    checked.add(article, claims)
    checked.review(claims[0].claim_id, verdict="false")  # the team checked the Gazette's one
    meddle = checked.claims(search="meddle in the vote")["claim_id"].iloc[0]
    found = checked.matches(meddle, k=5)
    own = found[found["source"] == "store"]
    assert own["id"].tolist() == [claims[0].claim_id]
    assert own["verdict"].tolist() == ["false"] and own["publisher"].tolist() == ["Gazette"]
    assert claims[0].claim_id not in checked.matches(claims[0].claim_id)["id"].tolist()


def test_importing_again_updates_instead_of_doubling(checked):
    changed = [CHECKS[0].__class__(**{**CHECKS[0].__dict__, "verdict": "Pants on fire"})]
    result = checked.import_factchecks(changed)
    assert (result.added, result.updated) == (0, 1)
    stored = checked.factchecks().set_index("factcheck_id")
    assert len(stored) == 3 and stored.loc["fc-meddle", "verdict"] == "Pants on fire"


def test_the_command_imports_every_good_file_and_names_the_bad_one(tmp_path):
    db = tmp_path / "claims.db"
    with open_store(db) as store:
        store.add(*make_article(1, sentences=SENTENCES))
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    review = {"@context": "https://schema.org", "@type": "ClaimReview",
              "url": "https://checks.example/meddle", "claimReviewed": CHECKS[0].claim,
              "author": {"@type": "Organization", "name": "Example Checks"},
              "reviewRating": {"@type": "Rating", "alternateName": "False"}}
    (feeds / "feed.json").write_text(json.dumps({"@type": "DataFeed", "dataFeedElement": [
        {"@type": "DataFeedItem", "item": [review]}]}), encoding="utf-8")
    (feeds / "table.csv").write_text("claim,verdict,url,publisher,date\n"
                                     f"{CHECKS[2].claim},Mostly true,{CHECKS[2].url},River Desk,"
                                     "2024-03-01\n", encoding="utf-8")
    (feeds / "broken.json").write_text('{"@type": "ClaimReview", "claimRev', encoding="utf-8")
    done = run_cli("import-factchecks", feeds, "--store", db)
    assert done.returncode == 1  # a file could not be read
    assert "broken.json" in done.stderr and "Traceback" not in done.stderr
    assert "imported 2 fact-checks from 2 files" in done.stderr
    with open_store(db) as store:
        assert sorted(store.factchecks()["claim"]) == sorted([CHECKS[0].claim, CHECKS[2].claim])
        meddle = store.claims(search="meddle")["claim_id"].iloc[0]
        assert store.matches(meddle, k=1)["url"].tolist() == ["https://checks.example/meddle"]
    missing = run_cli("import-factchecks", tmp_path / "nowhere", "--store", db)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr


def test_the_review_app_shows_earlier_checks_and_takes_one_over(checked):
    from claimkit.review import ReviewApp

    app = ReviewApp(checked, sort="article")
    assert "Officials said" not in app.matches_view.value  # the checks, not the article
    meddle = checked.claims(search="meddle")["claim_id"].iloc[0]
    app.queue.go_to(meddle)
    app.show()
    assert "Checked before?" in app.matches_view.value
    assert "Russia never interfered in the election" in app.matches_view.value
    assert app.match_buttons[0].layout.display == "flex"
    app.match_buttons[0].click()
    saved = checked.claim(meddle)
    assert saved["verdict"] == "false"  # "False" is this store's verdict "false"
    assert "https://checks.example/meddle" in saved["evidence"]
    assert "Checked before by Example Checks: False." in saved["note"]
    assert set(checked.history(meddle)["field"]) >= {"verdict", "evidence", "note"}


def test_a_verdict_named_in_other_words_is_found_or_left_alone():
    from claimkit.taxonomy import load_taxonomy

    verdicts = load_taxonomy("verdicts")
    assert verdicts.find("Mostly True") == "mostly_true"
    assert verdicts.find("mostly-true") == "mostly_true"
    assert verdicts.find("Pants on Fire") is None
    assert load_taxonomy("politifact").find("Pants on Fire") == "pants_on_fire"


def test_the_teams_index_follows_verdicts_given_changed_and_taken_away(checked, store_url):
    """The team's index is kept between calls and updated with the reviews changed since (not
    rebuilt); what it finds must equal what a fresh store object (a full build) finds."""
    article, claims = make_article(3, outlet="Courier", sentences=[
        "Senator Bo Ray said that Moscow did not meddle in the election.",
        "Officials said that Moscow never meddled in the November vote."])
    checked.add(article, claims)
    meddle = checked.claims(search="meddle in the vote")["claim_id"].iloc[0]
    first, second = (c.claim_id for c in claims)

    def own(store) -> dict:
        found = store.matches(meddle, k=5)
        found = found[found["source"] == "store"]
        return dict(zip(found["id"], found["verdict"]))

    checked.review(first, verdict="false")
    assert own(checked) == {first: "false"}
    built = checked._own_cache
    checked.review(second, verdict="misleading")  # a verdict given
    assert own(checked) == {first: "false", second: "misleading"}
    rows = len(checked._own_cache.index)
    checked.review(first, verdict="mostly_true")  # a verdict changed
    assert own(checked) == {first: "mostly_true", second: "misleading"}
    assert len(checked._own_cache.index) == rows  # the same row, its verdict updated
    checked.review(first, corrected_content="Moscow did not meddle")  # its text trimmed
    found = checked.matches(meddle, k=5)
    assert found.loc[found["id"] == first, "text"].tolist() == ["Moscow did not meddle"]
    assert len(checked._own_cache.index) == rows + 1  # re-embedded: a new row, the old retired
    checked.review(second, verdict="")  # a verdict taken away
    assert own(checked) == {first: "mostly_true"}
    assert checked._own_cache is built  # updated in place every time, never rebuilt
    fresh = open_store(store_url, create=False)
    try:
        assert own(fresh) == own(checked)
    finally:
        fresh.close()


def test_matches_of_an_unknown_claim_is_a_clear_error(checked):
    from claimkit.store.errors import UnknownClaimError

    with pytest.raises(UnknownClaimError):
        checked.matches("no-such-claim")


def test_a_verdicted_claim_is_no_candidate_of_its_own_search(checked):
    """The claim looked up is left out of the candidates, not only of the results: as a
    candidate it would be the best one, and every other row's features (relative to the
    best) would be measured against itself. So another claim's score is the same whether
    the claim itself has a verdict (is in the team's index) or not, but for BM25's statistics,
    which then count its words (0.2585 and 0.2570 here; as a candidate it made 0.104)."""
    article, claims = make_article(4, outlet="Courier", sentences=[
        "Senator Bo Ray said that the harbour will reopen in June.",
        "Officials said that the harbour reopens in June."])
    checked.add(article, claims)
    first, second = (c.claim_id for c in claims)
    checked.review(second, verdict="true")

    def score_of_second() -> float:
        found = checked.matches(first, k=5)
        assert first not in found["id"].tolist()
        return float(found.loc[found["id"] == second, "score"].iloc[0])
    without_itself = score_of_second()
    checked.review(first, verdict="true")  # now in the team's index too
    assert score_of_second() == pytest.approx(without_itself, abs=0.01)
