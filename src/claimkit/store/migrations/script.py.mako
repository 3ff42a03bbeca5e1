"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}
from claimkit.store.migrate import record_schema_version

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}
    record_schema_version(op.get_bind(), int(revision))


def downgrade() -> None:
    raise NotImplementedError("claimkit stores only move forward; restore a backup instead")
