"""claimkit.charts on real stores: the numbers a chart embeds, its size, and the files it makes.

The numbers are checked against the hand-counted store of chart_fixtures.py; each chart is
rendered to PNG and SVG by vl-convert (no browser) and the files are checked for what a reader
would see: a real image of some size, text marks with the chart's title.
"""
from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
from chart_fixtures import fill_known_store
from store_fixtures import make_article

from claimkit import charts
from claimkit.store import open_store

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def known(known_store) -> charts.ChartData:
    with open_store(known_store) as store:
        return charts.ChartData.from_store(store)


@pytest.fixture(scope="module")
def built(known) -> dict[str, charts.Chart]:
    return charts.build_chart_set(known)


def embedded(chart: charts.Chart) -> pd.DataFrame:
    """The one data table a chart carries (what a notebook or HTML export embeds)."""
    datasets = chart.to_dict()["datasets"]
    assert len(datasets) == 1, list(datasets)
    return pd.DataFrame(next(iter(datasets.values())))


def counted(frame: pd.DataFrame, *keys: str) -> dict:
    return {tuple(row[k] for k in keys) if len(keys) > 1 else row[keys[0]]: row["count"]
            for row in frame.to_dict("records") if row["count"]}


# --- the numbers ------------------------------------------------------------------------------


def test_status_overall_counts_every_status_including_unused_ones(known):
    frame = embedded(charts.status_breakdown(known.claims, known.statuses))
    assert dict(zip(frame["value"], frame["count"])) == {
        "Unverified": 5, "In review": 1, "Verified": 2, "Published": 1, "Needs correction": 0}


def test_verdict_overall_counts_unreviewed_claims_as_no_verdict(known):
    frame = embedded(charts.verdict_breakdown(known.claims, known.verdicts))
    assert counted(frame, "value") == {"True": 2, "False": 1, charts.NO_VERDICT: 6}
    assert set(frame["value"]) >= {"Mostly true", "Misleading", "Unverifiable"}  # shown at 0


def test_status_per_outlet_counts_and_shares(known):
    frame = embedded(charts.status_breakdown(known.claims, known.statuses, by="outlet"))
    assert counted(frame, "group", "value") == {
        ("Daily Planet", "Unverified"): 3, ("Daily Planet", "Verified"): 2,
        ("Daily Planet", "Published"): 1,
        ("Gazette", "Unverified"): 2, ("Gazette", "In review"): 1}
    shares = {(r["group"], r["value"]): r["share"] for r in frame.to_dict("records")}
    assert shares[("Daily Planet", "Unverified")] == 0.5
    assert set(frame["label"]) == {"Daily Planet (6)", "Gazette (3)"}


def test_verdict_per_article_uses_titles(known):
    frame = embedded(charts.verdict_breakdown(known.claims, known.verdicts, by="article"))
    assert counted(frame, "group", "value") == {
        ("Article 1", "False"): 1, ("Article 1", "True"): 1, ("Article 1", charts.NO_VERDICT): 1,
        ("Article 2", "True"): 1, ("Article 2", charts.NO_VERDICT): 2,
        ("Article 3", charts.NO_VERDICT): 3}


def test_articles_beyond_the_top_are_summed_into_one_bar(known):
    frame = embedded(charts.status_breakdown(known.claims, known.statuses, by="article", top=1))
    groups = frame.groupby("group")["count"].sum().to_dict()
    assert groups == {"Article 1": 3, "2 other articles": 6}


def test_track_record_counts_named_speakers_only(known):
    frame = embedded(charts.speaker_track_record(known.claims, known.verdicts))
    assert counted(frame, "speaker", "verdict") == {
        ("Ann Lee", "False"): 1, ("Ann Lee", "True"): 1, ("Ann Lee", charts.NO_VERDICT): 1}


