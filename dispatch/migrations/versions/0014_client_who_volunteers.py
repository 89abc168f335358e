"""a volunteer record linked to the client record of the same person

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('volunteer') as batch:
        batch.add_column(sa.Column('client_id', sa.Integer(), nullable=True))
        batch.create_unique_constraint('uq_volunteer_client_id', ['client_id'])
        batch.create_foreign_key('fk_volunteer_client_id_client', 'client', ['client_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('volunteer') as batch:
        batch.drop_constraint('fk_volunteer_client_id_client', type_='foreignkey')
        batch.drop_constraint('uq_volunteer_client_id', type_='unique')
        batch.drop_column('client_id')
