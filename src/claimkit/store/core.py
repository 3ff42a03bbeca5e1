"""The claim store: articles and claims in, reviews and their history kept for good.

Every public method is one transaction. Writes follow three rules:

* an article and all its claims go in together or not at all (``add``);
* a review change and its history events go in together, and only if the claim is still at the
  version the change was based on (``review``, ``bulk_review``, ``undo``);
* nothing an analyst wrote is ever deleted: re-extraction keeps claims it no longer finds and
  flags them ``missing_since``; undo is a new change that restores the old values.
"""
from __future__ import annotations

import getpass
import json
import operator
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column, Connection, Engine, MetaData, String, Table, Text, bindparam, func, insert, select,
    type_coerce, update,
)
from sqlalchemy.exc import IntegrityError

from claimkit.model import EXTRACTOR_VERSION, Article, Claim, span_text
from claimkit.store import frames, schema, snapshot
from claimkit.store.backend import (
    StoreError, create_store_engine, describe_target, run_transaction,
)
from claimkit.store.filters import ClaimFilter, sort_order
from claimkit.store.schema import (
    articles, claims, history, reviews, settings, taxonomy_values, utcnow,
)
from claimkit.taxonomy import Taxonomy, TaxonomyError, Value, load_taxonomy

# The columns of store.claims(), in order.
CLAIM_COLUMNS = (
    "claim_id", "article_id", "kind", "text", "speaker", "speaker_canonical", "speaker_type",
    "cue_lemma", "cue_class", "cue_text", "checkworthiness", "missing_since",
    "status", "verdict", "tags", "note", "evidence", "reviewer", "flagged", "updated_at",
    "version", "title", "outlet", "url", "published", "corrected_speaker", "not_a_claim",
)
# With details=True: why and how the extractor found the claim.
DETAIL_COLUMNS = ("source_text", "parent_id", "hedges", "reasons", "rule", "extractor_version")
SPAN_COLUMNS = ("content", "source", "cue")
ARTICLE_COLUMNS = ("title", "outlet", "url", "published")
HISTORY_COLUMNS = ("event_id", "claim_id", "version", "field", "old", "new", "reviewer", "at",
                   "undoes")
KINDS = ("status", "verdict")
# Every column claims() can return; what the snapshot beside a SQLite store keeps.
ALL_COLUMNS = tuple(dict.fromkeys((*CLAIM_COLUMNS, *DETAIL_COLUMNS, *SPAN_COLUMNS)))
# The review changes since a snapshot that are patched into it when reading; beyond this many,
# the snapshot is read afresh from the tables and saved again.
SNAPSHOT_PATCH_LIMIT = 2_000
# optimize() writes the snapshot ahead of the analyst's first read only up to this many claims:
# writing it holds every claim in memory once (~1.5-2 KB a claim, measured at 136k), and a store
# much larger than this is worked through filters, not read whole. claims() still writes it
# whenever somebody does read everything.
SNAPSHOT_ON_OPTIMIZE_MAX_CLAIMS = 500_000


class ConflictError(Exception):
    """A review change was based on a version of the claim that someone else has since changed.

    ``changes`` lists what happened after ``expected_version``: dicts with version, reviewer,
    at, field, old, new.
    """

    def __init__(self, claim_id: str, expected_version: int, current_version: int,
                 changes: list[dict]) -> None:
        self.claim_id = claim_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.changes = changes
        super().__init__(_conflict_message(claim_id, expected_version, current_version, changes))


class UnknownClaimError(KeyError):
    def __str__(self) -> str:
        return f"no claim {self.args[0]!r} in the store"


class NothingToUndo(Exception):
    pass


@dataclass
class AddResult:
    """What ``add`` / ``add_many`` did."""

    articles: int = 0
    claims_added: int = 0
    claims_updated: int = 0  # found again by (re-)extraction; their reviews untouched
    claims_missing: int = 0  # newly flagged: the new extractor no longer finds them

    def __iadd__(self, other: AddResult) -> AddResult:
        self.articles += other.articles
        self.claims_added += other.claims_added
        self.claims_updated += other.claims_updated
        self.claims_missing += other.claims_missing
        return self


@dataclass
class _Change:
    """A requested review change, validated; tags may be set whole or added / removed."""

    values: dict[str, Any] = field(default_factory=dict)
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)

    def apply_to(self, current: Mapping[str, Any]) -> dict[str, Any]:
        """The new values of the fields that actually change."""
        new = dict(self.values)
        if self.add_tags or self.remove_tags:
            tags = list(new.get("tags", current["tags"]))
            tags += [t for t in self.add_tags if t not in tags]
            new["tags"] = [t for t in tags if t not in self.remove_tags]
        return {k: v for k, v in new.items() if current[k] != v}


def open_store(target: str | os.PathLike, *, reviewer: str | None = None) -> Store:
    """Open (creating if needed) a store: a SQLite file path, or a ``postgresql://`` URL.

    ``reviewer`` is who review changes are recorded as when a call does not say; it defaults to
    the login name.
    """
    engine = create_store_engine(target)
    store = Store(engine, describe_target(target), reviewer=reviewer)
    try:
        store._prepare()
    except BaseException:
        engine.dispose()
        raise
    return store


