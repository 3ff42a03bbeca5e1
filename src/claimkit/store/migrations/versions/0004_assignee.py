"""Schema 4: a claim may be assigned to a reviewer; queues filter on it (indexed).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from claimkit.store.migrate import record_schema_version

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reviews", sa.Column("assignee", sa.Text()))
    op.create_index("ix_reviews_assignee", "reviews", ["assignee"])
    record_schema_version(op.get_bind(), 4)


def downgrade() -> None:
    raise NotImplementedError("claimkit stores only move forward; restore a backup instead")
