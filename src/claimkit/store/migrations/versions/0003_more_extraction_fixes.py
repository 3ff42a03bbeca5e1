"""Schema 3: reviews can also correct the cue class and kind, and trim the content.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from claimkit.store.migrate import record_schema_version

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reviews", sa.Column("corrected_cue_class", sa.String(50)))
    op.add_column("reviews", sa.Column("corrected_kind", sa.String(20)))
    op.add_column("reviews", sa.Column("corrected_content", sa.Text()))
    record_schema_version(op.get_bind(), 3)


def downgrade() -> None:
    raise NotImplementedError("claimkit stores only move forward; restore a backup instead")
