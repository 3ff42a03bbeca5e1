"""One speaker across articles: names resolved to speakers when articles are stored, analysts'
merges, renames and splits (history that survives re-extraction), a speaker's record and its
chart, and the speaker entity in claims(), exports and charts. Invented articles only."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from claimkit import charts
from claimkit.export import export_frame
from claimkit.report import html_report
from claimkit.model import SpeakerType
from claimkit.speakers import display_name, name_key
from claimkit.store import open_store
from store_fixtures import make_article, make_schema

P, O, A = "person", "organization", "anonymous"


def said(n: int, who: list[tuple[str, str, str]], *, published: str = "2024-05-01",
         version: str = "test-1"):
    """An article in which each (speaker, canonical, type) says one numbered thing."""
    sentences = [f"{speaker} said that claim {n}-{i} holds." for i, (speaker, _, _) in
                 enumerate(who)]
    article, found = make_article(n, sentences=sentences, published=published)
    return article, [replace(c, speaker=s, speaker_canonical=canon,
                             speaker_type=SpeakerType(t), extractor_version=version)
                     for c, (s, canon, t) in zip(found, who)]


def speaker_of(store, article, i: int = 0):
    """The speaker id and name of the article's i-th claim, as claims() gives them."""
    row = store.claims(article_id=article.article_id).iloc[i]
    return row["speaker_id"], row["speaker_name"]


# --- names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("Russian President Vladimir Putin", "Vladimir Putin"),
    ("Vladimir Putin's", "Vladimir Putin"),
    ("U.S. Secretary of State Orla Brandt", "Orla Brandt"),
    ("Mr. Tomas W. Reyes", "Tomas Reyes"),
    ("Tomas W. Reyes Jr.", "Tomas Reyes Jr"),
    ("Reyes, the finance minister", "Reyes"),
])
def test_titles_possessives_initials_and_appositives_leave_one_key(a, b):
    assert name_key(a, P) == name_key(b, P)


def test_a_suffix_keeps_father_and_son_apart_and_generic_names_name_nobody():
    from claimkit.speakers import is_named, short_form

    assert name_key("Tomas Reyes Jr.", P) != name_key("Tomas Reyes", P)
    assert short_form(name_key("Tomas Reyes Jr.", P), P) == "reyes"
    assert not any(is_named(n) for n in ("the report", "His campaign", "Poll", "The polls"))
    assert all(is_named(n) for n in ("The Obama administration", "Reyes", "GWC"))


def test_dots_and_the_leave_one_organisation_key_and_a_title_ending_a_name_stays():
    assert name_key("the U.S. Coast Guard", O) == name_key("US Coast Guard", O)
    assert display_name("Stephen King", P) == "Stephen King"  # "king" is a title word
    assert display_name("British Prime Minister Edda Vance", P) == "Edda Vance"


# --- resolution across articles ----------------------------------------------------------------

def test_titles_are_stripped_and_a_surname_joins_the_one_full_name(store):
    a1 = said(1, [("Russian President Vladimir Putin", "Vladimir Putin", P)])
    a2 = said(2, [("Vladimir Putin's", "Vladimir Putin's", P)])
    a3 = said(3, [("Putin", "Putin", P)])
    store.add_many([a1, a2, a3])
    ids = {speaker_of(store, a[0])[0] for a in (a1, a2, a3)}
    assert len(ids) == 1
    frame = store.speakers()
    assert frame[["name", "type", "claims"]].values.tolist() == [["Vladimir Putin", P, 3]]
    assert frame.loc[0, "aliases"] == ["Vladimir Putin"]  # a surname join is no alias
    # a claim a reviewer rejected no longer counts
    store.review(store.claims(article_id=a3[0].article_id).claim_id[0], not_a_claim=True)
    assert store.speakers()["claims"].tolist() == [2]


def test_the_kremlin_stays_an_organisation_apart_from_putin(store):
    a1 = said(1, [("Vladimir Putin", "Vladimir Putin", P), ("the Kremlin", "the Kremlin", O)])
    a2 = said(2, [("Kremlin", "Kremlin", O), ("Putin", "Putin", P)])
    store.add_many([a1, a2])
    frame = store.speakers().set_index("name")
    assert frame.loc["Vladimir Putin", "claims"] == 2 and frame.loc["Kremlin", "claims"] == 2
    assert frame.loc["Kremlin", "type"] == O
    assert speaker_of(store, a1[0], 1)[0] == speaker_of(store, a2[0], 0)[0]
    assert speaker_of(store, a1[0], 1)[0] != speaker_of(store, a1[0], 0)[0]


