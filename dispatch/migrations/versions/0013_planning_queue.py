"""planning jobs on a queue: urgent lane, cancel asked from afar, attempts, hand-over

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('planning_job') as batch:
        batch.add_column(sa.Column('urgent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(
            sa.Column('cancel_requested', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('hand_over_from', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('hand_over_to', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            'fk_planning_job_hand_over_from_volunteer', 'volunteer', ['hand_over_from'], ['id']
        )
        batch.create_foreign_key(
            'fk_planning_job_hand_over_to_volunteer', 'volunteer', ['hand_over_to'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('planning_job') as batch:
        batch.drop_constraint('fk_planning_job_hand_over_to_volunteer', type_='foreignkey')
        batch.drop_constraint('fk_planning_job_hand_over_from_volunteer', type_='foreignkey')
        batch.drop_column('hand_over_to')
        batch.drop_column('hand_over_from')
        batch.drop_column('attempts')
        batch.drop_column('cancel_requested')
        batch.drop_column('urgent')
