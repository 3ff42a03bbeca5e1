"""The review workflow as data (claimkit/workflow.py, data/taxonomies/workflow.toml): the store
enforces it on every change with a clear error, a verdict moves an unverified claim on, a bulk
change is all or nothing, publication is stamped once, and a team can load its own rules.
Invented data only (store_fixtures.make_article)."""
from __future__ import annotations

import pytest
from conftest import run_cli
from store_fixtures import make_article

from claimkit import workflow as wf
from claimkit.store import WorkflowError, open_store


def fill(store, articles: int = 2) -> list[str]:
    for n in range(articles):
        store.add(*make_article(n))
    return list(store.claims()["claim_id"])  # in article order


def test_the_default_workflow_is_read_from_its_data_file():
    rules = wf.load_workflow()
    assert rules.may_move("unverified", "in_review")
    assert not rules.may_move("unverified", "published")
    assert rules.verdict_moves == {"unverified": "in_review"}
    assert "published" in rules.verdict_required_in
    assert rules.exported_statuses == ("published",)
    assert wf.workflow_from_json(wf.workflow_to_json(rules)) == rules


def test_a_verdict_moves_an_unverified_claim_to_in_review(store):
    cid = fill(store)[0]
    store.review(cid, verdict="false")
    saved = store.claim(cid)
    assert (saved["status"], saved["verdict"], saved["version"]) == ("in_review", "false", 1)
    events = store.history(cid)
    assert set(events["version"]) == {1}  # one change, two fields
    assert sorted(events["field"]) == ["status", "verdict"]


def test_a_forbidden_move_is_refused_with_a_clear_error_and_nothing_written(store):
    cid = fill(store)[0]
    with pytest.raises(WorkflowError, match="cannot move from unverified to published; from "
                                            "unverified it may move to in_review, verified"):
        store.review(cid, status="published", verdict="true")
    assert store.claim(cid)["version"] == 0 and store.history(cid).empty


def test_published_needs_a_verdict_and_freezes_it_until_a_correction_reopens_it(store):
    cid = fill(store)[0]
    store.review(cid, status="verified")
    with pytest.raises(WorkflowError, match="needs a verdict to be published"):
        store.review(cid, status="published")
    store.review(cid, verdict="mostly_true")
    store.review(cid, status="published")
    with pytest.raises(WorkflowError, match="frozen; move it to needs_correction first"):
        store.review(cid, verdict="false")
    with pytest.raises(WorkflowError, match="frozen"):
        store.review(cid, verdict="")  # clearing it is a change too
    store.review(cid, status="needs_correction")
    store.review(cid, verdict="false")  # reopened: the verdict may change
    store.review(cid, status="published")
    assert store.claim(cid)["verdict"] == "false"


def test_published_at_is_stamped_once_and_undoing_the_publication_clears_it(store):
    cid = fill(store)[0]
    store.review(cid, status="verified", verdict="true")
    store.review(cid, status="published")
    first = store.claim(cid)["published_at"]
    assert first is not None and str(first) != "NaT"
    store.review(cid, status="needs_correction")
    store.review(cid, status="published")
    assert store.claim(cid)["published_at"] == first  # republished: the first date stays
    store.undo(cid)  # undo republishing: back to needs_correction, date kept
    store.undo(cid)  # undo the correction status
    store.undo(cid)  # undo the first publication
    saved = store.claim(cid)
    assert saved["status"] == "verified"
    assert saved["published_at"] is None or str(saved["published_at"]) == "NaT"


def test_a_bulk_change_the_workflow_refuses_for_some_claims_changes_none(store):
    ids = fill(store)
    store.review(ids[0], status="verified", verdict="true")
    with pytest.raises(WorkflowError) as refused:
        store.bulk_review(claim_ids=ids[:3], status="published")
    message = str(refused.value)
    assert "2 of the 3 matching claims cannot take this change" in message
    assert "nothing was changed" in message
    assert store.count(status="published") == 0
    assert store.bulk_review(claim_ids=ids[:1], status="published") == 1


def test_the_bulk_command_reports_a_refused_change_in_one_line(tmp_path):
    db = tmp_path / "claims.db"
    with open_store(db) as store:
        fill(store)
    done = run_cli("review", "--store", db, "--set-status", "published", "--reviewer", "ana")
    assert done.returncode != 0
    assert "cannot move from unverified to published" in done.stderr
    assert "Traceback" not in done.stderr
    with open_store(db) as store:
        assert store.count(status="published") == 0


def test_a_team_loads_its_own_workflow_and_the_store_keeps_it(tmp_path):
    rules = tmp_path / "desk.toml"
    rules.write_text('name = "desk"\n[transitions]\nunverified = ["published"]\n'
                     '[verdict]\nrequired_in = ["published"]\n'
                     '[publication]\nstatus = "published"\nexported = ["published"]\n',
                     encoding="utf-8")
    db = tmp_path / "claims.db"
    with open_store(db) as store:
        cid = fill(store)[0]
        assert store.set_workflow(rules).name == "desk"
    with open_store(db) as store:  # another analyst, another process: the same rules
        assert store.workflow().name == "desk"
        store.review(cid, status="published", verdict="true")  # allowed by the desk's rules
        assert store.claim(cid)["status"] == "published"
        with pytest.raises(WorkflowError, match="names statuses this store does not have"):
            store.set_workflow(wf.Workflow(name="odd", transitions={"unverified": ("odd",)}))


@pytest.mark.parametrize("body, message", [
    ("[transitions\n", "not valid TOML"),
    ('[transitions]\nunverified = "in_review"\n', "must be a list of status ids"),
    ('[verdict]\nmoves = ["x"]\n', "verdict.moves must map statuses"),
])
def test_a_bad_workflow_file_is_one_clear_error(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(WorkflowError, match=message):
        wf.load_workflow(path)


def test_next_statuses_are_what_the_app_offers():
    rules = wf.load_workflow()
    order = ["unverified", "in_review", "verified", "published", "needs_correction"]
    assert rules.next_statuses("unverified", order, has_verdict=False) == [
        "unverified", "in_review", "verified"]
    assert rules.next_statuses("verified", order, has_verdict=False) == ["in_review", "verified"]
    assert rules.next_statuses("verified", order, has_verdict=True) == [
        "in_review", "verified", "published"]
    assert rules.next_statuses("published", order, has_verdict=True) == [
        "published", "needs_correction"]