def test_sourcing_shares_per_outlet_leave_assertions_out(known):
    frame = embedded(charts.sourcing_by_outlet(known.claims))
    assert counted(frame, "outlet", "sourcing") == {
        ("Daily Planet", "Named"): 2, ("Daily Planet", "Anonymous"): 2,
        ("Gazette", "Named"): 1, ("Gazette", "Anonymous"): 1}
    assert set(frame["share"]) == {0.5}


def test_cue_classes_per_speaker_and_per_outlet(known):
    per_speaker = embedded(charts.cue_classes(known.claims, by="speaker"))
    assert counted(per_speaker, "group", "cue_class") == {("Ann Lee", "assert"): 2,
                                                          ("Ann Lee", "deny"): 1}
    per_outlet = embedded(charts.cue_classes(known.claims, by="outlet"))
    assert counted(per_outlet, "group", "cue_class") == {
        ("Daily Planet", "assert"): 4, ("Gazette", "assert"): 1, ("Gazette", "deny"): 1}


def test_claims_over_time_by_publication_day(known):
    frame = embedded(charts.claims_over_time(known.claims, known.statuses))
    per_day = frame.groupby("start")["count"].sum()
    assert {pd.Timestamp(k).date(): v for k, v in per_day.items()} == {
        date(2024, 5, 1): 3, date(2024, 5, 3): 3, date(2024, 6, 10): 3}
    day1 = frame[pd.to_datetime(frame["start"]).dt.date == date(2024, 5, 1)]
    assert counted(day1, "status") == {"Verified": 1, "Published": 1, "Unverified": 1}


def test_claims_over_time_chooses_weeks_for_a_long_span(known):
    claims = known.claims.copy()
    claims.loc[claims.index[0], "published"] = pd.Timestamp("2025-03-01")  # span > 120 days
    counts, unit = charts.claims_over_time_counts(claims, known.statuses)
    assert unit == "week"
    assert counts["count"].sum() == 9
    assert (pd.to_datetime(counts["start"]).dt.day_of_week == 0).all()  # weeks start on Monday


def test_review_progress_replays_the_history_by_day(known):
    history = known.history.copy()
    # Reviews 1-2 on one day, 3-4 two days later (the store stamps them all "now").
    first_two = history["claim_id"].isin(known.history["claim_id"].unique()[:2])
    history["at"] = pd.Timestamp("2024-07-01 10:00", tz="UTC")
    history.loc[~first_two, "at"] = pd.Timestamp("2024-07-03 15:00", tz="UTC")
    counts, unit = charts.review_progress_counts(history, known.claims, known.statuses)
    assert unit == "day"
    by_time = {pd.Timestamp(at).date(): counted(group, "status")
               for at, group in counts.groupby("at")}
    assert by_time == {
        date(2024, 7, 1): {"Unverified": 9},                         # before the first change
        date(2024, 7, 2): {"Unverified": 7, "Verified": 2},          # end of 1 July
        date(2024, 7, 3): {"Unverified": 7, "Verified": 2},          # 2 July: nothing
        date(2024, 7, 4): {"Unverified": 5, "Verified": 2, "In review": 1, "Published": 1},
    }
    chart_rows = embedded(charts.review_progress(history, known.claims, known.statuses))
    assert "Unverified" not in set(chart_rows["status"])  # drawn: claims past the first status


def test_review_progress_after_an_undo(tmp_path):
    with open_store(tmp_path / "c.db") as store:
        ids = fill_known_store(store)
        store.undo(ids[(3, 1)], reviewer="tester")  # back to unverified
        counts, _ = charts.review_progress_counts(store.history(), store.claims(),
                                                  store.taxonomy("status"))
    final = counts[counts["at"] == counts["at"].max()]
    assert counted(final, "status") == {"Unverified": 6, "Verified": 2, "Published": 1}


def test_checkworthiness_bins(known):
    frame = embedded(charts.checkworthiness_distribution(known.claims, known.statuses))
    per_bin = frame.groupby("low")["count"].sum().to_dict()
    assert per_bin == {0.3: 3, 0.8: 6}


