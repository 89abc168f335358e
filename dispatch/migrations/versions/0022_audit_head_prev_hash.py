"""audit_head.prev_hash: the hash of the event before each chain's head

On PostgreSQL an event is now chained in the statement that inserts it: the head's UPDATE
computes the new hash and returns the one before it for the event's row. Existing heads
keep NULL until their next event.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op


revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('prev_hash')
