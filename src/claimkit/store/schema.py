"""The store's tables, written once in SQLAlchemy Core for SQLite and PostgreSQL alike.

A fresh store is created at the newest schema (``metadata.create_all``) and stamped with
``SCHEMA_VERSION`` and Alembic's newest revision. An older store is brought forward by the
Alembic revisions in ``store/migrations/versions`` (store/migrate.py), in the transaction that
opens it, so a crash leaves the store at a version it really has.

Lists (spans, tags, evidence, hedges) are kept as JSON text. Tags are filtered with ``LIKE`` on
that text, which is the same SQL on both backends and fast enough at the sizes the store is for
(a full scan of 100k short strings is a few milliseconds).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger, Boolean, Column, Connection, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary,
    MetaData,
    String, Table, Text, func, insert, inspect, select, text,
)
from sqlalchemy.types import TypeDecorator

from claimkit.taxonomy import DEFAULT_STATUSES, DEFAULT_VERDICTS, Taxonomy, load_taxonomy

# The newest Alembic revision's number (store/migrations/versions/NNNN_*.py): bump with each.
SCHEMA_VERSION = 9


class JSONText(TypeDecorator):
    """A JSON value kept as text: identical storage and SQL on SQLite and PostgreSQL."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return dumps(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value == "[]":  # by far the most common value (no tags, no evidence)
            return []
        return json.loads(value)


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_iso)


