"""group activities and their invitations

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28 20:43:12.405310
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op


revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_activity_site_id_site')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_activity_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_external_id'), ['external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_service_date'), ['service_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_station_id'), ['station_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('needs_escort', sa.Boolean(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('attendance_noted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_invitation_activity_id_activity')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_invitation_client_id_client')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_invitation_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('activity_id', 'client_id', name=op.f('uq_invitation_activity_id'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_station_id'), ['station_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_station_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_client_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_activity_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_station_id'))
        batch_op.drop_index(batch_op.f('ix_activity_service_date'))
        batch_op.drop_index(batch_op.f('ix_activity_external_id'))

    op.drop_table('activity')