def test_speaker_explorer_links_two_charts_by_speaker(known):
    chart = charts.speaker_explorer(known.claims, known.verdicts)
    spec = chart.to_dict()
    left, right = spec["hconcat"]
    params = spec.get("params") or left.get("params")
    pick = next(p for p in params if p["name"] == "speaker_pick")
    assert pick["select"]["type"] == "point" and pick["select"]["fields"] == ["speaker"]
    assert {"filter": {"param": "speaker_pick"}} in right["transform"]
    assert "speaker_pick" in str(left["encoding"]["opacity"])
    rows = pd.DataFrame(spec["datasets"][right["data"]["name"]])
    assert counted(rows, "speaker", "cue_class") == {("Ann Lee", "assert"): 2,
                                                     ("Ann Lee", "deny"): 1}


def test_charts_stay_editable_altair_objects(built):
    chart = built["status_by_outlet"]
    assert isinstance(chart, alt.TopLevelMixin)
    wider = chart.properties(width=900)
    assert wider.to_dict()["width"] == 900
    both = built["speaker_track_record"] | built["checkworthiness"]  # no config: composable
    assert len(both.to_dict()["hconcat"]) == 2


def test_colours_come_from_the_store_taxonomy(tmp_path):
    with open_store(tmp_path / "c.db") as store:
        fill_known_store(store)
        store.set_taxonomy("verdict", "politifact", remap=_remap_to(store, "politifact"))
        data = charts.ChartData.from_store(store)
    chart = charts.verdict_breakdown(data.claims, data.verdicts, by="outlet")
    scale = chart.to_dict()["encoding"]["color"]["scale"]
    expected = [(v.label, v.colour) for v in data.verdicts.values]
    assert list(zip(scale["domain"], scale["range"]))[:len(expected)] == expected
    assert scale["domain"][-1] == charts.NO_VERDICT


def _remap_to(store, preset: str) -> dict:
    from claimkit.taxonomy import load_taxonomy
    new = load_taxonomy(preset)
    used = set(store.claims()["verdict"].dropna())
    return {v: (v if v in new else new.ids[0]) for v in used}


# --- empty stores and sizes -------------------------------------------------------------------


def test_an_empty_store_gives_a_message_in_every_chart(tmp_path):
    with open_store(tmp_path / "empty.db") as store:
        data = charts.ChartData.from_store(store)
    built = charts.build_chart_set(data)
    assert list(built) == charts.chart_names()
    for name, chart in built.items():
        message = embedded(chart)
        assert list(message.columns) == ["message"], name
        assert message["message"][0].startswith(("No claims in the store", "None of the 0",
                                                  "No status changes")), name
    svg = charts.render(built["status_overall"], "svg").decode()
    assert "No claims in the store yet." in svg


def _store_of(path: Path, n_articles: int) -> charts.ChartData:
    with open_store(path) as store:
        items = [make_article(n, outlet=f"Outlet {n % 25}",
                              published=(date(2024, 1, 1) + timedelta(days=n % 60)).isoformat())
                 for n in range(n_articles)]
        store.add_many(items, articles_per_transaction=500)
        ids = store.claims(limit=50)["claim_id"].tolist()
        store.bulk_review(claim_ids=ids[:30], status="verified", verdict="true")
        store.bulk_review(claim_ids=ids[30:], status="in_review")
        return charts.ChartData.from_store(store)


def test_embedded_data_does_not_grow_with_the_store(tmp_path):
    small = charts.build_chart_set(_store_of(tmp_path / "small.db", 150))      # 450 claims
    large = charts.build_chart_set(_store_of(tmp_path / "large.db", 1500))     # 4,500 claims
    small_rows = {name: charts.embedded_rows(c) for name, c in small.items()}
    large_rows = {name: charts.embedded_rows(c) for name, c in large.items()}
    # Ten times the claims, the same categories: the same rows, give or take the few
    # (bucket, status) pairs that the reviewed claims happen to fall into.
    for name in small_rows:
        assert large_rows[name] <= small_rows[name] + 5, name
    assert max(large_rows.values()) <= 200
    assert sum(large_rows.values()) < 4500 / 4


