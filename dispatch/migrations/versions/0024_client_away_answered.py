"""client.away_answered_on: the doors said a client was away, a coordinator heard otherwise

The day's page lists the clients the doors said are away (not home, in hospital) and offers
to pause their services; a client who was only out stayed listed for up to a week. The day
a coordinator answered the doors' word is kept on the client. Existing clients have none.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added in place (SQLite adds the column; a copy of the table would break the foreign
    # keys that refer to clients).
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('away_answered_on', sa.Date(), nullable=True))


def downgrade() -> None:
    op.execute('ALTER TABLE client DROP COLUMN away_answered_on')
