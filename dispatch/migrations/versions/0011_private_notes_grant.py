"""a station may let its managers see clients' emergency contacts and health notes

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('station') as batch:
        batch.add_column(
            sa.Column(
                'managers_see_private_notes', sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('station') as batch:
        batch.drop_column('managers_see_private_notes')
