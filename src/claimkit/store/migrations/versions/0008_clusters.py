"""Schema 8: claim clusters (the claims that state the same thing share ``reviews.cluster_id``).

Claims already stored stay unclustered (None) until ``store.cluster_new()`` embeds and clusters
them: embedding is minutes per ten thousand claims, too slow for the transaction that opens the
store.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

from claimkit.store.migrate import record_schema_version

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reviews", sa.Column("cluster_id", sa.String(64)))
    op.create_index("ix_reviews_cluster", "reviews", ["cluster_id"])
    record_schema_version(op.get_bind(), 8)


def downgrade() -> None:
    raise NotImplementedError("claimkit stores only move forward; restore a backup instead")
