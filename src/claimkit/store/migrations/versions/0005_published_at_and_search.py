"""Schema 5: when a claim was published (ClaimReview's datePublished), and indexes that make
text search and the speaker filter fast at a million claims (SQLite FTS5 trigram index;
PostgreSQL pg_trgm GIN indexes; the assignee index made partial).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

from claimkit.store.migrate import record_schema_version
from claimkit.store.search import create_search_indexes

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    op.add_column("reviews", sa.Column("published_at", sa.DateTime()))
    # A claim already published: the time of the change that last made it so.
    conn.execute(sa.text(
        "UPDATE reviews SET published_at = (SELECT max(h.at) FROM history h "
        "WHERE h.claim_id = reviews.claim_id AND h.field = 'status' "
        "AND h.new = '\"published\"') WHERE status = 'published'"))
    create_search_indexes(conn)
    # The assignee index becomes partial: only assigned claims (most are nobody's).
    op.drop_index("ix_reviews_assignee", table_name="reviews")
    op.create_index("ix_reviews_assignee", "reviews", ["assignee"],
                    sqlite_where=sa.text("assignee IS NOT NULL"),
                    postgresql_where=sa.text("assignee IS NOT NULL"))
    record_schema_version(conn, 5)


def downgrade() -> None:
    raise NotImplementedError("claimkit stores only move forward; restore a backup instead")