def test_people_sharing_a_surname_are_kept_apart_and_the_bare_surname_too(store):
    a1 = said(1, [("Hana Oduya", "Hana Oduya", P)])
    a2 = said(2, [("Former President Bo Oduya", "Bo Oduya", P)])
    a3 = said(3, [("Oduya", "Oduya", P)])  # which one? nothing says
    a4 = said(4, [("Bo Oduya", "Bo Oduya", P), ("Oduya", "Oduya", P)])  # the article says
    store.add_many([a1, a2, a3, a4])
    hana, bo, bare = (speaker_of(store, a[0])[0] for a in (a1, a2, a3))
    assert len({hana, bo, bare}) == 3
    assert speaker_of(store, a3[0])[1] == "Oduya"
    assert speaker_of(store, a4[0], 1)[0] == bo == speaker_of(store, a4[0], 0)[0]


def test_a_short_form_joins_the_one_organisation_with_those_initials(store):
    a1 = said(1, [("the Global Water Council", "the Global Water Council", O)])
    a2 = said(2, [("GWC", "GWC", O)])
    a3 = said(3, [("FWR", "FWR", O)])
    a4 = said(4, [("The Fund's written reply", "The Fund's written reply", O)])  # not a name
    store.add_many([a1, a2, a3, a4])
    assert speaker_of(store, a1[0])[0] == speaker_of(store, a2[0])[0]
    assert speaker_of(store, a3[0])[0] != speaker_of(store, a4[0])[0]


def test_anonymous_speakers_and_generic_organisations_get_no_speaker(store):
    a1 = said(1, [("Officials", "Officials", A), ("The report", "The report", O)])
    a2 = said(2, [("Officials", "Officials", A), ("the report", "the report", O)])
    store.add_many([a1, a2])
    assert store.claims()["speaker_id"].isna().all()
    assert store.speakers().empty


def test_a_corrected_speaker_resolves_to_a_speaker_and_undo_clears_it(store):
    a1 = said(1, [("Mayor Ines Caro", "Ines Caro", P)])
    a2 = said(2, [("Officials", "Officials", A)])
    store.add_many([a1, a2])
    caro = speaker_of(store, a1[0])[0]
    claim_id = store.claims(article_id=a2[0].article_id).claim_id[0]
    store.review(claim_id, corrected_speaker="Ines Caro")
    row = store.claims(claim_id=claim_id).iloc[0]
    assert row["speaker_id"] == caro and row["speaker_name"] == "Ines Caro"
    assert pd.isna(row["speaker_id_extracted"])  # the extractor's "Officials": nobody
    assert store.speakers().set_index("name").loc["Ines Caro", "claims"] == 2
    store.undo(claim_id)
    assert store.claims(claim_id=claim_id)["speaker_id"].isna().all()


# --- analysts' changes --------------------------------------------------------------------------

def test_merge_rename_and_split_are_events_and_survive_re_extraction(store):
    a1 = said(1, [("Vlad Petrov", "Vlad Petrov", P)])
    a2 = said(2, [("Vladislav Petrov", "Vladislav Petrov", P)])
    store.add_many([a1, a2])
    short, full = speaker_of(store, a1[0])[0], speaker_of(store, a2[0])[0]
    assert short != full

    assert store.merge_speakers(full, short, reviewer="dee") == full
    assert speaker_of(store, a1[0]) == (full, "Vladislav Petrov")
    store.rename_speaker(full, "Vladislav I. Petrov", reviewer="dee")
    assert speaker_of(store, a1[0]) == (full, "Vladislav I. Petrov")

    # a newer extractor finds the same claims: they still resolve to the merged, renamed one
    store.add_many([said(1, a1_who := [("Vlad Petrov", "Vlad Petrov", P)], version="test-2"),
                    said(2, [("Vladislav Petrov", "Vladislav Petrov", P)], version="test-2")])
    assert speaker_of(store, a1[0]) == (full, "Vladislav I. Petrov")
    assert store.claims(details=True)["extractor_version"].eq("test-2").all()
    assert store.speakers()["claims"].tolist() == [2]

    new = store.split_speaker(full, "Vlad Petrov", reviewer="eli")
    assert speaker_of(store, a1[0]) == (new, "Vlad Petrov")
    store.add(*said(1, a1_who, version="test-3"))
    assert speaker_of(store, a1[0]) == (new, "Vlad Petrov")
    assert speaker_of(store, a2[0])[0] == full

    events = store.speaker_events()
    assert events["action"].tolist() == ["merge", "rename", "split"]
    assert events["reviewer"].tolist() == ["dee", "dee", "eli"]
    assert events.loc[1, "old"] == "Vladislav Petrov"
    assert store.speaker_events(new).empty and len(store.speaker_events(full)) == 3
    # the speaker filter follows the merge: the merged speaker's claims are the kept one's
    assert store.count(speaker_id=full) == 1 and store.count(speaker_id=new) == 1
    store.merge_speakers(full, new)
    assert set(store.claims(speaker_id=full).article_id) == {a1[0].article_id,
                                                             a2[0].article_id}


