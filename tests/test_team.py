"""A team reviewing one store: settings from claimkit.toml, assignment and shared queues, and
bulk changes from the command line (issue 14). Invented data only (store_fixtures.make_article).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from store_fixtures import make_article, make_schema

from claimkit.config import ConfigError, load_settings, user_config_path
from claimkit.store import UnknownClaimError, open_store, schema

# --- claimkit.toml ------------------------------------------------------------------------------


def write_config(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "claimkit.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def places(tmp_path):
    """A working folder and a user config folder (XDG_CONFIG_HOME), both empty."""
    work, xdg = tmp_path / "work", tmp_path / "xdg"
    work.mkdir()
    xdg.mkdir()
    return work, xdg


def test_the_working_folders_file_wins_over_the_users_and_none_gives_empty_settings(places):
    work, xdg = places
    env = {"XDG_CONFIG_HOME": str(xdg)}
    assert load_settings(cwd=work, environ=env).reviewer is None
    user = write_config(xdg / "claimkit", '[review]\nreviewer = "uma"\n[store]\nurl = "u.db"\n')
    found = load_settings(cwd=work, environ=env)
    assert (found.reviewer, found.store_url, found.path) == ("uma", "u.db", user)
    here = write_config(work, '[review]\nreviewer = "wes"\n[publisher]\nname = "Checks"\n'
                              'url = "https://checks.example"\n[taxonomy]\npreset = "snopes"\n'
                              '[other_tool]\nanything = 1\n')
    found = load_settings(cwd=work, environ=env)
    # The first file found is used whole: nothing of the user's file leaks in.
    assert (found.reviewer, found.store_url, found.path) == ("wes", None, here)
    assert (found.publisher_name, found.publisher_url, found.taxonomy_preset) == (
        "Checks", "https://checks.example", "snopes")


def test_the_publishers_review_url_is_one_claimkit_toml_for_settings_and_export(places):
    """export's --config and claimkit.toml read the same file the same way."""
    from claimkit import export

    work, xdg = places
    path = write_config(work, '[publisher]\nname = "Checks"\nurl = "https://checks.example"\n'
                              'review_url = "https://checks.example/c/{claim_id}"\n')
    found = load_settings(cwd=work, environ={"XDG_CONFIG_HOME": str(xdg)})
    assert found.publisher_review_url == "https://checks.example/c/{claim_id}"
    publisher = export.load_publisher(config=path)
    assert publisher.review_url_for("c1") == "https://checks.example/c/c1"
    path.write_text("[publisher\n", encoding="utf-8")
    with pytest.raises(export.ExportError, match="not valid TOML"):
        export.load_publisher(config=path)


def test_the_user_folder_defaults_to_dot_config(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert user_config_path({}) == tmp_path / ".config" / "claimkit" / "claimkit.toml"
    assert user_config_path({"XDG_CONFIG_HOME": "/x"}) == Path("/x/claimkit/claimkit.toml")


@pytest.mark.parametrize("body, problem", [
    ("[review\nreviewer = 'a'\n", "not valid TOML"),
    ("[review]\nreviewer = 3\n", "[review] reviewer must be text"),
    ("[review]\nreviwer = 'a'\n", "unknown key 'reviwer' in [review]"),
    ("[review]\nreviewer = '  '\n", "[review] reviewer is empty"),
    ("store = 'claims.db'\n", "'store' must be a table"),
    (b"[review]\nreviewer = '\xff'\n", "not UTF-8"),
])
def test_a_bad_file_is_one_line_naming_the_file_and_the_problem(places, body, problem):
    work, xdg = places
    path = work / "claimkit.toml"
    path.write_bytes(body if isinstance(body, bytes) else body.encode())
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=work, environ={"XDG_CONFIG_HOME": str(xdg)})
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_the_stores_reviewer_is_the_argument_else_the_config_never_the_login(
        places, monkeypatch):
    work, xdg = places
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.setattr("getpass.getuser", lambda: "root")
    article, claims = make_article(1)
    with open_store(work / "c.db") as store:
        store.add(article, claims)
        assert store.reviewer is None
        store.review(claims[0].claim_id, status="in_review")
        assert store.claim(claims[0].claim_id)["reviewer"] == "unknown"
    write_config(xdg / "claimkit", '[review]\nreviewer = "uma"\n')
    with open_store(work / "c.db") as store:
        assert store.reviewer == "uma"
    write_config(work, '[review]\nreviewer = "wes"\n')
    with open_store(work / "c.db") as store:
        store.review(claims[0].claim_id, status="verified")
    with open_store(work / "c.db", reviewer="opt") as store:
        store.review(claims[0].claim_id, verdict="true")
        assert list(store.history(claims[0].claim_id)["reviewer"]) == ["unknown", "wes", "opt"]


