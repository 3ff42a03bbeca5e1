"""Schema 9: ``reviews.written_xid``, the PostgreSQL transaction that last updated each review
(store/tracking.py), so that a snapshot finds the reviews changed since it was read through an
index. Rows already stored keep it empty: they were written before any snapshot of schema 9.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

from claimkit.store.migrate import record_schema_version
from claimkit.store.tracking import create_write_tracking

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reviews", sa.Column("written_xid", sa.BigInteger()))
    create_write_tracking(op.get_bind())
    record_schema_version(op.get_bind(), 9)


def downgrade() -> None:
    raise NotImplementedError("claimkit stores only move forward; restore a backup instead")
