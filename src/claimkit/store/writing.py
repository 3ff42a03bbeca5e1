"""Writing articles and their claims, and reconciling a re-extraction with what is stored.

An article and all its claims go in together or not at all. Adding an article again (a newer
extractor, or the same one) keeps every review: claims are matched by ``claim_id``; those found
again are updated, new ones are added with a fresh review, and those no longer found are kept
and flagged ``missing_since``. Nothing an analyst wrote is deleted.
"""
from __future__ import annotations

import json
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column, Connection, Engine, MetaData, Table, Text, bindparam, func, insert, select, update,
)
from sqlalchemy.exc import IntegrityError

from claimkit.model import EXTRACTOR_VERSION, Article, Claim, span_text
from claimkit.store import schema, snapshot, speakers
from claimkit.store.backend import run_transaction
from claimkit.store.base import StoreBase
from claimkit.store.schema import articles, claims, reviews, utcnow
from claimkit.store.taxonomies import default_status

# add_many refreshes the planner's statistics (tune) after a load of at least this many claims.
TUNE_AFTER_CLAIMS = 5_000


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


class Writing(StoreBase):
    """The writing part of a Store."""

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
            batch.append((article, claim_rows(article, found, extractor_version)))
            if len(batch) >= articles_per_transaction:
                total += self._add_batch(batch, extractor_version)
                batch = []
        if batch:
            total += self._add_batch(batch, extractor_version)
        if total.claims_added >= TUNE_AFTER_CLAIMS:
            tune(self.engine)
        return total

    def is_stored(self, article_id: str, extractor_version: str | None = None) -> bool:
        """Whether the article is in the store (extracted by ``extractor_version``, if given)."""
        def work(conn: Connection) -> str | None:
            return conn.execute(select(articles.c.extractor_version)
                                .where(articles.c.article_id == article_id)).scalar()
        stored = self._read(work)
        return stored is not None and (extractor_version is None or stored == extractor_version)

    def check(self) -> list[str]:
        """Problems found in the store (an empty list when it is sound).

        The database's own integrity check (SQLite), then claimkit's invariants: every
        article holds exactly the claims its transaction wrote, every claim has a review.
        """
        def work(conn: Connection) -> list[str]:
            return [*_database_problems(conn), *_torn_articles(conn), *_unreviewed(conn)]
        return self._read(work)

    def _add_batch(self, batch: list[tuple[Article, list[dict]]],
                   extractor_version: str | None) -> AddResult:
        def work(conn: Connection) -> AddResult:
            return add_articles(conn, batch, extractor_version)
        try:
            return self._write(work)
        except IntegrityError:
            # Another process stored one of these articles between our check and our insert
            # (PostgreSQL runs writers side by side): run again, now as a re-extraction.
            return self._write(work)


def tune(engine: Engine) -> None:
    """ANALYZE; on SQLite also fold the write-ahead log back into the database file: right
    after a bulk load every page lives in the WAL, and each read then looks pages up in its
    index, which made reading every claim about 1.7 times slower."""
    def work(conn: Connection) -> None:
        conn.exec_driver_sql("ANALYZE")
    run_transaction(engine, work, write=True)
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:  # outside any transaction: a checkpoint cannot run inside one
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        finally:
            raw.close()


def claim_rows(article: Article, found: Sequence[Claim],
               extractor_version: str | None) -> list[dict]:
    """The claims rows of one article, as stored; a claim listed twice is kept once."""
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


def add_articles(conn: Connection, batch: list[tuple[Article, list[dict]]],
                 extractor_version: str | None) -> AddResult:
    """Store whole articles with their claims rows in the caller's write transaction: new
    articles are inserted, stored ones updated and their claims reconciled."""
    result = AddResult(articles=len(batch))
    snapshot.bump_generation(conn)
    ids = [a.article_id for a, _ in batch]
    stored = set(conn.execute(select(articles.c.article_id)
                              .where(articles.c.article_id.in_(ids))).scalars())
    now = utcnow()
    status = default_status(conn)
    new_articles, new_claims = [], []
    names = speakers.prefetch(conn, [rows for _, rows in batch])
    for article, rows in batch:
        speakers.link_claims(conn, rows, names)  # across articles: claimkit/speakers.py
        version = _extractor_version(rows, extractor_version)
        record = _article_row(article, version, len(rows), now)
        if article.article_id in stored:
            conn.execute(update(articles)
                         .where(articles.c.article_id == article.article_id)
                         .values({k: v for k, v in record.items() if k != "article_id"}))
            result += _reconcile(conn, article.article_id, rows, version, status)
        else:
            stored.add(article.article_id)  # the same article twice in one batch
            new_articles.append(record)
            new_claims.extend(rows)
    if new_articles:
        conn.execute(insert(articles), new_articles)
    _insert_claims(conn, new_claims, status)
    result.claims_added += len(new_claims)
    return result


