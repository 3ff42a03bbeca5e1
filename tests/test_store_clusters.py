"""Claim clusters: the claims that state the same thing across articles share a cluster, built
incrementally as articles are stored; a reviewer takes a claim out of a wrong cluster, or judges
a whole cluster as one step (docs/architecture.md §5). Real encoder, real stores; invented
sentences only."""
from __future__ import annotations

import numpy as np
import pytest
from store_fixtures import make_article, make_schema

from claimkit.matching.same_claim import SameClaimRule
from claimkit.store import open_store

MEDDLE_A = "Russia never interfered in the election"
MEDDLE_B = "Moscow did not meddle in the vote"
MEDDLE_C = "Russia did not interfere in the election at all"


def add(store, n: int, outlet: str, *sentences: str) -> list[str]:
    """Store an invented article and cluster its claims, as claimkit extract --store does."""
    article, claims = make_article(n, outlet=outlet, sentences=list(sentences))
    store.add(article, claims)
    store.cluster_new([c.claim_id for c in claims])
    return [c.claim_id for c in claims]


def cluster_of(store, claim_id: str) -> str:
    return store.claims(claim_id=claim_id)["cluster_id"].iloc[0]


@pytest.fixture
def two_outlets(store):
    a = add(store, 1, "Daily Planet", f"Minister Ivan Sokol said that {MEDDLE_A}.",
            "Minister Ivan Sokol said that the sanctions are illegal.")
    b = add(store, 2, "Evening Star", f"Minister Ivan Sokol said that {MEDDLE_B}.",
            "The council met on Tuesday.")
    return store, a, b


def test_a_paraphrase_in_another_outlet_joins_the_same_cluster(two_outlets):
    store, a, b = two_outlets
    assert cluster_of(store, a[0]) == cluster_of(store, b[0]) == a[0]  # the first report names it
    members = store.cluster(a[0])
    assert sorted(members["claim_id"]) == sorted([a[0], b[0]])
    assert sorted(members["outlet"]) == ["Daily Planet", "Evening Star"]


def test_the_same_speakers_other_claim_on_the_topic_stays_apart(two_outlets):
    store, a, b = two_outlets
    assert cluster_of(store, a[1]) == a[1] != cluster_of(store, a[0])
    assert cluster_of(store, b[1]) == b[1]
    assert store.cluster(a[1])["claim_id"].tolist() == [a[1]]


def test_guards_keep_a_denial_and_other_figures_apart():
    rule = SameClaimRule.load()
    assert not rule.guards_agree("Russia never interfered in the election",
                                 "Russia interfered in the election")
    assert not rule.guards_agree("the bridge cost 12 million dollars",
                                 "the bridge cost 20 million dollars")
    assert not rule.guards_agree("the hospital will open in March",
                                 "the hospital will close in March")
    assert rule.guards_agree(MEDDLE_A, MEDDLE_B)
    assert rule.guards_agree("the bridge cost 12 million dollars",
                             "the bridge's price was 12 million dollars")


def test_assign_joins_earlier_new_claims_and_never_itself():
    rule = SameClaimRule.load()
    v = np.eye(3, dtype=np.float32)
    joins = rule.assign(v[[0, 0, 1]], ["a", "a", "b"], v[[1]], ["b"])
    assert joins == [None, 1, 0]  # 2nd joins the 1st new one (row n + 0); 3rd the known row


def test_a_third_article_joins_without_changing_existing_ids(two_outlets):
    store, a, b = two_outlets
    before = store.claims()[["claim_id", "cluster_id"]].set_index("claim_id")["cluster_id"]
    c = add(store, 3, "Morning Post", f"Minister Ivan Sokol said that {MEDDLE_C}.")
    after = store.claims()[["claim_id", "cluster_id"]].set_index("claim_id")["cluster_id"]
    assert after[c[0]] == a[0]
    assert after.drop(c[0]).to_dict() == before.to_dict()
    assert store.cluster_sizes([a[0]]) == {a[0]: (3, 3)}


def test_clustering_again_changes_nothing(two_outlets):
    store, a, b = two_outlets
    before = store.claims()["cluster_id"].tolist()
    assert store.cluster_new() == 0
    assert store.claims()["cluster_id"].tolist() == before


def test_removing_a_claim_from_its_cluster_sticks(two_outlets):
    store, a, b = two_outlets
    version = store.remove_from_cluster(b[0], reviewer="ana")
    own = cluster_of(store, b[0])
    assert own not in (a[0], None) and version == 1
    events = store.history(b[0])
    assert events[["field", "old", "new", "reviewer"]].values.tolist() == [
        ["cluster_id", a[0], own, "ana"]]
    c = add(store, 3, "Morning Post", f"Minister Ivan Sokol said that {MEDDLE_C}.")
    assert cluster_of(store, b[0]) == own  # not pulled back
    assert cluster_of(store, c[0]) == a[0]
    store.undo(b[0], reviewer="ana")  # a reviewer may put it back
    assert cluster_of(store, b[0]) == a[0]


