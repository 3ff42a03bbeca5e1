"""Alembic's environment for claimkit stores (docs/architecture.md §5).

claimkit runs its migrations itself (``claimkit.store.migrate``), inside the write transaction
that opened the store, on the connection it hands over in ``config.attributes["connection"]``;
so a crash between two revisions leaves the store at a revision it really has. Developers can
still use the ``alembic`` command with ``-x url=sqlite:///path/to/claims.db``.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from claimkit.store.schema import metadata

config = context.config


def run_on(connection) -> None:
    # render_as_batch: SQLite cannot ALTER most things in place; batch mode copies the table.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:  # the alembic command line
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("give the store: alembic -x url=sqlite:///claims.db upgrade head")
    engine = create_engine(url)
    with engine.begin() as conn:
        run_on(conn)
    engine.dispose()