def _iso(value: object) -> str:
    """Times in JSON (a history event of ``published_at``) as ISO 8601 text."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime, nullable=False),
)

# Small key-value settings: which taxonomy is in use, and the like.
settings = Table(
    "settings", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

taxonomy_values = Table(
    "taxonomy_values", metadata,
    Column("kind", String(20), primary_key=True),  # "status" | "verdict"
    Column("id", String(100), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("label", Text, nullable=False),
    Column("rating", Integer),
    Column("colour", String(20), nullable=False),
    Column("description", Text, nullable=False, default=""),
)

articles = Table(
    "articles", metadata,
    Column("article_id", String(64), primary_key=True),
    Column("title", Text, nullable=False, default=""),
    Column("outlet", Text, nullable=False, default=""),
    Column("url", Text, nullable=False, default=""),
    Column("published", Date),
    Column("path", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("boilerplate", JSONText, nullable=False, default=[]),
    Column("extractor_version", String(50), nullable=False),
    # Claims the current extractor found in it (written in the article's transaction, so a
    # check can tell a whole article from a torn one).
    Column("n_claims", Integer, nullable=False),
    Column("stored_at", DateTime, nullable=False),
)

Index("ix_articles_outlet", articles.c.outlet)
Index("ix_articles_published", articles.c.published)

claims = Table(
    "claims", metadata,
    Column("claim_id", String(64), primary_key=True),
    Column("article_id", String(64), ForeignKey("articles.article_id"), nullable=False),
    Column("position", Integer, nullable=False),  # order within the article
    Column("kind", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("content", JSONText, nullable=False),
    Column("source", JSONText, nullable=False),
    Column("cue", JSONText, nullable=False),
    Column("source_text", Text, nullable=False, default=""),
    Column("cue_text", Text, nullable=False, default=""),
    Column("speaker", Text, nullable=False, default=""),
    Column("speaker_canonical", Text, nullable=False, default=""),
    Column("speaker_type", String(20), nullable=False, default=""),
    Column("cue_lemma", String(100), nullable=False, default=""),
    Column("cue_class", String(50), nullable=False, default=""),
    Column("parent_id", String(64)),
    Column("hedges", JSONText, nullable=False, default=[]),
    Column("checkworthiness", Float, nullable=False, default=0.0),
    Column("reasons", JSONText, nullable=False, default=[]),
    Column("rule", String(100), nullable=False, default=""),
    Column("extractor_version", String(50), nullable=False),
    # Set to the extractor version that no longer found this claim; the claim and its review
    # stay. Cleared when a later extraction finds it again.
    Column("missing_since", String(50)),
    # Schema 7: the speaker entity (speakers table) the extracted speaker resolved to across
    # articles; None for anonymous, group and pronoun speakers and for assertions.
    Column("speaker_id", Integer),
)
Index("ix_claims_article", claims.c.article_id, claims.c.position)
Index("ix_claims_speaker", claims.c.speaker_canonical)
Index("ix_claims_checkworthiness", claims.c.checkworthiness)
Index("ix_claims_speaker_id", claims.c.speaker_id)

reviews = Table(
    "reviews", metadata,
    Column("claim_id", String(64), ForeignKey("claims.claim_id"), primary_key=True),
    Column("status", String(100), nullable=False),
    Column("verdict", String(100)),
    Column("tags", JSONText, nullable=False, default=[]),
    Column("note", Text, nullable=False, default=""),
    Column("evidence", JSONText, nullable=False, default=[]),
    Column("reviewer", Text),  # who made the latest change
    Column("flagged", Boolean, nullable=False, default=False),
    # "Fix the extraction" (schema 2): the reviewer's correction of the extractor's output,
    # kept as review data; the article and the extracted claim stay as they were.
    Column("corrected_speaker", Text),  # None: the extractor's speaker stands
    Column("not_a_claim", Boolean, nullable=False, default=False),
    # Schema 3: the cue class and kind as they should have been extracted, and the content
    # trimmed to the part that is the claim (a substring of claims.text). None: the extractor's.
    Column("corrected_cue_class", String(50)),
    Column("corrected_kind", String(20)),
    Column("corrected_content", Text),
    # Assignment (schema 4): whose queue the claim is in; None: nobody's.
    Column("assignee", Text),
    # Schema 5: when the claim's check was published (ClaimReview's datePublished); kept when
    # a correction reopens it, cleared only by undoing the publication.
    Column("published_at", DateTime),
    # Schema 7: the speaker entity the corrected speaker resolved to (derived from
    # corrected_speaker whenever it changes, so it has no history of its own).
    Column("corrected_speaker_id", Integer),
    # Schema 8: the claim's cluster, shared by the claims that state the same thing (other
    # outlets' wordings, a quote and its retelling; store/clustering.py). None: not clustered
    # yet. Set once by clustering (no history event); a reviewer's move is a review change.
    Column("cluster_id", String(64)),
    Column("updated_at", DateTime),
    # Optimistic concurrency: every change adds one; a change based on an older version fails.
    Column("version", Integer, nullable=False, default=0),
    # Schema 9: the PostgreSQL transaction that last updated the row, stamped by a trigger
    # (store/tracking.py); empty on SQLite.
    Column("written_xid", BigInteger),
)
Index("ix_reviews_status", reviews.c.status)
Index("ix_reviews_verdict", reviews.c.verdict)
# Partial (schema 5): only assigned claims are indexed, so a queue's few are found at once.
Index("ix_reviews_assignee", reviews.c.assignee,
      sqlite_where=reviews.c.assignee.is_not(None),
      postgresql_where=reviews.c.assignee.is_not(None))
Index("ix_reviews_cluster", reviews.c.cluster_id)

# Append-only: one row per field a change touched. All rows of one change share its version.
history = Table(
    "history", metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", String(64), ForeignKey("claims.claim_id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("field", String(50), nullable=False),
    Column("old", JSONText),
    Column("new", JSONText),
    Column("reviewer", Text),
    Column("at", DateTime, nullable=False),
    Column("undoes", Integer),  # for an undo: the version it reverted
)
Index("ix_history_claim", history.c.claim_id, history.c.version)

# Published fact-checks imported from ClaimReview / CSV files (schema 6), with their sentence
# embeddings (float32 bytes, claimkit.matching.encoder) so matching never re-embeds them.
factchecks = Table(
    "factchecks", metadata,
    Column("factcheck_id", String(64), primary_key=True),
    Column("claim", Text, nullable=False),
    Column("verdict", Text, nullable=False, default=""),
    Column("url", Text, nullable=False, default=""),
    Column("publisher", Text, nullable=False, default=""),
    Column("date", String(40), nullable=False, default=""),
    Column("claimant", Text, nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("path", Text, nullable=False, default=""),
    Column("claim_vector", LargeBinary, nullable=False),
    Column("title_vector", LargeBinary, nullable=False),
    Column("imported_at", DateTime, nullable=False),
)

# Embeddings of the team's own claims, made the first time matching needs them (schema 6).
claim_vectors = Table(
    "claim_vectors", metadata,
    Column("claim_id", String(64), ForeignKey("claims.claim_id"), primary_key=True),
    Column("text", Text, nullable=False),  # the text embedded (a trimmed content may differ)
    Column("vector", LargeBinary, nullable=False),
)

# Speakers across articles (schema 7, store/speakers.py, claimkit/speakers.py): one row per
# person or organisation; a speaker merged into another keeps its row and points at it, so ids
# once handed out (claims.speaker_id) always lead to a speaker.
speakers = Table(
    "speakers", metadata,
    Column("speaker_id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("type", String(20), nullable=False),  # "person" | "organization"
    Column("merged_into", Integer),
    Column("created_at", DateTime, nullable=False),
)

# The names (keys, claimkit.speakers.name_key) that resolve to a speaker. ``short``: the
# surname or initials a shorter mention may use; ``by_analyst``: set by a merge, rename or
# split, and so preferred over any automatic join when articles are (re-)extracted.
speaker_aliases = Table(
    "speaker_aliases", metadata,
    Column("type", String(20), primary_key=True),
    Column("alias", String(500), primary_key=True),
    Column("speaker_id", Integer, ForeignKey("speakers.speaker_id"), nullable=False),
    Column("name", Text, nullable=False),  # as first seen, titles left out
    Column("short", String(500), nullable=False, default=""),
    Column("by_analyst", Boolean, nullable=False, default=False),
)
Index("ix_speaker_aliases_speaker", speaker_aliases.c.speaker_id)
Index("ix_speaker_aliases_short", speaker_aliases.c.type, speaker_aliases.c.short)

# Append-only: every analyst change to the speakers (merge, rename, split).
speaker_events = Table(
    "speaker_events", metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("speaker_id", Integer, nullable=False),
    Column("action", String(20), nullable=False),  # "merge" | "rename" | "split"
    Column("old", JSONText),
    Column("new", JSONText),
    Column("reviewer", Text),
    Column("at", DateTime, nullable=False),
)
Index("ix_speaker_events_speaker", speaker_events.c.speaker_id)

REVIEW_FIELDS = ("status", "verdict", "tags", "note", "evidence", "flagged", "corrected_speaker",
                 "not_a_claim", "corrected_cue_class", "corrected_kind", "corrected_content",
                 "assignee", "published_at", "cluster_id")
# The reviewer's corrections of what the extractor found, and the claims-frame column each
# one replaces in the reviewed view (store/frames.py: reviewed_view).
CORRECTIONS = {"corrected_speaker": "speaker", "corrected_cue_class": "cue_class",
               "corrected_kind": "kind", "corrected_content": "text"}

class SchemaError(Exception):
    """The database is not a claimkit store, or is newer than this claimkit."""


def utcnow() -> datetime:
    """Now in UTC, naive: SQLite keeps no time zone, so every stored time is UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def current_version(conn: Connection) -> int | None:
    """The store's schema version; None for an empty database."""
    if not inspect(conn).has_table("schema_version"):
        if inspect(conn).has_table("claims"):
            raise SchemaError("the database has a 'claims' table but is not a claimkit store")
        return None
    return conn.execute(select(func.max(schema_version.c.version))).scalar()


