"""Charts of the store: Altair chart objects an analyst can keep editing (docs/architecture.md §1).

    data = ChartData.from_store(store)                       # claims, history, taxonomies
    chart = status_breakdown(data.claims, data.statuses, by="outlet")
    chart.properties(width=600)                              # still an Altair chart
    charts = build_chart_set(data)                           # every chart of CHART_SET, by name
    export_charts(charts, "out/", "png")                     # PNG / SVG / HTML / PDF, no browser

Every builder counts with pandas first and hands Altair only the counts, so what a chart embeds
is bounded by its categories (top speakers, outlets, time buckets, statuses), never by the number
of claims: a chart of a 100k-claim store is as small as one of a 100-claim store.

Colours come from the store's status and verdict taxonomies; everything else about the look is
one Altair theme, ``"claimkit"`` (:func:`theme`), applied to every export and switched on for a
notebook with :func:`use_theme`. Builders return unconfigured charts, so they can still be
combined with ``|``, ``&`` and ``+``.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from claimkit.files import atomic_write_bytes
from claimkit.taxonomy import DEFAULT_STATUSES, DEFAULT_VERDICTS, Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from claimkit.store import Store

Chart = alt.TopLevelMixin  # alt.Chart, alt.LayerChart, alt.HConcatChart, …

THEME = "claimkit"
# Liberation Sans is metric-compatible with Arial/Helvetica: PNG/PDF rendered here and SVG
# opened in a browser elsewhere lay out text the same way.
FONT = "Liberation Sans, Arial, Helvetica, DejaVu Sans, sans-serif"
WIDTH = 440
BAR_STEP = 22
TOP = 15  # speakers, outlets, articles shown by name; the rest are summed into one "N other …" bar
TEXT_COLOUR = "#263238"
MUTED_COLOUR = "#546e7a"

NO_VERDICT = "No verdict yet"
NO_VERDICT_COLOUR = "#cfd8dc"
UNKNOWN_COLOUR = "#9e9e9e"  # a value the taxonomy does not list (should not happen)

# How an attribution is sourced, from its speaker type. Assertions (the article's own
# statements) have no source and are left out of sourcing charts.
SOURCING = {"person": "Named", "organization": "Named", "anonymous": "Anonymous",
            "group": "Vague group", "pronoun": "Unresolved pronoun", "": "No stated source"}
SOURCING_COLOURS = {"Named": "#1565c0", "Anonymous": "#ef6c00", "Vague group": "#ffcc80",
                    "Unresolved pronoun": "#b0bec5", "No stated source": "#78909c"}
# Speakers who have a track record: the same name means the same speaker across articles.
NAMED_SPEAKER_TYPES = ("person", "organization")

# Time buckets: the finest one that keeps a time chart at about 120 bars or fewer.
TIME_BUCKETS = ((120, "D", "day"), (840, "W", "week"), (3650, "M", "month"), (None, "Y", "year"))

TIME_FORMATS = {"day": "%b %d", "week": "%b %d", "month": "%b %Y", "year": "%Y"}

# Vega-Lite's time unit for each bucket: bars one bucket wide, stacked.
TIME_UNITS = {"day": "yearmonthdate", "week": "yearweek", "month": "yearmonth", "year": "year"}
TIME_BUCKETS_BY_UNIT = {unit: freq for _, freq, unit in TIME_BUCKETS}
_VL_VERSION = "v" + "_".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


# --- the look -------------------------------------------------------------------------------


@alt.theme.register(THEME, enable=False)
def theme() -> alt.theme.ThemeConfig:
    """The one look of claimkit's charts (fonts, sizes, greys); colours of values come from
    the taxonomies."""
    axis = {"labelFontSize": 11, "titleFontSize": 12, "labelColor": TEXT_COLOUR,
            "titleColor": TEXT_COLOUR, "titleFontWeight": "normal", "gridColor": "#eceff1",
            "domainColor": "#b0bec5", "tickColor": "#b0bec5", "labelLimit": 240}
    return {"config": {
        "font": FONT, "background": "white", "padding": 12,
        "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": 240},
        "title": {"fontSize": 15, "fontWeight": "bold", "color": TEXT_COLOUR, "anchor": "start",
                  "subtitleFontSize": 12, "subtitleColor": MUTED_COLOUR, "offset": 12,
                  "limit": 900},
        "axis": axis,
        "axisY": {"labelPadding": 6},
        "legend": {"labelFontSize": 11, "titleFontSize": 12, "titleColor": TEXT_COLOUR,
                   "labelColor": TEXT_COLOUR, "labelLimit": 200, "symbolType": "square"},
        "bar": {"stroke": "white", "strokeWidth": 0.5},
        "range": {"category": {"scheme": "tableau10"}, "heatmap": {"scheme": "blues"}},
        "concat": {"spacing": 48},
        "text": {"fontSize": 11, "color": TEXT_COLOUR},
    }}


def use_theme(*, offline: bool = True) -> None:
    """Draw every Altair chart in this session with claimkit's look (for notebooks).

    ``offline``: charts carry their own Vega JavaScript (vl-convert's bundle, ~0.9 MB each)
    instead of loading it from a CDN, which Altair 6 does by default in JupyterLab 4 (its
    built-in renderer stops at Vega-Lite 5). Newsroom and CI machines are often offline.
    """
    alt.theme.enable(THEME)
    if offline:
        alt.renderers.enable("html", template="inline")


# --- the data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartData:
    """What the chart set is drawn from: claims, the status moves of their review history
    (what review_progress replays) and the two taxonomies."""

    claims: pd.DataFrame
    history: pd.DataFrame
    statuses: Taxonomy
    verdicts: Taxonomy

    @classmethod
    def from_store(cls, store: Store, *, include_rejected: bool = False, lists: bool = True,
                   **filters: Any) -> ChartData:
        """Read a store once (``filters`` as for ``store.claims``): the reviewed values
        (corrected speakers, kinds, cue classes), without the claims a reviewer marked "not a
        claim" unless ``include_rejected``. ``lists=False`` leaves out the tags and evidence,
        which no chart draws (the HTML report shows the evidence): two million Python lists
        fewer at a million claims."""
        return cls(store.claims(include_rejected=include_rejected,
                                columns=None if lists else chart_columns(), **filters),
                   store.history(field="status"),
                   store.taxonomy("status"), store.taxonomy("verdict"))


def chart_columns() -> list[str]:
    """The claims columns charts read: every one but the lists of tags and evidence, which
    no chart draws (building them is two million Python lists at a million claims)."""
    from claimkit.store import CLAIM_COLUMNS

    return [c for c in CLAIM_COLUMNS if c not in ("tags", "evidence")]


def _statuses(taxonomy: Taxonomy | None) -> Taxonomy:
    return taxonomy or load_taxonomy(DEFAULT_STATUSES)


def _verdicts(taxonomy: Taxonomy | None) -> Taxonomy:
    return taxonomy or load_taxonomy(DEFAULT_VERDICTS)


@dataclass(frozen=True)
class _Palette:
    """A taxonomy as a chart legend: labels in taxonomy order and their colours."""

    labels: list[str]
    colours: list[str]
    ids: dict[str | None, str]  # value id -> label

    @classmethod
    def of(cls, taxonomy: Taxonomy, missing: str | None = None,
           missing_colour: str = NO_VERDICT_COLOUR) -> _Palette:
        labels = [v.label for v in taxonomy.values]
        colours = [v.colour for v in taxonomy.values]
        ids: dict[str | None, str] = {v.id: v.label for v in taxonomy.values}
        if missing is not None:
            labels.append(missing)
            colours.append(missing_colour)
            ids[None] = missing
        return cls(labels, colours, ids)

    def label(self, values: pd.Series) -> pd.Series:
        """Each value's label; a value the taxonomy lacks keeps its id (drawn grey)."""
        out = values.astype(object).where(values.notna(), None)
        return out.map(lambda v: self.ids.get(v, v if v is not None else "(none)"))

    def scale(self, present: Iterable[str] = ()) -> tuple[list[str], list[str]]:
        extra = sorted(set(present) - set(self.labels))
        return self.labels + extra, self.colours + [UNKNOWN_COLOUR] * len(extra)

    def color(self, field: str, title: str, present: Iterable[str] = (),
              legend: bool = True) -> alt.Color:
        domain, colours = self.scale(present)
        return alt.Color(f"{field}:N", title=title, sort=domain,
                         scale=alt.Scale(domain=domain, range=colours),
                         legend=alt.Legend() if legend else None)

    def order(self, labels: pd.Series) -> pd.Series:
        """Stacking position: taxonomy order, unknown values last."""
        position = {label: i for i, label in enumerate(self.labels)}
        return labels.map(lambda v: position.get(v, len(position))).astype("int64")


def speaker_names(claims: pd.DataFrame) -> pd.Series:
    """The name a speaker is counted under: the speaker entity's name (store.speakers(): one
    name for "Putin" and "Russian President Vladimir Putin" across articles), else the
    canonical name, else the surface text."""
    canonical = claims["speaker_canonical"].fillna("").astype(str)
    surface = claims["speaker"].fillna("").astype(str)
    names = canonical.where(canonical != "", surface)
    if "speaker_name" in claims.columns:
        entity = claims["speaker_name"].fillna("").astype(str)
        names = entity.where(entity != "", names)
    return names


def _speaker_columns(claims: pd.DataFrame) -> list[str]:
    """The columns speaker_names reads (speaker_name only in frames from a schema-7 store)."""
    return [c for c in ("speaker", "speaker_canonical", "speaker_name") if c in claims.columns]


def _group_keys(claims: pd.DataFrame, by: str) -> pd.Series:
    """What claims are grouped by: the outlet, the article id, the speaker's name."""
    if by == "outlet":
        return claims["outlet"].fillna("")
    if by == "article":
        return claims["article_id"]
    if by == "speaker":
        return speaker_names(claims)
    raise ValueError(f"by must be 'outlet', 'article' or 'speaker', got {by!r}")


def _key_names(claims: pd.DataFrame, by: str, keys: Sequence[str]) -> dict[str, str]:
    """Display names of these group keys where they differ from the key: outlets without a
    name, article titles (made unique when two of the articles share one)."""
    if by == "outlet":
        return {"": "(no outlet)"}
    if by != "article":
        return {}
    chosen = claims.loc[claims["article_id"].isin(keys), ["article_id", "title"]]
    articles = chosen.drop_duplicates("article_id")
    titles = articles["title"].fillna("").astype(str)
    titles = titles.where(titles != "", "(untitled)")
    shared = titles.duplicated(keep=False)
    labels = titles.where(~shared, titles + " · " + articles["article_id"].str[:8])
    return dict(zip(articles["article_id"], labels))


def _name_groups(groups: pd.Series, names: Mapping[str, str]) -> pd.Series:
    """Keys -> display names, on an already counted (small) column."""
    return groups.map(lambda key: names.get(key, key))


_NOUNS = {"outlet": "outlets", "article": "articles", "speaker": "speakers"}
_DIGITS = re.compile(r"(\d+)")
_OTHER = re.compile(r"^[\d,]+ other (?:outlets|articles|speakers|groups)\b")  # see _keep_top


def _natural(name: object) -> tuple:
    """Sort key that puts "Outlet 2" before "Outlet 10"."""
    return tuple(int(part) if part.isdigit() else part.casefold()
                 for part in _DIGITS.split(str(name)))


def _ranked(sizes: pd.Series, names: Mapping[str, str] | None = None
            ) -> list[tuple[Any, int]]:
    """(key, size) largest first; equal sizes in natural order of their names."""
    names = names or {}
    return sorted(sizes.items(), key=lambda kv: (-kv[1], _natural(names.get(kv[0], kv[0]))))


def _keep_top(claims: pd.DataFrame, top: int, by: str) -> tuple[pd.Series, dict[str, str]]:
    """Each claim's group key, with groups beyond the ``top`` largest summed into one
    "N other …" group, and the display names of the keys kept."""
    groups = _group_keys(claims, by)
    sizes = groups.value_counts()
    if len(sizes) > top:  # only groups that can make the cut need the (slow) natural sort
        sizes = sizes[sizes >= sizes.iloc[top - 1]] if top else sizes.iloc[:0]
        if len(sizes) > 4 * top:  # many ties at the cut (10k articles of 10 claims each)
            order = sizes.rename("n").rename_axis("key").reset_index()
            order = order.sort_values(["n", "key"], ascending=[False, True], kind="stable")
            sizes = sizes.loc[order["key"].iloc[:4 * top]]
        rest_total = groups.nunique() - len(sizes)
    else:
        rest_total = 0
    names = _key_names(claims, by, list(sizes.index))
    ranked = _ranked(sizes, names)
    kept = [name for name, _ in ranked[:top]]
    rest = len(ranked) - len(kept) + rest_total
    if not rest:
        return groups, names
    other = f"{rest:,} other {_NOUNS.get(by, 'groups')}"
    # In Arrow: pandas' masked replacement in an Arrow string column is twice as slow.
    keys = pa.array(groups, type=pa.string())
    inside = pc.is_in(keys, value_set=pa.array(kept, type=pa.string()))
    return pd.Series(pd.array(pc.if_else(inside, keys, other), dtype="str"),
                     index=groups.index), names


def _with_share(counts: pd.DataFrame, group: str) -> pd.DataFrame:
    totals = counts.groupby(group, sort=False)["count"].transform("sum")
    counts["share"] = (counts["count"] / totals).round(4)
    return counts


# --- counting: each returns exactly the rows its chart embeds --------------------------------


def breakdown_counts(claims: pd.DataFrame, taxonomy: Taxonomy, column: str, *,
                     by: str | None = None, top: int = TOP,
                     missing: str | None = None) -> pd.DataFrame:
    """Claims per ``column`` value (``status`` or ``verdict``), overall or per outlet/article.

    Columns: ``group``, ``value`` (the value's label), ``count``, ``share`` (of the group),
    ``position`` (taxonomy order), ``label`` (the group with its number of claims). Overall,
    every value of the taxonomy has a row (unused ones with count 0).
    """
    palette = _Palette.of(taxonomy, missing)
    # Count the stored ids first, then name the few rows that result.
    if by is None:
        counts = (claims[column].value_counts(dropna=False, sort=False)
                  .rename_axis("value").reset_index(name="count"))
        counts.insert(0, "group", "All claims")
    else:
        groups, names = _keep_top(claims, top, by)
        counts = (pd.DataFrame({"group": groups, "value": claims[column]})
                  .groupby(["group", "value"], sort=False, dropna=False).size()
                  .reset_index(name="count"))
        counts["group"] = _name_groups(counts["group"], names)
    counts["value"] = palette.label(counts["value"])
    if by is None:  # overall: every value of the taxonomy, the unused ones at 0
        unused = [v for v in palette.labels if v not in set(counts["value"])]
        counts = pd.concat([counts, pd.DataFrame({"group": "All claims", "value": unused,
                                                  "count": 0})], ignore_index=True)
    counts["count"] = counts["count"].astype("int64")
    counts["position"] = palette.order(counts["value"])
    counts = _with_share(counts, "group")
    # The bar's label: the group and its number of claims.
    totals = counts.groupby("group", sort=False)["count"].transform("sum")
    counts["label"] = counts["group"].astype(str) + " (" + totals.map("{:,}".format) + ")"
    return counts.sort_values(["group", "position"], ignore_index=True)


def track_record_counts(claims: pd.DataFrame, verdicts: Taxonomy, *, top: int = TOP,
                        speaker_types: Sequence[str] = NAMED_SPEAKER_TYPES) -> pd.DataFrame:
    """Verdicts of the ``top`` speakers with most claims (named speakers by default).

    Columns: ``speaker``, ``verdict`` (label, "No verdict yet" when unreviewed), ``count``,
    ``share``, ``position``, ``total`` (the speaker's claims).
    """
    palette = _Palette.of(verdicts, NO_VERDICT)
    mine = claims.loc[claims["speaker_type"].isin(speaker_types),
                      [*_speaker_columns(claims), "verdict"]]
    speakers = speaker_names(mine)
    mine, speakers = mine[speakers != ""], speakers[speakers != ""]
    chosen = _ranked(speakers.value_counts(sort=False))[:top]
    keep = speakers.isin([name for name, _ in chosen])
    frame = pd.DataFrame({"speaker": speakers[keep], "verdict": mine.loc[keep, "verdict"]})
    counts = (frame.groupby(["speaker", "verdict"], sort=False, dropna=False).size()
              .reset_index(name="count"))
    counts["verdict"] = palette.label(counts["verdict"])
    counts["position"] = palette.order(counts["verdict"])
    counts["total"] = counts["speaker"].map(dict(chosen)).astype("int64")
    return _with_share(counts, "speaker").sort_values(["total", "speaker", "position"],
                                                      ascending=[False, True, True],
                                                      ignore_index=True)


def sourcing_counts(claims: pd.DataFrame, *, top: int = TOP) -> pd.DataFrame:
    """How each outlet's attributions are sourced (named, anonymous, …), assertions left out.

    Columns: ``outlet``, ``sourcing``, ``count``, ``share``, ``position``.
    """
    attributed = claims.loc[claims["kind"] != "assertion", ["outlet", "speaker_type"]]
    outlets, names = _keep_top(attributed, top, "outlet")
    frame = pd.DataFrame({"outlet": outlets, "type": attributed["speaker_type"].fillna("")})
    per_type = frame.groupby(["outlet", "type"], sort=False).size().reset_index(name="count")
    per_type["outlet"] = _name_groups(per_type["outlet"], names)
    per_type["sourcing"] = per_type["type"].map(lambda t: SOURCING.get(t, "No stated source"))
    counts = per_type.groupby(["outlet", "sourcing"], sort=False)["count"].sum().reset_index()
    order = {name: i for i, name in enumerate(SOURCING_COLOURS)}
    counts["position"] = counts["sourcing"].map(order).astype("int64")
    return _with_share(counts, "outlet").sort_values(["outlet", "position"], ignore_index=True)


def cue_class_counts(claims: pd.DataFrame, *, by: str = "speaker", top: int = TOP,
                     speaker_types: Sequence[str] = NAMED_SPEAKER_TYPES) -> pd.DataFrame:
    """Attributions per cue class (assert, deny, allege, …) of each top speaker or outlet.

    Per speaker, only named speakers count (see ``track_record_counts``). Columns: ``group``,
    ``cue_class``, ``count``, ``share``.
    """
    mine = claims.loc[claims["cue_class"].fillna("") != "",
                      ["cue_class", "speaker_type", *_speaker_columns(claims), "outlet",
                       "article_id", "title"]]
    if by == "speaker":
        mine = mine[mine["speaker_type"].isin(speaker_types)]
        mine = mine[speaker_names(mine) != ""]
    groups, names = _keep_top(mine, top, by)
    frame = pd.DataFrame({"group": groups, "cue_class": mine["cue_class"]})
    counts = frame.groupby(["group", "cue_class"], sort=False).size().reset_index(name="count")
    counts["group"] = _name_groups(counts["group"], names)
    return _with_share(counts, "group").sort_values(["group", "cue_class"], ignore_index=True)


def _time_periods(times: pd.Series) -> tuple[pd.Series, str]:
    """Each time's bucket (a pandas Period) at the finest unit that keeps ~120 buckets."""
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    span = (times.max() - times.min()).days if len(times) else 0
    freq, unit = next((f, u) for limit, f, u in TIME_BUCKETS if limit is None or span <= limit)
    return times.dt.to_period(freq), unit


def claims_over_time_counts(claims: pd.DataFrame, statuses: Taxonomy) -> tuple[pd.DataFrame, str]:
    """Claims per publication-date bucket and status; claims with no date are left out.

    Returns the counts (``start``, ``end``, ``status``, ``count``, ``position``) and the
    bucket unit ("day", "week", "month" or "year").
    """
    dated = claims[claims["published"].notna()]
    if dated.empty:
        return pd.DataFrame(columns=["start", "end", "status", "count", "position"]), "day"
    palette = _Palette.of(statuses)
    # Count per (date, status) first: a store has far fewer dates than claims.
    per_day = (pd.DataFrame({"day": dated["published"].dt.normalize(),
                             "status": dated["status"]})
               .groupby(["day", "status"], sort=False).size().reset_index(name="count"))
    per_day["status"] = palette.label(per_day["status"])
    periods, unit = _time_periods(per_day["day"])
    per_day["period"] = periods
    counts = per_day.groupby(["period", "status"], sort=True)["count"].sum().reset_index()
    counts["start"] = counts["period"].dt.start_time
    counts["end"] = (counts["period"] + 1).dt.start_time
    counts["position"] = palette.order(counts["status"])
    return counts[["start", "end", "status", "count", "position"]], unit


def _is_in(values: pd.Series, allowed: pd.Series) -> np.ndarray:
    """``values.isin(allowed)`` hashed in Arrow: pandas' isin on Arrow strings walks a long
    ``allowed`` in Python (1.4 s for the 100k claim ids of a large store; this: 20 ms). The
    hash set is built of the distinct ``values`` (the claims with history: a few thousand)
    rather than of ``allowed`` (every claim: a million at a time)."""
    values, allowed = pa.array(values, type=pa.string()), pa.array(allowed, type=pa.string())
    distinct = pc.unique(values)
    if len(distinct) * 4 < len(allowed):  # look the many up in a set of the few
        allowed = pc.filter(allowed, pc.is_in(allowed, value_set=distinct))
    return pc.is_in(values, value_set=allowed).to_numpy(zero_copy_only=False)


def review_progress_counts(history: pd.DataFrame, claims: pd.DataFrame,
                           statuses: Taxonomy) -> tuple[pd.DataFrame, str]:
    """How many claims were in each status over time, replayed from the history.

    The current counts come from ``claims``; the status changes in ``history`` (of those
    claims) are replayed backwards to the state before the first change. One row per status at
    the start of the first bucket and at the end of every bucket with a change: ``at``,
    ``status``, ``count``, ``position``.
    """
    columns = ["at", "status", "count", "position"]
    moves = history[(history["field"] == "status") & _is_in(history["claim_id"], claims["claim_id"])]
    if moves.empty:
        return pd.DataFrame(columns=columns), "day"
    palette = _Palette.of(statuses)
    periods, unit = _time_periods(moves["at"])
    changes = pd.concat([
        pd.DataFrame({"period": periods, "status": moves["new"], "delta": 1}),
        pd.DataFrame({"period": periods, "status": moves["old"], "delta": -1})])
    per_period = changes.groupby(["period", "status"])["delta"].sum().unstack(fill_value=0)
    ids = list(dict.fromkeys([*statuses.ids, *per_period.columns,
                              *claims["status"].dropna().unique()]))
    # Every bucket, those without changes too: the area stays flat where nothing happened.
    every = pd.period_range(per_period.index.min(), per_period.index.max(),
                            freq=per_period.index.freq)
    per_period = per_period.reindex(index=every, columns=ids, fill_value=0)
    now = claims["status"].value_counts().reindex(ids, fill_value=0)
    before = now - per_period.sum()
    counts = per_period.cumsum() + before
    counts.index = (counts.index + 1).to_timestamp()  # the state at the end of each bucket
    start = (per_period.index.min()).to_timestamp()
    counts = pd.concat([before.to_frame(start).T, counts])
    long = counts.rename_axis(index="at", columns="status").stack().reset_index(name="count")
    long["status"] = palette.label(long["status"])
    long["count"] = long["count"].astype("int64")
    long["position"] = palette.order(long["status"])
    return long[columns], unit


def checkworthiness_counts(claims: pd.DataFrame, statuses: Taxonomy,
                           bins: int = 10) -> pd.DataFrame:
    """Claims per check-worthiness bin (``bins`` equal bins over 0–1) and status.

    Columns: ``low``, ``high``, ``status``, ``count``, ``position``.
    """
    palette = _Palette.of(statuses)
    scores = claims["checkworthiness"].astype("float64").fillna(0.0).clip(0.0, 1.0)
    index = np.minimum((scores.to_numpy() * bins).astype("int64"), bins - 1)
    # the column's own array: a numpy round trip of a million strings cost 0.4 s
    frame = pd.DataFrame({"bin": index, "status": claims["status"].array})
    counts = frame.groupby(["bin", "status"], sort=True).size().reset_index(name="count")
    counts["status"] = palette.label(counts["status"])
    counts["low"] = counts["bin"] / bins
    counts["high"] = (counts["bin"] + 1) / bins
    counts["position"] = palette.order(counts["status"])
    return counts[["low", "high", "status", "count", "position"]]


# --- charts ---------------------------------------------------------------------------------


def _message(title: str, message: str, subtitle: str = "") -> alt.Chart:
    """A chart that says why there is nothing to draw, instead of empty axes."""
    frame = pd.DataFrame({"message": [message]})
    return (alt.Chart(frame).mark_text(fontSize=13, color=MUTED_COLOUR, align="left", x=0, y=30)
            .encode(text="message:N")
            .properties(width=WIDTH, height=60, title=_title(title, subtitle)))


def _nothing(claims: pd.DataFrame, why: str) -> str:
    return "No claims in the store yet." if claims.empty else why


def _title(text: str, subtitle: str = "") -> alt.TitleParams:
    return alt.TitleParams(text, subtitle=subtitle) if subtitle else alt.TitleParams(text)


def _count_axis(title: str = "Claims", share: bool = False,
                top: int | None = None) -> alt.Axis:
    if share:  # quarters: tenths put "90%" and "100%" against each other
        return alt.Axis(title=title, format=".0%", values=[0, 0.25, 0.5, 0.75, 1])
    if top is not None and top <= 5:
        # Whole numbers only: with a top of 1 or 2 Vega still puts a tick at 0.5, which ",d"
        # labels as another "1".
        return alt.Axis(title=title, format=",d", values=list(range(top + 1)))
    return alt.Axis(title=title, format=",d", tickMinStep=1)


def _breakdown_chart(counts: pd.DataFrame, palette: _Palette, *, title: str, subtitle: str,
                     legend_title: str, grouped: bool) -> Chart:
    tooltip = [alt.Tooltip("group:N", title="Group"), alt.Tooltip("value:N", title=legend_title),
               alt.Tooltip("count:Q", title="Claims", format=","),
               alt.Tooltip("share:Q", title="Share", format=".1%")]
    if not grouped:
        # Overall: one bar per value, labelled with its count.
        domain, _ = palette.scale(counts["value"])
        shown = [v for v in domain if v in set(counts["value"])]
        base = alt.Chart(counts).encode(
            y=alt.Y("value:N", title=None, sort=shown),
            x=alt.X("count:Q", axis=_count_axis()))
        bars = base.mark_bar().encode(color=palette.color("value", legend_title, counts["value"],
                                                          legend=False), tooltip=tooltip)
        labels = base.mark_text(align="left", dx=4).encode(text=alt.Text("count:Q", format=","))
        return (bars + labels).properties(width=WIDTH, height=alt.Step(BAR_STEP),
                                          title=_title(title, subtitle))
    # Per group: shares, so that a big "other" group does not flatten the others; the label
    # says how many claims each bar stands for.
    labels = _group_order(counts, "label")
    return (alt.Chart(counts).mark_bar()
            .encode(y=alt.Y("label:N", title=None, sort=labels),
                    x=alt.X("count:Q", stack="normalize",
                            axis=_count_axis("Share of claims", share=True)),
                    color=palette.color("value", legend_title, counts["value"]),
                    order=alt.Order("position:Q"), tooltip=tooltip)
            .properties(width=WIDTH, height=alt.Step(BAR_STEP), title=_title(title, subtitle)))


def _group_order(counts: pd.DataFrame, field: str) -> list[str]:
    """Groups largest first (equal ones in natural order), the "N other …" group last."""
    ranked = [name for name, _ in _ranked(counts.groupby(field, sort=False)["count"].sum())]
    return ([g for g in ranked if not _OTHER.match(str(g))]
            + [g for g in ranked if _OTHER.match(str(g))])


_BY_WORDS = {None: "", "outlet": " per outlet", "article": " per article"}


def status_breakdown(claims: pd.DataFrame, statuses: Taxonomy | None = None, *,
                     by: str | None = None, top: int = TOP) -> Chart:
    """Claims per workflow status, overall (``by=None``), per ``"outlet"`` or ``"article"``."""
    statuses = _statuses(statuses)
    title = f"Review status{_BY_WORDS[by]}"
    if claims.empty:
        return _message(title, "No claims in the store yet.")
    counts = breakdown_counts(claims, statuses, "status", by=by, top=top)
    subtitle = _subtitle_for(by, top, len(claims))
    return _breakdown_chart(counts, _Palette.of(statuses), title=title, subtitle=subtitle,
                            legend_title="Status", grouped=by is not None)


def verdict_breakdown(claims: pd.DataFrame, verdicts: Taxonomy | None = None, *,
                      by: str | None = None, top: int = TOP) -> Chart:
    """Claims per verdict (unreviewed ones as "No verdict yet"), overall or per outlet/article."""
    verdicts = _verdicts(verdicts)
    title = f"Verdicts{_BY_WORDS[by]}"
    if claims.empty:
        return _message(title, "No claims in the store yet.")
    counts = breakdown_counts(claims, verdicts, "verdict", by=by, top=top, missing=NO_VERDICT)
    with_verdict = int(claims["verdict"].notna().sum())
    subtitle = _subtitle_for(by, top, len(claims)) + f" · {with_verdict:,} with a verdict"
    return _breakdown_chart(counts, _Palette.of(verdicts, NO_VERDICT), title=title,
                            subtitle=subtitle.lstrip(" ·"), legend_title="Verdict",
                            grouped=by is not None)


def _subtitle_for(by: str | None, top: int, n: int) -> str:
    what = f"{n:,} claims"
    if by is None:
        return what
    return (f"{what}; share per {by} (its claims in brackets) for the {top} {_NOUNS[by]} with "
            "most claims, the rest summed")


def speaker_record_counts(claims: pd.DataFrame, verdicts: Taxonomy,
                          speaker: int | str) -> tuple[pd.DataFrame, str, str, int]:
    """One speaker's verdicts per publication-date bucket: the counts (``start``, ``end``,
    ``verdict`` label, ``count``, ``position``), the bucket unit, the speaker's name and how
    many of their claims have no date. ``speaker``: a speaker id (``store.speakers()``) or
    the name the charts count them under."""
    if isinstance(speaker, str):
        mine = claims[speaker_names(claims) == speaker]
    else:
        ids = claims["speaker_id"] if "speaker_id" in claims.columns else pd.Series(dtype=object)
        mine = claims[(ids == int(speaker)).fillna(False).to_numpy(dtype=bool)]
    name = str(speaker) if mine.empty else str(speaker_names(mine).iloc[0])
    columns = ["start", "end", "verdict", "count", "position"]
    dated = mine[mine["published"].notna()]
    undated = len(mine) - len(dated)
    if dated.empty:
        return pd.DataFrame(columns=columns), "day", name, undated
    palette = _Palette.of(verdicts, NO_VERDICT)
    per_day = (pd.DataFrame({"day": dated["published"].dt.normalize(),
                             "verdict": dated["verdict"].astype(object)})
               .groupby(["day", "verdict"], sort=False, dropna=False).size()
               .reset_index(name="count"))
    per_day["verdict"] = palette.label(per_day["verdict"])
    per_day["period"], unit = _time_periods(per_day["day"])
    counts = per_day.groupby(["period", "verdict"], sort=True)["count"].sum().reset_index()
    counts["start"] = counts["period"].dt.start_time
    counts["end"] = (counts["period"] + 1).dt.start_time
    counts["position"] = palette.order(counts["verdict"])
    return counts[columns], unit, name, undated


def speaker_track_record(claims: pd.DataFrame, verdicts: Taxonomy | None = None, *,
                         top: int = TOP, speaker: int | str | None = None) -> Chart:
    """The named speakers with most claims, their verdicts stacked: each one's track record.

    With ``speaker`` (an id from ``store.speakers()``, or a name), one speaker's record over
    time instead: their claims' verdicts per publication date (``claims`` may be
    ``store.claims()`` or ``store.speaker_record(speaker_id)``)."""
    verdicts = _verdicts(verdicts)
    if speaker is not None:
        return _one_speaker_record(claims, verdicts, speaker)
    title = "Track record of the most quoted speakers"
    counts = track_record_counts(claims, verdicts, top=top)
    if counts.empty:
        return _message(title, _nothing(claims, "No claims by named speakers (people or "
                                                 "organisations) yet."))
    palette = _Palette.of(verdicts, NO_VERDICT)
    speakers = list(dict.fromkeys(counts["speaker"]))
    return (alt.Chart(counts).mark_bar()
            .encode(y=alt.Y("speaker:N", title=None, sort=speakers),
                    x=alt.X("count:Q", axis=_count_axis()),
                    color=palette.color("verdict", "Verdict", counts["verdict"]),
                    order=alt.Order("position:Q"),
                    tooltip=[alt.Tooltip("speaker:N", title="Speaker"),
                             alt.Tooltip("verdict:N", title="Verdict"),
                             alt.Tooltip("count:Q", title="Claims", format=","),
                             alt.Tooltip("share:Q", title="Share of speaker", format=".1%")])
            .properties(width=WIDTH, height=alt.Step(BAR_STEP),
                        title=_title(title, f"Top {top} named people and organisations by "
                                            "claims; colour: verdict")))


def _one_speaker_record(claims: pd.DataFrame, verdicts: Taxonomy, speaker: int | str) -> Chart:
    counts, unit, name, undated = speaker_record_counts(claims, verdicts, speaker)
    title = f"Track record of {name}"
    if counts.empty:
        return _message(title, f"No dated claims by {name} yet.",
                        "Verdicts of the speaker's claims by publication date")
    subtitle = _over_time_subtitle(unit, "verdict", undated)
    return _bars_over_time(counts, unit, _Palette.of(verdicts, NO_VERDICT), "verdict",
                           "Verdict", WIDTH, _title(title, subtitle))


def sourcing_by_outlet(claims: pd.DataFrame, *, top: int = TOP) -> Chart:
    """Share of each outlet's attributions by named, anonymous and other sources."""
    title = "Named vs anonymous sources per outlet"
    counts = sourcing_counts(claims, top=top)
    if counts.empty:
        return _message(title, _nothing(claims, "No attributed claims yet (only the articles' "
                                                 "own statements)."))
    kinds = list(SOURCING_COLOURS)
    return (alt.Chart(counts).mark_bar()
            .encode(y=alt.Y("outlet:N", title=None, sort=_group_order(counts, "outlet")),
                    x=alt.X("count:Q", stack="normalize",
                            axis=_count_axis("Share of attributed claims", share=True)),
                    color=alt.Color("sourcing:N", title="Source", sort=kinds,
                                    scale=alt.Scale(domain=kinds,
                                                    range=list(SOURCING_COLOURS.values()))),
                    order=alt.Order("position:Q"),
                    tooltip=[alt.Tooltip("outlet:N", title="Outlet"),
                             alt.Tooltip("sourcing:N", title="Source"),
                             alt.Tooltip("count:Q", title="Claims", format=","),
                             alt.Tooltip("share:Q", title="Share", format=".1%")])
            .properties(width=WIDTH, height=alt.Step(BAR_STEP),
                        title=_title(title, "Attributed claims only; the articles' own "
                                            "statements are left out")))


def cue_classes(claims: pd.DataFrame, *, by: str = "speaker", top: int = TOP) -> Chart:
    """How each top speaker (or outlet) reports: attributions per cue class, as a heat map."""
    title = f"How claims are reported, per {by}"
    counts = cue_class_counts(claims, by=by, top=top)
    if counts.empty:
        return _message(title, _nothing(claims, "No attributed claims with a reporting verb "
                                                 "yet."))
    groups = _group_order(counts, "group")
    classes = [name for name, _ in _ranked(counts.groupby("cue_class")["count"].sum())]
    base = alt.Chart(counts).encode(
        x=alt.X("cue_class:N", title="Cue class", sort=classes,
                axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("group:N", title=None, sort=groups))
    # Shade by share of the row: a speaker's habits, comparable between a speaker with 10
    # claims and the "N other" row with thousands.
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("share:Q", title=f"Share of {by}", legend=None,
                        scale=alt.Scale(scheme="blues", domain=[0, 1])),
        tooltip=[alt.Tooltip("group:N", title=by.capitalize()),
                 alt.Tooltip("cue_class:N", title="Cue class"),
                 alt.Tooltip("count:Q", title="Claims", format=","),
                 alt.Tooltip("share:Q", title=f"Share of {by}", format=".1%")])
    numbers = base.mark_text().encode(
        text=alt.Text("count:Q", format=","),
        color=alt.when(alt.datum.share > 0.5).then(alt.value("white"))
        .otherwise(alt.value(TEXT_COLOUR)))
    subtitle = ("Named people and organisations; c" if by == "speaker" else "C") + \
        "laims per reporting-verb class (say → assert, reject → deny, …); shade: share of row"
    return (cells + numbers).properties(width=alt.Step(64), height=alt.Step(BAR_STEP),
                                        title=_title(title, subtitle))


def _time_axis(times: pd.Series, unit: str) -> alt.Axis:
    """Ticks on whole days/weeks/months/years, about eight of them, labelled to match."""
    periods = times.dt.to_period(TIME_BUCKETS_BY_UNIT[unit])
    n = int(periods.max().ordinal - periods.min().ordinal) + 1 if len(periods) else 1
    step = max(1, -(-n // 8))
    return alt.Axis(title=None, format=TIME_FORMATS[unit], labelOverlap=True,
                    tickCount=alt.TimeIntervalStep(interval=unit, step=step))


def claims_over_time(claims: pd.DataFrame, statuses: Taxonomy | None = None) -> Chart:
    """Claims per publication date (per day, week, month or year), their status stacked."""
    statuses = _statuses(statuses)
    title = "Claims over time"
    counts, unit = claims_over_time_counts(claims, statuses)
    undated = int(claims["published"].isna().sum()) if len(claims) else 0
    if counts.empty:
        return _message(title, f"None of the {len(claims):,} claims has a publication date.",
                        "By the publication date of their article")
    subtitle = _over_time_subtitle(unit, "review status", undated)
    return _bars_over_time(counts, unit, _Palette.of(statuses), "status", "Status",
                           WIDTH + 120, _title(title, subtitle))


def _over_time_subtitle(unit: str, colour: str, undated: int) -> str:
    """What a bars-over-time chart counts, and how many claims it could not place."""
    subtitle = f"Claims per {unit} of publication; colour: {colour}"
    return subtitle + (f" · {undated:,} claims without a date left out" if undated else "")


def _tallest(counts: pd.DataFrame) -> int:
    """The highest stack of a bars-over-time chart (0 when empty)."""
    return int(counts.groupby("start")["count"].sum().max()) if len(counts) else 0


def _bars_over_time(counts: pd.DataFrame, unit: str, palette: _Palette, field: str,
                    label: str, width: int, title: alt.TitleParams) -> alt.Chart:
    """Claims per period (``counts``: start, ``field``, position, count), stacked by
    ``field`` in its taxonomy's colours: the shape of claims over time and a speaker's track
    record alike."""
    return (alt.Chart(counts).mark_bar()
            .encode(x=alt.X(f"{TIME_UNITS[unit]}(start):T",
                            axis=_time_axis(counts["start"], unit)),
                    y=alt.Y("count:Q", axis=_count_axis(top=_tallest(counts)), stack="zero"),
                    color=palette.color(field, label, counts[field]),
                    order=alt.Order("position:Q"),
                    tooltip=[alt.Tooltip("start:T", title=f"{unit.capitalize()} from",
                                         format="%Y-%m-%d"),
                             alt.Tooltip(f"{field}:N", title=label),
                             alt.Tooltip("count:Q", title="Claims", format=",")])
            .properties(width=width, height=220, title=title))


def review_progress(history: pd.DataFrame, claims: pd.DataFrame,
                    statuses: Taxonomy | None = None) -> Chart:
    """Claims in each workflow status over time, replayed from the review history."""
    statuses = _statuses(statuses)
    title = "Review progress"
    counts, unit = review_progress_counts(history, claims, statuses)
    if counts.empty:
        first = statuses.values[0].label
        return _message(title, f"No status changes recorded yet: all {len(claims):,} claims "
                               f"are as extracted ({first}).",
                        "Claims in each status over time, from the review history")
    # The first status is where every extracted claim starts: drawn, it would dwarf the
    # progress. The subtitle says how many are still there.
    first = statuses.values[0].label
    waiting = int(counts.loc[counts["at"] == counts["at"].max()]
                  .loc[lambda f: f["status"] == first, "count"].sum())
    counts = counts[counts["status"] != first]
    palette = _Palette.of(statuses)
    return (alt.Chart(counts).mark_area(opacity=1.0, line={"strokeWidth": 0.5, "color": "white"})
            .encode(x=alt.X("at:T", axis=_time_axis(counts["at"], unit)),
                    y=alt.Y("count:Q", axis=_count_axis(), stack="zero"),
                    color=palette.color("status", "Status", counts["status"]),
                    order=alt.Order("position:Q"),
                    tooltip=[alt.Tooltip("at:T", title="At", format="%Y-%m-%d %H:%M"),
                             alt.Tooltip("status:N", title="Status"),
                             alt.Tooltip("count:Q", title="Claims", format=",")])
            .properties(width=WIDTH + 120, height=220,
                        title=_title(title, f"Claims past {first} at the end of each {unit}, "
                                            f"from the review history · {waiting:,} still "
                                            f"{first}")))


def checkworthiness_distribution(claims: pd.DataFrame, statuses: Taxonomy | None = None, *,
                                 bins: int = 10) -> Chart:
    """How check-worthy the claims are (0–1), their review status stacked."""
    statuses = _statuses(statuses)
    title = "Check-worthiness"
    if claims.empty:
        return _message(title, "No claims in the store yet.")
    counts = checkworthiness_counts(claims, statuses, bins)
    palette = _Palette.of(statuses)
    return (alt.Chart(counts).mark_bar()
            .encode(x=alt.X("low:Q", title="Check-worthiness score", bin="binned",
                            scale=alt.Scale(domain=[0, 1]),
                            axis=alt.Axis(values=[i / bins for i in range(bins + 1)],
                                          format=".1f")),
                    x2="high:Q",
                    y=alt.Y("count:Q", axis=_count_axis(), stack="zero"),
                    color=palette.color("status", "Status", counts["status"]),
                    order=alt.Order("position:Q"),
                    tooltip=[alt.Tooltip("low:Q", title="Score from", format=".1f"),
                             alt.Tooltip("high:Q", title="to", format=".1f"),
                             alt.Tooltip("status:N", title="Status"),
                             alt.Tooltip("count:Q", title="Claims", format=",")])
            .properties(width=WIDTH, height=220,
                        title=_title(title, "Numbers, comparisons and names score high; "
                                            "opinions and predictions low")))


def speaker_explorer(claims: pd.DataFrame, verdicts: Taxonomy | None = None, *,
                     top: int = TOP) -> Chart:
    """Two linked charts: click a speaker on the left, the right shows how they are reported.

    The left is the track record; the right the cue classes of the selected speaker (of all
    shown speakers when none is selected; double-click clears). Interactive in JupyterLab and
    in HTML exports; static exports show the unselected state.
    """
    verdicts = _verdicts(verdicts)
    record = track_record_counts(claims, verdicts, top=top)
    if record.empty:
        return _message("Speakers and how they are reported",
                        _nothing(claims, "No claims by named speakers (people or organisations) "
                                         "yet."))
    cues = cue_class_counts(claims, by="speaker", top=len(claims))
    cues = cues[cues["group"].isin(set(record["speaker"]))].rename(columns={"group": "speaker"})
    pick = alt.selection_point(name="speaker_pick", fields=["speaker"], on="click",
                               clear="dblclick")
    left = speaker_track_record(claims, verdicts, top=top).add_params(pick).encode(
        opacity=alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.3)))
    left = left.properties(title=_title("Speakers", "Click one to see how they are reported "
                                                    "(double-click: all)"), width=360)
    right = (alt.Chart(cues).transform_filter(pick)
             .mark_bar(color="#455a64")
             .encode(y=alt.Y("cue_class:N", title=None, sort="-x"),
                     x=alt.X("sum(count):Q", axis=_count_axis()),
                     tooltip=[alt.Tooltip("cue_class:N", title="Cue class"),
                              alt.Tooltip("sum(count):Q", title="Claims", format=",")])
             .properties(width=260, height=alt.Step(BAR_STEP),
                         title=_title("Cue classes", "Of the selected speaker")))
    return alt.hconcat(left, right).resolve_scale(color="independent")


# --- the chart set: one list that the CLI, the report and the notebook share -----------------


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the set: a file name, a caption for reports, how to build it."""

    name: str
    caption: str
    build: Callable[[ChartData], Chart]


CHART_SET: tuple[ChartSpec, ...] = (
    ChartSpec("status_overall", "Where the claims are in the review workflow.",
              lambda d: status_breakdown(d.claims, d.statuses)),
    ChartSpec("verdict_overall", "The verdicts reached so far.",
              lambda d: verdict_breakdown(d.claims, d.verdicts)),
    ChartSpec("status_by_outlet", "Review status per outlet.",
              lambda d: status_breakdown(d.claims, d.statuses, by="outlet")),
    ChartSpec("verdict_by_outlet", "Verdicts per outlet.",
              lambda d: verdict_breakdown(d.claims, d.verdicts, by="outlet")),
    ChartSpec("status_by_article", "Review status per article.",
              lambda d: status_breakdown(d.claims, d.statuses, by="article")),
    ChartSpec("verdict_by_article", "Verdicts per article.",
              lambda d: verdict_breakdown(d.claims, d.verdicts, by="article")),
    ChartSpec("speaker_track_record", "The most quoted speakers and the verdicts on their "
              "claims.", lambda d: speaker_track_record(d.claims, d.verdicts)),
    ChartSpec("sourcing_by_outlet", "How often each outlet names its sources.",
              lambda d: sourcing_by_outlet(d.claims)),
    ChartSpec("cue_classes_by_speaker", "How each speaker's claims are reported "
              "(asserted, denied, alleged, …).", lambda d: cue_classes(d.claims, by="speaker")),
    ChartSpec("cue_classes_by_outlet", "How each outlet reports claims.",
              lambda d: cue_classes(d.claims, by="outlet")),
    ChartSpec("claims_over_time", "Claims by the publication date of their article.",
              lambda d: claims_over_time(d.claims, d.statuses)),
    ChartSpec("review_progress", "How the review has progressed.",
              lambda d: review_progress(d.history, d.claims, d.statuses)),
    ChartSpec("checkworthiness", "How check-worthy the claims are, and which are reviewed.",
              lambda d: checkworthiness_distribution(d.claims, d.statuses)),
    ChartSpec("speaker_explorer", "Speakers linked to how they are reported (interactive in "
              "JupyterLab and the HTML export).",
              lambda d: speaker_explorer(d.claims, d.verdicts)),
)


def chart_names() -> list[str]:
    return [spec.name for spec in CHART_SET]


def build_chart_set(data: ChartData, names: Iterable[str] | None = None) -> dict[str, Chart]:
    """Every chart of :data:`CHART_SET` (or those named), by name, in the set's order."""
    wanted = None if names is None else list(names)
    if wanted is not None:
        unknown = sorted(set(wanted) - set(chart_names()))
        if unknown:
            raise ValueError(f"unknown chart {', '.join(unknown)}; charts are: "
                             f"{', '.join(chart_names())}")
    return {spec.name: spec.build(data) for spec in CHART_SET
            if wanted is None or spec.name in wanted}


# --- export ---------------------------------------------------------------------------------


def themed_spec(chart: Chart) -> dict:
    """The chart's Vega-Lite spec with claimkit's look."""
    with alt.theme.enable(THEME):
        return chart.to_dict()


def _png(spec: dict) -> bytes:
    import vl_convert as vlc
    # The same bytes as vegalite_to_png, in two steps: the Vega step then overlaps with the
    # other export thread's rasterising (about a tenth faster for the set).
    return vlc.svg_to_png(vlc.vegalite_to_svg(spec, vl_version=_VL_VERSION), scale=2)


def _svg(spec: dict) -> bytes:
    import vl_convert as vlc
    return vlc.vegalite_to_svg(spec, vl_version=_VL_VERSION).encode("utf-8")


def _pdf(spec: dict) -> bytes:
    import vl_convert as vlc
    return vlc.vegalite_to_pdf(spec, vl_version=_VL_VERSION)


def _html(spec: dict) -> bytes:
    import vl_convert as vlc
    # bundle=True inlines Vega's JavaScript: the page works offline, and stays interactive.
    return vlc.vegalite_to_html(spec, vl_version=_VL_VERSION, bundle=True).encode("utf-8")


RENDERERS: dict[str, Callable[[dict], bytes]] = {"png": _png, "svg": _svg, "html": _html,
                                                 "pdf": _pdf}
FORMATS = tuple(RENDERERS)


def render(chart: Chart, fmt: str) -> bytes:
    """The chart as PNG (2× scale), SVG, self-contained HTML or PDF bytes, without a browser."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown chart format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return RENDERERS[fmt](themed_spec(chart))


def save_chart(chart: Chart, path: str | os.PathLike, fmt: str | None = None) -> Path:
    """Write one chart; the format is ``fmt`` or the file's suffix."""
    target = Path(path)
    fmt = fmt or target.suffix.lstrip(".").lower()
    atomic_write_bytes(target, render(chart, fmt))
    return target


def export_charts(charts: Mapping[str, Chart], out_dir: str | os.PathLike,
                  fmt: str = "png") -> list[Path]:
    """Write each chart as ``out_dir/NAME.FMT`` (the folder is made if missing)."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown chart format {fmt!r}; choose one of {', '.join(FORMATS)}")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    # Specs one after the other (the theme is switched on process-wide while a spec is made),
    # then vl-convert in two threads: it releases the GIL, which saves about a fifth.
    specs = [themed_spec(chart) for chart in charts.values()]
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        images = list(pool.map(RENDERERS[fmt], specs))
    paths = [folder / f"{name}.{fmt}" for name in charts]
    for path, image in zip(paths, images):
        atomic_write_bytes(path, image)
    return paths


def embedded_rows(chart: Chart) -> int:
    """How many data rows the chart's spec carries (what a notebook or HTML file embeds)."""
    return _count_rows(chart.to_dict())


def _count_rows(node: Any) -> int:
    if isinstance(node, dict):
        rows = sum(len(v) for v in node.get("datasets", {}).values())
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            rows += len(data["values"])
        return rows + sum(_count_rows(v) for k, v in node.items() if k not in ("datasets", "data"))
    if isinstance(node, list):
        return sum(_count_rows(v) for v in node)
    return 0


__all__ = [
    "CHART_SET", "FORMATS", "THEME", "ChartData", "ChartSpec", "breakdown_counts",
    "build_chart_set", "checkworthiness_counts", "checkworthiness_distribution", "chart_names",
    "claims_over_time", "claims_over_time_counts", "cue_class_counts", "cue_classes",
    "embedded_rows", "export_charts", "render", "review_progress", "review_progress_counts",
    "save_chart", "sourcing_by_outlet", "sourcing_counts", "speaker_explorer",
    "speaker_names", "speaker_track_record", "status_breakdown", "theme", "themed_spec", "track_record_counts",
    "use_theme", "verdict_breakdown",
]
