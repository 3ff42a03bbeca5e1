"""The claim store: articles and claims in, reviews and their history kept for good.

``Store`` is one object with four jobs, each in its own module:

* writing.py — ``add`` / ``add_many``: an article and all its claims go in together or not at
  all; re-extraction is reconciled with what is stored;
* reading.py — ``claims()`` and friends: DataFrames, through the snapshot beside a SQLite store;
* reviewing.py — ``review``, ``bulk_review``, ``undo``, ``history``: a change and its history
  go in together, and only if the claim is still at the version the change was based on;
* taxonomies.py — ``taxonomy`` / ``set_taxonomy``: the store's statuses and verdicts.

Every public method is one transaction. Nothing an analyst wrote is ever deleted: re-extraction
keeps claims it no longer finds and flags them ``missing_since``; undo is a new change that
restores the old values.
"""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine

from claimkit.store import schema, snapshot
from claimkit.store.backend import NoSuchStore, StoreError, create_store_engine, describe_target
from claimkit.store.clustering import Clustering
from claimkit.store.factchecking import FactChecking, ImportResult
from claimkit.store.errors import ConflictError, NothingToUndo, UnknownClaimError
from claimkit.store.frames import ALL_COLUMNS, CLAIM_COLUMNS, DETAIL_COLUMNS, SPAN_COLUMNS
from claimkit.store.reading import Reading
from claimkit.store.reviewing import HISTORY_COLUMNS, BulkResult, Reviewing
from claimkit.store.speakers import Speakers, UnknownSpeakerError
from claimkit.store.taxonomies import KINDS, Taxonomies
from claimkit.store.writing import AddResult, Writing, tune
from claimkit.taxonomy import TaxonomyError

# optimize() writes the snapshot ahead of the analyst's first read only up to this many claims:
# writing it holds every claim in memory once (~1.5-2 KB a claim, measured at 136k), and a store
# much larger than this is worked through filters, not read whole. claims() still writes it
# whenever somebody does read everything.
SNAPSHOT_ON_OPTIMIZE_MAX_CLAIMS = 500_000


def open_store(target: str | os.PathLike, *, reviewer: str | None = None,
               create: bool = True) -> Store:
    """Open (creating if needed) a store: a SQLite file path, or a ``postgresql://`` URL.

    ``reviewer`` is who review changes are recorded as when a call does not say. Without it,
    ``[review] reviewer`` in claimkit.toml (see :mod:`claimkit.config`) is used; with neither,
    changes are recorded as ``"unknown"`` (never the OS login, which on a shared server is
    the same for everybody). A new store takes its verdicts from ``[taxonomy] preset`` in
    claimkit.toml when set. A claimkit.toml that cannot be used raises ConfigError.
    ``create=False`` opens only a store that exists: a missing SQLite file (no file is made,
    nor its ``-wal``) or a database without claimkit's tables raises :class:`NoSuchStore`. An
    older store is still brought to the current schema.
    """
    from claimkit.config import ConfigError, load_settings

    settings = load_settings()
    engine = create_store_engine(target, create=create)
    store = Store(engine, describe_target(target), reviewer=reviewer or settings.reviewer)
    try:
        created = store._prepare(create=create)
        if created and settings.taxonomy_preset:
            # A new store starts with the team's verdicts ([taxonomy] preset in claimkit.toml).
            try:
                store.set_taxonomy("verdict", settings.taxonomy_preset)
            except TaxonomyError as exc:
                raise ConfigError(f"{settings.path}: [taxonomy] preset: {exc}") from None
    except BaseException:
        engine.dispose()
        raise
    return store


class Store(Writing, Reading, Reviewing, Taxonomies, Clustering, FactChecking, Speakers):
    """Use :func:`open_store`. A Store is safe to share between threads, not across fork."""

    def __init__(self, engine: Engine, name: str, reviewer: str | None = None) -> None:
        self.engine = engine
        self.name = name
        self.reviewer = reviewer or None
        # A snapshot of the extractor's columns (store/snapshot.py): beside a SQLite file, in
        # the user's cache folder for PostgreSQL.
        self.snapshot_path = (snapshot.snapshot_path(Path(engine.url.database))
                              if engine.dialect.name == "sqlite"
                              else snapshot.cached_snapshot_path(engine.url))

    def __repr__(self) -> str:
        return f"<claimkit store {self.name}>"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    def optimize(self) -> None:
        """Ready the store for reading after a large load: refresh the query planner's
        statistics, fold SQLite's write-ahead log into the file, and write the snapshot that
        makes reading every claim fast (store/snapshot.py), unless the store holds more than
        ``SNAPSHOT_ON_OPTIMIZE_MAX_CLAIMS`` claims. ``claimkit extract`` runs this at the end;
        ``add_many`` does the first two after 5,000 claims or more.
        """
        tune(self.engine)
        if self.snapshot_path is not None and self.count() <= SNAPSHOT_ON_OPTIMIZE_MAX_CLAIMS:
            self.claims()  # a full read writes the snapshot

    def _prepare(self, create: bool = True) -> bool:
        """Create the tables, or bring an older store's schema forward; True if created."""
        try:
            version = self._read(schema.current_version)
            if version is None and not create:
                raise NoSuchStore(f"no such store: {self.name} (the database holds no "
                                  "claimkit store)")
            if version != schema.SCHEMA_VERSION:
                self._write(schema.prepare)
            return version is None
        except schema.SchemaError as exc:
            raise StoreError(f"{self.name}: {exc}") from None
        except Exception as exc:
            if type(exc).__module__.startswith("sqlalchemy"):
                raise StoreError(f"cannot open store {self.name}: {_first_line(exc)}") from None
            raise


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


__all__ = ["ALL_COLUMNS", "AddResult", "BulkResult", "CLAIM_COLUMNS", "ConflictError", "ImportResult",
           "DETAIL_COLUMNS", "HISTORY_COLUMNS", "KINDS", "NoSuchStore", "NothingToUndo",
           "SPAN_COLUMNS", "Store", "StoreError", "UnknownClaimError", "UnknownSpeakerError",
           "open_store"]
