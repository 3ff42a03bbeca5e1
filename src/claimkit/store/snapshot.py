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

A PostgreSQL store keeps its snapshot in the user's cache folder
(``$XDG_CACHE_HOME/claimkit/snapshots``, named by a hash of the store's URL without its
password): reading a million claims through the driver took 8-18 s, most of it the
extractor's columns again. Its key holds a generation number kept in ``settings``, which every
transaction that adds or re-extracts articles increments (the row is written in that
transaction, so it commits with the data). PostgreSQL numbers history events from a sequence,
not in commit order, so the reviews changed since a snapshot are found by the transactions
that wrote them instead (store/tracking.py): every reviews row written by a transaction the
snapshot's reading transaction could not see carries a transaction id at or after that
transaction's oldest running one, which is what the snapshot records as its mark. Patching a
few rows too many is harmless.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
from sqlalchemy import URL, Connection, Integer, Text, cast, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from claimkit.config import user_cache_dir
from claimkit.files import atomic_write
from claimkit.store import tracking
from claimkit.store.backend import in_batches
from claimkit.store.frames import (
    ALL_COLUMNS, JSON_COLUMNS, is_text, raw_frame, table_column, typed_claims,
)
from claimkit.store.schema import history, reviews, settings

SUFFIX = "-snapshot.arrow"
# The review changes since a snapshot that are patched into it when reading; beyond this many,
# the snapshot is read afresh from the tables and saved again.
PATCH_LIMIT = 2_000
_KEY = b"claimkit.extraction_key"
_MARK = b"claimkit.history_mark"
GENERATION = "extraction_generation"  # the settings row of a PostgreSQL store's generation


def snapshot_path(database: Path) -> Path:
    """A SQLite store's snapshot: beside its file."""
    return database.with_name(database.name + SUFFIX)


def cached_snapshot_path(url: URL) -> Path:
    """A PostgreSQL store's snapshot: in the user's cache folder, named by the store's URL."""
    shown = url.render_as_string(hide_password=True)
    return user_cache_dir() / "snapshots" / (hashlib.sha256(shown.encode()).hexdigest()[:32]
                                             + SUFFIX)


def bump_generation(conn: Connection) -> None:
    """Mark the extractor's data as changed (call inside the writing transaction).

    SQLite's ``user_version`` is a number in the database header, written with the
    transaction, so a crash can never leave a new generation with old data or the reverse.
    PostgreSQL's is a settings row written in the transaction.
    """
    if conn.dialect.name == "sqlite":
        current = conn.exec_driver_sql("PRAGMA user_version").scalar() or 0
        # The pragma takes no parameters; the value is an int we computed.
        conn.exec_driver_sql(f"PRAGMA user_version = {(int(current) + 1) % 2**31}")
        return
    conn.execute(pg_insert(settings).values(key=GENERATION, value="1").on_conflict_do_update(
        index_elements=[settings.c.key],
        set_={"value": cast(cast(settings.c.value, Integer) + 1, Text)}))


def extraction_key(conn: Connection, columns: list[str]) -> str:
    """What the extractor's part of the store looks like now, as a short string."""
    # The store's creation, and its last upgrade (a migration may rewrite claims).
    created, upgraded, schema_version = conn.exec_driver_sql(
        "SELECT (SELECT min(applied_at) FROM schema_version),"
        " (SELECT max(applied_at) FROM schema_version),"
        " (SELECT max(version) FROM schema_version)").one()
    stamp = [str(created), str(upgraded), schema_version]
    if conn.dialect.name != "sqlite":
        generation = conn.execute(select(settings.c.value)
                                  .where(settings.c.key == GENERATION)).scalar()
        return json.dumps([*stamp, generation or "0", columns])
    generation = conn.exec_driver_sql("PRAGMA user_version").scalar()
    last_claim, last_article = conn.exec_driver_sql(
        "SELECT (SELECT max(rowid) FROM claims), (SELECT max(rowid) FROM articles)").one()
    return json.dumps([*stamp, generation, last_claim, last_article, columns])


def read_consistently(conn: Connection) -> None:
    """Make the rest of this read transaction see one state of the store (call first).
    SQLite transactions already do; PostgreSQL's default (READ COMMITTED) gives each statement
    its own view, and a full read is several statements."""
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def load_table(path: Path, key: str) -> tuple[pa.Table, int] | None:
    """The snapshot at ``path`` as an Arrow table mapped from the file, and the mark it was
    saved with; None when it is missing, unreadable or of another extraction state than
    ``key``."""
    try:
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all()
    except (OSError, pa.ArrowException):
        return None
    metadata = table.schema.metadata or {}
    if metadata.get(_KEY) != key.encode() or not metadata.get(_MARK, b"").isdigit():
        return None
    return table, int(metadata[_MARK])


def load(path: Path, key: str) -> tuple[pd.DataFrame, int] | None:
    """The snapshot at ``path`` as a DataFrame and its mark (see ``load_table``)."""
    found = load_table(path, key)
    return None if found is None else (found[0].to_pandas(), found[1])


