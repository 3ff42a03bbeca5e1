"""What every part of a :class:`~claimkit.store.Store` stands on: its engine, who it records
review changes as, and one transaction per public call.

The store's jobs (writing, reading, reviewing, taxonomies) are classes that ``Store`` combines;
each of them derives from :class:`StoreBase` so that it can run its own transactions.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine

from claimkit.store.backend import run_transaction

T = TypeVar("T")

# Who a review change is recorded as when neither the call nor the store names a reviewer
# (open_store's ``reviewer``, else ``[review] reviewer`` in claimkit.toml). Never the OS login:
# on a shared server that is "root" for everybody.
UNKNOWN_REVIEWER = "unknown"


class StoreBase:
    """The state a Store's jobs share; ``Store.__init__`` sets it."""

    engine: Engine
    name: str
    reviewer: str | None
    # The snapshot of the extractor's columns (store/snapshot.py); None: keep none.
    snapshot_path: Path | None

    def _who(self, reviewer: str | None) -> str:
        """Who a change is recorded as: the call's reviewer, else the store's, else unknown."""
        return reviewer or self.reviewer or UNKNOWN_REVIEWER

    @property
    def backend(self) -> str:
        return self.engine.dialect.name  # "sqlite" | "postgresql"

    def _read(self, work: Callable[[Connection], T]) -> T:
        return run_transaction(self.engine, work, write=False)

    def _write(self, work: Callable[[Connection], T]) -> T:
        return run_transaction(self.engine, work, write=True)
