"""Which reviews a PostgreSQL transaction wrote: ``reviews.written_xid`` (schema 9).

A snapshot (store/snapshot.py) must learn which reviews changed since it was read. On SQLite the
history says so (events are numbered in commit order); on PostgreSQL they are not, so a trigger
stamps every updated reviews row with the 64-bit id of the transaction that wrote it, and an
index finds the rows written by transactions at or after a given one. (Reading ``xmin`` gives
the same answer without a column, but only by scanning every row: 170 ms at a million claims,
more than a filtered read may take in all.) SQLite keeps the column empty.
"""
from __future__ import annotations

from sqlalchemy import Connection, text

COLUMN = "written_xid"
_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION claimkit_stamp_written_xid() RETURNS trigger AS $$ "
    "BEGIN NEW.written_xid := pg_current_xact_id()::text::bigint; RETURN NEW; END "
    "$$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS reviews_written_xid ON reviews",
    # Updates only: new reviews come with new claims, which make a new snapshot anyway.
    "CREATE TRIGGER reviews_written_xid BEFORE UPDATE ON reviews FOR EACH ROW "
    "EXECUTE FUNCTION claimkit_stamp_written_xid()",
    "CREATE INDEX IF NOT EXISTS ix_reviews_written_xid ON reviews (written_xid)",
)


def create_write_tracking(conn: Connection) -> None:
    """The trigger and index behind ``written_xid`` (PostgreSQL; nothing on SQLite)."""
    if conn.dialect.name != "postgresql":
        return
    for statement in _POSTGRESQL:
        conn.execute(text(statement))


def oldest_running(conn: Connection) -> int:
    """The oldest transaction still running as this one's snapshot was taken (PostgreSQL):
    every transaction this one cannot see has this id or a later one."""
    return int(conn.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")).scalar())


def written_since(conn: Connection, oldest: int) -> list[str]:
    """The claims whose reviews were updated by transaction ``oldest`` or later."""
    return list(conn.execute(text("SELECT claim_id FROM reviews WHERE written_xid >= :oldest"),
                             {"oldest": oldest}).scalars())
