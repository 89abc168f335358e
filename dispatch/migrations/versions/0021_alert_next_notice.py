"""alert.next_notice_at: when the notification scan next has a step of an alert to announce

The scan read every open alert of the last day every few seconds, in every server process;
with thousands open it held the interpreter long enough to stall requests. It now reads the
alerts whose time has come. Open alerts get their raising time: the next scan walks their
ladders once, and messages already written are not written again (their event keys).

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_notice_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_alert_next_notice_at'), ['next_notice_at'], unique=False)
    op.execute("UPDATE alert SET next_notice_at = raised_at WHERE status = 'open'")


def downgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_next_notice_at'))
        batch_op.drop_column('next_notice_at')