class Store:
    """Use :func:`open_store`. A Store is safe to share between threads, not across fork."""

    def __init__(self, engine: Engine, name: str, reviewer: str | None = None) -> None:
        self.engine = engine
        self.name = name
        self.reviewer = reviewer or _login_name()
        # SQLite stores on a file keep a snapshot of the extractor's columns (store/snapshot.py).
        self._snapshot_path = (snapshot.snapshot_path(Path(engine.url.database))
                               if engine.dialect.name == "sqlite" else None)

    def __repr__(self) -> str:
        return f"<claimkit store {self.name}>"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name  # "sqlite" | "postgresql"

    # --- transactions --------------------------------------------------------------------------

    def _read(self, work):
        return run_transaction(self.engine, work, write=False)

    def _write(self, work):
        return run_transaction(self.engine, work, write=True)

    def _prepare(self) -> None:
        try:
            version = self._read(schema.current_version)
            if version != schema.SCHEMA_VERSION:
                self._write(schema.prepare)
        except schema.SchemaError as exc:
            raise StoreError(f"{self.name}: {exc}") from None
        except Exception as exc:
            if type(exc).__module__.startswith("sqlalchemy"):
                raise StoreError(f"cannot open store {self.name}: {_first_line(exc)}") from None
            raise

    # --- writing claims ------------------------------------------------------------------------

    def add(self, article: Article, claims_: Sequence[Claim], *,
            extractor_version: str | None = None) -> AddResult:
        """Store one article with its claims in one transaction.

        Adding an article again (a newer extractor, or the same one) keeps every review: claims
        are matched by ``claim_id``; those found again are updated, new ones added with a fresh
        review, and those no longer found are kept and flagged ``missing_since``.
        """
        return self.add_many([(article, claims_)], extractor_version=extractor_version)

    def add_many(self, items: Iterable[tuple[Article, Sequence[Claim]]], *,
                 articles_per_transaction: int = 1,
                 extractor_version: str | None = None) -> AddResult:
        """``add`` for many articles; each transaction holds whole articles only.

        A larger ``articles_per_transaction`` is faster for bulk loads (fewer commits); a crash
        then loses at most that many articles, never part of one.
        """
        total = AddResult()
        batch: list[tuple[Article, list[dict]]] = []
        for article, found in items:
            batch.append((article, self._claim_rows(article, found, extractor_version)))
            if len(batch) >= articles_per_transaction:
                total += self._add_batch(batch, extractor_version)
                batch = []
        if batch:
            total += self._add_batch(batch, extractor_version)
        if total.claims_added >= 5_000:
            self._tune()
        return total

    def optimize(self) -> None:
        """Ready the store for reading after a large load: refresh the query planner's
        statistics, fold SQLite's write-ahead log into the file, and write the snapshot that
        makes reading every claim fast (store/snapshot.py), unless the store holds more than
        ``SNAPSHOT_ON_OPTIMIZE_MAX_CLAIMS`` claims. ``claimkit extract`` runs this at the end;
        ``add_many`` does the first two after 5,000 claims or more.
        """
        self._tune()
        if self._snapshot_path is not None and self.count() <= SNAPSHOT_ON_OPTIMIZE_MAX_CLAIMS:
            self.claims()

    def _tune(self) -> None:
        """ANALYZE; on SQLite also fold the write-ahead log back into the database file: right
        after a bulk load every page lives in the WAL, and each read then looks pages up in its
        index, which made reading every claim about 1.7 times slower."""
        def work(conn: Connection) -> None:
            conn.exec_driver_sql("ANALYZE")
        self._write(work)
        if self.backend == "sqlite":
            raw = self.engine.raw_connection()
            try:  # outside any transaction: a checkpoint cannot run inside one
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
            finally:
                raw.close()

    def _add_batch(self, batch: list[tuple[Article, list[dict]]],
                   extractor_version: str | None) -> AddResult:
        def work(conn: Connection) -> AddResult:
            return self._add_tx(conn, batch, extractor_version)
        try:
            return self._write(work)
        except IntegrityError:
            # Another process stored one of these articles between our check and our insert
            # (PostgreSQL runs writers side by side): run again, now as a re-extraction.
            return self._write(work)

    def _add_tx(self, conn: Connection, batch: list[tuple[Article, list[dict]]],
                extractor_version: str | None) -> AddResult:
        result = AddResult(articles=len(batch))
        snapshot.bump_generation(conn)
        ids = [a.article_id for a, _ in batch]
        stored = set(conn.execute(select(articles.c.article_id)
                                  .where(articles.c.article_id.in_(ids))).scalars())
        now = utcnow()
        status = self._default_status(conn)
        new_articles, new_claims = [], []
        for article, rows in batch:
            version = _extractor_version(rows, extractor_version)
            record = _article_row(article, version, len(rows), now)
            if article.article_id in stored:
                conn.execute(update(articles)
                             .where(articles.c.article_id == article.article_id)
                             .values({k: v for k, v in record.items() if k != "article_id"}))
                result += self._reconcile(conn, article.article_id, rows, version, status)
            else:
                stored.add(article.article_id)  # the same article twice in one batch
                new_articles.append(record)
                new_claims.extend(rows)
        if new_articles:
            conn.execute(insert(articles), new_articles)
        self._insert_claims(conn, new_claims, status)
        result.claims_added += len(new_claims)
        return result

    def _reconcile(self, conn: Connection, article_id: str, rows: list[dict], version: str,
                   status: str) -> AddResult:
        old = dict(conn.execute(select(claims.c.claim_id, claims.c.missing_since)
                                .where(claims.c.article_id == article_id)).all())
        found = {r["claim_id"] for r in rows}
        fresh = [r for r in rows if r["claim_id"] not in old]
        kept = [r for r in rows if r["claim_id"] in old]
        gone = [cid for cid, missing in old.items() if cid not in found and missing is None]
        self._insert_claims(conn, fresh, status)
        if kept:
            conn.execute(update(_CLAIMS_AS_TEXT)
                         .where(_CLAIMS_AS_TEXT.c.claim_id == bindparam("b_claim_id")),
                         [{**{k: v for k, v in r.items() if k != "claim_id"},
                           "b_claim_id": r["claim_id"]} for r in kept])
        if gone:
            conn.execute(update(claims).where(claims.c.claim_id.in_(gone))
                         .values(missing_since=version))
        return AddResult(claims_added=len(fresh), claims_updated=len(kept),
                         claims_missing=len(gone))

    @staticmethod
    def _insert_claims(conn: Connection, rows: list[dict], status: str) -> None:
        if not rows:
            return
        _insert_raw(conn, claims, rows)
        _insert_raw(conn, reviews, [
            {"claim_id": r["claim_id"], "status": status, "verdict": None, "tags": "[]",
             "note": "", "evidence": "[]", "reviewer": None, "flagged": False,
             "corrected_speaker": None, "not_a_claim": False,
             "updated_at": None, "version": 0} for r in rows])

    @staticmethod
    def _claim_rows(article: Article, found: Sequence[Claim],
                    extractor_version: str | None) -> list[dict]:
        rows, seen = [], set()
        for position, claim in enumerate(found):
            if claim.article_id != article.article_id:
                raise ValueError(f"claim {claim.claim_id} belongs to article {claim.article_id}, "
                                 f"not {article.article_id}")
            if claim.claim_id in seen:  # one claim twice in a list: keep the first
                continue
            seen.add(claim.claim_id)
            rows.append(_claim_row(article, claim, position, extractor_version))
        return rows

    def is_stored(self, article_id: str, extractor_version: str | None = None) -> bool:
        """Whether the article is in the store (extracted by ``extractor_version``, if given)."""
        def work(conn: Connection) -> str | None:
            return conn.execute(select(articles.c.extractor_version)
                                .where(articles.c.article_id == article_id)).scalar()
        stored = self._read(work)
        return stored is not None and (extractor_version is None or stored == extractor_version)

    # --- reading ------------------------------------------------------------------------------

    def claims(self, *, details: bool = False, spans: bool = False, limit: int | None = None,
               offset: int = 0, **filters: Any) -> pd.DataFrame:
        """Claims with their review state and article, one row each, as a DataFrame.

        Filters (all optional, combined with AND): ``status``, ``verdict``, ``has_verdict``,
        ``tag``, ``speaker``, ``speaker_type``, ``outlet``, ``kind``, ``cue_class``, ``since``,
        ``until`` (article published date), ``search`` (text), ``min_checkworthiness``,
        ``article_id``, ``claim_id``, ``reviewer``, ``flagged``, ``missing``, ``not_a_claim``.
        Text filters take one value or a list. ``details=True`` adds the extractor's detail columns
        (``source_text``, ``parent_id``, ``hedges``, ``reasons``, ``rule``,
        ``extractor_version``); ``spans=True`` adds the ``content``/``source``/``cue`` offsets.
        """
        extra = (list(DETAIL_COLUMNS) if details else []) + (list(SPAN_COLUMNS) if spans else [])
        claim_filter = ClaimFilter.from_kwargs(filters)
        if not claim_filter.conditions() and limit is None and not offset:
            return self._all_claims(list(CLAIM_COLUMNS) + extra)
        names = [n for n in CLAIM_COLUMNS if n not in ARTICLE_COLUMNS] + extra
        query = (select(*(_column(n) for n in names)).select_from(_joined())
                 .where(claim_filter.where()).order_by(claims.c.article_id, claims.c.position))
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)

        def work(conn: Connection):
            # The driver's own rows, not SQLAlchemy Row objects: at 100k rows the per-value
            # result processing costs more than the query. _typed_claims converts the few
            # columns that need it (JSON text, dates) a whole column at a time.
            rows = conn.execute(query).cursor.fetchall()
            # Article columns repeat on every claim of an article: read each article once.
            ids = {r[1] for r in rows}
            article_query = select(articles.c.article_id,
                                   *(articles.c[n] for n in ARTICLE_COLUMNS))
            if len(ids) <= 2000:
                found = [a for chunk in _chunks(sorted(ids), 500) for a in conn.execute(
                    article_query.where(articles.c.article_id.in_(chunk))).cursor.fetchall()]
            else:
                found = conn.execute(article_query).cursor.fetchall()
            return rows, found
        with frames.gc_paused():
            rows, found = self._read(work)
        frame = _raw_frame(rows, names)
        about = _raw_frame(found, ["article_id", *ARTICLE_COLUMNS])
        frame = frame.merge(about, on="article_id", how="left", sort=False)
        names = list(CLAIM_COLUMNS) + extra
        return _typed_claims(frame[names], names)

    def _all_claims(self, names: list[str]) -> pd.DataFrame:
        """Every claim: each table read straight through, joined in pandas, or the snapshot
        beside a SQLite store with the reviews changed since it patched in
        (see store/snapshot.py). One transaction, so one state of the store."""
        keep = self._snapshot_path

        def work(conn: Connection):
            if keep is None:
                return None, _read_every_claim(conn, names), False
            key = snapshot.extraction_key(conn, list(ALL_COLUMNS))
            latest = _last_event(conn)
            found = snapshot.load(keep, key)
            if found is not None:
                frame, taken_at = _as_read(found[0]), found[1]
                changed = _changed_since(conn, taken_at)
                if len(changed) <= SNAPSHOT_PATCH_LIMIT:
                    patched = _patch_reviews(frame, _review_rows(conn, changed))
                    if patched is not None:
                        return None, patched, False
            return (key, latest), _read_every_claim(conn, list(ALL_COLUMNS)), True
        with frames.gc_paused():  # see store/frames.py: 2 million new values in a few calls
            taken, frame, fresh = self._read(work)
        if fresh:
            snapshot.save(keep, frame, *taken)
        frame = frame[names].copy() if keep else frame
        return _typed_claims(frame, [n for n in names if n in _JSON_COLUMNS])

    def review_queue(self, *, sort: str = "article", **filters: Any) -> pd.DataFrame:
        """The matching claims in ``sort`` order (see ``filters.SORT_ORDERS``), without their
        details: ``claim_id``, ``verdict``, ``not_a_claim``. What a reviewing queue needs to
        page through 100k claims and count progress; details come one claim at a time."""
        where = ClaimFilter.from_kwargs(filters).where()
        query = (select(claims.c.claim_id, reviews.c.verdict, reviews.c.not_a_claim)
                 .select_from(_joined()).where(where).order_by(*sort_order(sort)))
        rows = self._read(lambda conn: conn.execute(query).cursor.fetchall())
        frame = pd.DataFrame.from_records(rows, columns=["claim_id", "verdict", "not_a_claim"],
                                          coerce_float=False)
        frame["not_a_claim"] = frame["not_a_claim"].astype(bool)
        return frame

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
        where = ClaimFilter.from_kwargs(filters).where()
        query = select(func.count()).select_from(_joined()).where(where)
        return self._read(lambda conn: conn.execute(query).scalar())

    def claim(self, claim_id: str) -> dict:
        """One claim with its review state, as a dict (raises UnknownClaimError)."""
        frame = self.claims(claim_id=claim_id, details=True, spans=True)
        if frame.empty:
            raise UnknownClaimError(claim_id)
        return {k: (None if _missing(v) else v) for k, v in frame.iloc[0].to_dict().items()}

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

    def history(self, claim_id: str | None = None, *, reviewer: str | None = None,
                since: datetime | None = None) -> pd.DataFrame:
        """Review events, oldest first: one row per field a change touched."""
        query = select(*(history.c[n] for n in HISTORY_COLUMNS)).order_by(history.c.event_id)
        if claim_id is not None:
            query = query.where(history.c.claim_id == claim_id)
        if reviewer is not None:
            query = query.where(history.c.reviewer == reviewer)
        if since is not None:
            query = query.where(history.c.at >= _naive_utc(since))
        rows = self._read(lambda conn: conn.execute(query).all())
        frame = pd.DataFrame.from_records(rows, columns=list(HISTORY_COLUMNS))
        for name in ("old", "new"):  # values of any field: keep None, lists and flags as they are
            frame[name] = pd.Series([r[HISTORY_COLUMNS.index(name)] for r in rows],
                                    dtype=object, index=frame.index)
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
        frame["undoes"] = frame["undoes"].astype("Int64")
        return frame

    # --- reviewing ----------------------------------------------------------------------------

    def review(self, claim_id: str, *, status: str | None = None, verdict: str | None = None,
               tags: Iterable[str] | None = None, note: str | None = None,
               evidence: Iterable[str] | str | None = None, reviewer: str | None = None,
               flagged: bool | None = None, add_tags: Iterable[str] | None = None,
               remove_tags: Iterable[str] | None = None,
               corrected_speaker: str | None = None, not_a_claim: bool | None = None,
               expected_version: int | None = None) -> int:
        """Change a claim's review; returns its new version.

        Arguments left as None are unchanged; ``verdict=""`` clears the verdict. ``tags`` and
        ``evidence`` replace the lists; ``add_tags`` / ``remove_tags`` edit the tag list.
        ``corrected_speaker`` and ``not_a_claim`` fix the extraction as review data (the
        extracted claim is kept as it was); ``corrected_speaker=""`` clears the correction.
        With ``expected_version`` the change is made only if nobody changed the claim since
        that version; otherwise :class:`ConflictError` says what they set. A change that
        changes nothing returns the current version and records nothing.
        """
        change = _change(status=status, verdict=verdict, tags=tags, note=note,
                         evidence=evidence, flagged=flagged, add_tags=add_tags,
                         remove_tags=remove_tags, corrected_speaker=corrected_speaker,
                         not_a_claim=not_a_claim)
        who = reviewer or self.reviewer

        def work(conn: Connection) -> int:
            self._check_taxonomy_values(conn, change.values)
            current = self._locked_review(conn, claim_id, expected_version)
            return self._apply(conn, current, change.apply_to(current), who, utcnow())
        return self._write(work)

    def bulk_review(self, where: Mapping[str, Any] | None = None, *,
                    claim_ids: Iterable[str] | None = None, status: str | None = None,
                    verdict: str | None = None, tags: Iterable[str] | None = None,
                    note: str | None = None, evidence: Iterable[str] | str | None = None,
                    reviewer: str | None = None, flagged: bool | None = None,
                    add_tags: Iterable[str] | None = None,
                    remove_tags: Iterable[str] | None = None) -> int:
        """Apply one change to every claim matching ``where`` (claims() filters) and/or
        ``claim_ids``, in one transaction; returns how many claims changed.

        Each changed claim gets a new version and its own history events.
        """
        if where is None and claim_ids is None:
            raise ValueError("bulk_review needs a filter (where=...) or claim_ids")
        condition = ClaimFilter.from_kwargs(dict(where or {}))
        if claim_ids is not None:
            ids = list(claim_ids)
            condition = ClaimFilter.from_kwargs({**dict(where or {}), "claim_id": ids})
        change = _change(status=status, verdict=verdict, tags=tags, note=note,
                         evidence=evidence, flagged=flagged, add_tags=add_tags,
                         remove_tags=remove_tags)
        who = reviewer or self.reviewer
        query = (select(claims.c.claim_id).select_from(_joined()).where(condition.where())
                 .order_by(claims.c.claim_id))

        def work(conn: Connection) -> int:
            self._check_taxonomy_values(conn, change.values)
            matched = list(conn.execute(query).scalars())
            now, changed = utcnow(), 0
            for start in range(0, len(matched), 500):
                chunk = matched[start:start + 500]
                rows = conn.execute(_review_select().where(reviews.c.claim_id.in_(chunk))
                                    .order_by(reviews.c.claim_id).with_for_update()
                                    ).mappings().all()
                for current in rows:
                    diff = change.apply_to(current)
                    if diff:
                        self._apply(conn, current, diff, who, now)
                        changed += 1
            return changed
        return self._write(work)

    def undo(self, claim_id: str, reviewer: str | None = None, *,
             expected_version: int | None = None) -> int:
        """Revert the claim's latest change that is not yet undone, as a new change.

        Returns the new version; raises NothingToUndo when every change is already undone.
        """
        who = reviewer or self.reviewer

        def work(conn: Connection) -> int:
            current = self._locked_review(conn, claim_id, expected_version)
            events = conn.execute(select(history).where(history.c.claim_id == claim_id)
                                  .order_by(history.c.version.desc(), history.c.event_id)
                                  ).mappings().all()
            by_version: dict[int, list] = {}
            for e in events:
                by_version.setdefault(e["version"], []).append(e)
            undone: set[int] = set()
            for version, group in by_version.items():  # newest first
                if group[0]["undoes"] is not None:
                    undone.add(group[0]["undoes"])
                elif version not in undone:
                    restore = {e["field"]: e["old"] for e in group}
                    return self._apply(conn, current, restore, who, utcnow(), undoes=version,
                                       always=True)
            raise NothingToUndo(f"nothing to undo for claim {claim_id}")
        return self._write(work)

    def _locked_review(self, conn: Connection, claim_id: str,
                       expected_version: int | None) -> Mapping[str, Any]:
        current = conn.execute(_review_select().where(reviews.c.claim_id == claim_id)
                               .with_for_update()).mappings().first()
        if current is None:
            raise UnknownClaimError(claim_id)
        if expected_version is not None and current["version"] != expected_version:
            raise _conflict(conn, claim_id, expected_version, current["version"])
        return current

    @staticmethod
    def _apply(conn: Connection, current: Mapping[str, Any], diff: dict[str, Any], who: str,
               now: datetime, undoes: int | None = None, always: bool = False) -> int:
        """Write one change (already validated and locked) and its history events."""
        if not diff and not always:
            return current["version"]
        version = current["version"] + 1
        done = conn.execute(
            update(reviews)
            .where(reviews.c.claim_id == current["claim_id"])
            .where(reviews.c.version == current["version"])
            .values(**diff, reviewer=who, updated_at=now, version=version))
        if done.rowcount != 1:  # cannot happen under the row lock; never write blind
            raise _conflict(conn, current["claim_id"], current["version"], None)
        conn.execute(insert(history), [
            {"claim_id": current["claim_id"], "version": version, "field": name,
             "old": current[name], "new": value, "reviewer": who, "at": now, "undoes": undoes}
            for name, value in diff.items()])
        return version

    # --- taxonomies ---------------------------------------------------------------------------

    def taxonomy(self, kind: str) -> Taxonomy:
        """The store's statuses (``"status"``) or verdicts (``"verdict"``), in order."""
        _check_kind(kind)

        def work(conn: Connection) -> Taxonomy:
            return _stored_taxonomy(conn, kind)
        return self._read(work)

    def set_taxonomy(self, kind: str, taxonomy: Taxonomy | str, *,
                     remap: Mapping[str, str | None] | None = None,
                     reviewer: str | None = None) -> int:
        """Use another set of statuses or verdicts (a Taxonomy, a preset name or a file).

        Claims that use a value the new taxonomy lacks must be moved with ``remap``
        (``{"old": "new"}``; for verdicts ``None`` clears them); each move is a review change
        with history. Returns how many claims were moved. Raises TaxonomyError, changing
        nothing, when a value in use is not remapped.
        """
        _check_kind(kind)
        new = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
        remap = {old: (target or None) for old, target in (remap or {}).items()}
        for old, target in remap.items():
            if target is None and kind == "status":
                raise TaxonomyError(f"status {old!r} must be remapped to a status")
            if target is not None and target not in new:
                raise TaxonomyError(f"remap target {target!r} is not a {kind} of {new.name}")
        column = reviews.c[kind]
        who = reviewer or self.reviewer

        def work(conn: Connection) -> int:
            used = dict(conn.execute(select(column, func.count()).where(column.is_not(None))
                                     .group_by(column)).all())
            stranded = {v: n for v, n in used.items() if v not in new and v not in remap}
            if stranded:
                listed = ", ".join(f"{n} claim{'s' if n != 1 else ''} with {kind} {v!r}"
                                   for v, n in sorted(stranded.items()))
                raise TaxonomyError(
                    f"{new.name} has no {', '.join(repr(v) for v in sorted(stranded))}, which "
                    f"the store uses ({listed}); pass remap={{old: new}} to move them")
            moved, now = 0, utcnow()
            for old, target in remap.items():
                if old not in used or old == target:
                    continue
                rows = conn.execute(_review_select().where(column == old)
                                    .order_by(reviews.c.claim_id).with_for_update()
                                    ).mappings().all()
                for current in rows:
                    self._apply(conn, current, {kind: target}, who, now)
                    moved += 1
            schema.seed_taxonomy(conn, kind, new)
            return moved
        return self._write(work)

    def _check_taxonomy_values(self, conn: Connection, values: Mapping[str, Any]) -> None:
        for kind in KINDS:
            value = values.get(kind)
            if value is None:
                continue
            known = conn.execute(select(taxonomy_values.c.id)
                                 .where(taxonomy_values.c.kind == kind)
                                 .where(taxonomy_values.c.id == value)).first()
            if known is None:
                ids = _stored_taxonomy(conn, kind).ids
                raise ValueError(f"unknown {kind} {value!r}; this store's {kind} values are: "
                                 f"{', '.join(ids)}")

    @staticmethod
    def _default_status(conn: Connection) -> str:
        return conn.execute(select(taxonomy_values.c.id).where(taxonomy_values.c.kind == "status")
                            .order_by(taxonomy_values.c.position).limit(1)).scalar()

    # --- checks -------------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Problems found in the store (an empty list when it is sound).

        The database's own integrity check (SQLite), then claimkit's invariants: every
        article holds exactly the claims its transaction wrote, every claim has a review.
        """
        def work(conn: Connection) -> list[str]:
            problems: list[str] = []
            if conn.dialect.name == "sqlite":
                result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
                if result != ["ok"]:
                    problems += [f"integrity_check: {r}" for r in result]
                for row in conn.exec_driver_sql("PRAGMA foreign_key_check"):
                    problems.append(f"foreign key: {tuple(row)}")
            found = (select(claims.c.article_id, func.count().label("n"))
                     .where(claims.c.missing_since.is_(None))
                     .group_by(claims.c.article_id).subquery())
            torn = conn.execute(
                select(articles.c.article_id, articles.c.n_claims, found.c.n)
                .select_from(articles.outerjoin(found, found.c.article_id == articles.c.article_id))
                .where(articles.c.n_claims != func.coalesce(found.c.n, 0))).all()
            problems += [f"article {a}: {n} claims recorded, {m or 0} stored"
                         for a, n, m in torn]
            unreviewed = conn.execute(
                select(func.count()).select_from(
                    claims.outerjoin(reviews, reviews.c.claim_id == claims.c.claim_id))
                .where(reviews.c.claim_id.is_(None))).scalar()
            if unreviewed:
                problems.append(f"{unreviewed} claims have no review row")
            return problems
        return self._read(work)

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


# --- helpers ----------------------------------------------------------------------------------


def _joined():
    return (claims.join(reviews, reviews.c.claim_id == claims.c.claim_id)
            .join(articles, articles.c.article_id == claims.c.article_id))


def _article_order(found: pd.DataFrame) -> np.ndarray:
    """Row order by (article_id, position), as the SQL path's ORDER BY gives it."""
    codes, _ = pd.factorize(found["article_id"], sort=True)
    return np.lexsort((found["position"].to_numpy(), codes))


