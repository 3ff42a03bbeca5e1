"""Reading the store: claims as a DataFrame (filtered, or every claim through the snapshot
beside a SQLite store), one claim or article, a reviewing queue, counts and lists.

Every read is one transaction, so a frame shows one state of the store.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc
from sqlalchemy import Connection, Table, Text, func, select, type_coerce

from claimkit.model import Article
from claimkit.store import facets, snapshot
from claimkit.store.backend import in_batches
from claimkit.store.base import StoreBase
from claimkit.store.errors import UnknownClaimError
from claimkit.store.filters import ClaimFilter, claims_joined, sort_order
from claimkit.store.frames import (
    ALL_COLUMNS, ARTICLE_COLUMNS, CLAIM_COLUMNS, DETAIL_COLUMNS, JSON_COLUMNS, SPAN_COLUMNS,
    STORED_COLUMNS, gc_paused, is_missing, raw_frame, reviewed_view, table_column, typed_claims,
)
from claimkit.store.schema import articles, claims, history, reviews, settings
from claimkit.store.speakers import SpeakerMap, speaker_map, with_speakers

# A filtered read looks its claims' articles up by id when they are at most this many; past
# that, one scan of the articles table costs less than the IN lists.
ARTICLES_BY_ID_MAX = 2000


class Reading(StoreBase):
    """The reading part of a Store."""

    def claims(self, *, details: bool = False, spans: bool = False, limit: int | None = None,
               offset: int = 0, include_rejected: bool = True,
               columns: Sequence[str] | None = None, **filters: Any) -> pd.DataFrame:
        """Claims with their review state and article, one row each, as a DataFrame.

        Filters (all optional, combined with AND): ``status``, ``verdict``, ``has_verdict``,
        ``tag``, ``speaker``, ``speaker_type``, ``outlet``, ``kind``, ``cue_class``, ``since``,
        ``until`` (article published date), ``search`` (text), ``min_checkworthiness``,
        ``article_id``, ``claim_id``, ``reviewer``, ``flagged``, ``missing``, ``not_a_claim``,
        ``assignee`` (``""`` matches unassigned claims), ``speaker_id`` (the reviewed speaker's
        entity, store.speakers(), with the speakers merged into it). Text filters take one
        value or a list.
        ``details=True`` adds the extractor's detail columns (``source_text``, ``parent_id``,
        ``hedges``, ``reasons``, ``rule``, ``extractor_version``); ``spans=True`` adds the
        ``content``/``source``/``cue`` offsets.

        Reviewed values are the truth (DESIGN.md §2): ``speaker``, ``speaker_canonical``,
        ``kind``, ``cue_class`` and ``text`` hold a reviewer's correction where there is one,
        with the extractor's value beside it in ``<column>_extracted`` (``frames.reviewed_view``);
        the ``speaker``, ``kind``, ``cue_class`` filters match the reviewed values.
        ``include_rejected=False`` leaves out the claims a reviewer marked "not a claim" (what
        charts, exports and reports read); by default they are there, so that reviewers see them.
        ``columns`` keeps only these columns, in this order (the lists of tags and evidence are
        then not built unless asked for: two million Python lists at a million claims).
        """
        extra = (list(DETAIL_COLUMNS) if details else []) + (list(SPAN_COLUMNS) if spans else [])
        stored = _stored_for(columns, extra)
        claim_filter = ClaimFilter.from_kwargs(self._with_merged_speakers(filters))
        if not claim_filter.conditions() and limit is None and not offset:
            frame, found = self._all_claims(stored + extra)
            return _finish(frame, extra, include_rejected, found, columns)
        paged = limit is not None or bool(offset)
        if not paged and self.snapshot_path is not None and facets.answers(claim_filter):
            decided = self._facets_from_snapshot(claim_filter, stored + extra)
            if decided is not None:
                frame, speakers = decided
                return _finish(frame, extra, include_rejected, speakers, columns)
        names = [n for n in stored if n not in ARTICLE_COLUMNS] + extra
        # A page (limit / offset) is ordered by the database; a whole result is sorted here,
        # so that the planner may start from the most selective index (a search's hits, an
        # assignee's claims) rather than walk every claim in article order to skip a sort.
        query = (select(*(table_column(n) for n in names), claims.c.position)
                 .select_from(claims_joined()).where(claim_filter.where()))
        if paged:
            query = query.order_by(claims.c.article_id, claims.c.position, claims.c.claim_id)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)

        def work(conn: Connection):
            # The driver's own rows, not SQLAlchemy Row objects: at 100k rows the per-value
            # result processing costs more than the query. typed_claims converts the few
            # columns that need it (JSON text, dates) a whole column at a time.
            rows = conn.execute(query).cursor.fetchall()
            return rows, _articles_of(conn, {r[1] for r in rows}), speaker_map(conn)
        with gc_paused():
            rows, found, speakers = self._read(work)
        frame = raw_frame(rows, [*names, "position"])
        if not paged:
            frame = frame.sort_values(["article_id", "position", "claim_id"], kind="stable",
                                      ignore_index=True)
        about = raw_frame(found, ["article_id", *ARTICLE_COLUMNS])
        frame = frame.merge(about, on="article_id", how="left", sort=False)
        names = stored + extra
        return _finish(typed_claims(frame[names], names), extra, include_rejected, speakers,
                       columns)

    def _all_claims(self, names: list[str]) -> tuple[pd.DataFrame, SpeakerMap]:
        """Every claim: each table read straight through, joined in pandas, or the snapshot
        beside a SQLite store with the reviews changed since it patched in
        (see store/snapshot.py). One transaction, so one state of the store."""
        keep = self.snapshot_path

        def work(conn: Connection):
            snapshot.read_consistently(conn)
            found = speaker_map(conn)  # small; read in the same transaction as the claims
            if keep is None:
                return None, _read_every_claim(conn, names), False, found
            key = snapshot.extraction_key(conn, list(ALL_COLUMNS))
            latest = snapshot.last_event(conn)
            kept = snapshot.load_current(conn, keep, key, names)
            if kept is not None:
                frame, refreshed = kept  # refreshed: every review read again; save it
                return (key, latest), frame, refreshed, found
            return (key, latest), _read_every_claim(conn, list(ALL_COLUMNS)), True, found
        with gc_paused():  # see store/frames.py: 2 million new values in a few calls
            taken, frame, fresh, found = self._read(work)
        if fresh:
            snapshot.save(keep, frame, *taken)
        frame = frame[names].copy() if keep else frame
        return typed_claims(frame, [n for n in names if n in JSON_COLUMNS]), found

    def _facets_from_snapshot(self, claim_filter: ClaimFilter, names: list[str]
                              ) -> tuple[pd.DataFrame, SpeakerMap] | None:
        """A filtered read decided over the snapshot (store/facets.py), in article order; None
        when there is no current snapshot or too many reviews changed since it was taken."""
        keep = self.snapshot_path

        def work(conn: Connection):
            snapshot.read_consistently(conn)
            found = speaker_map(conn)
            kept = snapshot.load_table(keep, snapshot.extraction_key(conn, list(ALL_COLUMNS)))
            if kept is None:
                return None
            table, mark = kept
            changed = snapshot.changed_since(conn, mark)
            if len(changed) > snapshot.PATCH_LIMIT:
                return None
            # The changed claims are decided by the database, on their current reviews.
            fresh = _matching_among(conn, claim_filter, changed)
            chosen = facets.mask(table, claim_filter)
            for query in facets.database_queries(claim_filter):  # search, speaker, tags
                chosen = pc.and_(chosen, facets.rows_of(table, conn.execute(query).scalars()))
            if changed:
                chosen = pc.or_(pc.and_(chosen, pc.invert(facets.rows_of(table, changed))),
                                facets.rows_of(table, fresh))
            # Only the columns asked for are taken out of the file.
            taken = table.select([n for n in names if n in table.column_names]).filter(chosen)
            return snapshot.patched_rows(conn, taken, fresh), found
        with gc_paused():
            kept = self._read(work)
        if kept is None or kept[0] is None:
            return None
        frame, found = kept
        return typed_claims(frame[names].reset_index(drop=True),
                            [n for n in names if n in JSON_COLUMNS]), found

    def _with_merged_speakers(self, filters: dict) -> dict:
        """A ``speaker_id`` filter also matches the speakers merged into it."""
        if filters.get("speaker_id") is None:
            return filters
        wanted = filters["speaker_id"]
        wanted = {int(wanted)} if isinstance(wanted, (int, np.integer)) else {
            int(w) for w in wanted}
        found = self._read(speaker_map)
        ids = sorted(s for s, live in found.target.items() if live in wanted) or [-1]
        return {**filters, "speaker_id": ids}

    def review_queue(self, *, sort: str = "article", **filters: Any) -> pd.DataFrame:
        """The matching claims in ``sort`` order (see ``filters.SORT_ORDERS``), without their
        details: ``claim_id``, ``verdict``, ``not_a_claim``. What a reviewing queue needs to
        page through a million claims and count progress; details come one claim at a time.

        In one of the orders pandas can take over (``WHOLE_QUEUE_ORDERS``), the queue comes
        from the snapshot (every claim, or those a facet filter keeps: store/facets.py) sorted
        here: joining and sorting a million rows in the database took 4-6 s."""
        claim_filter = ClaimFilter.from_kwargs(self._with_merged_speakers(filters))
        sort_order(sort)  # an unknown sort is an error either way
        every = None
        if sort in WHOLE_QUEUE_ORDERS:
            wanted = ["claim_id", "verdict", "not_a_claim", "checkworthiness"]
            if not claim_filter.conditions():
                every, _ = self._all_claims(wanted)
            elif self.snapshot_path is not None and facets.answers(claim_filter):
                # the claims in article order, as the whole queue's; None: no snapshot
                every = (self._facets_from_snapshot(claim_filter, wanted) or (None,))[0]
        if every is not None:
            order = WHOLE_QUEUE_ORDERS[sort](every)
            return pd.DataFrame({"claim_id": every["claim_id"].iloc[order].reset_index(drop=True),
                                 "verdict": every["verdict"].iloc[order].reset_index(drop=True),
                                 "not_a_claim": every["not_a_claim"].to_numpy(dtype=bool)[order]})
        query = (select(claims.c.claim_id, reviews.c.verdict, reviews.c.not_a_claim)
                 .select_from(claims_joined()).where(claim_filter.where())
                 .order_by(*sort_order(sort)))
        rows = self._read(lambda conn: conn.execute(query).cursor.fetchall())
        with gc_paused():  # a million small tuples; built a column at a time
            ids, verdicts, rejected = (list(c) for c in zip(*rows)) if rows else ([], [], [])
            return pd.DataFrame({"claim_id": pd.array(ids, dtype="str"),
                                 "verdict": pd.Series(verdicts, dtype=object),
                                 "not_a_claim": np.array(rejected, dtype=bool)})

    def tag_names(self) -> list[str]:
        """Every tag in use, sorted."""
        query = select(reviews.c.tags).distinct().where(type_coerce(reviews.c.tags, Text) != "[]")
        return sorted({t for tags in self._read(lambda conn: conn.execute(query).scalars())
                       for t in tags})

    def outlets(self) -> list[str]:
        """Every outlet of a stored article, sorted."""
        query = select(articles.c.outlet).distinct().where(articles.c.outlet != "")
        return sorted(self._read(lambda conn: conn.execute(query).scalars()))

    def count(self, **filters: Any) -> int:
        """How many claims match the filters (see ``claims``)."""
        where = ClaimFilter.from_kwargs(self._with_merged_speakers(filters)).where()
        query = select(func.count()).select_from(claims_joined()).where(where)
        return self._read(lambda conn: conn.execute(query).scalar())

    def claim(self, claim_id: str) -> dict:
        """One claim with its review state, as a dict (raises UnknownClaimError)."""
        frame = self.claims(claim_id=claim_id, details=True, spans=True)
        if frame.empty:
            raise UnknownClaimError(claim_id)
        return {k: (None if is_missing(v) else v) for k, v in frame.iloc[0].to_dict().items()}

    def article(self, article_id: str) -> Article:
        def work(conn: Connection):
            return conn.execute(select(articles).where(articles.c.article_id == article_id)
                                ).mappings().first()
        row = self._read(work)
        if row is None:
            raise KeyError(f"no article {article_id!r} in the store")
        return Article(article_id=row["article_id"], text=row["text"], title=row["title"],
                       outlet=row["outlet"], url=row["url"], published=row["published"],
                       path=row["path"], boilerplate=tuple(tuple(s) for s in row["boilerplate"]))

    def stats(self) -> dict[str, int]:
        def work(conn: Connection) -> dict[str, int]:
            return {
                "articles": conn.execute(select(func.count()).select_from(articles)).scalar(),
                "claims": conn.execute(select(func.count()).select_from(claims)).scalar(),
                "missing": conn.execute(select(func.count()).select_from(claims)
                                        .where(claims.c.missing_since.is_not(None))).scalar(),
                "reviewed": conn.execute(select(func.count()).select_from(reviews)
                                         .where(reviews.c.version > 0)).scalar(),
                "events": conn.execute(select(func.count()).select_from(history)).scalar(),
            }
        return self._read(work)

    def setting(self, key: str, default: str | None = None) -> str | None:
        value = self._read(lambda conn: conn.execute(
            select(settings.c.value).where(settings.c.key == key)).scalar())
        return default if value is None else value


def _stored_for(columns: Sequence[str] | None, extra: list[str]) -> list[str]:
    """The stored columns a read needs for ``columns``: all of them, but the JSON lists (tags,
    evidence) only when asked for."""
    if columns is None:
        return list(STORED_COLUMNS)
    known = set(CLAIM_COLUMNS) | set(extra)
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(f"unknown claims column {', '.join(map(repr, unknown))}; columns are: "
                         f"{', '.join(CLAIM_COLUMNS)} (details=True, spans=True add "
                         f"{', '.join(DETAIL_COLUMNS + SPAN_COLUMNS)})")
    return [n for n in STORED_COLUMNS if n not in JSON_COLUMNS or n in columns]


def _finish(frame: pd.DataFrame, extra: list[str], include_rejected: bool,
            found: SpeakerMap, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The claims frame as claims() returns it: the reviewed view with the speakers' ids and
    names (store/speakers.py), in CLAIM_COLUMNS order (or the ``columns`` asked for)."""
    if not include_rejected:
        frame = frame[~frame["not_a_claim"].to_numpy(dtype=bool)].reset_index(drop=True)
    frame = with_speakers(reviewed_view(frame), found)
    if columns is not None:
        return frame[list(columns)]
    return frame[list(CLAIM_COLUMNS) + extra]


