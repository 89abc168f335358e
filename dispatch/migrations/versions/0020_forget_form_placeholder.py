"""forget the words 'PydanticUndefined' that record forms saved in lists

Until 2026-11-29 a new record's form showed a list whose default comes from a factory as
the words "PydanticUndefined"; saved as shown, they became a client's allergy, a menu's
allergen, a volunteer's skill, a schedule's or a task's required skill (a client's allergy
then clashed with every such menu on the meal labels). They are taken out of those lists,
each change in the audit trail. Nothing to undo on the way down.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLACEHOLDER = 'PydanticUndefined'
# (table, list column, the audit trail's name for its records)
LISTS = (
    ('client', 'allergies', 'client'),
    ('menu', 'allergens', 'menu'),
    ('volunteer', 'skills', 'volunteer'),
    ('service_schedule', 'required_skills', 'schedule'),
    ('task', 'required_skills', 'task'),
)


def upgrade() -> None:
    from sqlmodel import Session

    from dispatch.access import system_principal
    from dispatch.audit import chain

    bind = op.get_bind()
    who = system_principal('upgrade')
    with Session(bind=bind) as session:
        for name, column, entity in LISTS:
            table = sa.table(
                name, sa.column('id'), sa.column('station_id'), sa.column(column, sa.JSON)
            )
            values = table.c[column]
            found = bind.execute(
                sa.select(table.c.id, table.c.station_id, values).where(
                    sa.cast(values, sa.Text).like(f'%{PLACEHOLDER}%')
                )
            ).all()
            for id_, station_id, before in found:
                after = [value for value in before if value != PLACEHOLDER]
                if after == before:
                    continue  # the words inside a longer value: someone's own
                bind.execute(table.update().where(table.c.id == id_).values({column: after}))
                chain.record(
                    session,
                    who,
                    action='update',
                    entity=entity,
                    entity_id=id_,
                    station_id=station_id,
                    changes={column: [before, after]},
                )
        session.commit()  # chains the events (within the migration's own transaction)


def downgrade() -> None:
    pass
