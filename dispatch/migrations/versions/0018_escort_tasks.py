"""tasks that come from an invitation: escorts to a group activity and back

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('task') as batch:
        batch.alter_column('schedule_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('invitation_id', sa.Integer(), nullable=True))
        batch.create_index('ix_task_invitation_id', ['invitation_id'], unique=False)
        batch.create_unique_constraint('uq_task_invitation_id', ['invitation_id', 'kind', 'service_date'])
        batch.create_foreign_key(
            'fk_task_invitation_id_invitation', 'invitation', ['invitation_id'], ['id']
        )


def downgrade() -> None:
    op.execute("DELETE FROM task WHERE schedule_id IS NULL")
    with op.batch_alter_table('task') as batch:
        batch.drop_constraint('fk_task_invitation_id_invitation', type_='foreignkey')
        batch.drop_constraint('uq_task_invitation_id', type_='unique')
        batch.drop_index('ix_task_invitation_id')
        batch.drop_column('invitation_id')
        batch.alter_column('schedule_id', existing_type=sa.Integer(), nullable=False)
