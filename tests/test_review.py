"""The review app driven from Python on a real store: clicks, keys, filters, conflicts, escaping.

Buttons are the app's real ipywidgets Buttons (``.click()`` runs the same handlers a browser click
does); text fields are set the way the browser sets them (their ``value``).
"""
from __future__ import annotations

import pytest
from sqlalchemy import text
from store_fixtures import make_article, make_schema

import claimkit
from claimkit.review import ReviewApp
from claimkit.review import render
from claimkit.review.navigation import (
    KEY_MAP, Queue, key_actions, key_help, key_name, store_filters,
)
from claimkit.store import ConflictError, facets, open_store, schema


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "claims.db")


@pytest.fixture
def store(path):
    """Three articles, nine claims: two outlets, indirect claims and assertions."""
    with open_store(path, reviewer="alice") as s:
        for n, outlet in ((1, "Daily Planet"), (2, "Daily Planet"), (3, "Gazette")):
            s.add(*make_article(n, outlet=outlet, published=f"2024-05-0{n}"))
        yield s


def ids(store, sort="worthy_undecided", **filters) -> list[str]:
    """The queue in the app's default order (most check-worthy undecided first)."""
    return list(store.review_queue(sort=sort, **filters)["claim_id"])


# --- clicking -----------------------------------------------------------------------------------

def test_a_verdict_click_is_stored_at_once_and_moves_to_the_next_claim(store):
    app = ReviewApp(store)
    first, second = ids(store)[:2]
    assert app.current["claim_id"] == first
    assert "1  True" == app.verdict_buttons["true"].description
    app.verdict_buttons["true"].click()
    assert store.claim(first)["verdict"] == "true"
    assert store.claim(first)["reviewer"] == "alice"
    # the verdict moved the unverified claim to in_review (the default workflow)
    assert list(store.history(first)["field"]) == ["verdict", "status"]
    assert store.claim(first)["status"] == "in_review"
    assert app.current["claim_id"] == second
    assert second in app.card.value and "Claim 2 of 9" in app.card.value
    assert (app.progress.value, app.progress.max) == (1, 9)
    assert "1 of 9 reviewed" in app.progress_label.value


def test_buttons_carry_the_taxonomy_colours_and_their_keys(store):
    app = ReviewApp(store)
    verdicts = store.taxonomy("verdict")
    for n, value in enumerate(verdicts.values[:9], 1):
        button = app.verdict_buttons[value.id]
        assert button.style.button_color == value.colour
        assert button.description.startswith(f"{n}  ")
    assert app.next_button.description.startswith("j") and app.previous_button.description[0] == "k"
    assert app.undo_button.description[0] == "u" and app.flag_button.description[0] == "f"
    assert set(app.status_buttons) == set(store.taxonomy("status").ids)
    for n, value in enumerate(store.taxonomy("status").values[:9], 1):
        assert app.status_buttons[value.id].description == f"⇧{n}  {value.label}"


def test_status_flag_tags_note_and_evidence_each_go_to_the_store(store):
    app = ReviewApp(store)
    claim_id = app.current["claim_id"]
    app.status_buttons["in_review"].click()
    app.flag_button.click()
    app.tags_box.value = ["budget"]
    app.tag_picker.value = "follow up"  # a new tag, typed into the picker
    app.note_box.value = "ask the mayor's office"
    app.evidence_box.value = "https://example.org/a https://example.org/b"
    saved = store.claim(claim_id)
    assert saved["status"] == "in_review" and saved["flagged"] is True
    assert saved["tags"] == ["budget", "follow up"]
    assert saved["note"] == "ask the mayor's office"
    assert saved["evidence"] == ["https://example.org/a", "https://example.org/b"]
    assert saved["version"] == 6
    assert app.tags_box.value == ["budget", "follow up"]
    assert "follow up" in app.tag_picker.options  # now offered for other claims
    assert app.flag_button.description == "f  unflag"
    assert app.current["claim_id"] == claim_id  # only a verdict moves on


def test_a_bad_evidence_url_is_refused_with_a_message_and_nothing_is_stored(store):
    app = ReviewApp(store)
    app.evidence_box.value = "javascript:alert(1)"
    assert "http(s) URLs" in app.message.value
    assert app.evidence_box.value == ""  # the box shows what the store holds
    assert store.claim(app.current["claim_id"])["version"] == 0


def test_keys_do_what_their_labels_say(store):
    app = ReviewApp(store)
    queue = ids(store)
    assert app.press("j") and app.current["claim_id"] == queue[1]
    assert app.press("k") and app.current["claim_id"] == queue[0]
    app.press("f")
    assert store.claim(queue[0])["flagged"] is True
    app.press("5")  # the fifth verdict, then the next claim
    assert store.claim(queue[0])["verdict"] == store.taxonomy("verdict").ids[4]
    assert app.current["claim_id"] == queue[1]
    assert not app.press("q") and "does nothing" in app.message.value