def _read_every_claim(conn: Connection, names: Sequence[str]) -> pd.DataFrame:
    """Every claim with its review and article in (article, position) order, typed except for
    the JSON lists (decoded last, for the columns a caller asked for)."""
    parts: dict[Table, list[str]] = {claims: ["claim_id", "article_id", "position"],
                                     reviews: ["claim_id"], articles: ["article_id"]}
    for name in names:
        if name not in parts[_column(name).table]:
            parts[_column(name).table].append(name)
    found, review, about = (
        _raw_frame(conn.execute(select(*(t.c[n] for n in cols))).cursor.fetchall(), cols)
        for t, cols in parts.items())
    found = found.iloc[_article_order(found)].reset_index(drop=True)
    review = review.set_index("claim_id").reindex(found["claim_id"]).reset_index(drop=True)
    about = about.set_index("article_id").reindex(found["article_id"]).reset_index(drop=True)
    frame = pd.concat([found, review, about], axis=1)[list(names)]
    return _typed_claims(frame, [n for n in names if n not in _JSON_COLUMNS])


def _last_event(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(history.c.event_id), 0))).scalar()


def _changed_since(conn: Connection, event_id: int) -> list[str]:
    """Claims whose review changed after history event ``event_id``. Every review change writes
    history in its transaction, and SQLite numbers events in commit order (one writer)."""
    return list(conn.execute(select(history.c.claim_id).distinct()
                             .where(history.c.event_id > event_id)).scalars())


