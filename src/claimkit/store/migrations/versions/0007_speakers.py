"""Schema 7: one speaker across articles (speakers, their aliases and the analysts' changes;
claims.speaker_id, reviews.corrected_speaker_id). Existing claims are linked to speakers by the
same resolution as new ones (store/speakers.py), article by article in storing order.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

from claimkit.store.migrate import record_schema_version

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from claimkit.store.speakers import link_all_claims

    op.create_table(
        "speakers",
        sa.Column("speaker_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("merged_into", sa.Integer()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "speaker_aliases",
        sa.Column("type", sa.String(20), primary_key=True),
        sa.Column("alias", sa.String(500), primary_key=True),
        sa.Column("speaker_id", sa.Integer(), sa.ForeignKey("speakers.speaker_id"),
                  nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("short", sa.String(500), nullable=False),
        sa.Column("by_analyst", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_speaker_aliases_speaker", "speaker_aliases", ["speaker_id"])
    op.create_index("ix_speaker_aliases_short", "speaker_aliases", ["type", "short"])
    op.create_table(
        "speaker_events",
        sa.Column("event_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("old", sa.Text()),
        sa.Column("new", sa.Text()),
        sa.Column("reviewer", sa.Text()),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_speaker_events_speaker", "speaker_events", ["speaker_id"])
    op.add_column("claims", sa.Column("speaker_id", sa.Integer()))
    op.create_index("ix_claims_speaker_id", "claims", ["speaker_id"])
    op.add_column("reviews", sa.Column("corrected_speaker_id", sa.Integer()))
    conn = op.get_bind()
    link_all_claims(conn)
    record_schema_version(conn, 7)


def downgrade() -> None:
    raise NotImplementedError("claimkit stores only move forward; restore a backup instead")
