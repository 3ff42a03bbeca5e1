"""Connections and transactions for the two backends: a SQLite file or a PostgreSQL URL.

SQLite: WAL (readers never wait for the writer), foreign keys on, ``synchronous=NORMAL`` (a
commit is durable against a crash of the process; WAL keeps the file consistent even on power
loss). Every write transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up front,
so two writers queue on the busy timeout instead of one failing when it upgrades a read lock.
Whatever still comes back as "database is locked" is retried by :func:`run_transaction` until a
deadline; the user never sees that message.

PostgreSQL: psycopg 3, READ COMMITTED; rows a change depends on are read ``FOR UPDATE``.
Serialization failures and deadlocks are retried the same way.
"""
from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5_000  # SQLite waits this long for a lock before it reports "locked"
RETRY_SECONDS = 120.0  # then run_transaction keeps retrying for this long in total

_PG_RETRY_STATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


class StoreError(Exception):
    """The store cannot be opened or used (bad path or URL, not a store, too busy)."""


class NoSuchStore(StoreError):
    """A command that only reads was given a store that does not exist (``create=False``)."""


class StoreBusyError(StoreError):
    """Another process held the store's write lock for longer than the retry deadline."""


# Per connection: address space mapped (not memory taken) and page cache (64 MiB).
SQLITE_MMAP_BYTES = 1 << 30
SQLITE_CACHE_KIB = 64 * 1024


def describe_target(target: str | os.PathLike) -> str:
    """The store's address for messages, without a password."""
    text = os.fspath(target)
    if "://" in text:
        try:
            return make_url(text).render_as_string(hide_password=True)
        except ArgumentError:
            return text
    return text


def create_store_engine(target: str | os.PathLike, *, create: bool = True) -> Engine:
    """An engine for the store at ``target``; with ``create=False`` a SQLite file that does not
    exist raises :class:`NoSuchStore` instead of being made."""
    text = os.fspath(target)
    if "://" not in text:
        return _sqlite_engine(Path(text), must_exist=not create, name=text)
    try:
        url = make_url(text)
    except ArgumentError:
        raise StoreError(f"not a database URL: {describe_target(text)}") from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
        return create_engine(url, pool_pre_ping=True)
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StoreError("an in-memory SQLite store would vanish on close; give a file path")
        return _sqlite_engine(Path(url.database), must_exist=not create,
                              name=describe_target(text))
    raise StoreError(f"unsupported store URL {describe_target(text)!r}: use a file path "
                     "(SQLite) or postgresql://user@host/database")


def _sqlite_engine(path: Path, *, must_exist: bool = False, name: str = "") -> Engine:
    """``must_exist``: a missing file raises NoSuchStore (named ``name``, as the user gave it)
    instead of being created."""
    path = path.expanduser()
    if path.is_dir():
        raise StoreError(f"{path} is a folder; give the store's file name, e.g. {path}/claims.db")
    if must_exist and not path.is_file():
        raise NoSuchStore(f"no such store: {name or path}")
    if not path.parent.is_dir():
        raise StoreError(f"no such folder: {path.parent}")
    engine = create_engine(f"sqlite:///{path.resolve()}",
                           connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control from the sqlite3 module so BEGIN is ours (see "begin").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            # Filtered reads look claims up all over a large file: map it (reads become
            # memory access, not a system call a page) and keep more of it cached.
            cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("claimkit_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def in_batches(ids: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    """``ids`` a few hundred at a time, for ``IN (...)`` lists: one bound parameter per id, and
    SQLite builds before 3.32 allow only 999 of them in a statement."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def is_retryable(exc: BaseException) -> bool:
    """A lock or serialization failure that the same transaction may simply run again after."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)
    if state in _PG_RETRY_STATES:
        return True
    if isinstance(exc, OperationalError):
        message = str(orig).lower()
        return "database is locked" in message or "database is busy" in message or (
            "database table is locked" in message)
    return False


def run_transaction(engine: Engine, work: Callable[[Connection], T], *, write: bool,
                    deadline_seconds: float = RETRY_SECONDS) -> T:
    """Run ``work(conn)`` in one transaction, retrying it whole on lock / serialization errors.

    ``work`` must be safe to run again from the start: it sees a fresh transaction each time.
    """
    deadline = time.monotonic() + deadline_seconds
    pause = 0.002
    while True:
        try:
            with engine.connect() as conn:
                if write:
                    conn.execution_options(claimkit_write=True)
                with conn.begin():
                    return work(conn)
        except DBAPIError as exc:
            if not is_retryable(exc):
                raise
            if time.monotonic() + pause > deadline:
                raise StoreBusyError(
                    f"the store stayed busy for {deadline_seconds:.0f} s (another process is "
                    "writing to it); try again later") from exc
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 0.25)