def _review_rows(conn: Connection, claim_ids: list[str]) -> pd.DataFrame:
    """The review columns of these claims, typed as in the claims frame (JSON as text)."""
    names = ["claim_id", *(n for n in ALL_COLUMNS if n in reviews.c and n != "claim_id")]
    rows = [r for chunk in _chunks(claim_ids, 500) for r in conn.execute(
        select(*(reviews.c[n] for n in names)).where(reviews.c.claim_id.in_(chunk))
    ).cursor.fetchall()]
    return _typed_claims(_raw_frame(rows, names), [n for n in names if n not in _JSON_COLUMNS])


def _patch_reviews(frame: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame | None:
    """``frame`` (a snapshot) with the review columns of the ``changed`` rows replaced; None
    if a changed claim is not in it (the key should have caught that: never guess)."""
    if changed.empty:
        return frame
    rows = pd.Index(frame["claim_id"]).get_indexer(changed["claim_id"])
    if (rows < 0).any():
        return None
    for name in changed.columns.drop("claim_id"):
        column = frame[name].copy()
        column.iloc[rows] = changed[name].array
        frame[name] = column
    return frame


def _as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame back from Arrow with the types the database path gives: nullable text columns
    hold None (Arrow hands them back as strings with NaN)."""
    for name in frame.columns:
        column = _column(name)
        if column.nullable and _is_text(column):
            frame[name] = pd.Series(frame[name].astype(object).where(frame[name].notna(), None),
                                    dtype=object, index=frame.index)
    return frame


def _column(name: str):
    for table in (claims, reviews, articles):
        if name in table.c:
            return table.c[name]
    raise KeyError(name)


def _review_select():
    return select(reviews)


def _insert_raw(conn: Connection, table, rows: list[dict]) -> None:
    """INSERT many rows whose values are already what the database stores.

    The statement is still SQLAlchemy's (one SQL for both backends, parameterised); only the
    per-value type processing is skipped, which is most of the cost of a 100k-claim load.
    Callers pass JSON columns as text and no dates.
    """
    if not rows:
        return
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=keys)
    if compiled.positional:
        row_values = operator.itemgetter(*compiled.positiontup)
        params: list = [row_values(r) for r in rows] if len(compiled.positiontup) > 1 else [
            (row_values(r),) for r in rows]
    else:
        params = rows
    conn.exec_driver_sql(str(compiled), params)


_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

# The claims table as the database holds it (JSON columns as their text), for rows that
# _claim_row has already encoded.
_CLAIMS_AS_TEXT = Table("claims", MetaData(), *(
    Column(c.name, Text() if isinstance(c.type, schema.JSONText) else c.type,
           primary_key=c.primary_key) for c in claims.columns))


def _encode_json(value: Sequence) -> str:
    return _JSON_ENCODER.encode(value) if value else "[]"


def _encode_spans(spans: Sequence[tuple[int, int]]) -> str:
    return "[" + ",".join(f"[{int(s)},{int(e)}]" for s, e in spans) + "]"


_JSON_COLUMNS = ("hedges", "reasons", "tags", "evidence", *SPAN_COLUMNS)


def _raw_frame(rows: Sequence[tuple], names: Sequence[str]) -> pd.DataFrame:
    """Driver rows as a frame of database values (text columns as pandas strings)."""
    text = {n for n in names if not _column(n).nullable and _is_text(_column(n))}
    return frames.rows_to_frame(rows, names, text)


def _is_text(column) -> bool:
    return isinstance(column.type, (String, Text)) and not isinstance(column.type,
                                                                       schema.JSONText)


def _typed_claims(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Database values -> the claims frame's types (lists decoded, dates and flags typed)."""
    for name in names:
        column = frame[name]
        if name in _JSON_COLUMNS:
            frame[name] = pd.Series(_json_values(column), dtype=object,
                                    index=frame.index)
        elif name == "updated_at":  # one unit whatever the values (all-empty would give s)
            frame[name] = pd.to_datetime(column.astype(object), utc=True).dt.as_unit("us")
        elif name == "published":
            frame[name] = pd.to_datetime(column.astype(object)).dt.as_unit("us")
        elif name in ("flagged", "not_a_claim"):
            frame[name] = column.astype(bool)
        elif name == "version":
            frame[name] = column.astype("int64")
        elif name == "checkworthiness":
            frame[name] = column.astype("float64")
    return frame


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _json_values(values: pd.Series) -> list:
    """Decode a column of JSON lists; each row gets its own list object.

    Most rows are "[]": they get a fresh empty list without a parse, and the others repeat, so
    each distinct text is parsed once.
    """
    with frames.gc_paused():
        result: list = [[] for _ in range(len(values))]
        others = np.flatnonzero((values != "[]").to_numpy(dtype=bool, na_value=True))
        decoded: dict[str, list] = {}
        for i in others.tolist():
            text = values.iat[i]
            if _missing(text):
                result[i] = None
                continue
            if text not in decoded:
                decoded[text] = json.loads(text)
            result[i] = list(decoded[text])
        return result


def _claim_row(article: Article, claim: Claim, position: int,
               extractor_version: str | None) -> dict:
    """A claims row as stored: lists already encoded as JSON text."""
    return {
        "claim_id": claim.claim_id, "article_id": article.article_id, "position": position,
        "kind": _enum(claim.kind), "text": claim.text,
        "content": _encode_spans(claim.content), "source": _encode_spans(claim.source),
        "cue": _encode_spans(claim.cue),
        "source_text": span_text(article.text, claim.source, squeeze=True),
        "cue_text": span_text(article.text, claim.cue, squeeze=True),
        "speaker": claim.speaker, "speaker_canonical": claim.speaker_canonical,
        "speaker_type": _enum(claim.speaker_type), "cue_lemma": claim.cue_lemma,
        "cue_class": claim.cue_class, "parent_id": claim.parent_id,
        "hedges": _encode_json(claim.hedges), "checkworthiness": float(claim.checkworthiness),
        "reasons": _encode_json(claim.reasons), "rule": claim.rule,
        "extractor_version": extractor_version or claim.extractor_version,
        "missing_since": None,
    }


def _article_row(article: Article, version: str, n_claims: int, now: datetime) -> dict:
    return {
        "article_id": article.article_id, "title": article.title or "",
        "outlet": article.outlet or "", "url": article.url or "",
        "published": article.published, "path": article.path or "", "text": article.text,
        "boilerplate": [list(s) for s in article.boilerplate], "extractor_version": version,
        "n_claims": n_claims, "stored_at": now,
    }


def _extractor_version(rows: list[dict], given: str | None) -> str:
    if given:
        return given
    if rows and rows[0]["extractor_version"]:
        return rows[0]["extractor_version"]
    return EXTRACTOR_VERSION


def _enum(value: Any) -> str:
    return getattr(value, "value", value) or ""


def _change(*, status, verdict, tags, note, evidence, flagged, add_tags, remove_tags,
            corrected_speaker=None, not_a_claim=None) -> _Change:
    change = _Change()
    if status is not None:
        change.values["status"] = _value_id(status, "status")
    if verdict is not None:
        change.values["verdict"] = _value_id(verdict, "verdict") if verdict else None
    if tags is not None:
        change.values["tags"] = _tags(tags)
    if note is not None:
        if not isinstance(note, str):
            raise TypeError(f"note must be text, got {type(note).__name__}")
        change.values["note"] = note
    if evidence is not None:
        change.values["evidence"] = _evidence(evidence)
    if flagged is not None:
        change.values["flagged"] = bool(flagged)
    if corrected_speaker is not None:
        if not isinstance(corrected_speaker, str):
            raise TypeError(f"corrected_speaker must be text, got "
                            f"{type(corrected_speaker).__name__}")
        change.values["corrected_speaker"] = " ".join(corrected_speaker.split()) or None
    if not_a_claim is not None:
        change.values["not_a_claim"] = bool(not_a_claim)
    change.add_tags = _tags(add_tags or [])
    change.remove_tags = _tags(remove_tags or [])
    if not change.values and not change.add_tags and not change.remove_tags:
        raise ValueError("nothing to change: give status, verdict, tags, note, evidence, "
                         "flagged, corrected_speaker or not_a_claim")
    return change


def _value_id(value: object, kind: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{kind} must be text, got {type(value).__name__}")
    return value.strip()


def _tags(tags: Iterable[str] | str) -> list[str]:
    if isinstance(tags, str):
        tags = [tags]
    out: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            raise TypeError(f"a tag must be text, got {type(tag).__name__}")
        tag = " ".join(tag.split())
        if not tag:
            raise ValueError("empty tag")
        if tag not in out:
            out.append(tag)
    return out


def _evidence(evidence: Iterable[str] | str) -> list[str]:
    if isinstance(evidence, str):
        evidence = [evidence]
    out: list[str] = []
    for url in evidence:
        url = str(url).strip()
        parts = urlsplit(url)
        # Evidence ends up as links in reports and the review app: only web addresses.
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"evidence must be http(s) URLs, got {url!r}")
        if url not in out:
            out.append(url)
    return out


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be 'status' or 'verdict', got {kind!r}")


def _stored_taxonomy(conn: Connection, kind: str) -> Taxonomy:
    rows = conn.execute(select(taxonomy_values).where(taxonomy_values.c.kind == kind)
                        .order_by(taxonomy_values.c.position)).mappings().all()
    name = conn.execute(select(settings.c.value)
                        .where(settings.c.key == f"{kind}_taxonomy")).scalar() or kind
    return Taxonomy(name, tuple(Value(r["id"], r["label"], r["rating"], r["colour"],
                                      r["description"]) for r in rows))


def _conflict(conn: Connection, claim_id: str, expected: int,
              current: int | None) -> ConflictError:
    if current is None:
        current = conn.execute(select(reviews.c.version)
                               .where(reviews.c.claim_id == claim_id)).scalar() or expected
    events = conn.execute(select(history.c.version, history.c.reviewer, history.c.at,
                                 history.c.field, history.c.old, history.c.new)
                          .where(history.c.claim_id == claim_id)
                          .where(history.c.version > expected)
                          .order_by(history.c.version, history.c.event_id)).mappings().all()
    return ConflictError(claim_id, expected, current, [dict(e) for e in events])


def _conflict_message(claim_id: str, expected: int, current: int, changes: list[dict]) -> str:
    by_version: dict[int, list[dict]] = {}
    for change in changes:
        by_version.setdefault(change["version"], []).append(change)
    described = []
    for version, group in by_version.items():
        who = group[0]["reviewer"] or "someone"
        when = group[0]["at"].strftime("%Y-%m-%d %H:%M UTC") if group[0]["at"] else ""
        fields = ", ".join(f"{c['field']} to {_shown(c['new'])}" for c in group)
        described.append(f"{who} set {fields} (version {version}, {when})")
    what = "; ".join(described) if described else "it changed"
    return (f"claim {claim_id} was changed after version {expected} (it is now at version "
            f"{current}): {what}. Your change was not saved; look at the claim again and "
            f"redo it on version {current}.")


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(repr(v) for v in value) + "]"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


def _missing(value: Any) -> bool:
    return not isinstance(value, (list, tuple, str)) and bool(pd.isna(value))


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return pd.Timestamp(moment).tz_convert("UTC").tz_localize(None).to_pydatetime()


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return None


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


__all__ = ["AddResult", "ConflictError", "NothingToUndo", "Store", "StoreError",
           "UnknownClaimError", "open_store"]