def keydown(key: str, code: str = "", tag: str = "DIV", **modifiers) -> dict:
    """A keydown as ipyevents sends it from the browser."""
    return {"event": "keydown", "type": "keydown", "key": key, "code": code,
            "shiftKey": False, "ctrlKey": False, "altKey": False, "metaKey": False,
            "target": {"tagName": tag, "id": "", "className": ""}, **modifiers}


def send(app: ReviewApp, event: dict) -> None:
    """Deliver a keydown the way the browser's message reaches the kernel (the widget's custom
    message handler, which runs ipyevents' callbacks)."""
    app.key_events._handle_custom_msg(event, [])


def test_keydown_events_over_the_claim_pane_drive_the_app(store):
    app = ReviewApp(store, sort="article")
    queue = ids(store, sort="article")
    assert app.key_events.source is app.claim_pane
    assert app.key_events.watched_events == ["keydown"]
    send(app, keydown("ArrowDown", "ArrowDown"))
    assert app.current["claim_id"] == queue[1]
    send(app, keydown("2", "Digit2"))
    assert store.claim(queue[1])["verdict"] == store.taxonomy("verdict").ids[1]
    assert app.current["claim_id"] == queue[2]
    # Shift+3 is "#" on a US keyboard and "£" or "\"" elsewhere: the status comes from the code.
    send(app, keydown("£", "Digit3", shiftKey=True))
    assert store.claim(queue[2])["status"] == store.taxonomy("status").ids[2]
    send(app, keydown("x", "KeyX"))
    assert store.claim(queue[2])["not_a_claim"] is True
    send(app, keydown("z", "KeyZ"))
    assert store.claim(queue[2])["not_a_claim"] is False
    assert app.help_view.layout.display == "none"
    send(app, keydown("?", "Slash", shiftKey=True))
    assert app.help_view.layout.display == "block"
    assert ">shift+1</kbd>" in app.help_view.value and "status: " in app.help_view.value
    assert ">j / ArrowDown / ArrowRight</kbd>" in app.help_view.value


def test_keys_typed_into_a_box_or_with_ctrl_are_not_commands(store):
    app = ReviewApp(store)
    first = app.current["claim_id"]
    for event in (keydown("j", "KeyJ", tag="TEXTAREA"), keydown("1", "Digit1", tag="INPUT"),
                  keydown("j", "KeyJ", ctrlKey=True), keydown("Shift", "ShiftLeft")):
        assert key_name(event) is None
        send(app, event)
    assert app.current["claim_id"] == first and store.claim(first)["version"] == 0


def test_the_key_map_is_data_and_the_boxes_sit_outside_the_key_pane(store):
    app = ReviewApp(store)
    assert KEY_MAP["j"][0] == "next" and KEY_MAP["?"][0] == "help" and KEY_MAP["n"][0] == "note"
    inside = set()

    def walk(widget):
        inside.add(widget.model_id)
        for child in getattr(widget, "children", ()):
            walk(child)
    walk(app.claim_pane)
    for box in (app.note_box, app.evidence_box, app.tags_box, app.tag_picker, app.speaker_box,
                app.content_box, app.bulk_value):
        assert box.model_id not in inside  # ipyevents would swallow what is typed there
    assert app.card.model_id in inside and app.history_view.model_id in inside
    assert app.press("n") and "note box has the cursor" in app.message.value


def test_undo_goes_back_to_the_claim_and_restores_it_as_a_new_change(store):
    app = ReviewApp(store)
    first = app.current["claim_id"]
    app.verdict_buttons["false"].click()
    assert app.current["claim_id"] != first
    app.undo_button.click()
    assert app.current["claim_id"] == first
    saved = store.claim(first)
    assert saved["verdict"] is None and saved["version"] == 2  # undo is a change too
    assert saved["status"] == "unverified"  # the status the verdict implied is undone with it
    assert set(store.history(first)["undoes"].dropna()) == {1}
    assert app.progress.value == 0
    app.press("u")
    assert "Nothing to undo" in app.message.value


# --- filters, sort, progress --------------------------------------------------------------------

