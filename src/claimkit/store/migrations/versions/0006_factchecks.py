"""Schema 6: imported fact-checks with their embeddings, and embeddings of the team's claims
(store.matches: has this been fact-checked before?).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from claimkit.store.migrate import record_schema_version

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "factchecks",
        sa.Column("factcheck_id", sa.String(64), primary_key=True),
        sa.Column("claim", sa.Text(), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=False),
        sa.Column("date", sa.String(40), nullable=False),
        sa.Column("claimant", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("claim_vector", sa.LargeBinary(), nullable=False),
        sa.Column("title_vector", sa.LargeBinary(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "claim_vectors",
        sa.Column("claim_id", sa.String(64), sa.ForeignKey("claims.claim_id"), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )
    record_schema_version(op.get_bind(), 6)


def downgrade() -> None:
    raise NotImplementedError("claimkit stores only move forward; restore a backup instead")