# --- assignment ---------------------------------------------------------------------------------


def fill(store, articles: int = 3) -> list[str]:
    for n in range(articles):
        store.add(*make_article(n))
    return list(store.claims()["claim_id"])


def test_assign_records_an_event_per_claim_and_the_queue_filters_on_it(store):
    ids = fill(store)
    assert "assignee" in store.claims().columns
    assert store.assign(ids[:2], "ana") == 2
    assert store.assign(ids[:3], "ana") == 1  # the first two are hers already
    assert sorted(store.claims(assignee="ana")["claim_id"]) == sorted(ids[:3])
    assert store.count(assignee="") == len(ids) - 3
    assert store.count(assignee=["", "ana"]) == len(ids)
    events = store.history(ids[0])
    assert events[["field", "old", "new", "reviewer"]].values.tolist() == [
        ["assignee", None, "ana", "alice"]]
    assert store.claim(ids[0])["version"] == 1
    assert store.assign([ids[0]], None, by="lead") == 1
    assert store.assign(ids[1], "") == 1
    assert store.count(assignee="ana") == 1
    last = store.history(ids[0]).iloc[-1]
    assert (last["field"], last["old"], last["new"], last["reviewer"]) == (
        "assignee", "ana", None, "lead")
    store.undo(ids[0])  # undo takes it back to ana
    assert store.claim(ids[0])["assignee"] == "ana"


def test_assigning_an_unknown_claim_changes_nothing(store):
    ids = fill(store, 1)
    events = len(store.history())
    with pytest.raises(UnknownClaimError):
        store.assign([ids[0], "no-such-claim"], "ana")
    assert store.count(assignee="ana") == 0 and len(store.history()) == events


def test_a_full_read_through_the_snapshot_shows_a_new_assignee(tmp_path):
    with open_store(tmp_path / "c.db", reviewer="alice") as store:
        ids = fill(store)
        assert store.claims()["assignee"].isna().all()  # writes the snapshot
        store.assign(ids[:1], "ana")
        frame = store.claims().set_index("claim_id")
        assert frame.loc[ids[0], "assignee"] == "ana" and frame["assignee"].count() == 1


def test_split_queue_deals_the_filtered_claims_fairly(store):
    ids = fill(store, 3)  # 9 claims: 6 attributed, 3 assertions
    store.assign(ids[:2], "zed")
    shares = store.split_queue(["ana", "bo", "cy", "dee"], assignee="", dry_run=True)
    assert sorted(len(s) for s in shares.values()) == [1, 2, 2, 2]
    assert store.count(assignee="") == 7  # a dry run assigns nothing
    shares = store.split_queue(["ana", "bo", "cy", "dee"], assignee="")
    counts = {name: store.count(assignee=name) for name in shares}
    assert counts == {name: len(s) for name, s in shares.items()}
    assert max(counts.values()) - min(counts.values()) <= 1 and sum(counts.values()) == 7
    assert sorted(i for s in shares.values() for i in s) == sorted(ids[2:])
    assert store.count(assignee="zed") == 2  # outside the filter: untouched
    shares = store.split_queue(["ana", "bo"], kind="assertion")
    assert sorted(map(len, shares.values())) == [1, 2]
    with pytest.raises(ValueError):
        store.split_queue([])
    with pytest.raises(ValueError):
        store.split_queue(["ana", " ana "])


def test_bulk_review_says_how_many_matched_and_a_dry_run_writes_nothing(store):
    ids = fill(store, 2)
    store.review(ids[0], status="in_review")
    before = store.history()
    result = store.bulk_review({"kind": "indirect"}, status="in_review", dry_run=True)
    assert (result.matched, int(result)) == (4, 3)
    assert store.history().equals(before)
    result = store.bulk_review({"kind": "indirect"}, status="in_review", assignee="bo")
    assert (result.matched, result.changed) == (4, 4)
    assert store.count(assignee="bo", status="in_review") == 4