def test_filters_narrow_the_queue_and_progress_counts_within_them(store):
    budget = ids(store)[0]
    store.review(budget, verdict="true", tags=["budget"])
    app = ReviewApp(store)
    assert len(app.queue) == 9
    app.set_filters(outlet="Gazette")
    assert len(app.queue) == 3 and app.current["outlet"] == "Gazette"
    app.set_filters(outlet="", kind="assertion")
    assert len(app.queue) == 3 and all(store.claim(c)["kind"] == "assertion"
                                       for c in app.queue.ids)
    app.set_filters(kind="", speaker="ann lee")
    assert len(app.queue) == 3
    app.set_filters(speaker="", search="traffic fell by 2")
    assert len(app.queue) == 1
    app.set_filters(search="", tag="budget")
    assert app.queue.ids == [budget] and app.progress_label.value.count("1 of 1") == 1
    app.set_filters(tag="", verdict="(none)")
    assert len(app.queue) == 8
    app.set_filters(verdict="", status="unverified", unreviewed=True)
    assert len(app.queue) == 8 and app.queue.progress == (0, 8)


def test_filter_widgets_reload_the_queue_when_changed_by_hand(store):
    app = ReviewApp(store)
    app.filter_widgets["outlet"].value = "Gazette"
    assert len(app.queue) == 3
    app.unreviewed_box.value = True
    app.verdict_buttons["true"].click()
    # Decided claims stay in the queue until the filters change, so k still reaches them.
    assert len(app.queue) == 3 and app.queue.progress == (1, 3)
    app.unreviewed_box.value = False
    app.unreviewed_box.value = True
    assert len(app.queue) == 2


def test_fixed_filters_given_to_the_app_always_hold(store):
    app = ReviewApp(store, min_checkworthiness=0.5, outlet="Daily Planet")
    assert len(app.queue) == 4  # two "Mayor"/"Officials" claims per Daily Planet article
    assert app.filter_widgets["outlet"].value == "Daily Planet"
    app.set_filters(outlet="")
    assert len(app.queue) == 6  # the checkworthiness filter stays
    with pytest.raises(TypeError, match="unknown claim filter"):
        ReviewApp(store, colour="red")


def test_sort_orders(store):
    app = ReviewApp(store, sort="checkworthiness")
    scores = [store.claim(c)["checkworthiness"] for c in app.queue.ids]
    assert scores == sorted(scores, reverse=True)
    app.set_filters(sort="newest")
    assert store.claim(app.queue.ids[0])["outlet"] == "Gazette"  # published 2024-05-03
    app.set_filters(sort="article")
    assert app.queue.ids == ids(store, sort="article")


def test_the_default_order_is_most_check_worthy_undecided_first(store):
    decided = ids(store, sort="checkworthiness")[0]  # the most check-worthy claim
    store.review(decided, verdict="true")
    dropped = ids(store, sort="checkworthiness")[1]
    store.review(dropped, not_a_claim=True)
    app = ReviewApp(store)
    assert app.sort_box.value == "worthy_undecided"
    assert app.sort_box.label == "most check-worthy undecided first"
    undecided = app.queue.ids[:7]
    scores = [store.claim(c)["checkworthiness"] for c in undecided]
    assert scores == sorted(scores, reverse=True)
    assert decided not in undecided and dropped not in undecided
    assert set(app.queue.ids[7:]) == {decided, dropped}
    assert app.current["claim_id"] == undecided[0]


def test_an_app_on_an_empty_filter_says_so_and_disables_its_buttons(store):
    app = ReviewApp(store, search="no such words anywhere")
    assert app.current is None and "No claim matches" in app.card.value
    assert app.verdict_buttons["true"].disabled
    app.verdict_buttons["true"].click()  # a click that slips through changes nothing
    assert store.stats()["events"] == 0


# --- several reviewers, restarts ----------------------------------------------------------------

def test_a_conflict_shows_what_the_other_reviewer_set_and_keep_theirs_keeps_it(store, path):
    app = ReviewApp(store)
    claim_id = app.current["claim_id"]
    with open_store(path, reviewer="bob") as other:
        other.review(claim_id, verdict="false", note="bob checked", expected_version=0)
    app.verdict_buttons["true"].click()
    assert app.in_conflict and app.current["claim_id"] == claim_id  # did not move on
    shown = app.conflict_text.value
    assert "bob" in shown and "“false”" in shown and "“bob checked”" in shown
    assert "Your change" in shown and "“true”" in shown
    assert store.claim(claim_id)["verdict"] == "false"
    assert "False" in app.card.value  # the card shows their verdict now
    app.keep_theirs_button.click()
    assert not app.in_conflict and store.claim(claim_id)["verdict"] == "false"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql",
                                                             marks=pytest.mark.postgres)])
