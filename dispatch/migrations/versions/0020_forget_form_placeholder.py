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
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

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
    bind = op.get_bind()
    events = []
    for name, column, entity in LISTS:
        table = sa.table(name, sa.column('id'), sa.column('station_id'), sa.column(column, sa.JSON))
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
            events.append(
                {
                    'entity': entity,
                    'entity_id': id_,
                    'station_id': station_id,
                    'changes': {column: [before, after]},
                    'client_id': id_ if entity == 'client' else None,
                    'volunteer_id': id_ if entity == 'volunteer' else None,
                }
            )
    _write_chained(events)


def _write_chained(events: list[dict[str, Any]]) -> None:
    """Each change in the audit trail, after the head of its station's chain: chained here
    as the trail was at this revision, not by the application's code, which writes the
    columns of later revisions."""
    from dispatch.audit.chain import GENESIS, chain_of, digest

    bind = op.get_bind()
    heads = sa.table('audit_head', sa.column('chain'), sa.column('seq'), sa.column('hash'))
    table = sa.Table('audit_event', sa.MetaData(), autoload_with=bind)
    at = datetime.now(UTC)
    for values in events:
        number = chain_of(values['station_id'])
        head = bind.execute(
            sa.select(heads.c.seq, heads.c.hash).where(heads.c.chain == number)
        ).first()
        seq, previous = head if head is not None else (0, GENESIS)
        row = SimpleNamespace(
            at=at,
            actor_user_id=None,
            interface='upgrade',
            action='update',
            chain=number,
            seq=seq + 1,
            prev_hash=previous,
            **values,
        )
        row.hash = digest(row)  # type: ignore[arg-type]
        bind.execute(table.insert().values(vars(row)))
        if head is None:
            bind.execute(heads.insert().values(chain=number, seq=row.seq, hash=row.hash))
        else:
            move = heads.update().where(heads.c.chain == number)
            bind.execute(move.values(seq=row.seq, hash=row.hash))


def downgrade() -> None:
    pass