# --- upgrading a store of the previous schema ---------------------------------------------------


def test_a_schema_2_store_is_upgraded_in_place_keeping_reviews_and_events(store_url):
    with open_store(store_url, reviewer="alice") as store:
        ids = fill(store, 2)
        store.review(ids[0], verdict="false", tags=["budget"], note="n")
        store.review(ids[0], status="verified")
        store.review(ids[1], not_a_claim=True)
        reviews_before = store.claims().drop(columns=["assignee", "published_at"])
        history_before = store.history()
    _make_schema_2(store_url)
    with open_store(store_url) as store:
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT max(version) FROM schema_version")).scalar() == \
                    schema.SCHEMA_VERSION
            stamps = conn.execute(text("SELECT version FROM schema_version")).scalars()
            assert sorted(stamps) == list(range(2, schema.SCHEMA_VERSION + 1))  # each step
            indexes = {i["name"] for i in inspect(conn).get_indexes("reviews")}
        assert "ix_reviews_assignee" in indexes
        frame = store.claims()
        assert frame["assignee"].isna().all()
        assert frame.drop(columns=["assignee", "published_at"]).equals(reviews_before)
        assert store.history().equals(history_before)
        store.assign(ids[:1], "ana", by="alice")
        assert store.claim(ids[0])["version"] == 3 and store.count(assignee="ana") == 1


def _make_schema_2(url: str) -> None:
    """Turn a store back into what claimkit with schema 2 wrote: no corrections of schema 3, no
    assignee (schema 4) nor its index, stamped 2 (store_fixtures.make_schema)."""
    make_schema(url, 2)


# --- claimkit review ----------------------------------------------------------------------------


@pytest.fixture
def team(store_url, tmp_path):
    """A filled store on each backend, and an environment with no claimkit.toml anywhere."""
    with open_store(store_url, reviewer="alice") as store:
        ids = fill(store, 3)
    work = tmp_path / "work"
    work.mkdir()
    return store_url, ids, work, {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}


def test_review_command_prints_matched_and_changed_and_records_each_change(team, cli):
    url, ids, work, env = team
    done = cli("review", "--store", url, "--kind", "indirect", "--speaker", "ann lee",
               "--set-status", "in_review", "--reviewer", "ana", cwd=work, env=env)
    assert (done.returncode, done.stdout, done.stderr) == (
        0, "3 claims matched, 3 changed\n", "")
    again = cli("review", "--store", url, "--status", "in_review", "--status", "verified",
                "--set-status", "in_review", "--reviewer", "ana", cwd=work, env=env)
    assert again.stdout == "3 claims matched, 0 changed\n"
    with open_store(url) as store:
        events = store.history()
        assert len(events) == 3 and set(events["reviewer"]) == {"ana"}
        assert set(events["new"]) == {"in_review"}
        assert store.count(status="in_review", speaker="Ann Lee") == 3
    for args, line in [
        (("--search", "traffic fell", "--add-tag", "numbers"), "3 claims matched, 3 changed"),
        (("--tag", "numbers", "--assign", "bo"), "3 claims matched, 3 changed"),
        (("--assignee", "bo", "--set-verdict", "false"), "3 claims matched, 3 changed"),
        (("--assignee", "", "--outlet", "Daily Planet", "--assign", "cy"),
         "6 claims matched, 6 changed"),
        (("--verdict", "false", "--assign", ""), "3 claims matched, 3 changed"),
    ]:
        done = cli("review", "--store", url, *args, "--reviewer", "ana", cwd=work, env=env)
        assert (done.returncode, done.stdout.strip()) == (0, line), args
    with open_store(url) as store:
        assert store.count(assignee="cy") == 6 and store.count(assignee="") == 3
        assert store.count(tag="numbers", verdict="false") == 3


def test_a_dry_run_changes_nothing(team, cli):
    url, ids, work, env = team
    with open_store(url) as store:
        before, claims_before = store.history(), store.claims()
    done = cli("review", "--store", url, "--kind", "assertion", "--set-verdict", "true",
               "--dry-run", cwd=work, env=env)  # no reviewer needed: nothing is written
    assert (done.returncode, done.stdout) == (0, "3 claims matched; dry run, nothing changed\n")
    with open_store(url) as store:
        assert store.history().equals(before) and store.claims().equals(claims_before)


