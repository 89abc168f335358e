"""plan_stop.details: what an unplanned stop's reason names, to say it in people's words

A stop left out said why in an English sentence that named volunteers by the planner's ids
("v3's route"); the day page showed only the reason. The particulars (the volunteer, the
skills, the window, the numbers) are now kept beside the reason. Existing stops get none.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added with a default in place (SQLite adds the column; a copy of the table would break
    # the outcomes' foreign keys to it).
    with op.batch_alter_table('plan_stop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    # In place too: outcomes refer to the stops.
    op.execute('ALTER TABLE plan_stop DROP COLUMN details')
