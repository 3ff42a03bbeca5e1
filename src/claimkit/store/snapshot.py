"""A columnar copy of what the extractor wrote, kept beside a SQLite store.

``store.claims()`` with no filters is what charts, reports and notebooks call, and at 100k claims
SQLite alone takes about a second to hand over the two million values. Most of them are the
extractor's (claims and their articles), and those change only when articles are added or
re-extracted. So the first full read writes them to an Arrow IPC file next to the database
(``claims.db-snapshot.arrow``, beside SQLite's own ``-wal`` and ``-shm``), and later reads map
that file instead of parsing rows. Reviews change all day: the snapshot holds them as of a
history event, and a read patches in the claims whose history has moved on since (a few
milliseconds for a few hundred changes; past ``PATCH_LIMIT`` it is rebuilt).

A snapshot is only used when it was taken of the same store state. Its *extraction key* is read
in the same transaction as the data it holds: the store's creation time and schema version,
SQLite's ``user_version`` (which every transaction that adds or re-extracts articles increments,
see :func:`bump_generation`), and the highest rowid of claims and articles. Any difference and
the snapshot is ignored and rebuilt. It is derived data: written atomically (temporary file and
rename), never needed for correctness, and simply not kept where the folder is read-only.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection, func, select

from claimkit.files import atomic_write
from claimkit.store.backend import in_batches
from claimkit.store.frames import (
    ALL_COLUMNS, JSON_COLUMNS, is_text, raw_frame, table_column, typed_claims,
)
from claimkit.store.schema import history, reviews

SUFFIX = "-snapshot.arrow"
# The review changes since a snapshot that are patched into it when reading; beyond this many,
# the snapshot is read afresh from the tables and saved again.
PATCH_LIMIT = 2_000
_KEY = b"claimkit.extraction_key"
_MARK = b"claimkit.history_mark"


def snapshot_path(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


def bump_generation(conn: Connection) -> None:
    """Mark the extractor's data as changed (call inside the writing transaction).

    SQLite's ``user_version`` is a number in the database header, written with the
    transaction, so a crash can never leave a new generation with old data or the reverse.
    Other backends keep no snapshot.
    """
    if conn.dialect.name != "sqlite":
        return
    current = conn.exec_driver_sql("PRAGMA user_version").scalar() or 0
    # The pragma takes no parameters; the value is an int we computed.
    conn.exec_driver_sql(f"PRAGMA user_version = {(int(current) + 1) % 2**31}")


def extraction_key(conn: Connection, columns: list[str]) -> str:
    """What the extractor's part of the store looks like now, as a short string."""
    generation = conn.exec_driver_sql("PRAGMA user_version").scalar()
    created, schema_version, last_claim, last_article = conn.exec_driver_sql(
        "SELECT (SELECT min(applied_at) FROM schema_version),"
        " (SELECT max(version) FROM schema_version),"
        " (SELECT max(rowid) FROM claims), (SELECT max(rowid) FROM articles)").one()
    return json.dumps([str(created), schema_version, generation, last_claim, last_article,
                       columns])


def load(path: Path, key: str) -> tuple[pd.DataFrame, int] | None:
    """The snapshot at ``path`` and the last history event it includes, or None when it is
    missing, unreadable or of another extraction state than ``key``."""
    try:
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all()
    except (OSError, pa.ArrowException):
        return None
    metadata = table.schema.metadata or {}
    if metadata.get(_KEY) != key.encode() or not metadata.get(_MARK, b"").isdigit():
        return None
    return table.to_pandas(), int(metadata[_MARK])


def last_event(conn: Connection) -> int:
    """The newest history event: the mark a snapshot taken now is saved with."""
    return conn.execute(select(func.coalesce(func.max(history.c.event_id), 0))).scalar()


def load_current(conn: Connection, path: Path, key: str) -> pd.DataFrame | None:
    """The snapshot at ``path`` with every review changed since it was taken patched in; None
    when it is not of ``key``'s extraction state, or so many reviews changed that reading the
    tables afresh is the better way. Call in the transaction that read ``key``."""
    found = load(path, key)
    if found is None:
        return None
    frame, taken_at = _as_read(found[0]), found[1]
    changed = _changed_since(conn, taken_at)
    if len(changed) > PATCH_LIMIT:
        return None
    return _patch_reviews(frame, _review_rows(conn, changed))


def save(path: Path, frame: pd.DataFrame, key: str, history_mark: int) -> None:
    """Write ``frame`` as the snapshot for ``key`` that includes every review change up to
    history event ``history_mark``; quietly keep none if the folder refuses."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({_KEY: key.encode(), _MARK: str(history_mark).encode()})

    def write(sink) -> None:
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)

    try:
        atomic_write(path, write, binary=True, shared=False)
    except OSError:
        pass  # derived data: the next full read rebuilds it


def _changed_since(conn: Connection, event_id: int) -> list[str]:
    """Claims whose review changed after history event ``event_id``. Every review change writes
    history in its transaction, and SQLite numbers events in commit order (one writer)."""
    return list(conn.execute(select(history.c.claim_id).distinct()
                             .where(history.c.event_id > event_id)).scalars())


def _review_rows(conn: Connection, claim_ids: list[str]) -> pd.DataFrame:
    """The review columns of these claims, typed as in the claims frame (JSON as text)."""
    names = ["claim_id", *(n for n in ALL_COLUMNS if n in reviews.c and n != "claim_id")]
    rows = [r for batch in in_batches(claim_ids) for r in conn.execute(
        select(*(reviews.c[n] for n in names)).where(reviews.c.claim_id.in_(batch))
    ).cursor.fetchall()]
    return typed_claims(raw_frame(rows, names), [n for n in names if n not in JSON_COLUMNS])


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
        column = table_column(name)
        if column.nullable and is_text(column):
            frame[name] = pd.Series(frame[name].astype(object).where(frame[name].notna(), None),
                                    dtype=object, index=frame.index)
    return frame