def last_event(conn: Connection) -> int:
    """The mark a snapshot taken now is saved with: the newest history event (SQLite); the
    oldest transaction still running as this one started (PostgreSQL, store/tracking.py)."""
    if conn.dialect.name == "sqlite":
        return conn.execute(select(func.coalesce(func.max(history.c.event_id), 0))).scalar()
    return tracking.oldest_running(conn)


def load_current(conn: Connection, path: Path, key: str, columns: list[str] | None = None
                 ) -> tuple[pd.DataFrame, bool] | None:
    """The snapshot at ``path`` with its reviews brought up to date, and whether that took a
    read of every review (then the caller saves it again); None when it is not of ``key``'s
    extraction state. Call in the transaction that read ``key``.

    A few changed reviews (up to ``PATCH_LIMIT``) are read one by one; past that, the whole
    reviews table is read and put in place of the snapshot's review columns: a few seconds at
    a million claims, where reading the claims and articles again took 20-40."""
    found = load_table(path, key)
    if found is None:
        return None
    table, taken_at = found
    changed = changed_since(conn, taken_at)
    if len(changed) > PATCH_LIMIT:  # every column: the caller saves the refreshed snapshot
        refreshed = _with_every_review(conn, _as_read(table.to_pandas()))
        return None if refreshed is None else (refreshed, True)
    if columns is not None:  # only these (and the claim ids the patch goes by) become pandas
        table = table.select(list(dict.fromkeys(["claim_id", *columns])))
    patched = _patch_reviews(_as_read(table.to_pandas()), _review_rows(conn, changed))
    return None if patched is None else (patched, False)


def patched_rows(conn: Connection, table: pa.Table, claim_ids: list[str]) -> pd.DataFrame | None:
    """The snapshot's rows of these claims (``table`` filtered to them, in its order) as read
    from the tables: typed as a full read types them, their reviews as they are now."""
    frame = _as_read(table.to_pandas())
    return _patch_reviews(frame, _review_rows(conn, claim_ids)) if claim_ids else frame


def save(path: Path, frame: pd.DataFrame, key: str, history_mark: int) -> None:
    """Write ``frame`` as the snapshot for ``key`` that includes every review change up to
    history event ``history_mark``; quietly keep none if the folder refuses."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({_KEY: key.encode(), _MARK: str(history_mark).encode()})

    def write(sink) -> None:
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(path, write, binary=True, shared=False)
    except OSError:
        pass  # derived data: the next full read rebuilds it


def changed_since(conn: Connection, mark: int) -> list[str]:
    """Claims whose review may have changed since the snapshot marked ``mark`` was read.

    SQLite: every review change writes history in its transaction, and SQLite numbers events
    in commit order (one writer). PostgreSQL: the reviews rows updated by transactions at or
    after the oldest one running when the snapshot was read (store/tracking.py)."""
    if conn.dialect.name == "sqlite":
        return list(conn.execute(select(history.c.claim_id).distinct()
                                 .where(history.c.event_id > mark)).scalars())
    return tracking.written_since(conn, mark)


def _review_rows(conn: Connection, claim_ids: list[str]) -> pd.DataFrame:
    """The review columns of these claims, typed as in the claims frame (JSON as text)."""
    names = _review_names()
    rows = [r for batch in in_batches(claim_ids) for r in conn.execute(
        select(*(reviews.c[n] for n in names)).where(reviews.c.claim_id.in_(batch))
    ).cursor.fetchall()]
    return typed_claims(raw_frame(rows, names), [n for n in names if n not in JSON_COLUMNS])


def _with_every_review(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame | None:
    """``frame`` (a snapshot) with every review column read afresh from the table; None if a
    claim of the snapshot has no review (the key should have caught that)."""
    names = _review_names()
    rows = conn.execute(select(*(reviews.c[n] for n in names))).cursor.fetchall()
    every = typed_claims(raw_frame(rows, names), [n for n in names if n not in JSON_COLUMNS])
    every = every.set_index("claim_id").reindex(frame["claim_id"])
    if every["status"].isna().any():  # every review has a status
        return None
    for name in names[1:]:
        frame[name] = pd.Series(every[name].array, index=frame.index)
    return frame


def _review_names() -> list[str]:
    """The review columns a snapshot holds, claim_id first."""
    return ["claim_id", *(n for n in ALL_COLUMNS if n in reviews.c and n != "claim_id")]


def _patch_reviews(frame: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame | None:
    """``frame`` (a snapshot) with the review columns of the ``changed`` rows replaced; None
    if a changed claim is not in it (the key should have caught that: never guess)."""
    if changed.empty:
        return frame
    rows = pd.Index(frame["claim_id"]).get_indexer(changed["claim_id"])
    if (rows < 0).any():
        return None
    for name in changed.columns.drop("claim_id"):
        if name not in frame:  # a read of some columns only (store/facets.py)
            continue
        column = frame[name].copy()
        values = changed[name].array
        if column.dtype.kind == "f":  # whole numbers with gaps come back from Arrow as floats
            values = pd.to_numeric(changed[name], errors="coerce").to_numpy(dtype="float64")
        column.iloc[rows] = values
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