def test_review_reviewer_comes_from_the_option_else_the_working_folder_else_the_user(team, cli):
    url, ids, work, env = team
    write_config(Path(env["XDG_CONFIG_HOME"]) / "claimkit",
                 f'[review]\nreviewer = "uma"\n[store]\nurl = "{url}"\n')
    done = cli("review", "--search", "bridge 0", "--set-status", "in_review", cwd=work, env=env)
    assert done.stdout == "1 claim matched, 1 changed\n"  # store and reviewer: the user's file
    write_config(work, '[review]\nreviewer = "wes"\n')  # no [store]: --store is needed now
    missing = cli("review", "--search", "bridge 1", "--set-status", "in_review",
                  cwd=work, env=env)
    assert missing.returncode == 2 and "--store" in missing.stderr
    cli("review", "--store", url, "--search", "bridge 1", "--set-status", "in_review",
        cwd=work, env=env)
    cli("review", "--store", url, "--search", "bridge 2", "--set-status", "in_review",
        "--reviewer", "opt", cwd=work, env=env)
    with open_store(url) as store:
        assert list(store.history()["reviewer"]) == ["uma", "wes", "opt"]


def test_review_refuses_bad_input_in_one_line(team, cli, tmp_path):
    url, ids, work, env = team
    with open_store(url) as store:
        before = store.history()
    for args, code, words in [
        (("--set-status", "done"), 2, "unknown status 'done'"),
        (("--set-verdict", "pants_on_fire"), 2, "unknown verdict 'pants_on_fire'"),
        (("--status", "open", "--assign", "bo"), 2, "unknown status 'open'"),
        (("--kind", "quote", "--assign", "bo"), 2, "unknown kind 'quote'"),
        (("--add-tag", " "), 2, "empty tag"),
    ]:
        done = cli("review", "--store", url, *args, "--reviewer", "ana", cwd=work, env=env)
        assert done.returncode == code and words in done.stderr, args
        assert done.stderr.count("\n") == 1 and done.stdout == ""
    nobody = cli("review", "--store", url, "--set-status", "verified", cwd=work, env=env)
    assert nobody.returncode == 2 and "--reviewer" in nobody.stderr
    assert "[review]" in nobody.stderr and nobody.stderr.count("\n") == 1
    two = cli("review", "--store", url, "--set-status", "verified", "--assign", "bo",
              "--reviewer", "ana", cwd=work, env=env)
    assert two.returncode == 2
    with open_store(url) as store:
        assert store.history().equals(before)
    gone = tmp_path / "typo.db"
    done = cli("review", "--store", gone, "--assign", "bo", "--reviewer", "ana", cwd=work,
               env=env)
    assert done.returncode == 1 and "no such store" in done.stderr and not gone.exists()
    assert done.stderr.count("\n") == 1
    write_config(work, "[review]\nreviewer = ana\n")
    bad = cli("review", "--store", url, "--assign", "bo", cwd=work, env=env)
    assert bad.returncode == 2 and "claimkit.toml: not valid TOML" in bad.stderr