def test_review_cluster_is_one_change_per_claim_undone_as_one_step(two_outlets):
    store, a, b = two_outlets
    result = store.review_cluster(a[0], verdict="false", reviewer="ana")
    assert result.changed == 2 and set(result.versions) == {a[0], b[0]}
    frame = store.claims(cluster_id=a[0])
    assert frame["verdict"].tolist() == ["false", "false"]
    assert set(store.claims(claim_id=a[1])["verdict"].isna()) == {True}
    for claim_id in (a[0], b[0]):
        assert (store.history(claim_id)["field"] == "verdict").sum() == 1
    store.undo_many(result.versions, reviewer="ana")
    assert store.claims(cluster_id=a[0])["verdict"].isna().all()
    with pytest.raises(KeyError, match="no such cluster"):
        store.review_cluster("nope", verdict="false")


def test_the_snapshot_shows_cluster_ids(tmp_path):
    path = tmp_path / "snap.db"
    with open_store(path) as store:
        a = add(store, 1, "Daily Planet", f"Officials said that {MEDDLE_A}.")
        assert store.claims()["cluster_id"].tolist() == [a[0]]  # writes the snapshot
        b = add(store, 2, "Evening Star", f"Officials said that {MEDDLE_B}.")
        assert store.claims()["cluster_id"].tolist() == [a[0], a[0]]
        store.remove_from_cluster(b[0])
        assert store.claims()["cluster_id"].tolist()[1] != a[0]


def test_a_schema_6_store_upgrades_and_clusters_its_claims(store_url):
    with open_store(store_url) as store:
        store.add(*make_article(1, sentences=[f"Officials said that {MEDDLE_A}."]))
        store.add(*make_article(2, sentences=[f"Officials said that {MEDDLE_B}."]))
        store.review(store.claims()["claim_id"].iloc[0], verdict="false", reviewer="ana")
        before = store.claims().drop(columns=["cluster_id"])
        history = store.history()
    make_schema(store_url, 6)
    with open_store(store_url) as store:
        upgraded = store.claims()
        assert upgraded["cluster_id"].isna().all()  # not clustered until asked
        assert upgraded.drop(columns=["cluster_id"]).equals(before)
        assert store.history().equals(history)
        assert store.cluster_new() == 2
        assert store.claims()["cluster_id"].nunique() == 1


# --- the review app -----------------------------------------------------------------------------

def test_the_review_app_shows_the_other_wordings_and_acts_on_the_cluster(tmp_path):
    from claimkit.review import ReviewApp, render

    with open_store(tmp_path / "app.db", reviewer="ana") as store:
        a = add(store, 1, "Daily Planet", f"Officials said that {MEDDLE_A}.")
        b = add(store, 2, "Evening <Star>", f"Officials said that {MEDDLE_B}.")
        add(store, 3, "Morning Post", "The council met on Tuesday.")
        app = ReviewApp(store, claim_id=[a[0], b[0]])
        app.queue.go_to(a[0])
        app.show()
        assert "Also reported by 1 article" in app.cluster_view.value
        assert "Evening &lt;Star&gt;" in app.cluster_view.value  # escaped
        assert MEDDLE_B in app.cluster_view.value
        assert app.cluster_verdict_button.description.endswith("(2 claims)")
        app.verdict_buttons["false"].click()  # moves on to the next claim
        app.queue.go_to(a[0])
        app.show()
        assert app.apply_verdict_to_cluster() == 1
        assert store.claim(b[0])["verdict"] == "false"
        app.undo()  # one step: the cluster's claim back as it was, the first claim untouched
        assert store.claim(b[0])["verdict"] is None
        assert store.claim(a[0])["verdict"] == "false"
        app.uncluster_button.click()
        assert store.claim(a[0])["cluster_id"] != store.claim(b[0])["cluster_id"]
        assert app.cluster_view.value == ""
        app.undo()
        assert store.claim(a[0])["cluster_id"] == store.claim(b[0])["cluster_id"]
    assert render.cluster_html([]) == ""


# --- claimkit extract --store -------------------------------------------------------------------

def test_extract_into_the_store_clusters_the_new_claims_across_articles(tmp_path):
    from conftest import run_cli

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text(
        "Minister denies meddling\n\nMinister Ivan Sokol said that Russia never interfered "
        "in the election. He said that the sanctions were illegal.\n", encoding="utf-8")
    (corpus / "two.txt").write_text(
        "Sokol speaks out\n\nMinister Ivan Sokol said on Friday that Moscow did not meddle "
        "in the vote.\n", encoding="utf-8")
    db = tmp_path / "claims.db"
    result = run_cli("extract", str(corpus), "--store", str(db), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "clustered" in result.stderr
    with open_store(db) as store:
        frame = store.claims()
        meddle = frame[frame["text"].str.contains("interfered|meddle")]
        sanctions = frame[frame["text"].str.contains("sanctions")]
        assert len(meddle) == 2 and meddle["cluster_id"].nunique() == 1
        assert not set(sanctions["cluster_id"]) & set(meddle["cluster_id"])
        assert frame["cluster_id"].notna().all()
    db2 = tmp_path / "plain.db"
    assert run_cli("extract", str(corpus), "--store", str(db2), "--no-progress",
                   "--no-cluster").returncode == 0
    with open_store(db2) as store:
        assert store.claims()["cluster_id"].isna().all()
