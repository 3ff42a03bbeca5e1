"""Facet filters answered from the snapshot (store/snapshot.py) in Arrow, not by the database.

A filtered read such as "in review, from this outlet, check-worthiness at least 0.5" puts its
conditions on three tables (reviews, articles, claims). Each alone matches a few percent of a
large store, so the database walks tens of thousands of rows through two joins to find the few
thousand that match all three: 0.5-1.5 s at a million claims on either backend. The snapshot
holds every claim's columns side by side, so the same conditions are a handful of vectorised
comparisons over columns mapped from a file (a few milliseconds each), and only the rows that
match are turned into a DataFrame.

The snapshot's review columns may be older than the store's: the claims whose reviews changed
since (``snapshot.changed_since``, at most ``PATCH_LIMIT``) are decided by the database instead
and patched in, exactly as a full read does.

Every condition here must select exactly the rows its SQL in ``filters.ClaimFilter.conditions``
selects; tests/test_store_facets.py compares the two on both backends. Text search, the speaker
filter (both through their own indexes) and tags (whose SQL ``LIKE`` differs in case between
the backends) are asked of the database, as the ids of the claims that meet them; filters by
claim or article id (a primary-key lookup) leave the whole read to the database.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, time

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Select, select

from claimkit.store.filters import ClaimFilter, as_date, as_list
from claimkit.store.schema import claims, reviews

# ClaimFilter fields and how each becomes a boolean column over the snapshot's table.
Condition = Callable[[pa.Table, object], pa.ChunkedArray]


def _text(table: pa.Table, column: str) -> pa.ChunkedArray:
    """A text column; one that holds no value at all comes back from pandas as Arrow's null
    type, which compares with nothing."""
    values = table[column]
    return values.cast(pa.string()) if pa.types.is_null(values.type) else values


def _one_of(values: pa.ChunkedArray, wanted: list[str]) -> pa.ChunkedArray:
    """``values IN wanted``. A few values are compared one by one: Arrow's equality on a
    million strings is several times faster than its set lookup (3 ms against 22 ms)."""
    if not wanted:
        return pa.chunked_array([pa.array([False] * len(values), type=pa.bool_())])
    if len(wanted) > FEW:
        return pc.is_in(values, value_set=pa.array(wanted, type=pa.string()))
    found = pc.equal(values, wanted[0])
    for value in wanted[1:]:
        found = pc.or_kleene(found, pc.equal(values, value))
    return found


FEW = 8


def _any_of(column: str) -> Condition:
    return lambda table, value: _one_of(_text(table, column), as_list(value))


def _reviewed_any_of(column: str) -> Condition:
    """A corrected column (kind, cue_class) as reviewed: the correction where there is one."""
    def condition(table: pa.Table, value: object) -> pa.ChunkedArray:
        fix = _text(table, f"corrected_{column}")
        has_fix = pc.and_(pc.is_valid(fix), pc.not_equal(pc.fill_null(fix, ""), ""))
        reviewed = pc.if_else(has_fix, fix, _text(table, column))
        return _one_of(reviewed, as_list(value))
    return condition


def _flag(column: str) -> Condition:
    # SQL's "IS TRUE" / "IS FALSE": a NULL is neither
    return lambda table, value: pc.fill_null(pc.equal(table[column], bool(value)), False)


def _has_verdict(table: pa.Table, value: object) -> pa.ChunkedArray:
    return pc.is_valid(table["verdict"]) if value else pc.is_null(table["verdict"])


def _missing(table: pa.Table, value: object) -> pa.ChunkedArray:
    return pc.is_valid(table["missing_since"]) if value else pc.is_null(table["missing_since"])


def _at_least_worth(table: pa.Table, value: object) -> pa.ChunkedArray:
    return pc.greater_equal(table["checkworthiness"], float(value))


def _published(compare: Callable, name: str) -> Condition:
    def condition(table: pa.Table, value: object) -> pa.ChunkedArray:
        column = table["published"]
        day = as_date(value, name)
        if pa.types.is_timestamp(column.type):
            bound = pa.scalar(datetime.combine(day, time()), type=column.type)
        else:
            bound = pa.scalar(day, type=column.type)
        return compare(column, bound)
    return condition


def _assignee(table: pa.Table, value: object) -> pa.ChunkedArray:
    names = as_list(value)
    column = _text(table, "assignee")
    named = _one_of(column, [n for n in names if n])
    return pc.or_kleene(named, pc.is_null(column)) if "" in names else named


def _speaker_id(table: pa.Table, value: object) -> pa.ChunkedArray:
    wanted = [int(value)] if isinstance(value, int) else [int(v) for v in value]  # type: ignore[union-attr]
    ids = pa.array(wanted, type=pa.int64())
    corrected = table["corrected_speaker_id"].cast(pa.int64())
    extracted = table["speaker_id"].cast(pa.int64())
    return pc.or_(pc.is_in(corrected, value_set=ids),
                  pc.and_(pc.is_null(corrected), pc.is_in(extracted, value_set=ids)))


def _speaker(table: pa.Table, value: object) -> pa.ChunkedArray:
    """The reviewed speaker contains the text, case-insensitively (as search.speaker_contains):
    the correction where there is one, else the extractor's speaker or canonical name."""
    fix = _text(table, "corrected_speaker")
    has_fix = pc.and_(pc.is_valid(fix), pc.not_equal(pc.fill_null(fix, ""), ""))
    needle = str(value).lower()
    extracted = pc.or_(_contains(table, "speaker", needle),
                       _contains(table, "speaker_canonical", needle))
    return pc.if_else(has_fix, pc.match_substring(pc.utf8_lower(fix), needle), extracted)