def _reconcile(conn: Connection, article_id: str, rows: list[dict], version: str,
               status: str) -> AddResult:
    """A stored article extracted again: add the new claims, update those found again, and
    flag those no longer found as missing since ``version`` (never delete: they hold reviews)."""
    old = dict(conn.execute(select(claims.c.claim_id, claims.c.missing_since)
                            .where(claims.c.article_id == article_id)).all())
    found = {r["claim_id"] for r in rows}
    fresh = [r for r in rows if r["claim_id"] not in old]
    kept = [r for r in rows if r["claim_id"] in old]
    gone = [cid for cid, missing in old.items() if cid not in found and missing is None]
    _insert_claims(conn, fresh, status)
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


def _insert_claims(conn: Connection, rows: list[dict], status: str) -> None:
    """New claims, each with a fresh review at ``status``."""
    if not rows:
        return
    _insert_raw(conn, claims, rows)
    _insert_raw(conn, reviews, [
        {"claim_id": r["claim_id"], "status": status, "verdict": None, "tags": "[]",
         "note": "", "evidence": "[]", "reviewer": None, "flagged": False,
         "corrected_speaker": None, "not_a_claim": False,
         "updated_at": None, "version": 0} for r in rows])


def _insert_raw(conn: Connection, table: Table, rows: list[dict]) -> None:
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


# The claims table as the database holds it (JSON columns as their text), for rows that
# _claim_row has already encoded.
_CLAIMS_AS_TEXT = Table("claims", MetaData(), *(
    Column(c.name, Text() if isinstance(c.type, schema.JSONText) else c.type,
           primary_key=c.primary_key) for c in claims.columns))


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
        "missing_since": None, "speaker_id": None,  # set by speakers.link_claims
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
    """The version an article is recorded as extracted by: the caller's, else its claims'."""
    if given:
        return given
    if rows and rows[0]["extractor_version"]:
        return rows[0]["extractor_version"]
    return EXTRACTOR_VERSION


def _enum(value: Any) -> str:
    return getattr(value, "value", value) or ""


_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _encode_json(value: Sequence) -> str:
    return _JSON_ENCODER.encode(value) if value else "[]"


def _encode_spans(spans: Sequence[tuple[int, int]]) -> str:
    return "[" + ",".join(f"[{int(s)},{int(e)}]" for s, e in spans) + "]"


def _database_problems(conn: Connection) -> list[str]:
    """SQLite's own integrity and foreign-key checks (PostgreSQL keeps its own house)."""
    if conn.dialect.name != "sqlite":
        return []
    problems: list[str] = []
    result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
    if result != ["ok"]:
        problems += [f"integrity_check: {r}" for r in result]
    for row in conn.exec_driver_sql("PRAGMA foreign_key_check"):
        problems.append(f"foreign key: {tuple(row)}")
    return problems


def _torn_articles(conn: Connection) -> list[str]:
    """Articles whose stored claims are not the ones their transaction wrote."""
    found = (select(claims.c.article_id, func.count().label("n"))
             .where(claims.c.missing_since.is_(None))
             .group_by(claims.c.article_id).subquery())
    torn = conn.execute(
        select(articles.c.article_id, articles.c.n_claims, found.c.n)
        .select_from(articles.outerjoin(found, found.c.article_id == articles.c.article_id))
        .where(articles.c.n_claims != func.coalesce(found.c.n, 0))).all()
    return [f"article {a}: {n} claims recorded, {m or 0} stored" for a, n, m in torn]


def _unreviewed(conn: Connection) -> list[str]:
    unreviewed = conn.execute(
        select(func.count()).select_from(
            claims.outerjoin(reviews, reviews.c.claim_id == claims.c.claim_id))
        .where(reviews.c.claim_id.is_(None))).scalar()
    return [f"{unreviewed} claims have no review row"] if unreviewed else []