def test_merging_across_types_an_unknown_speaker_or_renaming_onto_another_is_refused(store):
    store.add(*said(1, [("Oren Tal", "Oren Tal", P), ("the Tal Group", "the Tal Group", O),
                        ("Ada Tal", "Ada Tal", P)]))
    ids = store.speakers().set_index("name")["speaker_id"]
    with pytest.raises(ValueError, match="cannot merge"):
        store.merge_speakers(ids["Oren Tal"], ids["Tal Group"])
    with pytest.raises(KeyError, match="no speaker 999"):
        store.merge_speakers(ids["Oren Tal"], 999)
    with pytest.raises(ValueError, match="another speaker's name"):
        store.rename_speaker(ids["Oren Tal"], "Ada Tal")
    assert store.speaker_events().empty
    assert store.speakers()["name"].tolist() == ["Ada Tal", "Oren Tal", "Tal Group"]


def test_a_renamed_name_resolves_to_its_speaker_in_a_new_article(store):
    store.add(*said(1, [("Kaito Mori", "Kaito Mori", P)]))
    kaito = store.speakers()["speaker_id"][0]
    store.rename_speaker(kaito, "Kaito R. Mori-Hale")
    a2 = said(2, [("Kaito Mori-Hale", "Kaito Mori-Hale", P)])
    store.add(*a2)
    assert speaker_of(store, a2[0])[0] == kaito


def test_a_merge_rename_and_split_are_each_undone_in_one_step_newest_first(store):
    a1 = said(1, [("Vlad Petrov", "Vlad Petrov", P)])
    a2 = said(2, [("Vladislav Petrov", "Vladislav Petrov", P)])
    store.add_many([a1, a2])
    short, full = speaker_of(store, a1[0])[0], speaker_of(store, a2[0])[0]
    store.merge_speakers(full, short, reviewer="dee")
    store.rename_speaker(full, "Vladislav Petrovsky", reviewer="dee")
    new = store.split_speaker(full, "Vlad Petrov", reviewer="eli")
    assert speaker_of(store, a1[0]) == (new, "Vlad Petrov")

    assert store.undo_speaker_change(reviewer="fay")["action"] == "split"
    assert speaker_of(store, a1[0]) == (full, "Vladislav Petrovsky")  # back on the merged one
    assert store.count(speaker_id=full) == 2

    assert store.undo_speaker_change()["action"] == "rename"
    assert speaker_of(store, a2[0]) == (full, "Vladislav Petrov")
    # the undone name no longer resolves to the speaker in a new article
    a3 = said(3, [("Vladislav Petrovsky", "Vladislav Petrovsky", P)])
    store.add(*a3)
    assert speaker_of(store, a3[0])[0] != full

    assert store.undo_speaker_change()["action"] == "merge"
    assert speaker_of(store, a1[0]) == (short, "Vlad Petrov")
    assert speaker_of(store, a2[0]) == (full, "Vladislav Petrov")
    # the merged speaker's own name resolves to it again, in a re-extraction too
    store.add(*said(1, [("Vlad Petrov", "Vlad Petrov", P)], version="test-2"))
    assert speaker_of(store, a1[0])[0] == short

    events = store.speaker_events()
    assert events["action"].tolist() == ["merge", "rename", "split", "undo", "undo", "undo"]
    assert events["reviewer"].tolist()[3] == "fay"
    assert [e["event_id"] for e in events["old"][3:]] == events["event_id"][:3].tolist()[::-1]
    from claimkit.store.errors import NothingToUndo
    with pytest.raises(NothingToUndo):
        store.undo_speaker_change()


def test_a_speaker_change_without_undo_data_is_refused_and_nothing_changes(store):
    from sqlalchemy import insert

    from claimkit.store.schema import speaker_events, utcnow

    store.add(*said(1, [("Kaito Mori", "Kaito Mori", P)]))
    kaito = store.speakers()["speaker_id"][0]
    # a rename as an older claimkit recorded it: the new name only
    store._write(lambda conn: conn.execute(insert(speaker_events).values(
        speaker_id=int(kaito), action="rename", old="Kaito Mori", new="K. Mori", reviewer="x",
        at=utcnow())))
    with pytest.raises(ValueError, match="older claimkit"):
        store.undo_speaker_change()
    assert store.speaker_events()["action"].tolist() == ["rename"]
    assert store.speakers()["name"].tolist() == ["Kaito Mori"]


# --- record, chart, grouping ------------------------------------------------------------------

