"""Schema changes through Alembic (docs/architecture.md §5).

The revisions live in ``store/migrations/versions``, one per schema version (``0001`` …). A new
store is made whole from the current tables (``schema.metadata``) and stamped at the newest
revision; an existing one is upgraded revision by revision. Stores from before Alembic (claimkit
0.2.0 and its schema 2, say) have only the ``schema_version`` table: they are first stamped at the
revision of their version, then upgraded like any other. Every revision also adds its row to
``schema_version``, which is how an older claimkit knows a store is too new for it.

Everything runs on the caller's connection, inside the transaction that opens the store.
"""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, insert, inspect, select

from claimkit.store.schema import schema_version, utcnow

SCRIPT_LOCATION = "claimkit.store:migrations"


def alembic_config(conn: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if conn is not None:
        config.attributes["connection"] = conn
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def revision_for(version: int) -> str:
    """The Alembic revision of schema version ``version``."""
    return f"{version:04d}"


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def stamp(conn: Connection, revision: str) -> None:
    command.stamp(alembic_config(conn), revision)


def upgrade(conn: Connection) -> None:
    """Bring the store on ``conn`` to the newest revision, stamping a pre-Alembic store first."""
    if not inspect(conn).has_table("alembic_version"):
        version = conn.execute(select(func.max(schema_version.c.version))).scalar()
        stamp(conn, revision_for(version))
    command.upgrade(alembic_config(conn), "head")


def record_schema_version(conn: Connection, version: int) -> None:
    """What each revision calls last: the ``schema_version`` row older claimkits read."""
    conn.execute(insert(schema_version).values(version=version, applied_at=utcnow()))