def _contains(table: pa.Table, column: str, needle: str) -> pa.ChunkedArray:
    """Rows whose lower-cased ``column`` contains ``needle``. Speakers repeat: the comparison
    runs over the column's distinct values (kept per snapshot, see ``distinct``) and each row
    takes its value's answer."""
    values, codes = distinct(table, column)
    hits = pc.match_substring(pc.utf8_lower(values), needle)
    return pa.chunked_array([pc.take(hits, codes)])


_DISTINCT: dict[tuple, tuple[pa.Array, pa.Array]] = {}
_DISTINCT_KEPT = 8


def distinct(table: pa.Table, column: str) -> tuple[pa.Array, pa.Array]:
    """The column's distinct values and each row's index into them. Kept per snapshot (its
    metadata names the extraction state and the review mark it was saved at): hashing a
    million names costs more than matching them."""
    key = (tuple(sorted((table.schema.metadata or {}).items())), table.num_rows, column)
    kept = _DISTINCT.get(key)
    if kept is None:
        if len(_DISTINCT) >= _DISTINCT_KEPT:
            _DISTINCT.clear()
        encoded = pc.dictionary_encode(_text(table, column)).combine_chunks()
        kept = _DISTINCT[key] = (encoded.dictionary, encoded.indices)
    return kept


CONDITIONS: dict[str, Condition] = {
    "status": _any_of("status"), "verdict": _any_of("verdict"),
    "speaker_type": _any_of("speaker_type"), "outlet": _any_of("outlet"),
    "article_id": _any_of("article_id"), "claim_id": _any_of("claim_id"),
    "reviewer": _any_of("reviewer"), "cluster_id": _any_of("cluster_id"),
    "kind": _reviewed_any_of("kind"), "cue_class": _reviewed_any_of("cue_class"),
    "has_verdict": _has_verdict, "missing": _missing, "flagged": _flag("flagged"),
    "not_a_claim": _flag("not_a_claim"), "min_checkworthiness": _at_least_worth,
    "since": _published(pc.greater_equal, "since"), "until": _published(pc.less_equal, "until"),
    "assignee": _assignee, "speaker_id": _speaker_id, "speaker": _speaker,
}


def given(claim_filter: ClaimFilter) -> dict[str, object]:
    """The filter's fields that are set."""
    return {name: getattr(claim_filter, name) for name in ClaimFilter.names()
            if getattr(claim_filter, name) is not None}


# Filters the database answers faster by its own index: a claim or an article by id.
BY_ID = {"claim_id", "article_id"}
# Filters only the database decides (text search through its index, tags by its LIKE): it
# names the claims that match them, and the rest is decided here.
BY_THE_DATABASE = {"search", "tag"}


def _wanted(claim_filter: ClaimFilter) -> set[str]:
    """The filter's conditions. (Empty text filters count as not given, as in
    ``ClaimFilter.conditions``.)"""
    return {n for n, v in given(claim_filter).items() if not (n in ("speaker", "search")
                                                             and not v)}


def answers(claim_filter: ClaimFilter) -> bool:
    """Whether the filter is best decided here: every condition can be (or the database names
    the claims that meet it), and none picks claims by id."""
    wanted = _wanted(claim_filter)
    return (bool(wanted) and wanted <= set(CONDITIONS) | BY_THE_DATABASE
            and not wanted & BY_ID)


def database_queries(claim_filter: ClaimFilter) -> list[Select]:
    """One query per condition only the database decides, each naming the claims that meet it
    from the one table it is about: joining every candidate to its review and article, which
    these conditions never look at, cost more than finding them (0.4 s for 20k at 1M)."""
    queries = []
    for name in sorted(_wanted(claim_filter) & BY_THE_DATABASE):
        table = reviews if name == "tag" else claims
        condition = ClaimFilter(**{name: getattr(claim_filter, name)}).where()
        queries.append(select(table.c.claim_id).where(condition))
    return queries


def mask(table: pa.Table, claim_filter: ClaimFilter) -> pa.ChunkedArray:
    """True for the snapshot rows that match every condition (NULL counts as no match)."""
    result: pa.ChunkedArray | None = None
    for name, value in given(claim_filter).items():
        if name not in CONDITIONS:
            continue
        this = pc.fill_null(CONDITIONS[name](table, value), False)
        result = this if result is None else pc.and_(result, this)
    if result is None:
        return pa.chunked_array([pa.array([True] * table.num_rows, type=pa.bool_())])
    return result


def rows_of(table: pa.Table, claim_ids: Iterable[str]) -> pa.ChunkedArray:
    """True for the snapshot rows of these claims."""
    return pc.is_in(table["claim_id"], value_set=pa.array(list(claim_ids), type=pa.string()))