def test_speaker_record_lists_verdicts_over_time_and_its_chart_renders(store, tmp_path):
    import vl_convert as vlc

    articles = [said(i, [("Senator Lia Moss", "Lia Moss", P)], published=f"2024-0{i}-10")
                for i in (1, 2, 3)]
    store.add_many(articles)
    lia = store.speakers()["speaker_id"][0]
    verdicts = ["false", "true", None]
    for (article, _), verdict in zip(articles, verdicts):
        if verdict:
            store.review(store.claims(article_id=article.article_id).claim_id[0],
                         verdict=verdict)
    record = store.speaker_record(lia)
    assert record["published"].dt.month.tolist() == [1, 2, 3]
    assert record["verdict"].tolist()[:2] == ["false", "true"]
    assert set(record["speaker_name"]) == {"Lia Moss"}

    taxonomy = store.taxonomy("verdict")
    counts, unit, name, undated = charts.speaker_record_counts(record, taxonomy, lia)
    assert name == "Lia Moss" and undated == 0 and counts["count"].sum() == 3
    labels = {taxonomy.get(v).label for v in ("false", "true")} | {charts.NO_VERDICT}
    assert set(counts["verdict"]) == labels
    chart = charts.speaker_track_record(record, taxonomy, speaker=lia)
    spec = chart.to_dict()
    colours = dict(zip(spec["encoding"]["color"]["scale"]["domain"],
                       spec["encoding"]["color"]["scale"]["range"]))
    assert colours[taxonomy.get("false").label] == taxonomy.get("false").colour
    png = vlc.vegalite_to_png(chart.to_json(), scale=1)
    (tmp_path / "lia.png").write_bytes(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
    # by name, from the whole claims frame: the same counts
    again = charts.speaker_record_counts(store.claims(), taxonomy, "Lia Moss")[0]
    assert again["count"].tolist() == counts["count"].tolist()


def test_charts_and_exports_group_by_the_speaker_entity(store):
    a1 = said(1, [("Premier Rafe Odum", "Rafe Odum", P)])
    a2 = said(2, [("Odum", "Odum", P)])
    a3 = said(3, [("R. Odum", "R. Odum", P)])  # another key: merged by an analyst below
    store.add_many([a1, a2, a3])
    frame = store.claims()
    counts = charts.track_record_counts(frame, store.taxonomy("verdict"))
    assert counts.groupby("speaker")["count"].sum().to_dict() == {"Rafe Odum": 2, "R. Odum": 1}
    ids = store.speakers().set_index("name")["speaker_id"]
    store.merge_speakers(ids["Rafe Odum"], ids["R. Odum"])
    counts = charts.track_record_counts(store.claims(), store.taxonomy("verdict"))
    assert counts.groupby("speaker")["count"].sum().to_dict() == {"Rafe Odum": 3}
    exported = export_frame(store)
    assert set(exported["speaker_name"]) == {"Rafe Odum"}
    assert exported["speaker_id"].nunique() == 1
    html = html_report(store)
    assert "Rafe Odum" in html and "R. Odum" not in html


def test_the_snapshot_follows_merges_and_splits(tmp_path):
    path = tmp_path / "claims.db"
    with open_store(path) as store:
        a1 = said(1, [("Nia Sol", "Nia Sol", P)])
        a2 = said(2, [("Nia Q. Solis", "Nia Solis", P)])
        store.add_many([a1, a2])
        store.claims()  # writes the snapshot
        ids = store.speakers().set_index("name")["speaker_id"]
        store.merge_speakers(ids["Nia Solis"], ids["Nia Sol"])
        assert store.claims()["speaker_name"].tolist() == ["Nia Solis", "Nia Solis"]
        store.split_speaker(ids["Nia Solis"], "Nia Sol")
        full = store.claims()
        assert full["speaker_name"].tolist() == ["Nia Sol", "Nia Solis"]
        assert full["speaker_id"].tolist() == store.claims(outlet="Daily Planet")[
            "speaker_id"].tolist()


def test_a_schema_6_store_upgrades_keeping_everything_and_links_its_speakers(store_url):
    with open_store(store_url, reviewer="ana") as store:
        a1 = said(1, [("Judge Tess Marlo", "Tess Marlo", P), ("Officials", "Officials", A)])
        a2 = said(2, [("Marlo", "Marlo", P)])
        store.add_many([a1, a2])
        claim_id = store.claims(article_id=a1[0].article_id).claim_id[1]
        store.review(claim_id, verdict="false", corrected_speaker="Tess Marlo", note="n")
        before = store.claims().drop(columns=["speaker_id", "speaker_name",
                                              "speaker_id_extracted", "corrected_speaker_id"])
        history = store.history()
    make_schema(store_url, 6)
    with open_store(store_url) as store:
        after = store.claims()
        assert after.drop(columns=["speaker_id", "speaker_name", "speaker_id_extracted",
                                   "corrected_speaker_id"]).equals(before)
        assert store.history().equals(history)
        assert after["speaker_name"].tolist() == ["Tess Marlo", "Tess Marlo", "Tess Marlo"]
        assert after["speaker_id"].nunique() == 1
        assert store.speakers()["claims"].tolist() == [3]