def test_apply_mine_after_a_conflict_stores_mine_on_top_of_theirs(backend, tmp_path, request):
    url = str(tmp_path / "c.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    with open_store(url, reviewer="alice") as mine, open_store(url, reviewer="bob") as theirs:
        mine.add(*make_article(1))
        app = ReviewApp(mine)
        claim_id = app.current["claim_id"]
        theirs.review(claim_id, status="in_review", expected_version=0)
        app.status_buttons["verified"].click()
        assert app.in_conflict and not app.apply_mine_button.disabled
        app.apply_mine_button.click()
        saved = mine.claim(claim_id)
        assert saved["status"] == "verified" and saved["version"] == 2
        assert saved["reviewer"] == "alice" and not app.in_conflict
        assert list(mine.history(claim_id)["reviewer"]) == ["bob", "alice"]


def test_undo_after_someone_else_changed_the_claim_does_not_undo_their_change(store, path):
    app = ReviewApp(store)
    claim_id = app.current["claim_id"]
    app.status_buttons["in_review"].click()
    with open_store(path, reviewer="bob") as other:
        other.review(claim_id, note="mine now", expected_version=1)
    app.undo_button.click()
    assert app.in_conflict and app.apply_mine_button.disabled
    assert store.claim(claim_id)["note"] == "mine now"
    assert store.claim(claim_id)["status"] == "in_review"


def test_a_kernel_restart_loses_nothing(store, path):
    app = ReviewApp(store, sort="article")  # an order that keeps decided claims in place
    first = app.current["claim_id"]
    app.tags_box.value = ["budget"]
    app.note_box.value = "half done"
    app.verdict_buttons["mostly_true"].click()
    app.status_buttons["in_review"].click()  # on the second claim
    second = app.current["claim_id"]
    del app
    with open_store(path, reviewer="alice") as reopened:  # a new kernel: new handle, new app
        again = ReviewApp(reopened, sort="article")
        assert again.current["claim_id"] == second  # back at the first claim without verdict
        assert again.status_buttons["in_review"].layout.border.startswith("3px solid #111")
        again.press("k")
        assert again.current["claim_id"] == first
        assert again.tags_box.value == ["budget"] and again.note_box.value == "half done"
        assert again.verdict_buttons["mostly_true"].layout.border.startswith("3px solid #111")
        assert again.queue.progress == (1, 9)


# --- untrusted text -----------------------------------------------------------------------------

def test_markup_in_an_article_is_shown_as_text(tmp_path):
    sentences = ["Mayor <script>alert('x')</script> said that the <img src=x onerror=alert(1)> "
                 "bridge cost 12 million dollars.", "A <b>bold</b> & plain line."]
    with open_store(tmp_path / "x.db") as store:
        store.add(*make_article(1, sentences=sentences, title="<i>Title</i>",
                                outlet="<svg onload=alert(3)>"))
        app = ReviewApp(store)
        card = app.card.value
        assert "<script" not in card and "<img" not in card and "<svg" not in card
        assert "<b>bold" not in card and "<i>Title" not in card
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in card
        assert "&lt;img src=x onerror=alert(1)&gt;" in card
        assert "&amp; plain" in card and "&lt;i&gt;Title&lt;/i&gt;" in card
        app.correct_speaker("<script>x</script>")
        app.note_box.value = "<img src=x onerror=alert(4)>"
        assert "<script>x" not in app.card.value
        dropdown = app.filter_widgets["outlet"]
        assert "<svg onload=alert(3)>" in [v for _, v in dropdown.options]  # a value, not HTML


# --- fix the extraction -------------------------------------------------------------------------

def test_fixing_the_extraction_is_review_data_and_leaves_the_article_alone(store):
    app = ReviewApp(store)
    claim_id = app.current["claim_id"]
    article_before = store.article(app.current["article_id"])
    app.speaker_box.value = "Ann  Lee-Smith"
    saved = store.claim(claim_id)
    assert saved["corrected_speaker"] == "Ann Lee-Smith"
    # Reviewed values are the truth downstream; the extractor's speaker is kept beside.
    assert saved["speaker"] == saved["speaker_canonical"] == "Ann Lee-Smith"
    assert saved["speaker_extracted"] == "Mayor Ann Lee"
    assert "Ann Lee-Smith" in app.card.value and "corrected" in app.card.value
    said = 'extractor said: Ann Lee <span style="color:#555">(“Mayor Ann Lee”)'
    assert said in app.card.value
    app.not_a_claim_box.value = True
    saved = store.claim(claim_id)
    assert saved["not_a_claim"] is True and app.queue.progress == (1, 9)
    assert "not a claim" in app.card.value
    assert list(store.history(claim_id)["field"]) == ["corrected_speaker", "not_a_claim"]
    assert store.article(app.current["article_id"]) == article_before
    assert ids(store, not_a_claim=True) == [claim_id]
    app.speaker_box.value = ""
    assert store.claim(claim_id)["corrected_speaker"] is None


def test_fix_fields_on_both_backends_with_history_and_undo(store_url):
    with open_store(store_url, reviewer="alice") as store:
        article, claims = make_article(1)
        store.add(article, claims)
        claim_id = claims[0].claim_id
        version = store.review(claim_id, corrected_speaker="Jo Doe", not_a_claim=True,
                               expected_version=0)
        frame = store.claims(not_a_claim=True)
        assert list(frame["claim_id"]) == [claim_id]
        assert frame["corrected_speaker"].iloc[0] == "Jo Doe"
        assert frame["not_a_claim"].dtype == bool
        events = store.history(claim_id)
        assert dict(zip(events["field"], events["new"])) == {"corrected_speaker": "Jo Doe",
                                                              "not_a_claim": True}
        store.undo(claim_id, expected_version=version)
        assert store.claim(claim_id)["corrected_speaker"] is None
        assert store.claim(claim_id)["not_a_claim"] is False
        with pytest.raises(ConflictError):
            store.review(claim_id, not_a_claim=True, expected_version=version)
        queue = store.review_queue(sort="checkworthiness")
        assert list(queue.columns) == ["claim_id", "verdict", "not_a_claim"]
        assert list(queue["claim_id"])[-1] == claims[2].claim_id  # the 0.3 assertion last


def test_a_version_1_store_is_migrated_forward_keeping_its_reviews(store_url):
    with open_store(store_url, reviewer="alice") as store:
        article, claims = make_article(1)
        store.add(article, claims)
        store.review(claims[0].claim_id, verdict="true")
    _make_schema_1(store_url)
    with open_store(store_url) as store:
        saved = store.claim(claims[0].claim_id)
        assert saved["verdict"] == "true" and saved["version"] == 1
        assert saved["corrected_speaker"] is None and saved["not_a_claim"] is False
        store.review(claims[0].claim_id, not_a_claim=True, expected_version=1)
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT max(version) FROM schema_version")).scalar() == \
                    schema.SCHEMA_VERSION
            stamps = conn.execute(text("SELECT version FROM schema_version")).scalars()
            assert sorted(stamps) == list(range(1, schema.SCHEMA_VERSION + 1))
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
                f"{schema.SCHEMA_VERSION:04d}"  # and Alembic knows it
        assert saved["corrected_kind"] is None and saved["assignee"] is None


def _make_schema_1(url: str) -> None:
    """Turn a store back into what claimkit with schema 1 wrote: no fix columns, no assignee,
    stamped 1."""
    _make_schema(url, 1)


def _make_schema(url: str, version: int) -> None:
    """Turn a store back into what claimkit with schema ``version`` wrote: the columns (and
    indexes) later versions added dropped, stamped ``version`` (store_fixtures.make_schema)."""
    make_schema(url, version)


def test_a_version_2_store_is_upgraded_in_place_keeping_reviews_and_history(store_url):
    with open_store(store_url, reviewer="alice") as store:
        article, claims = make_article(1)
        store.add(article, claims)
        first, second = claims[0].claim_id, claims[1].claim_id
        store.review(first, verdict="false", corrected_speaker="Jo Doe")
        store.review(second, not_a_claim=True, note="a headline")
        before = store.history()
    _make_schema(store_url, 2)
    with open_store(store_url) as store:
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT max(version) FROM schema_version")).scalar() == \
                    schema.SCHEMA_VERSION
            stamps = conn.execute(text("SELECT version FROM schema_version")).scalars()
            assert sorted(stamps) == list(range(2, schema.SCHEMA_VERSION + 1))  # each step
        after = store.history()
        assert after[["claim_id", "version", "field", "new"]].equals(
            before[["claim_id", "version", "field", "new"]])
        saved = store.claim(first)
        assert (saved["verdict"], saved["speaker"], saved["speaker_extracted"]) == \
            ("false", "Jo Doe", claims[0].speaker)
        assert saved["corrected_kind"] is None and saved["corrected_content"] is None
        assert store.claim(second)["not_a_claim"] is True
        assert store.claim(second)["note"] == "a headline"
        store.review(first, corrected_kind="indirect", expected_version=1)  # the new columns work
        assert store.claim(first)["kind"] == "indirect"
        assert saved["assignee"] is None
        store.assign([second], "ana", by="alice")  # and schema 4's
        assert store.count(assignee="ana") == 1 and store.claim(second)["version"] == 2


def test_tag_names_and_outlets(store):
    assert store.outlets() == ["Daily Planet", "Gazette"]
    assert store.tag_names() == []
    first, second = ids(store)[:2]
    store.review(first, tags=["b", "a"])
    store.review(second, tags=["a", "c \"quoted\""])
    assert store.tag_names() == ["a", "b", "c \"quoted\""]


# --- the pure parts -----------------------------------------------------------------------------

def test_the_context_is_the_claims_paragraph_and_a_long_one_is_cut_around_it():
    text = "First paragraph.\n\nSecond one, with the claim in it.\n\nThird."
    start = text.index("the claim")
    window = render.context_window(text, [(start, start + 9)])
    assert text[window.start:window.end] == "Second one, with the claim in it."
    long = "word " * 2000 + "CLAIM here" + " word" * 2000
    at = long.index("CLAIM")
    window = render.context_window(long, [(at, at + 5)], max_chars=200)
    assert window.cut_before and window.cut_after
    assert window.end - window.start <= 210 and "CLAIM" in long[window.start:window.end]
    html = render.highlighted(long, {"content": [(at, at + 5)]}, window)
    assert html.startswith("… ") and html.endswith(" …") and "CLAIM</mark>" in html


def test_overlapping_spans_paint_the_source_over_the_cue_over_the_content():
    text = "He said: “we will win,” Smith said."
    spans = {"content": [(0, len(text))], "cue": [(3, 7)], "source": [(24, 29)]}
    html = render.highlighted(text, spans, render.Window(0, len(text)))
    assert 'class="ck-cue"' in html and ">said</mark>" in html
    assert 'class="ck-source"' in html and ">Smith</mark>" in html
    assert html.count("<mark") == 5  # content, cue, content, source, content
    assert "&#x27;" not in html and "“we will win,”" in html


def test_paragraph_breaks_become_line_breaks_after_escaping():
    html = render.highlighted("a <b>\nc", {}, render.Window(0, 7))
    assert html == "a &lt;b&gt;<br>c"


def test_text_colour_reads_on_its_background():
    assert render.text_colour("#ffffff") == "#111111"
    assert render.text_colour("#1b5e20") == "#ffffff"


def test_key_map_is_built_from_the_taxonomy():
    actions = key_actions([f"v{i}" for i in range(12)])
    assert actions["1"] == ("verdict", "v0") and actions["9"] == ("verdict", "v8")
    assert "0" not in actions and actions["j"] == ("next", None)
    assert actions["u"] == ("undo", None) and actions["f"] == ("flag", None)


def test_queue_starts_at_the_first_undecided_claim_and_stays_in_bounds():
    queue = Queue.from_rows([("a", "true", False), ("b", None, True), ("c", None, False)])
    assert queue.current == "c" and queue.progress == (2, 3)
    assert not queue.next() and queue.current == "c"
    assert queue.previous() and queue.current == "b"
    queue.mark("b", False)
    assert queue.progress == (1, 3)
    assert Queue.from_rows([]).current is None


def test_store_filters_from_widget_values():
    assert store_filters({"min_checkworthiness": 0.5}, {"status": "", "outlet": "X",
                                                         "speaker": "  lee ", "flagged": False},
                         unreviewed_only=True) == {
        "min_checkworthiness": 0.5, "outlet": "X", "speaker": "lee", "has_verdict": False,
        "not_a_claim": False}
    assert store_filters({}, {"verdict": "(none)", "flagged": True}, False) == {
        "has_verdict": False, "flagged": True}


def test_review_app_is_exported():
    assert claimkit.ReviewApp is ReviewApp


def test_undo_can_reach_back_to_a_claim_the_filter_no_longer_shows(store):
    app = ReviewApp(store, outlet="Gazette")
    claim_id = app.current["claim_id"]
    app.status_buttons["in_review"].click()
    app.set_filters(outlet="Daily Planet")
    app.press("u")
    assert app.current["claim_id"] == claim_id
    assert store.claim(claim_id)["status"] == "unverified"
    assert "A claim outside this filter (6 in it)" in app.card.value
    app.press("j")  # back into the queue
    assert app.current["claim_id"] in app.queue.ids


# --- where the reviewer left off ---------------------------------------------------------------

def test_the_app_reopens_at_the_reviewers_latest_change_or_the_next_undecided_after_it(store, path):
    order = ids(store, sort="article")
    store.review(order[4], status="in_review", reviewer="alice")  # undecided: reopen at it
    store.review(order[1], verdict="true", reviewer="bo")  # someone else's: not alice's place
    assert ReviewApp(store, sort="article").current["claim_id"] == order[4]
    store.review(order[4], verdict="false", reviewer="alice")  # decided: the next undecided
    with open_store(path, reviewer="alice") as reopened:
        assert ReviewApp(reopened, sort="article").current["claim_id"] == order[5]
    with open_store(path, reviewer="bo") as theirs:  # bo decided order[1]: on to order[2]
        assert ReviewApp(theirs, sort="article").current["claim_id"] == order[2]
    with open_store(path, reviewer="cy") as newcomer:  # no history: the first undecided
        assert ReviewApp(newcomer, sort="article").current["claim_id"] == order[0]
    assert store.last_change("alice")["claim_id"] == order[4]
    assert store.last_change("nobody") is None


def test_resume_at_wraps_round_to_the_first_undecided_and_stays_on_a_finished_queue():
    queue = Queue.from_rows([("a", None, False), ("b", "true", False), ("c", "false", False)])
    queue.resume_at("b")
    assert queue.current == "a"  # nothing undecided after b: round to the start
    queue.resume_at("elsewhere")
    assert queue.current == "a"
    done = Queue.from_rows([("a", "true", False), ("b", "true", False)])
    done.resume_at("b")
    assert done.current == "b"


# --- history and evidence in view ---------------------------------------------------------------

def test_the_claim_pane_shows_recent_history_and_evidence_links(store):
    app = ReviewApp(store, sort="article")
    claim_id = app.current["claim_id"]
    assert "No review changes yet" in app.history_view.value
    app.evidence_box.value = "https://example.org/report?a=1&b=<2>"
    app.status_buttons["in_review"].click()
    history = app.history_view.value
    assert history.index("<b>status</b>") < history.index("<b>evidence</b>")  # newest first
    assert "alice" in history and "“in_review”" in history
    assert ('<a class="ck-evidence-link" href="https://example.org/report?a=1&amp;b=&lt;2&gt;"'
            ' target="_blank" rel="noopener noreferrer nofollow"') in app.card.value
    app.undo_button.click()
    assert "undo of version 2: <b>status</b>" in app.history_view.value
    assert store.claim(claim_id)["status"] == "unverified"


def test_history_html_escapes_and_keeps_to_the_latest_events():
    events = [{"field": "note", "old": None, "new": f"<b>{n}</b>", "reviewer": "<i>ann</i>",
               "at": "2026-01-02T03:04:05", "version": n, "undoes": None} for n in range(12)]
    shown = render.history_html(events, limit=3)
    assert shown.count("<tr>") == 3 and "… and 9 older changes" in shown
    assert "&lt;b&gt;11&lt;/b&gt;" in shown and "&lt;b&gt;8&lt;/b&gt;" not in shown
    assert "<i>ann" not in shown and "&lt;i&gt;ann&lt;/i&gt;" in shown
    assert "2026-01-02 03:04 UTC" in shown
    long = [{**events[0], "new": "x" * 500}]
    assert "x" * 80 not in render.history_html(long)


def test_only_http_urls_with_a_host_become_links():
    assert render.link("https://a.example/x?q=1&r=<2>").startswith(
        '<a class="ck-evidence-link" href="https://a.example/x?q=1&amp;r=&lt;2&gt;"')
    for url in ("javascript:alert(1)", "data:text/html,<script>", "http://", "ftp://a.example",
                "//a.example/x", "HTTPS:x"):
        shown = render.link(url)
        assert "<a " not in shown and "<script" not in shown
    assert render.evidence_html([]) == '<span style="color:#555">none yet</span>'


def test_the_key_help_lists_every_key_with_what_it_does():
    actions = key_actions(["true", "false"], ["unverified", "checked"])
    rows = key_help(actions, {("verdict", "true"): "verdict: True"})
    assert ("1", "verdict: True") in rows and ("u / z", KEY_MAP["u"][1]) in rows
    assert actions["shift+2"] == ("status", "checked") and actions["?"] == ("help", None)
    shown = render.key_help_html([("<k>", "a & b")])
    assert ">&lt;k&gt;</kbd>" in shown and "a &amp; b" in shown


def test_the_app_reopens_where_the_reviewer_left_off_on_both_backends(store_url):
    with open_store(store_url, reviewer="alice") as store:
        article, claims = make_article(1)
        store.add(article, claims)
        order = ids(store, sort="article")
        store.review(order[2], note="halfway")
        store.review(order[0], status="in_review", reviewer="bo")
        assert store.last_change("alice")["claim_id"] == order[2]
        assert store.last_change("alice")["field"] == "note"
        app = ReviewApp(store, sort="article")
        assert app.current["claim_id"] == order[2] and "halfway" in app.history_view.value


def test_the_app_offers_only_the_statuses_the_workflow_allows(store):
    app = ReviewApp(store, sort="article")
    claim_id = app.current["claim_id"]
    live = {s for s, b in app.status_buttons.items() if not b.disabled}
    assert live == {"unverified", "in_review", "verified"}  # unverified: no publishing yet
    app.set_status("published")  # as a key press would: refused, said, nothing written
    assert "cannot move from unverified to published" in app.message.value
    assert store.claim(claim_id)["version"] == 0
    app.set_status("verified")
    assert app.status_buttons["published"].disabled  # published needs a verdict
    app.set_verdict("true")  # stores it and moves on; come back
    app.previous()
    assert app.current["claim_id"] == claim_id
    assert not app.status_buttons["published"].disabled
    app.set_status("published")
    live = {s for s, b in app.status_buttons.items() if not b.disabled}
    assert live == {"published", "needs_correction"}
    assert all(b.disabled for b in app.verdict_buttons.values())  # frozen until corrected
    app.set_status("needs_correction")
    assert not any(b.disabled for b in app.verdict_buttons.values())


def test_a_queue_from_the_store_frame_is_the_queue_from_its_rows(store):
    ids_ = ids(store)
    store.review(ids_[0], verdict="true")
    store.review(ids_[2], not_a_claim=True)
    store.review(ids_[3], verdict="false")
    store.review(ids_[3], verdict="")  # decided, then undecided again
    frame = store.review_queue(sort="article")
    by_frame = Queue.from_frame(frame)
    by_rows = Queue.from_rows(frame.itertuples(index=False, name=None))
    assert by_frame.ids == by_rows.ids and by_frame.decided == by_rows.decided
    assert by_frame.decided == {ids_[0], ids_[2]} and by_frame.position == by_rows.position


@pytest.mark.parametrize("sort", ["worthy_undecided", "checkworthiness", "article"])
def test_a_whole_queue_sorted_in_pandas_is_the_sql_order(store, sort, monkeypatch):
    ids_ = ids(store, sort="article")
    store.review(ids_[1], verdict="true")
    store.claims()  # the snapshot; the changes below are patched in
    store.review(ids_[4], not_a_claim=True)
    whole = store.review_queue(sort=sort)  # no filter: every claim, sorted in pandas
    kind = store.review_queue(sort=sort, kind="indirect")  # a facet filter, over the snapshot
    with monkeypatch.context() as sql_only:
        sql_only.setattr(facets, "answers", lambda claim_filter: False)
        by_sql = store.review_queue(sort=sort, claim_id=ids_)  # keeps every claim: SQL's order
        kind_by_sql = store.review_queue(sort=sort, kind="indirect")
    for got, expected in ((whole, by_sql), (kind, kind_by_sql)):
        assert got["claim_id"].tolist() == expected["claim_id"].tolist()
        assert got["not_a_claim"].tolist() == expected["not_a_claim"].tolist()
        assert got["verdict"].tolist() == expected["verdict"].tolist()
    assert 0 < len(kind) < len(whole)


# --- the speaker across articles ----------------------------------------------------------------

def test_the_speaker_control_renames_and_merges_the_speaker_across_articles(store):
    leigh = make_article(4, sentences=["Mayor Ann Leigh said that the pier opened in 1999."])
    store.add(*leigh)
    app = ReviewApp(store, sort="article")
    lee_claims = store.claims(speaker="Mayor Ann Lee").claim_id.tolist()
    assert len(lee_claims) == 3
    app.queue.go_to(lee_claims[0])
    app.show()
    assert app.speaker_entity_box.value == "Ann Lee"
    assert "speaker #" in app.card.value and "Ann Lee" in app.card.value

    app.speaker_entity_action.value = "rename"
    app.speaker_entity_box.value = "Ann B. Lee <i>"
    app.speaker_entity_button.click()
    assert set(store.claims(claim_id=lee_claims)["speaker_name"]) == {"Ann B. Lee <i>"}
    assert "&lt;i&gt;" in app.card.value and "<i>" not in app.card.value.replace(
        "<i>none stated</i>", "")

    app.speaker_entity_action.value = "merge"
    app.speaker_entity_box.value = "Ann Leigh"
    app.speaker_entity_button.click()
    names = store.claims()["speaker_name"]
    assert set(names[names != ""]) == {"Ann Leigh"}
    events = store.speaker_events()
    assert events["action"].tolist() == ["rename", "merge"]
    assert set(events["reviewer"]) == {"alice"}

    # a name no speaker has: a message, nothing changed
    app.speaker_entity_box.value = "Nobody Known"
    app.speaker_entity_button.click()
    assert "no speaker named" in app.message.value
    assert len(store.speaker_events()) == 2
