"""teams and village points; volunteers and clients belong to one

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op


revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'team',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=True),
        sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['site.id'], name='fk_team_site_id_site'),
        sa.ForeignKeyConstraint(['station_id'], ['station.id'], name='fk_team_station_id_station'),
        sa.PrimaryKeyConstraint('id', name='pk_team'),
    )
    op.create_index('ix_team_external_id', 'team', ['external_id'])
    op.create_index('ix_team_station_id', 'team', ['station_id'])
    for table in ('client', 'volunteer'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
            batch.create_index(f'ix_{table}_team_id', ['team_id'])
            batch.create_foreign_key(f'fk_{table}_team_id_team', 'team', ['team_id'], ['id'])


def downgrade() -> None:
    for table in ('volunteer', 'client'):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f'fk_{table}_team_id_team', type_='foreignkey')
            batch.drop_index(f'ix_{table}_team_id')
            batch.drop_column('team_id')
    op.drop_index('ix_team_station_id', table_name='team')
    op.drop_index('ix_team_external_id', table_name='team')
    op.drop_table('team')
