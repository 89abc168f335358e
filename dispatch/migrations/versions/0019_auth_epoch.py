"""auth_epoch: the number every server process watches to forget whom its tokens stood for

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    epoch = op.create_table(
        'auth_epoch',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_epoch')),
    )
    op.bulk_insert(epoch, [{'id': 1, 'value': 0}])


def downgrade() -> None:
    op.drop_table('auth_epoch')