def _matching_among(conn: Connection, claim_filter: ClaimFilter, claim_ids: list[str]
                    ) -> list[str]:
    """Which of these claims match the filter, by the database."""
    query = select(claims.c.claim_id).select_from(claims_joined()).where(claim_filter.where())
    return [c for batch in in_batches(claim_ids)
            for c in conn.execute(query.where(claims.c.claim_id.in_(batch))).scalars()]


def _articles_of(conn: Connection, ids: set[str]) -> list[tuple]:
    """The article columns of these articles, as driver rows: article columns repeat on every
    claim of an article, so each article is read once and merged in."""
    query = select(articles.c.article_id, *(articles.c[n] for n in ARTICLE_COLUMNS))
    if len(ids) > ARTICLES_BY_ID_MAX:
        return conn.execute(query).cursor.fetchall()
    return [a for batch in in_batches(sorted(ids)) for a in conn.execute(
        query.where(articles.c.article_id.in_(batch))).cursor.fetchall()]


def _undecided_first(every: pd.DataFrame) -> np.ndarray:
    """filters.SORT_ORDERS["worthy_undecided"] on a frame in article order."""
    decided = (every["verdict"].notna().to_numpy(dtype=bool)
               | every["not_a_claim"].to_numpy(dtype=bool))
    worth = every["checkworthiness"].to_numpy(dtype=float)
    return np.lexsort((np.arange(len(every)), -worth, decided))


