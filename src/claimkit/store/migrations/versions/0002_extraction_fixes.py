"""Schema 2: reviews can correct the speaker or mark a claim as not a claim.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from claimkit.store.migrate import record_schema_version

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reviews", sa.Column("corrected_speaker", sa.Text()))
    op.add_column("reviews", sa.Column("not_a_claim", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    record_schema_version(op.get_bind(), 2)


def downgrade() -> None:
    raise NotImplementedError("claimkit stores only move forward; restore a backup instead")
