"""planning jobs' heartbeat and watcher; stops placed by the certificate pass; the station's
hot-meal limit

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('planning_job') as batch:
        batch.add_column(
            sa.Column('watcher', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False, server_default='')
        )
        batch.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('plan') as batch:
        batch.add_column(sa.Column('inserted_stops', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('station') as batch:
        batch.add_column(sa.Column('hot_meal_minutes', sa.Integer(), nullable=False, server_default='45'))


def downgrade() -> None:
    with op.batch_alter_table('station') as batch:
        batch.drop_column('hot_meal_minutes')
    with op.batch_alter_table('plan') as batch:
        batch.drop_column('inserted_stops')
    with op.batch_alter_table('planning_job') as batch:
        batch.drop_column('heartbeat_at')
        batch.drop_column('watcher')
