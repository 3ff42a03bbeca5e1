"""Schema 1: the store as claimkit first made it (articles, claims, reviews, history,
taxonomies). Stores from before Alembic are stamped at the revision of their schema_version.

Revision ID: 0001
"""
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nothing to do: a new store is made whole from the current tables and stamped at head
    # (claimkit.store.migrate.create); only stores that already have schema 1 pass here.
    pass


def downgrade() -> None:
    raise NotImplementedError("claimkit stores only move forward; restore a backup instead")