def prepare(conn: Connection) -> int:
    """Create or upgrade the schema inside the caller's write transaction; returns the version.

    A new store is made from the current tables and stamped at Alembic's newest revision; an
    older one is upgraded by its revisions (store/migrate.py).
    """
    from claimkit.store import migrate, search, tracking  # they build on the tables here

    if conn.dialect.name == "postgresql":
        # Two processes opening a new store at once: the second waits here, then sees tables.
        conn.execute(text("SELECT pg_advisory_xact_lock(7170419)"))
    version = current_version(conn)
    if version is None:
        metadata.create_all(conn)
        search.create_search_indexes(conn)
        tracking.create_write_tracking(conn)
        conn.execute(insert(schema_version).values(version=SCHEMA_VERSION, applied_at=utcnow()))
        seed_taxonomy(conn, "status", load_taxonomy(DEFAULT_STATUSES))
        seed_taxonomy(conn, "verdict", load_taxonomy(DEFAULT_VERDICTS))
        migrate.stamp(conn, migrate.revision_for(SCHEMA_VERSION))
        return SCHEMA_VERSION
    if version > SCHEMA_VERSION:
        raise SchemaError(f"the store has schema version {version}, newer than this claimkit "
                          f"knows ({SCHEMA_VERSION}); upgrade claimkit to open it")
    migrate.upgrade(conn)
    return SCHEMA_VERSION


def seed_taxonomy(conn: Connection, kind: str, taxonomy: Taxonomy) -> None:
    conn.execute(taxonomy_values.delete().where(taxonomy_values.c.kind == kind))
    conn.execute(insert(taxonomy_values), [
        {"kind": kind, "id": v.id, "position": i, "label": v.label, "rating": v.rating,
         "colour": v.colour, "description": v.description}
        for i, v in enumerate(taxonomy.values)])
    key = f"{kind}_taxonomy"
    conn.execute(settings.delete().where(settings.c.key == key))
    conn.execute(insert(settings).values(key=key, value=taxonomy.name))