def test_other_commands_take_the_store_from_the_config(tmp_path, cli):
    work, env = tmp_path / "work", {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    with open_store(tmp_path / "c.db", reviewer="alice") as store:
        fill(store, 1)
    write_config(work, f'[store]\nurl = "{tmp_path / "c.db"}"\n[publisher]\nname = "Checks"\n'
                       'url = "https://checks.example"\n')
    done = cli("export", "--csv", "out.csv", cwd=work, env=env)
    assert done.returncode == 0 and (work / "out.csv").read_text().count("\n") == 4
    done = cli("export", "--claimreview", "cr.json", cwd=work, env=env)
    assert done.returncode == 0, done.stderr  # the publisher came from the config too
    nothing = cli("export", "--csv", "out.csv", cwd=tmp_path, env=env)
    assert nothing.returncode == 2 and "[store] url" in nothing.stderr


# --- the review app: my queue, apply to all in this filter --------------------------------------


def test_my_queue_shows_the_claims_assigned_to_the_reviewer(store):
    from claimkit.review import ReviewApp

    ids = fill(store, 2)
    store.assign(ids[:2], "alice")
    store.assign(ids[2:3], "bo")
    app = ReviewApp(store)
    assert app.reviewer == "alice" and app.who_row.layout.display == "none"
    assert len(app.queue) == len(ids)
    app.my_queue_box.value = True  # as a click does
    assert app.queue.ids == ids[:2]
    app.set_filters(my_queue=False)
    assert len(app.queue) == len(ids)


def test_the_app_asks_who_is_reviewing_once_when_nobody_is_named(tmp_path, monkeypatch):
    from claimkit.review import ReviewApp

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    with open_store(tmp_path / "c.db") as store:
        ids = fill(store, 1)
        store.assign(ids[:1], "ana")
        app = ReviewApp(store)
        assert app.reviewer is None and app.who_row.layout.display == "flex"
        app.set_filters(my_queue=True)
        assert len(app.queue) == 0  # nobody named: nobody's queue, not everybody's
        app.who_box.value = "ana"  # as typing and leaving the box does
        assert app.who_row.layout.display == "none" and app.queue.ids == ids[:1]
        app.set_verdict("true")
        assert store.claim(ids[0])["reviewer"] == "ana"


def test_apply_to_all_in_the_filter_asks_first_and_undoes_as_one_step(store):
    from claimkit.review import ReviewApp

    fill(store, 3)
    app = ReviewApp(store)
    app.set_filters(kind="assertion")
    assert app.bulk_button.description == "apply to all 3 in this filter"
    before = store.history()
    app.ask_apply_to_all("status", "verified")
    assert app.bulk_confirm_box.layout.display == "flex"
    assert "all 3 claims" in app.bulk_confirm_text.value
    app.cancel_apply_to_all()
    assert store.history().equals(before)  # asking and cancelling changes nothing
    app.bulk_action.value, app.bulk_value.value = "status", "verified"
    app.bulk_button.click()
    assert app.confirm_apply_to_all() == 3
    assert store.count(status="verified") == 3 and store.count(kind="assertion",
                                                               status="verified") == 3
    assert "3 claims matched, 3 changed" in app.message.value
    app.ask_apply_to_all("assignee", "bo")
    app.confirm_apply_to_all()
    assert store.count(assignee="bo") == 3
    app.undo()  # one step: the assignment on all three
    assert store.count(assignee="bo") == 0 and store.count(status="verified") == 3
    app.undo()  # the next step: the status on all three
    assert store.count(status="verified") == 0
    events = store.history()
    assert len(events) == len(before) + 12 and events["undoes"].count() == 6
    app.ask_apply_to_all("verdict", "no_such_verdict")
    assert app.confirm_apply_to_all() == 0 and "unknown verdict" in app.message.value


def test_a_bulk_undo_after_someone_changed_a_claim_undoes_nothing(store):
    ids = fill(store, 1)
    result = store.bulk_review({}, status="in_review")
    store.review(ids[0], note="someone else", reviewer="bo")
    events = len(store.history())
    with pytest.raises(Exception) as caught:
        store.undo_many(result.versions)
    assert type(caught.value).__name__ == "ConflictError"
    assert len(store.history()) == events and store.count(status="in_review") == 3


def test_undo_walks_back_through_several_steps_on_one_claim(store):
    from claimkit.review import ReviewApp

    ids = fill(store, 1)
    app = ReviewApp(store)
    app.set_status("in_review")
    app.ask_apply_to_all("status", "verified")
    app.confirm_apply_to_all()
    app.set_filters(status="verified")
    app.set_status("published")  # on the claim on screen, on top of the bulk change
    app.undo()
    app.undo()  # the bulk change, though one of its claims was changed (and undone) since
    app.undo()
    assert store.claim(ids[0])["status"] == "unverified" and store.count(status="verified") == 0


def test_a_new_store_takes_the_taxonomy_preset_of_claimkit_toml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, '[taxonomy]\npreset = "politifact"\n')
    with open_store(tmp_path / "new.db") as store:
        assert store.taxonomy("verdict").name == "politifact"
        assert "pants_on_fire" in store.taxonomy("verdict")
    write_config(tmp_path, '[taxonomy]\npreset = "snopes"\n')
    with open_store(tmp_path / "new.db") as store:  # an existing store keeps its own
        assert store.taxonomy("verdict").name == "politifact"
    write_config(tmp_path, '[taxonomy]\npreset = "no-such-preset"\n')
    with pytest.raises(ConfigError, match=r"\[taxonomy\] preset: unknown taxonomy"):
        open_store(tmp_path / "other.db")