def test_embedded_rows_counts_every_dataset(known):
    chart = charts.speaker_explorer(known.claims, known.verdicts)
    spec = chart.to_dict()
    assert charts.embedded_rows(chart) == sum(len(v) for v in spec["datasets"].values())


# --- files ------------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("name", charts.chart_names())
def test_every_chart_renders_to_png_and_svg(built, name):
    chart = built[name]
    png = charts.render(chart, "png")
    width, height = png_size(png)
    assert width >= 400 and height >= 150, (width, height)
    assert len(png) > 8_000
    svg = charts.render(chart, "svg").decode("utf-8")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert len(texts) >= 3
    title = charts.themed_spec(chart).get("title") or \
        next(v["title"] for v in charts.themed_spec(chart)["hconcat"])
    assert title["text"] in texts


def test_export_writes_the_whole_set_in_each_format(built, tmp_path):
    few = {k: built[k] for k in ("status_overall", "speaker_explorer")}
    for fmt in charts.FORMATS:
        paths = charts.export_charts(few, tmp_path / fmt, fmt)
        assert [p.name for p in paths] == [f"status_overall.{fmt}", f"speaker_explorer.{fmt}"]
        data = paths[0].read_bytes()
        assert len(data) > 1000
        assert data.startswith({"png": b"\x89PNG", "svg": b"<svg", "pdf": b"%PDF",
                                "html": b"<!DOCTYPE html>"}[fmt])
        assert sorted(p.name for p in (tmp_path / fmt).iterdir()) == sorted(p.name for p in paths)
    html = (tmp_path / "html" / "speaker_explorer.html").read_text()
    assert "<script src=" not in html and "speaker_pick" in html  # offline, still interactive


def test_unknown_format_is_refused(built, tmp_path):
    with pytest.raises(ValueError, match="unknown chart format 'gif'"):
        charts.export_charts(built, tmp_path, "gif")
    assert not list(tmp_path.iterdir())


def test_the_theme_is_applied_to_exports_only_when_asked(built):
    spec = charts.themed_spec(built["status_overall"])
    assert spec["config"]["font"] == charts.FONT
    assert "font" not in built["status_overall"].to_dict().get("config", {})


# --- PostgreSQL -------------------------------------------------------------------------------


def test_postgresql_store_gives_the_same_chart_data(pg_url, known):
    with open_store(pg_url) as store:
        fill_known_store(store)
        data = charts.ChartData.from_store(store)
    for name, chart in charts.build_chart_set(data).items():
        if name in ("review_progress",):  # history times differ between the two stores
            continue
        assert charts.embedded_rows(chart) == charts.embedded_rows(
            charts.build_chart_set(known, [name])[name]), name
    frame = embedded(charts.verdict_breakdown(data.claims, data.verdicts, by="outlet"))
    assert counted(frame, "group", "value")[("Daily Planet", "True")] == 2


def test_notebook_charts_render_without_the_network():
    from claimkit import charts

    chart = alt.Chart(pd.DataFrame({"n": [1, 2]})).mark_bar().encode(x="n")
    try:
        charts.use_theme()
        bundle = chart._repr_mimebundle_()
    finally:
        alt.renderers.enable("default")
    html = (bundle[0] if isinstance(bundle, tuple) else bundle)["text/html"]
    assert "vegaEmbed" in html and "cdn.jsdelivr" not in html
    assert 'src="http' not in html


def test_chart_data_without_lists_draws_the_same_charts(known_store):
    """lists=False (what `claimkit charts` reads) leaves out tags and evidence and nothing a
    chart draws."""
    with open_store(known_store) as store:
        full, lean = charts.ChartData.from_store(store), charts.ChartData.from_store(
            store, lists=False)
    assert {"tags", "evidence"} <= set(full.claims.columns)
    assert not {"tags", "evidence"} & set(lean.claims.columns)
    for name, chart in charts.build_chart_set(full).items():
        assert chart.to_dict() == charts.build_chart_set(lean, [name])[name].to_dict(), name