def _most_worthy(every: pd.DataFrame) -> np.ndarray:
    """filters.SORT_ORDERS["checkworthiness"] on a frame in article order."""
    worth = every["checkworthiness"].to_numpy(dtype=float)
    return np.lexsort((np.arange(len(every)), -worth))


# The review-queue orders computed on a frame of every claim in article order (each must give
# exactly the order of its SQL in filters.SORT_ORDERS; tests/test_review.py compares them).
WHOLE_QUEUE_ORDERS = {"worthy_undecided": _undecided_first, "checkworthiness": _most_worthy,
                      "article": lambda every: np.arange(len(every))}


def _read_every_claim(conn: Connection, names: Sequence[str]) -> pd.DataFrame:
    """Every claim with its review and article in (article, position) order, typed except for
    the JSON lists (decoded last, for the columns a caller asked for)."""
    parts: dict[Table, list[str]] = {claims: ["claim_id", "article_id", "position"],
                                     reviews: ["claim_id"], articles: ["article_id"]}
    for name in names:
        if name not in parts[table_column(name).table]:
            parts[table_column(name).table].append(name)
    found, review, about = (
        raw_frame(conn.execute(select(*(t.c[n] for n in cols))).cursor.fetchall(), cols)
        for t, cols in parts.items())
    found = found.iloc[_article_order(found)].reset_index(drop=True)
    review = review.set_index("claim_id").reindex(found["claim_id"]).reset_index(drop=True)
    about = about.set_index("article_id").reindex(found["article_id"]).reset_index(drop=True)
    frame = pd.concat([found, review, about], axis=1)[list(names)]
    return typed_claims(frame, [n for n in names if n not in JSON_COLUMNS])


def _article_order(found: pd.DataFrame) -> np.ndarray:
    """Row order by (article_id, position, claim_id), as the SQL path's ORDER BY gives it."""
    codes, _ = pd.factorize(found["article_id"], sort=True)
    ids, _ = pd.factorize(found["claim_id"], sort=True)
    return np.lexsort((ids, found["position"].to_numpy(), codes))
